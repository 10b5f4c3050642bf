// The oracle's scalar functions: sigmoid, log_sigmoid, sigmoid's derivative and BCE with logits (loss and
// gradient).
#include <array>
#include <cmath>
#include <iomanip>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "oracle/mp.hpp"
#include "oracle/oracle.hpp"

// All three are evaluated from one exponential, E = e^-|x| in (0, 1], enclosed as [E_lo, E_hi], by
// interval arithmetic: every operation rounded outward (lower bound toward -inf, upper toward +inf)
// through monotone compositions, so [lo, hi] contains the exact value with no error analysis needed.
// The Settler then decides RN(v) relative to the result itself (Ziv), which handles the one
// cancelling formula, σ(x) - t. By Lindemann-Weierstrass, σ(x) and σ(x) - t are irrational for x != 0,
// log σ(x) and the BCE loss for every finite x: their enclosures are open (see detail::Settler).

namespace softcheck::oracle {
namespace {

using detail::ptr;
using detail::Real;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Per-thread workspace: one set of fixed-precision variables per Ziv level, allocated on first use.
struct Level {
  explicit Level(int precision) : p(precision) {
    for (Real* r : {&arg, &e_lo, &e_hi, &a, &b, &one_minus_t, &lo, &hi, &lo2, &hi2})
      *r = detail::make_real(p);
  }
  int p;
  Real arg, e_lo, e_hi, a, b, one_minus_t, lo, hi, lo2, hi2;
};

struct Work {
  std::array<std::unique_ptr<Level>, detail::kLevels> levels;
  Real big = detail::make_real(detail::kExactDoublePrecision);
  Real big2 = detail::make_real(detail::kExactDoublePrecision);
  detail::Settler settler;
  Level& level(int j) {
    auto& L = levels[static_cast<std::size_t>(j)];
    if (!L) L = std::make_unique<Level>(detail::level_precision(j));
    return *L;
  }
};

Work& work() {
  detail::widen_exponent_range();
  thread_local Work w;
  return w;
}

// E = e^-|x|: E_lo = RNDD(E), less than one ulp below, so E in [E_lo, nextabove(E_lo)], or exactly
// E_lo when the ternary is 0 (x = 0). Below MPFR's exponent range (|x| > 3.2e18) E_lo = 0: E in (0, tiny].
void exp_bounds(Level& L, double x) {
  mpfr_set_d(ptr(L.arg), -std::fabs(x), MPFR_RNDN);  // exact
  const int ternary = mpfr_exp(ptr(L.e_lo), ptr(L.arg), MPFR_RNDD);
  mpfr_set(ptr(L.e_hi), ptr(L.e_lo), MPFR_RNDN);
  if (ternary != 0) mpfr_nextabove(ptr(L.e_hi));
}

// σ(x) = 1/(1 + E) for x >= 0 (decreasing in E: lo from E_hi), E/(1 + E) for x < 0 (lo = E_lo over an
// upper bound of 1 + E). Relative width <= 2^(1-p) (E) + 3 2^-p (sum, quotient). Into (lo, hi).
void enclose_sigmoid(Level& L, double x, mpfr_ptr lo, mpfr_ptr hi) {
  if (x >= 0) {
    mpfr_add_ui(ptr(L.a), ptr(L.e_hi), 1, MPFR_RNDU);
    mpfr_ui_div(lo, 1, ptr(L.a), MPFR_RNDD);
    mpfr_add_ui(ptr(L.a), ptr(L.e_lo), 1, MPFR_RNDD);
    mpfr_ui_div(hi, 1, ptr(L.a), MPFR_RNDU);
  } else {
    mpfr_add_ui(ptr(L.a), ptr(L.e_hi), 1, MPFR_RNDU);
    mpfr_div(lo, ptr(L.e_lo), ptr(L.a), MPFR_RNDD);
    mpfr_add_ui(ptr(L.a), ptr(L.e_lo), 1, MPFR_RNDD);
    mpfr_div(hi, ptr(L.e_hi), ptr(L.a), MPFR_RNDU);
  }
}

// log1p(E) in [lo, hi] with one log1p (mean value bound, see detail::log1p_bounds).
void enclose_softplus_tail(Level& L, mpfr_ptr lo, mpfr_ptr hi) {
  detail::log1p_bounds(lo, hi, ptr(L.e_lo), ptr(L.e_hi), ptr(L.a), ptr(L.b));
}

// 1 - t exactly: at p bits when it fits, else in the 2200-bit scratch (t down to 2^-1074).
mpfr_srcptr one_minus(Level& L, Work& w, double t) {
  mpfr_set_ui(ptr(L.one_minus_t), 1, MPFR_RNDN);
  if (mpfr_sub_d(ptr(L.one_minus_t), ptr(L.one_minus_t), t, MPFR_RNDN) == 0) return ptr(L.one_minus_t);
  mpfr_set_ui(ptr(w.big), 1, MPFR_RNDN);
  mpfr_sub_d(ptr(w.big), ptr(w.big), t, MPFR_RNDN);
  return ptr(w.big);
}

std::string show(double v) {
  std::ostringstream os;
  os << std::setprecision(17) << v;
  return os.str();
}

}  // namespace

Ref sigmoid(double x) {
  if (std::isnan(x)) return detail::nan_ref();
  if (x == kInf) return detail::exact_ref(1.0);
  if (x == -kInf) return detail::exact_ref(0.0);
  // σ(0) = 1/2 comes out as a point (e^0 = 1 and 1/2 are exact): exact = true. σ is transcendental
  // elsewhere, so never a midpoint: Ziv terminates.
  Work& w = work();
  Ref r;
  for (int j = 0; j < detail::kLevels; ++j) {
    Level& L = w.level(j);
    exp_bounds(L, x);
    enclose_sigmoid(L, x, ptr(L.lo), ptr(L.hi));
    if (w.settler.settle(ptr(L.lo), ptr(L.hi), L.p, r, /*open=*/x != 0)) return r;
  }
  Level& L = w.level(detail::kLevels - 1);
  w.settler.give_up(ptr(L.lo), ptr(L.hi), r);
  return r;
}

Ref log_sigmoid(double x) {
  if (std::isnan(x)) return detail::nan_ref();
  if (x == kInf) return detail::exact_ref(0.0);
  if (x == -kInf) return detail::exact_ref(-kInf);
  // log σ(x) = -log1p(E) for x >= 0 and x - log1p(E) for x < 0: x < 0 and -log1p(E) < 0 have the same
  // sign, so neither form cancels. Transcendental for finite x: Ziv terminates.
  Work& w = work();
  Ref r;
  for (int j = 0; j < detail::kLevels; ++j) {
    Level& L = w.level(j);
    exp_bounds(L, x);
    enclose_softplus_tail(L, ptr(L.lo2), ptr(L.hi2));
    if (x >= 0) {
      mpfr_neg(ptr(L.lo), ptr(L.hi2), MPFR_RNDN);
      mpfr_neg(ptr(L.hi), ptr(L.lo2), MPFR_RNDN);
    } else {
      mpfr_d_sub(ptr(L.lo), x, ptr(L.hi2), MPFR_RNDD);
      mpfr_d_sub(ptr(L.hi), x, ptr(L.lo2), MPFR_RNDU);
    }
    if (w.settler.settle(ptr(L.lo), ptr(L.hi), L.p, r, /*open=*/true)) return r;
  }
  Level& L = w.level(detail::kLevels - 1);
  w.settler.give_up(ptr(L.lo), ptr(L.hi), r);
  return r;
}

Ref sigmoid_derivative(double x) {
  if (std::isnan(x)) return detail::nan_ref();
  if (std::isinf(x)) return detail::exact_ref(0.0);
  // σ(x) σ(-x) = E / (1 + E)^2, even in x and increasing in E on (0, 1]: lo from E_lo over an upper
  // bound of (1 + E_lo)^2, hi from E_hi over a lower bound of (1 + E_hi)^2. At x = 0 (E = 1) it is 1/4
  // exactly; transcendental elsewhere (E is), so never a midpoint: Ziv terminates.
  Work& w = work();
  Ref r;
  for (int j = 0; j < detail::kLevels; ++j) {
    Level& L = w.level(j);
    exp_bounds(L, x);
    mpfr_add_ui(ptr(L.a), ptr(L.e_lo), 1, MPFR_RNDU);
    mpfr_sqr(ptr(L.a), ptr(L.a), MPFR_RNDU);
    mpfr_div(ptr(L.lo), ptr(L.e_lo), ptr(L.a), MPFR_RNDD);
    mpfr_add_ui(ptr(L.b), ptr(L.e_hi), 1, MPFR_RNDD);
    mpfr_sqr(ptr(L.b), ptr(L.b), MPFR_RNDD);
    mpfr_div(ptr(L.hi), ptr(L.e_hi), ptr(L.b), MPFR_RNDU);
    if (w.settler.settle(ptr(L.lo), ptr(L.hi), L.p, r, /*open=*/x != 0)) return r;
  }
  Level& L = w.level(detail::kLevels - 1);
  w.settler.give_up(ptr(L.lo), ptr(L.hi), r);
  return r;
}

Ref sigmoid_backward(double y, double g) {
  if (!std::isfinite(y) || !std::isfinite(g)) {
    const double v = (g * y) * (1.0 - y);
    return std::isnan(v) ? detail::nan_ref() : detail::exact_ref(v);
  }
  // Exact: 1 - y needs at most 1130 bits (y = 2^-1074 .. 2^1023), the product with y and g at most 1236,
  // within the 2200-bit scratch; each operation is exact there (ternary 0), so one rounding.
  Work& w = work();
  mpfr_set_ui(ptr(w.big), 1, MPFR_RNDN);
  mpfr_sub_d(ptr(w.big), ptr(w.big), y, MPFR_RNDN);
  mpfr_mul_d(ptr(w.big), ptr(w.big), y, MPFR_RNDN);
  mpfr_mul_d(ptr(w.big2), ptr(w.big), g, MPFR_RNDN);
  Ref r;
  w.settler.settle(ptr(w.big2), ptr(w.big2), static_cast<int>(detail::kExactDoublePrecision), r);
  return r;
}

Ref bce_with_logits(double x, double t, Ref* grad) {
  if (!(t >= 0 && t <= 1))
    throw std::invalid_argument("softcheck::oracle::bce_with_logits: target t = " + show(t) +
                                " is outside [0, 1]");
  if (std::isnan(x)) {
    if (grad) *grad = detail::nan_ref();
    return detail::nan_ref();
  }
  if (std::isinf(x)) {
    // σ(+inf) = 1: L = -(1 - t) log 0 = +inf unless t = 1, grad 1 - t;
    // σ(-inf) = 0: L = -t log 0 = +inf unless t = 0, grad -t.
    if (grad) {
      if (x < 0) {
        *grad = detail::exact_ref(t == 0 ? 0.0 : -t);
      } else {
        Work& w = work();
        mpfr_set_ui(ptr(w.big), 1, MPFR_RNDN);
        mpfr_sub_d(ptr(w.big), ptr(w.big), t, MPFR_RNDN);  // exact in 2200 bits
        w.settler.settle(ptr(w.big), ptr(w.big), static_cast<int>(detail::kExactDoublePrecision), *grad);
      }
    }
    const bool zero = x > 0 ? t == 1 : t == 0;
    return detail::exact_ref(zero ? 0.0 : kInf);
  }
  Work& w = work();
  Ref loss;
  bool loss_done = false, grad_done = grad == nullptr;
  for (int j = 0; j < detail::kLevels && !(loss_done && grad_done); ++j) {
    Level& L = w.level(j);
    exp_bounds(L, x);
    const mpfr_srcptr c = one_minus(L, w, t);
    if (!grad_done) {
      // σ(x) - t = (1 - t) σ(x) - t (1 - σ(x)) = ((1 - t) - t E) / (1 + E) for x >= 0 and
      // ((1 - t) E - t) / (1 + E) for x < 0, with 1 - t exact: the two terms are as small as they can
      // be (no σ ~ 1 against t ~ 1: x = 700, t = 1 gives -e^-700 at once), and what cancellation is
      // left is inherent; the Settler's result-relative test raises p for it. At x = 0 (E = 1) the
      // numerator 1 - 2t and the halving are exact whenever the value is a double or a midpoint, so
      // exact / halfway are decided exactly.
      if (x >= 0) {
        mpfr_mul_d(ptr(L.a), ptr(L.e_hi), t, MPFR_RNDU);
        mpfr_sub(ptr(L.lo2), c, ptr(L.a), MPFR_RNDD);
        mpfr_mul_d(ptr(L.a), ptr(L.e_lo), t, MPFR_RNDD);
        mpfr_sub(ptr(L.hi2), c, ptr(L.a), MPFR_RNDU);
      } else {
        mpfr_mul(ptr(L.lo2), c, ptr(L.e_lo), MPFR_RNDD);
        mpfr_sub_d(ptr(L.lo2), ptr(L.lo2), t, MPFR_RNDD);
        mpfr_mul(ptr(L.hi2), c, ptr(L.e_hi), MPFR_RNDU);
        mpfr_sub_d(ptr(L.hi2), ptr(L.hi2), t, MPFR_RNDU);
      }
      mpfr_add_ui(ptr(L.a), ptr(L.e_lo), 1, MPFR_RNDD);
      mpfr_add_ui(ptr(L.b), ptr(L.e_hi), 1, MPFR_RNDU);
      mpfr_div(ptr(L.lo2), ptr(L.lo2), mpfr_sgn(ptr(L.lo2)) >= 0 ? ptr(L.b) : ptr(L.a), MPFR_RNDD);
      mpfr_div(ptr(L.hi2), ptr(L.hi2), mpfr_sgn(ptr(L.hi2)) >= 0 ? ptr(L.a) : ptr(L.b), MPFR_RNDU);
      grad_done = w.settler.settle(ptr(L.lo2), ptr(L.hi2), L.p, *grad, /*open=*/x != 0);
      if (!grad_done && j == detail::kLevels - 1) w.settler.give_up(ptr(L.lo2), ptr(L.hi2), *grad);
    }
    if (!loss_done) {
      // L = t softplus(-x) + (1 - t) softplus(x) = u + log1p(E), u = (1 - t) x for x >= 0 and t (-x)
      // for x < 0: both terms >= 0, no cancellation. L is transcendental: Ziv terminates.
      if (x >= 0) {
        mpfr_mul_d(ptr(L.lo), c, x, MPFR_RNDD);
        mpfr_mul_d(ptr(L.hi), c, x, MPFR_RNDU);
      } else {
        mpfr_set_d(ptr(L.arg), -x, MPFR_RNDN);
        mpfr_mul_d(ptr(L.lo), ptr(L.arg), t, MPFR_RNDD);
        mpfr_mul_d(ptr(L.hi), ptr(L.arg), t, MPFR_RNDU);
      }
      enclose_softplus_tail(L, ptr(L.lo2), ptr(L.hi2));
      mpfr_add(ptr(L.lo), ptr(L.lo), ptr(L.lo2), MPFR_RNDD);
      mpfr_add(ptr(L.hi), ptr(L.hi), ptr(L.hi2), MPFR_RNDU);
      loss_done = w.settler.settle(ptr(L.lo), ptr(L.hi), L.p, loss, /*open=*/true);
      if (!loss_done && j == detail::kLevels - 1) w.settler.give_up(ptr(L.lo), ptr(L.hi), loss);
    }
  }
  return loss;
}

}  // namespace softcheck::oracle
