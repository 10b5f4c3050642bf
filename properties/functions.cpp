// The function rows (see functions.hpp): kernel entry calls, the oracle's shared values, and per row
// its graded components and condition numbers.
#include "properties/functions.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace softcheck::functions {
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

// σ(x) and 1 - σ(x) in double, each to a few ULPs (κ needs a couple of digits only).
double sigma(double x) { return 1 / (1 + std::exp(-x)); }
double sigma_complement(double x) { return 1 / (1 + std::exp(x)); }

bool all_finite(std::span<const double> v) {
  return std::all_of(v.begin(), v.end(), [](double e) { return std::isfinite(e); });
}

// ---- the oracle's values, each computed once per input (Reference::get) ----

using Refs = std::vector<oracle::Ref>;
struct LossGrad {  // one oracle call's loss and gradient
  oracle::Ref loss;
  Refs grad;
};
struct SoftmaxKappa {  // RN(softmax(x)) and κ of softmax per component (κ empty for non-finite input)
  std::vector<double> p, kappa;
};

void oracle_sigmoid(Reference& r, Refs& v) {
  v.clear();
  for (double x : r.input().x) v.push_back(oracle::sigmoid(x));
}
void oracle_log_sigmoid(Reference& r, Refs& v) {
  v.clear();
  for (double x : r.input().x) v.push_back(oracle::log_sigmoid(x));
}
void oracle_sigmoid_derivative(Reference& r, Refs& v) {
  v.clear();
  for (double x : r.input().x) v.push_back(oracle::sigmoid_derivative(x));
}
void oracle_sigmoid_backward(Reference& r, Refs& v) {
  v.clear();
  const Input& in = r.input();
  for (std::size_t i = 0; i < in.x.size(); ++i) v.push_back(oracle::sigmoid_backward(in.x[i], in.target[i]));
}
void oracle_softmax_backward(Reference& r, Refs& v) {
  const Input& in = r.input();
  v.resize(in.x.size());
  oracle::softmax_backward(in.x, in.target, v);
}
void oracle_log_softmax_backward(Reference& r, Refs& v) {
  const Input& in = r.input();
  v.resize(in.x.size());
  oracle::log_softmax_backward(in.x, in.target, v);
}
void oracle_softmax_vjp(Reference& r, Refs& v) {
  v.resize(r.input().x.size());
  r.vector().softmax_vjp(r.input().target, v);
}
void oracle_log_softmax_vjp(Reference& r, Refs& v) {
  v.resize(r.input().x.size());
  r.vector().log_softmax_vjp(r.input().target, v);
}
void oracle_softmax(Reference& r, Refs& v) {
  v.resize(r.input().x.size());
  r.vector().softmax(v);
}
void oracle_log_softmax(Reference& r, Refs& v) {
  v.resize(r.input().x.size());
  r.vector().log_softmax(v);
}
void oracle_logsumexp(Reference& r, oracle::Ref& v) { v = r.vector().logsumexp(); }
void oracle_cross_entropy_class(Reference& r, LossGrad& v) {
  v.grad.resize(r.input().x.size());
  v.loss = r.vector().cross_entropy(r.input().target_class, v.grad);
}
void oracle_cross_entropy_dist(Reference& r, LossGrad& v) {
  v.grad.resize(r.input().x.size());
  v.loss = r.vector().cross_entropy(std::span<const double>(r.input().target), v.grad);
}
void oracle_bce(Reference& r, LossGrad& v) {
  v.grad.resize(1);
  v.loss = oracle::bce_with_logits(r.input().x.empty() ? kNaN : r.input().x[0], r.input().bce_target, &v.grad[0]);
}
void softmax_kappa(Reference& r, SoftmaxKappa& v) {
  const Refs& s = r.get(oracle_softmax);
  v.p.resize(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) v.p[i] = s[i].rounded;
  if (r.finite()) v.kappa = condition::softmax(r.input().x, v.p);
  else v.kappa.clear();
}

