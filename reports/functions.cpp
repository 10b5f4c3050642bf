// The function rows of the report and the per-sample evaluation: oracle references, condition numbers,
// and kernel calls through Kernels (the plugin ABI's shape), null entries being "not provided".
#include "reports/functions.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <stdexcept>

namespace softcheck::reports {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();



// num / den for condition numbers: 0 where nothing moves the value, +inf where it is 0 but can move.
double ratio(double num, double den) {
  if (std::isnan(num) || std::isnan(den)) return kNaN;
  if (num == 0) return 0;
  if (den == 0) return kInf;
  return num / std::fabs(den);
}

bool all_finite(std::span<const double> v) {
  return std::all_of(v.begin(), v.end(), [](double e) { return std::isfinite(e); });
}

// σ(x) and 1 - σ(x) in double, each to a few ULPs (κ needs a couple of digits only).
double sigma(double x) { return 1 / (1 + std::exp(-x)); }
double sigma_complement(double x) { return 1 / (1 + std::exp(x)); }

bool uses(std::span<const Function* const> fns, std::initializer_list<Fn> ids) {
  for (const Function* f : fns)
    for (Fn id : ids)
      if (f->id == id) return true;
  return false;
}

template <class Call>
std::int64_t timed(Call&& call, bool& ok, std::string& error) {
  const auto t0 = std::chrono::steady_clock::now();
  try {
    call();
  } catch (const std::exception& e) {
    ok = false;
    error = e.what();
  } catch (...) {
    ok = false;
    error = "unknown exception";
  }
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::span<const Function> functions() {
  // A function-local table: its rows point at the input kinds, which are function-local statics too.
  static const std::array<Function, 12> table{{
      {Fn::kSigmoid, "sigmoid", "sigmoid", true, &inputs::scalar_x(), "σ(x)",
       "|x·(1-σ(x))|"},
      {Fn::kLogSigmoid, "log_sigmoid", "log_sigmoid", true, &inputs::scalar_x(), "log σ(x)",
       "|x·(1-σ(x)) / log σ(x)|"},
      {Fn::kSoftmax, "softmax", "softmax", false, &inputs::vector_x(), "every component p_i",
       "κ_i = Σ_j |x_j·(δ_ij - p_j)|  (= Σ_j |x_j ∂log p_i/∂x_j|)"},
      {Fn::kLogSoftmax, "log_softmax", "log_softmax", false, &inputs::vector_x(), "every component log p_i",
       "κ_i = Σ_j |x_j·(δ_ij - p_j)| / |log p_i|"},
      {Fn::kLogsumexp, "logsumexp", "logsumexp", false, &inputs::vector_x(), "log Σ e^{x_i}",
       "Σ_j |x_j|·p_j / |logsumexp(x)|"},
      {Fn::kCrossEntropy, "cross_entropy", "cross_entropy", false, &inputs::vector_class(), "the loss -log p_k",
       "Σ_j |x_j·(δ_kj - p_j)| / |L|"},
      {Fn::kCrossEntropyGrad, "cross_entropy_grad", "cross_entropy", false, &inputs::vector_class(),
       "every gradient component p_i - δ_ik",
       "i ≠ k: as softmax_i; i = k: p_k·Σ_j |x_j·(δ_kj - p_j)| / (1 - p_k)"},
      {Fn::kCrossEntropyGradTarget, "cross_entropy_grad_target", "cross_entropy", false, &inputs::vector_class(),
       "the target-class gradient component p_k - 1 only",
       "p_k·Σ_j |x_j·(δ_kj - p_j)| / (1 - p_k)"},
      {Fn::kCrossEntropyDist, "cross_entropy_dist", "cross_entropy_dist", false, &inputs::vector_target(),
       "the loss -Σ t_i log p_i",
       "(Σ_j |x_j·(T p_j - t_j)| + Σ_i |t_i log p_i|) / |L|, T = Σ t_i (x and t both perturbed)"},
      {Fn::kCrossEntropyDistGrad, "cross_entropy_dist_grad", "cross_entropy_dist", false, &inputs::vector_target(),
       "every gradient component T p_i - t_i",
       "(T p_i Σ_j |x_j·(δ_ij - p_j)| + Σ_j |t_j·(p_i - δ_ij)|) / |T p_i - t_i|"},
      {Fn::kBceWithLogits, "bce_with_logits", "bce_with_logits", true, &inputs::scalar_target(),
       "the loss -t log σ(x) - (1-t) log(1-σ(x))",
       "(|x·(σ(x) - t)| + |t·x|) / |L|"},
      {Fn::kBceWithLogitsGrad, "bce_with_logits_grad", "bce_with_logits", true, &inputs::scalar_target(),
       "the gradient σ(x) - t",
       "(|x|·σ(x)(1-σ(x)) + |t|) / |σ(x) - t|"},
  }};
  return table;
}

const Function* find_function(std::string_view name) {
  for (const Function& f : functions())
    if (f.name == name) return &f;
  return nullptr;
}

namespace condition {
double sigmoid(double x) { return std::isfinite(x) ? std::fabs(x) * sigma_complement(x) : kNaN; }
double log_sigmoid(double x, double log_sigma) {
  return std::isfinite(x) ? ratio(std::fabs(x) * sigma_complement(x), log_sigma) : kNaN;
}
std::vector<double> softmax(std::span<const double> x, std::span<const double> p) {
  // D_i = |x_i|(1 - p_i) + Σ_{j≠i} |x_j| p_j, with 1 - p_i = Σ_{j≠i} p_j: prefix and suffix sums, no
  // cancellation, so a dominant p_i ≈ 1 still gets its small κ right.
  const std::size_t n = x.size();
  std::vector<double> pre_xp(n + 1, 0), suf_xp(n + 1, 0), pre_p(n + 1, 0), suf_p(n + 1, 0), d(n);
  for (std::size_t i = 0; i < n; ++i) {
    pre_xp[i + 1] = pre_xp[i] + std::fabs(x[i]) * p[i];
    pre_p[i + 1] = pre_p[i] + p[i];
  }
  for (std::size_t i = n; i-- > 0;) {
    suf_xp[i] = suf_xp[i + 1] + std::fabs(x[i]) * p[i];
    suf_p[i] = suf_p[i + 1] + p[i];
  }
  for (std::size_t i = 0; i < n; ++i)
    d[i] = std::fabs(x[i]) * (pre_p[i] + suf_p[i + 1]) + pre_xp[i] + suf_xp[i + 1];
  return d;
}
}  // namespace condition

Evaluator::Evaluator() : slots_(functions().size()) {}

void Evaluator::reference(std::span<const Function* const> fns, const Input& in) {
  for (const Function* f : fns) {
    Slot& s = slot(*f);
    s.refs.clear();
    s.kappa.clear();
    s.components.clear();
  }
  if (fns.empty()) return;
  const std::span<const double> x = in.x;

  if (fns.front()->scalar) {
    const double x0 = x.empty() ? kNaN : x[0];
    for (const Function* f : fns) {
      Slot& s = slot(*f);
      s.components = {0};
      switch (f->id) {
        case Fn::kSigmoid:
          s.refs = {oracle::sigmoid(x0)};
          s.kappa = {condition::sigmoid(x0)};
          break;
        case Fn::kLogSigmoid:
          s.refs = {oracle::log_sigmoid(x0)};
          s.kappa = {condition::log_sigmoid(x0, s.refs[0].rounded)};
          break;
        case Fn::kBceWithLogits:
        case Fn::kBceWithLogitsGrad: {
          oracle::Ref g;
          const oracle::Ref loss = oracle::bce_with_logits(x0, in.bce_target, &g);
          const double t = in.bce_target;
          const bool fin = std::isfinite(x0) && std::isfinite(t);
          if (f->id == Fn::kBceWithLogits) {
            s.refs = {loss};
            s.kappa = {fin ? ratio(std::fabs(x0 * g.rounded) + std::fabs(t * x0), loss.rounded) : kNaN};
          } else {
            s.refs = {g};
            s.kappa = {fin ? ratio(std::fabs(x0) * sigma(x0) * sigma_complement(x0) + std::fabs(t), g.rounded)
                           : kNaN};
          }
          break;
        }
        default:
          throw std::logic_error("vector function in a scalar group");
      }
    }
    return;
  }

  // Vector functions: one oracle evaluation of x serves them all.
  const std::size_t n = x.size();
  vec_.assign(x);
  const bool fin = all_finite(x) && all_finite(in.target);
  softmax_.resize(n);
  vec_.softmax(softmax_);
  const bool want_ls = uses(fns, {Fn::kLogSoftmax, Fn::kCrossEntropyDist});
  if (want_ls) {
    log_softmax_.resize(n);
    vec_.log_softmax(log_softmax_);
  }
  oracle::Ref lse, ce, dist;
  if (uses(fns, {Fn::kLogsumexp})) lse = vec_.logsumexp();
  const bool want_grad = uses(fns, {Fn::kCrossEntropyGrad, Fn::kCrossEntropyGradTarget});
  if (uses(fns, {Fn::kCrossEntropy, Fn::kCrossEntropyGrad, Fn::kCrossEntropyGradTarget})) {
    grad_.resize(want_grad ? n : 0);
    ce = vec_.cross_entropy(in.target_class, grad_);
  }
  if (uses(fns, {Fn::kCrossEntropyDist, Fn::kCrossEntropyDistGrad})) {
    dist_grad_.resize(n);
    dist = vec_.cross_entropy(std::span<const double>(in.target), dist_grad_);
  }

  // Condition numbers from the oracle's rounded values (a couple of digits are all κ needs).
  std::vector<double> p(n), d;
  for (std::size_t i = 0; i < n; ++i) p[i] = softmax_[i].rounded;
  if (fin) d = condition::softmax(x, p);
  auto kappa = [&](std::size_t i, auto&& formula) { return fin ? formula(i) : kNaN; };
  const std::size_t k = in.target_class;
  double T = 0;
  for (double t : in.target) T += t;

  for (const Function* f : fns) {
    Slot& s = slot(*f);
    switch (f->id) {
      case Fn::kSoftmax:
        s.refs = softmax_;
        for (std::size_t i = 0; i < n; ++i) s.kappa.push_back(kappa(i, [&](std::size_t j) { return d[j]; }));
        break;
      case Fn::kLogSoftmax:
        s.refs = log_softmax_;
        for (std::size_t i = 0; i < n; ++i)
          s.kappa.push_back(kappa(i, [&](std::size_t j) { return ratio(d[j], log_softmax_[j].rounded); }));
        break;
      case Fn::kLogsumexp: {
        s.refs = {lse};
        s.kappa = {kappa(0, [&](std::size_t) {
          double num = 0;
          for (std::size_t j = 0; j < n; ++j) num += std::fabs(x[j]) * p[j];
          return ratio(num, lse.rounded);
        })};
        break;
      }
      case Fn::kCrossEntropy:
        s.refs = {ce};
        s.kappa = {kappa(0, [&](std::size_t) { return ratio(d[k], ce.rounded); })};
        break;
      case Fn::kCrossEntropyGrad:
      case Fn::kCrossEntropyGradTarget: {
        auto grad_kappa = [&](std::size_t i) {
          return i == k ? ratio(p[k] * d[k], grad_[k].rounded) : d[i];
        };
        if (f->id == Fn::kCrossEntropyGrad) {
          s.refs = grad_;
          for (std::size_t i = 0; i < n; ++i) s.kappa.push_back(kappa(i, grad_kappa));
        } else {
          s.refs = {grad_[k]};
          s.kappa = {kappa(k, grad_kappa)};
          s.components = {k};
        }
        break;
      }
      case Fn::kCrossEntropyDist:
        s.refs = {dist};
        s.kappa = {kappa(0, [&](std::size_t) {
          double num = 0;
          for (std::size_t j = 0; j < n; ++j) {
            num += std::fabs(x[j] * dist_grad_[j].rounded);
            if (in.target[j] != 0) num += std::fabs(in.target[j] * log_softmax_[j].rounded);
          }
          return ratio(num, dist.rounded);
        })};
        break;
      case Fn::kCrossEntropyDistGrad:
        s.refs = dist_grad_;
        for (std::size_t i = 0; i < n; ++i)
          s.kappa.push_back(kappa(i, [&](std::size_t j) {
            const double t = in.target[j], q = std::max(0.0, T - t);
            const double one_minus_p = d.empty() ? 0 : std::max(0.0, 1 - p[j]);
            return ratio(T * p[j] * d[j] + p[j] * q + t * one_minus_p, dist_grad_[j].rounded);
          }));
        break;
      default:
        throw std::logic_error("scalar function in a vector group");
    }
    if (s.components.empty())
      for (std::size_t i = 0; i < s.refs.size(); ++i) s.components.push_back(i);
  }
}

std::span<const oracle::Ref> Evaluator::refs(const Function& f) const { return slot(f).refs; }
std::span<const double> Evaluator::kappas(const Function& f) const { return slot(f).kappa; }
std::span<const std::uint64_t> Evaluator::components(const Function& f) const { return slot(f).components; }
std::span<const double> Evaluator::outputs(const Function& f) const { return slot(f).out; }
bool Evaluator::ok(const Function& f) const { return slot(f).ok; }
const std::string& Evaluator::error(const Function& f) const { return slot(f).error; }

void Evaluator::run(const Kernels& kern, std::span<const Function* const> fns, const Input& in,
                    std::span<std::int64_t> ns) {
  const double* x = in.x.data();
  const std::size_t n = in.x.size();
  const double x0 = n ? in.x[0] : kNaN;
  // One call per kernel entry; the rows of that entry share its outputs and its time.
  bool done_sig = false, done_lsig = false, done_sm = false, done_ls = false, done_lse = false, done_ce = false,
       done_dist = false, done_bce = false;
  std::int64_t t_sig = 0, t_lsig = 0, t_sm = 0, t_ls = 0, t_lse = 0, t_ce = 0, t_dist = 0, t_bce = 0;
  bool ok_ce = true, ok_dist = true, ok_bce = true;
  std::string err_ce, err_dist, err_bce;
  double ce_loss = kNaN, dist_loss = kNaN, bce_loss = kNaN, bce_grad = kNaN;
  const bool want_ce_grad = uses(fns, {Fn::kCrossEntropyGrad, Fn::kCrossEntropyGradTarget});
  const bool want_dist_grad = uses(fns, {Fn::kCrossEntropyDistGrad});

  for (std::size_t fi = 0; fi < fns.size(); ++fi) {
    const Function& f = *fns[fi];
    Slot& s = slot(f);
    s.ok = true;
    s.error.clear();
    switch (f.id) {
      case Fn::kSigmoid:
        s.out.assign(1, kNaN);
        if (!done_sig) t_sig = timed([&] { kern.sigmoid(&x0, 1, s.out.data()); }, s.ok, s.error), done_sig = true;
        ns[fi] = t_sig;
        break;
      case Fn::kLogSigmoid:
        s.out.assign(1, kNaN);
        if (!done_lsig)
          t_lsig = timed([&] { kern.log_sigmoid(&x0, 1, s.out.data()); }, s.ok, s.error), done_lsig = true;
        ns[fi] = t_lsig;
        break;
      case Fn::kSoftmax:
        s.out.assign(n, kNaN);
        if (!done_sm) t_sm = timed([&] { kern.softmax(x, n, s.out.data()); }, s.ok, s.error), done_sm = true;
        ns[fi] = t_sm;
        break;
      case Fn::kLogSoftmax:
        s.out.assign(n, kNaN);
        if (!done_ls) t_ls = timed([&] { kern.log_softmax(x, n, s.out.data()); }, s.ok, s.error), done_ls = true;
        ns[fi] = t_ls;
        break;
      case Fn::kLogsumexp: {
        double r = kNaN;
        if (!done_lse) t_lse = timed([&] { r = kern.logsumexp(x, n); }, s.ok, s.error), done_lse = true;
        s.out.assign(1, r);
        ns[fi] = t_lse;
        break;
      }
      case Fn::kCrossEntropy:
      case Fn::kCrossEntropyGrad:
      case Fn::kCrossEntropyGradTarget:
        if (!done_ce) {
          y1_.assign(want_ce_grad ? n : 0, kNaN);
          t_ce = timed([&] { ce_loss = kern.cross_entropy(x, n, in.target_class, want_ce_grad ? y1_.data() : nullptr); },
                       ok_ce, err_ce);
          done_ce = true;
        }
        s.ok = ok_ce;
        s.error = err_ce;
        if (f.id == Fn::kCrossEntropy) s.out.assign(1, ce_loss);
        else if (f.id == Fn::kCrossEntropyGrad) s.out = y1_;
        else s.out.assign(1, in.target_class < y1_.size() ? y1_[in.target_class] : kNaN);
        ns[fi] = t_ce;
        break;
      case Fn::kCrossEntropyDist:
      case Fn::kCrossEntropyDistGrad:
        if (!done_dist) {
          y2_.assign(want_dist_grad ? n : 0, kNaN);
          t_dist = timed(
              [&] { dist_loss = kern.cross_entropy_dist(x, in.target.data(), n, want_dist_grad ? y2_.data() : nullptr); },
              ok_dist, err_dist);
          done_dist = true;
        }
        s.ok = ok_dist;
        s.error = err_dist;
        if (f.id == Fn::kCrossEntropyDist) s.out.assign(1, dist_loss);
        else s.out = y2_;
        ns[fi] = t_dist;
        break;
      case Fn::kBceWithLogits:
      case Fn::kBceWithLogitsGrad:
        if (!done_bce) {
          t_bce = timed([&] { bce_loss = kern.bce_with_logits(x0, in.bce_target, &bce_grad); }, ok_bce, err_bce);
          done_bce = true;
        }
        s.ok = ok_bce;
        s.error = err_bce;
        s.out.assign(1, f.id == Fn::kBceWithLogits ? bce_loss : bce_grad);
        ns[fi] = t_bce;
        break;
    }
  }
}

}  // namespace softcheck::reports
