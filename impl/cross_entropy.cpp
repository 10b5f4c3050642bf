// Accurate softmax cross-entropy, class-index and distribution targets: loss and gradient.
#include <cmath>
#include <limits>
#include <memory>
#include <vector>
#include <algorithm>

#include "impl/check.hpp"
#include "impl/fallback.hpp"
#include "impl/fast.hpp"
#include "impl/softcheck.hpp"
#include "impl/vector_core.hpp"

namespace softcheck {

using namespace detail;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
const scaled kOne{{1.0, 0.0}, 0};

void fill(std::span<double> g, double v) {
  for (double& e : g) e = v;
}
}  // namespace

// L = (m - x_k) + log1p(s): two terms >= 0 (m - x_k exact), relative error < 2^-96.9; for a dominant
// target class L = log1p(s) ~ s keeps every bit, into the subnormals.
// Gradient: softmax_i for i != k (as in softmax), and for k itself -(sum_{j != k} e_j) / S, the other
// classes' share, summed directly: softmax_k - 1 is never formed. Relative error < 2^-97.4.
namespace {
double cross_entropy_precise(std::span<const double> x, std::size_t k, std::span<double> grad, bool want_grad) {
  Scan sc = scan(x);
  if (sc.nan || sc.posinf >= 2 || (sc.posinf == 0 && sc.all_neginf)) {
    fill(grad, kNaN);
    return kNaN;
  }
  if (sc.posinf == 1) {  // softmax is one-hot at j
    std::size_t j = sc.posinf_at;
    if (want_grad) {
      fill(grad, 0.0);
      grad[j] += 1.0;
      grad[k] -= 1.0;
    }
    return j == k ? 0.0 : kInf;
  }
  const double xk = x[k];
  // rest = sum over j not in {a, k} (a = the argmax); s = rest + e_k (k != a) or rest (k == a);
  // the others' share of k: rest + 1 (k != a) or rest (k == a).
  PairwiseSum rest_sum;
  for (std::size_t j = 0; j < x.size(); ++j)
    if (j != sc.a && j != k) rest_sum.push(term(x[j], sc.m));
  scaled rest = rest_sum.total();
  scaled ek = k == sc.a ? kOne : term(xk, sc.m);
  scaled s = k == sc.a ? rest : add(rest, ek);
  scaled S = add(kOne, s);
  scaled not_k = k == sc.a ? rest : add(rest, kOne);

  double loss;
  dd mk = two_sum(sc.m, -xk);
  if (!std::isfinite(mk.hi)) {
    loss = kInf;  // x_k = -inf, or m - x_k beyond DBL_MAX
  } else {
    scaled l = add(from_dd(mk), log1p(s));
    loss = (l.m.hi == 0 || rounding_certain(l, kRelErr)) ? round(l) : fallback::cross_entropy_loss(x, k);
  }
  if (want_grad) {
    emit(
        x, grad,
        [&](std::size_t i, double xi, bool& certain) {
          scaled g = i == k ? neg(div(not_k, S)) : div(i == sc.a ? kOne : term(xi, sc.m), S);
          certain = g.m.hi == 0 || rounding_certain(g, kRelErr);
          return round(g);
        },
        [&](std::span<const double> src, std::size_t i) { return fallback::cross_entropy_grad(src, k, i); });
  }
  return loss;
}

// Tier 0 (fast.hpp): rest = sum over j not in {a, k} to r_err, e_k to kTermErr, s, S and the others'
// share from them with 3u^2 each; the loss (two terms >= 0) and the gradient (as in softmax; 15u^2 more
// for the quotient) then carry at most r_err + kTermErr + 2^-96 relative. False where a rounding is not
// certain, or where tier 0 has no bound (e_k below e^-600, dropped terms that matter). The loss adds
// log1p's own bound l_err.
bool cross_entropy_fast(std::span<const double> x, std::size_t k, std::span<double> grad, bool want_grad,
                        double m, std::size_t a, double& loss) {
  const std::size_t n = x.size();
  const bool alias = want_grad && overlaps(x, grad);
  // The terms are kept for the gradient where scratch allows (each exponential once), else computed again.
  double* lo = want_grad ? scratch(n, 1) : nullptr;
  double* hi = !lo ? nullptr : alias ? scratch(n, 0) : grad.data();
  Tier0Sum r = tier0_sum(x, m, a, k, hi, lo);
  if (!(r.rel_err < 0x1p-80)) return false;
  const bool top = k == r.a;
  dd ek{1.0, 0.0};
  if (!top) fast::exp_terms(&x[k], 1, m, 1, 1, &ek.hi, &ek.lo);
  if (!top && !(ek.hi != 0 && std::isfinite(ek.lo))) return false;  // e_k below e^-600: no bound here
  dd s = top ? r.value : add(r.value, ek);
  const double rel = (r.rel_err + fast::kTermErr + 0x1p-96) * (1 + 0x1p-40);
  dd mk = two_sum(m, -x[k]);
  if (!std::isfinite(mk.hi)) return false;
  double l_err;
  scaled l = add(from_dd(mk), tier0_log1p(s, &l_err));
  if (!(l.m.hi == 0 || rounding_certain(l, (rel + l_err) * (1 + 0x1p-40)))) return false;
  loss = round(l);
  if (!want_grad) return true;
  dd S = add(s, 1.0);
  scaled gk = neg(div(from_dd(top ? r.value : add(r.value, 1.0)), from_dd(S)));
  if (!(gk.m.hi == 0 || rounding_certain(gk, rel))) return false;
  const dd R = div(dd{1.0, 0.0}, S);
  if (lo) {
    if (!fast::scale_round(hi, lo, n, R, rel, hi)) return false;
    hi[k] = round(gk);
    if (alias) std::copy(hi, hi + n, grad.begin());
    return true;
  }
  // In place, a pass that only checks first, so that x is intact for the precise tiers.
  if (alias && !fast::exp_scale_round(x.data(), n, m, R, rel, nullptr)) return false;
  if (!fast::exp_scale_round(x.data(), n, m, R, rel, grad.data())) return false;
  grad[k] = round(gk);
  return true;
}
}  // namespace