// ---- the rows' oracle values and condition numbers ----

void ref_sigmoid(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_sigmoid);
  for (double x : r.input().x) kappa.push_back(condition::sigmoid(x));
}
void ref_log_sigmoid(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_log_sigmoid);
  for (std::size_t i = 0; i < refs.size(); ++i) kappa.push_back(condition::log_sigmoid(r.input().x[i], refs[i].rounded));
}
void ref_sigmoid_derivative(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_sigmoid_derivative);
  // d log σ'(x) / d log x = x (1 - 2σ(x)) = -x tanh(x/2)
  for (double x : r.input().x) kappa.push_back(std::isfinite(x) ? std::fabs(x * std::tanh(x / 2)) : kNaN);
}
void ref_sigmoid_backward(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_sigmoid_backward);
  // relative perturbations of g (1) and of y (|y (1 - 2y) / (y (1 - y))| = |(1 - 2y) / (1 - y)|)
  const Input& in = r.input();
  for (std::size_t i = 0; i < in.x.size(); ++i) {
    const double y = in.x[i], g = in.target[i];
    kappa.push_back(std::isfinite(y) && std::isfinite(g) ? 1 + ratio(std::fabs(1 - 2 * y), 1 - y) : kNaN);
  }
}
void ref_softmax_backward(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_softmax_backward);
  // out_i = y_i g_i - y_i Σ_j g_j y_j: relative perturbations of y_j and g_j move it by at most
  // |y_i| (|g_i| + 2 Σ_j |g_j y_j|) (y_i's own perturbation moves out_i by itself: the 1).
  const Input& in = r.input();
  double a = 0;
  for (std::size_t j = 0; j < in.x.size(); ++j) a += std::fabs(in.x[j] * in.target[j]);
  for (std::size_t i = 0; i < in.x.size(); ++i)
    kappa.push_back(r.finite() ? 1 + ratio(std::fabs(in.x[i]) * (std::fabs(in.target[i]) + 2 * a), refs[i].rounded)
                               : kNaN);
}
void ref_log_softmax_backward(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_log_softmax_backward);
  // out_i = g_i - e^{y_i} G: y_i moves it by |e^{y_i} G y_i|, g_j by |g_i| δ_ij + e^{y_i} |g_j|.
  const Input& in = r.input();
  double G = 0, a = 0;
  for (double g : in.target) G += g, a += std::fabs(g);
  for (std::size_t i = 0; i < in.x.size(); ++i) {
    const double e = std::exp(in.x[i]);
    kappa.push_back(r.finite() ? ratio(std::fabs(e * G * in.x[i]) + std::fabs(in.target[i]) + e * a, refs[i].rounded)
                               : kNaN);
  }
}
void ref_softmax_vjp(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_softmax_vjp);
  // out_i = p_i (g_i - Σ_j g_j p_j): p_i moves with x as softmax's κ_i; g_j moves it by p_i (|g_i| δ_ij
  // + |g_j| p_j); each p_j inside the sum by p_i |g_j| p_j κ_j.
  const Input& in = r.input();
  const auto& sk = r.get(softmax_kappa);
  double b = 0;
  for (std::size_t j = 0; j < in.x.size() && j < sk.kappa.size(); ++j)
    b += std::fabs(in.target[j]) * sk.p[j] * (1 + sk.kappa[j]);
  for (std::size_t i = 0; i < in.x.size(); ++i) {
    const bool fin = r.finite() && i < sk.kappa.size();
    kappa.push_back(fin ? sk.kappa[i] + ratio(sk.p[i] * (std::fabs(in.target[i]) + b), refs[i].rounded) : kNaN);
  }
}
void ref_log_softmax_vjp(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_log_softmax_vjp);
  // out_i = g_i - p_i G: x_j moves p_i by p_i |x_j (δ_ij - p_j)| (softmax's κ_i times p_i), g_j by
  // |g_i| δ_ij + p_i |g_j|.
  const Input& in = r.input();
  const auto& sk = r.get(softmax_kappa);
  double G = 0, a = 0;
  for (double g : in.target) G += g, a += std::fabs(g);
  for (std::size_t i = 0; i < in.x.size(); ++i) {
    const bool fin = r.finite() && i < sk.kappa.size();
    const double p = fin ? sk.p[i] : kNaN;
    kappa.push_back(fin ? ratio(p * std::fabs(G) * sk.kappa[i] + std::fabs(in.target[i]) + p * a, refs[i].rounded) : kNaN);
  }
}
void ref_softmax(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_softmax);
  const auto& d = r.get(softmax_kappa).kappa;
  for (std::size_t i = 0; i < refs.size(); ++i) kappa.push_back(r.finite() ? d[i] : kNaN);
}
void ref_log_softmax(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_log_softmax);
  const auto& d = r.get(softmax_kappa).kappa;
  for (std::size_t i = 0; i < refs.size(); ++i) kappa.push_back(r.finite() ? ratio(d[i], refs[i].rounded) : kNaN);
}
void ref_logsumexp(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = {r.get(oracle_logsumexp)};
  const auto& x = r.input().x;
  const auto& p = r.get(softmax_kappa).p;
  double num = 0;
  for (std::size_t j = 0; j < x.size(); ++j) num += std::fabs(x[j]) * p[j];
  kappa = {r.finite() ? ratio(num, refs[0].rounded) : kNaN};
}
void ref_cross_entropy(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = {r.get(oracle_cross_entropy_class).loss};
  const std::size_t k = r.input().target_class;
  kappa = {r.finite() ? ratio(r.get(softmax_kappa).kappa[k], refs[0].rounded) : kNaN};
}
double ce_grad_kappa(Reference& r, std::size_t i) {
  if (!r.finite()) return kNaN;
  const std::size_t k = r.input().target_class;
  const SoftmaxKappa& s = r.get(softmax_kappa);
  return i == k ? ratio(s.p[k] * s.kappa[k], r.get(oracle_cross_entropy_class).grad[k].rounded) : s.kappa[i];
}
void ref_cross_entropy_grad(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_cross_entropy_class).grad;
  for (std::size_t i = 0; i < refs.size(); ++i) kappa.push_back(ce_grad_kappa(r, i));
}
void ref_cross_entropy_grad_target(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  const std::size_t k = r.input().target_class;
  refs = {r.get(oracle_cross_entropy_class).grad[k]};
  kappa = {ce_grad_kappa(r, k)};
}
void ref_cross_entropy_dist(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = {r.get(oracle_cross_entropy_dist).loss};
  const Input& in = r.input();
  if (!r.finite()) {
    kappa = {kNaN};
    return;
  }
  const auto& g = r.get(oracle_cross_entropy_dist).grad;
  const auto& ls = r.get(oracle_log_softmax);
  double num = 0;
  for (std::size_t j = 0; j < in.x.size(); ++j) {
    num += std::fabs(in.x[j] * g[j].rounded);
    if (in.target[j] != 0) num += std::fabs(in.target[j] * ls[j].rounded);
  }
  kappa = {ratio(num, refs[0].rounded)};
}
void ref_cross_entropy_dist_grad(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = r.get(oracle_cross_entropy_dist).grad;
  const Input& in = r.input();
  double T = 0;
  for (double t : in.target) T += t;
  for (std::size_t j = 0; j < refs.size(); ++j) {
    if (!r.finite()) {
      kappa.push_back(kNaN);
      continue;
    }
    const auto& p = r.get(softmax_kappa).p;
    const auto& d = r.get(softmax_kappa).kappa;
    const double t = in.target[j], q = std::max(0.0, T - t);
    const double one_minus_p = std::max(0.0, 1 - p[j]);
    kappa.push_back(ratio(T * p[j] * d[j] + p[j] * q + t * one_minus_p, refs[j].rounded));
  }
}
void ref_bce(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = {r.get(oracle_bce).loss};
  const double x0 = r.input().x.empty() ? kNaN : r.input().x[0], t = r.input().bce_target;
  const bool fin = std::isfinite(x0) && std::isfinite(t);
  kappa = {fin ? ratio(std::fabs(x0 * r.get(oracle_bce).grad[0].rounded) + std::fabs(t * x0), refs[0].rounded) : kNaN};
}
void ref_bce_grad(Reference& r, std::vector<oracle::Ref>& refs, std::vector<double>& kappa) {
  refs = {r.get(oracle_bce).grad[0]};
  const double x0 = r.input().x.empty() ? kNaN : r.input().x[0], t = r.input().bce_target;
  const bool fin = std::isfinite(x0) && std::isfinite(t);
  kappa = {fin ? ratio(std::fabs(x0) * sigma(x0) * sigma_complement(x0) + std::fabs(t), refs[0].rounded) : kNaN};
}

}  // namespace

// ---- kernel entries ----

void call_entry(const Kernels& k, std::string_view entry, const Input& in, bool want_vector, EntryOutput& out) {
  static const double empty = 0;  // x of no element: a valid pointer all the same
  const double* x = in.x.empty() ? &empty : in.x.data();
  const std::size_t n = in.x.size();
  const double x0 = n ? in.x[0] : kNaN;
  out.value = kNaN;
  if (entry == "sigmoid" || entry == "log_sigmoid" || entry == "sigmoid_derivative" || entry == "softmax" ||
      entry == "log_softmax") {
    out.vector.assign(n, kNaN);
    (entry == "sigmoid"              ? k.sigmoid
     : entry == "log_sigmoid"        ? k.log_sigmoid
     : entry == "sigmoid_derivative" ? k.sigmoid_derivative
     : entry == "softmax"            ? k.softmax
                                     : k.log_softmax)(x, n, out.vector.data());
  } else if (entry == "sigmoid_backward" || entry == "softmax_backward" || entry == "log_softmax_backward" ||
             entry == "log_softmax_vjp" || entry == "softmax_vjp") {
    if (in.target.size() != n)
      throw std::invalid_argument("call_entry: " + std::string(entry) + " needs one g per y (" +
                                  std::to_string(in.target.size()) + " for " + std::to_string(n) + ")");
    out.vector.assign(n, kNaN);
    (entry == "sigmoid_backward"       ? k.sigmoid_backward
     : entry == "softmax_backward"     ? k.softmax_backward
     : entry == "log_softmax_backward" ? k.log_softmax_backward
     : entry == "softmax_vjp"          ? k.softmax_vjp
                                       : k.log_softmax_vjp)(x, n ? in.target.data() : &empty, n, out.vector.data());
  } else if (entry == "logsumexp") {
    out.vector.clear();
    out.value = k.logsumexp(x, n);
  } else if (entry == "cross_entropy") {
    out.vector.assign(want_vector ? n : 0, kNaN);
    out.value = k.cross_entropy(x, n, in.target_class, want_vector ? out.vector.data() : nullptr);
  } else if (entry == "cross_entropy_dist") {
    out.vector.assign(want_vector ? n : 0, kNaN);
    out.value = k.cross_entropy_dist(x, in.target.data(), n, want_vector ? out.vector.data() : nullptr);
  } else if (entry == "bce_with_logits") {
    out.vector.assign(want_vector ? 1 : 0, kNaN);
    out.value = k.bce_with_logits(x0, in.bce_target, want_vector ? out.vector.data() : nullptr);
  } else {
    throw std::invalid_argument("call_entry: unknown kernel entry '" + std::string(entry) + "'");
  }
}