double cross_entropy(std::span<const double> x, std::size_t k, std::span<double> grad) {
  check_class_index("cross_entropy", x.size(), k);
  bool want_grad = check_grad("cross_entropy", x, grad);
  double loss;
  const auto [m, a] = tier0_max(x);
  if (!std::isnan(m) && cross_entropy_fast(x, k, grad, want_grad, m, a, loss)) return loss;
  return cross_entropy_precise(x, k, grad, want_grad);
}

// L = sum_{t_i > 0} t_i (m - x_i) + T log1p(s), T = sum t: every term >= 0, relative error < 2^-95 plus
// that of log1p(s) (tier 0's, about 2^-84.9, where it can).
// Gradient T softmax_i - t_i cancels where the prediction matches the target: the bound is relative to
// T softmax_i + t_i, and Ziv's test sends the close cases to the multi-double tier.
double cross_entropy(std::span<const double> x, std::span<const double> t, std::span<double> grad) {
  check_distribution("cross_entropy", x, t);
  bool want_grad = check_grad("cross_entropy", x, grad);
  if (want_grad && overlaps(t, grad)) {  // the gradient overwrites t: evaluate from a copy
    std::vector<double> tc(t.begin(), t.end());
    return cross_entropy(x, std::span<const double>(tc), grad);
  }
  Scan sc;
  if (fast::MaxScan ms = fast::max_scan(x.data(), x.size()); !ms.nan && std::isfinite(ms.max)) {
    sc.m = ms.max, sc.a = ms.first, sc.all_neginf = false;  // no NaN, no +inf
  } else {
    sc = scan(x);
  }
  if (sc.nan || sc.posinf >= 2 || (sc.posinf == 0 && sc.all_neginf)) {
    fill(grad, kNaN);
    return kNaN;
  }
  // T = sum t and the loss's sum A = sum t_i (m - x_i), vectorized where they can be (fast.hpp)
  fast::DistLoss fl;
  if (sc.posinf == 0) fl = fast::dist_loss(x.data(), t.data(), x.size(), sc.m);
  scaled T;
  if (fl.ok) {
    T = from_dd(fl.t);
  } else {
    PairwiseSum tsum;
    for (double ti : t) tsum.push(from_double(ti));
    T = tsum.total();
  }
  if (sc.posinf == 1) {  // softmax one-hot at j: L = +inf if any t_i > 0 off j; grad = T e_j - t
    std::size_t j = sc.posinf_at;
    bool off = false;
    PairwiseSum others;
    for (std::size_t i = 0; i < t.size(); ++i)
      if (i != j) others.push(from_double(t[i])), off = off || t[i] > 0;
    if (want_grad) {
      double gj = round(others.total());  // T - t_j without cancellation
      for (std::size_t i = 0; i < t.size(); ++i) grad[i] = -t[i];
      grad[j] = gj;
    }
    return off ? kInf : 0.0;
  }
  // log1p(s) from tier 0 where it can (s to 2^-80 and log1p to 2^-85, vectorized), else from tier 1.
  scaled L;
  double l_err = kRelErr;
  {
    Tier0Sum r{};
    r.rel_err = HUGE_VAL;
    if (sc.posinf == 0) r = tier0_sum(x, sc.m, sc.a, x.size(), nullptr, nullptr);
    if (r.rel_err < 0x1p-80) {
      double lr;
      L = tier0_log1p(r.value, &lr);
      l_err = (r.rel_err + lr + kRelErr) * (1 + 0x1p-40);  // log1p's condition number is < 1
    } else {
      L = log1p(others_sum(x, sc));
    }
  }
  double loss = 0;
  bool have_loss = false;
  if (fl.ok) {  // A + T L, terms >= 0: A's and T's bounds added to L's; A's absolute one made relative
    scaled l = add(from_dd(fl.a), mul(T, L));
    if (!std::isfinite(l.m.hi) || l.k > 1100) {
      loss = kInf, have_loss = true;
    } else if (const double mag = std::ldexp(std::fabs(l.m.hi), l.k); mag >= 0x1p-900) {
      const double rel = (l_err + fl.a_err + fl.t_err + fl.a_abs / mag) * (1 + 0x1p-40);
      if (rounding_certain(l, rel)) loss = round(l), have_loss = true;
    }
  }
  if (!have_loss) {
    PairwiseSum acc;
    bool inf = false;
    for (std::size_t i = 0; i < x.size() && !inf; ++i) {
      if (t[i] == 0) continue;  // t_i = 0 contributes 0, even where x_i = -inf
      dd d = two_sum(sc.m, -x[i]);
      if (std::isinf(x[i])) {
        inf = true;  // t_i > 0 on a -inf logit
      } else if (std::isfinite(d.hi)) {
        acc.push(mul(from_dd(d), t[i]));
      } else {  // m - x_i beyond DBL_MAX, t_i (m - x_i) perhaps not: halve exactly, double the scale
        scaled h = mul(from_dd(two_sum(0.5 * sc.m, -0.5 * x[i])), t[i]);
        h.k += 1;
        acc.push(h);
      }
    }
    if (inf) {
      loss = kInf;
    } else {
      scaled l = add(acc.total(), mul(T, L));
      if (!std::isfinite(l.m.hi) || l.k > 1100) loss = kInf;
      else loss = (l.m.hi == 0 || rounding_certain(l, l_err)) ? round(l) : fallback::cross_entropy_loss(x, t);
    }
  }
  if (want_grad) {
    // Tier 0 (triple-double lanes, fallback::DistGrad::tier0) first: it settles nearly every component,
    // cancelling or not; then this double-double tier (which also takes x_i - m < -600), then the rest of
    // DistGrad. In place, the tiers read a copy of x.
    std::vector<double> xc;
    std::span<const double> xs = x;
    if (overlaps(x, grad)) xc.assign(x.begin(), x.end()), xs = xc;
    fallback::DistGrad tiers(xs, t);
    // For the argmax with p_a > 1/2, T p_a - t_a = R_a - T q_a with R_a = sum_{j != a} t_j and
    // q_a = s / S = 1 - p_a: the terms are then of the size of the result's own scale, not of 1 (with
    // p_a = 1 - 2^-1000 the direct form would need 1000 more bits).
    struct DdState {
      scaled s, S, Ra;
      bool complement;
    };
    std::unique_ptr<DdState> st;
    auto dd_state = [&]() -> const DdState& {
      if (st) return *st;
      st = std::make_unique<DdState>();
      st->s = others_sum(xs, sc);
      st->S = add(kOne, st->s);
      st->complement = st->s.m.hi == 0 || st->s.k < 0;  // s < 1
      if (st->complement) {
        PairwiseSum r;
        for (std::size_t j = 0; j < t.size(); ++j)
          if (j != sc.a) r.push(from_double(t[j]));
        st->Ra = r.total();
      }
      return *st;
    };
    emit(
        xs, grad,
        [&](std::size_t i, double xi, bool& certain) {
          if (double r; tiers.tier0(i, r)) return r;
          const DdState& d = dd_state();
          const bool comp = d.complement && i == sc.a;
          scaled tp, ref;
          if (comp) {
            tp = mul(T, div(d.s, d.S));
            ref = d.Ra;
          } else {
            tp = mul(T, div(i == sc.a ? kOne : term(xi, sc.m), d.S));
            ref = from_double(t[i]);
          }
          scaled g = comp ? add(ref, neg(tp)) : add(tp, neg(ref));
          if (g.m.hi == 0) {  // the dd terms cancelled completely: only the precise tier can tell
            certain = tp.m.hi == 0 && ref.m.hi == 0;
            return 0.0;
          }
          // absolute error kRelErr (|tp| + |ref|), as a relative bound on g
          certain = rounding_certain(g, kRelErr * cancellation_ratio(tp, ref, g));
          return round(g);
        },
        [&](std::span<const double>, std::size_t i) { return tiers(i); });
  }
  return loss;
}

}  // namespace softcheck