bool vector_is_optional(std::string_view entry) {
  return entry == "cross_entropy" || entry == "cross_entropy_dist" || entry == "bce_with_logits";
}

// ---- the oracle's shared values ----

void Reference::assign(const Input& in) {
  in_ = &in;
  assigned_ = false;
  finite_ = all_finite(in.x) && all_finite(in.target);
  for (auto& slot : slots_) slot.second->valid = false;
}

oracle::Vector& Reference::vector() {
  if (!assigned_) {
    vec_.assign(in_->x);
    assigned_ = true;
  }
  return vec_;
}

// ---- the rows ----

std::span<const Row> rows() {
  // A function-local table: its rows point at the input kinds, which are function-local statics too.
  using inputs::scalar_target, inputs::scalar_x, inputs::vector_class, inputs::vector_target, inputs::vector_upstream,
      inputs::vector_x;
  using inputs::Forward;
  static const std::array<Row, 18> table{{
      {"sigmoid", "sigmoid", &scalar_x(), true, Part::kVector, "σ(x)", "|x·(1-σ(x))|", "sigmoid", "sigmoid(x)", true,
       ref_sigmoid},
      {"log_sigmoid", "log_sigmoid", &scalar_x(), true, Part::kVector, "log σ(x)", "|x·(1-σ(x)) / log σ(x)|",
       "log_sigmoid", "log_sigmoid(x)", true, ref_log_sigmoid},
      {"sigmoid_derivative", "sigmoid_derivative", &scalar_x(), true, Part::kVector, "σ'(x) = σ(x) σ(-x)",
       "|x·tanh(x/2)|", "sigmoid's derivative", "sigmoid_derivative(x)", true, ref_sigmoid_derivative},
      {"sigmoid_backward", "sigmoid_backward", &vector_upstream(Forward::sigmoid), false, Part::kVector,
       "every component g_i y_i (1 - y_i)", "1 + |(1 - 2y_i) / (1 - y_i)|", "sigmoid's backward pass (y, g)",
       "sigmoid_backward(y, g)", true, ref_sigmoid_backward},
      {"softmax", "softmax", &vector_x(), false, Part::kVector, "every component p_i",
       "κ_i = Σ_j |x_j·(δ_ij - p_j)|  (= Σ_j |x_j ∂log p_i/∂x_j|)", "softmax", "softmax(x)", true, ref_softmax},
      {"log_softmax", "log_softmax", &vector_x(), false, Part::kVector, "every component log p_i",
       "κ_i = Σ_j |x_j·(δ_ij - p_j)| / |log p_i|", "log_softmax", "log_softmax(x)", true, ref_log_softmax},
      {"softmax_backward", "softmax_backward", &vector_upstream(Forward::softmax), false, Part::kVector,
       "every component y_i (g_i - Σ_j g_j y_j)", "1 + |y_i| (|g_i| + 2 Σ_j |g_j y_j|) / |out_i|",
       "softmax's backward pass (y, g)", "softmax_backward(y, g)", true, ref_softmax_backward},
      {"log_softmax_backward", "log_softmax_backward", &vector_upstream(Forward::log_softmax), false, Part::kVector,
       "every component g_i - e^{y_i} Σ_j g_j", "(|e^{y_i} y_i Σ_j g_j| + |g_i| + e^{y_i} Σ_j |g_j|) / |out_i|",
       "log-softmax's backward pass (y, g)", "log_softmax_backward(y, g)", true, ref_log_softmax_backward},
      {"softmax_vjp", "softmax_vjp", &vector_upstream(Forward::none), false, Part::kVector,
       "every component p_i (g_i - Σ_j g_j p_j), p = softmax(x)",
       "κ_i(softmax) + p_i (|g_i| + Σ_j |g_j| p_j (1 + κ_j(softmax))) / |out_i|", "softmax's backward pass (x, g)",
       "softmax_vjp(x, g)", true, ref_softmax_vjp},
      {"log_softmax_vjp", "log_softmax_vjp", &vector_upstream(Forward::none), false, Part::kVector,
       "every component g_i - p_i Σ_j g_j, p = softmax(x)",
       "(p_i |Σ_j g_j| Σ_j |x_j (δ_ij - p_j)| + |g_i| + p_i Σ_j |g_j|) / |out_i|",
       "log-softmax's backward pass (x, g)", "log_softmax_vjp(x, g)", true, ref_log_softmax_vjp},
      {"logsumexp", "logsumexp", &vector_x(), false, Part::kValue, "log Σ e^{x_i}",
       "Σ_j |x_j|·p_j / |logsumexp(x)|", "logsumexp", "logsumexp(x)", true, ref_logsumexp},
      {"cross_entropy", "cross_entropy", &vector_class(), false, Part::kValue, "the loss -log p_k",
       "Σ_j |x_j·(δ_kj - p_j)| / |L|", "cross-entropy loss, class index", "cross_entropy(x, k)", true,
       ref_cross_entropy},
      {"cross_entropy_grad", "cross_entropy", &vector_class(), false, Part::kVector,
       "every gradient component p_i - δ_ik",
       "i ≠ k: as softmax_i; i = k: p_k·Σ_j |x_j·(δ_kj - p_j)| / (1 - p_k)",
       "every component of the cross-entropy gradient, class index", "gradient", true, ref_cross_entropy_grad},
      {"cross_entropy_grad_target", "cross_entropy", &vector_class(), false, Part::kTargetClass,
       "the target-class gradient component p_k - 1 only", "p_k·Σ_j |x_j·(δ_kj - p_j)| / (1 - p_k)",
       "the target-class gradient component, class index", "gradient", false, ref_cross_entropy_grad_target},
      {"cross_entropy_dist", "cross_entropy_dist", &vector_target(), false, Part::kValue, "the loss -Σ t_i log p_i",
       "(Σ_j |x_j·(T p_j - t_j)| + Σ_i |t_i log p_i|) / |L|, T = Σ t_i (x and t both perturbed)",
       "cross-entropy loss, target distribution", "cross_entropy(x, t)", true, ref_cross_entropy_dist},
      {"cross_entropy_dist_grad", "cross_entropy_dist", &vector_target(), false, Part::kVector,
       "every gradient component T p_i - t_i",
       "(T p_i Σ_j |x_j·(δ_ij - p_j)| + Σ_j |t_j·(p_i - δ_ij)|) / |T p_i - t_i|",
       "every component of the cross-entropy gradient, target distribution", "gradient", true,
       ref_cross_entropy_dist_grad},
      {"bce_with_logits", "bce_with_logits", &scalar_target(), true, Part::kValue,
       "the loss -t log σ(x) - (1-t) log(1-σ(x))", "(|x·(σ(x) - t)| + |t·x|) / |L|", "BCE-with-logits loss",
       "bce_with_logits(x, t)", true, ref_bce},
      {"bce_with_logits_grad", "bce_with_logits", &scalar_target(), true, Part::kVector, "the gradient σ(x) - t",
       "(|x|·σ(x)(1-σ(x)) + |t|) / |σ(x) - t|", "BCE-with-logits gradient", "gradient", true, ref_bce_grad},
  }};
  return table;
}

const Row* find_row(std::string_view name) {
  for (const Row& r : rows())
    if (r.name == name) return &r;
  return nullptr;
}

std::vector<std::uint64_t> components(const Row& row, const Input& in) {
  switch (row.part) {
    case Part::kValue: return {0};
    case Part::kTargetClass: return {in.target_class};
    case Part::kVector: break;
  }
  const std::size_t n = row.input == &inputs::scalar_target() ? 1 : in.x.size();
  std::vector<std::uint64_t> c(n);
  for (std::size_t i = 0; i < n; ++i) c[i] = i;
  return c;
}

void graded_outputs(const Row& row, const Input& in, const EntryOutput& call, std::vector<double>& out) {
  switch (row.part) {
    case Part::kValue: out.assign(1, call.value); return;
    case Part::kVector: out = call.vector; return;
    case Part::kTargetClass:
      out.assign(1, in.target_class < call.vector.size() ? call.vector[in.target_class] : kNaN);
      return;
  }
}

bool indexed(const Row& row) { return row.part == Part::kVector && row.input != &inputs::scalar_target(); }

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

}  // namespace softcheck::functions
