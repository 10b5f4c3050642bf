// Accurate binary cross-entropy with logits: loss and gradient.
#include <cmath>
#include <limits>

#include "impl/check.hpp"
#include "impl/exp_log.hpp"
#include "impl/fallback.hpp"
#include "impl/fast.hpp"
#include "impl/softcheck.hpp"

namespace softcheck {
namespace detail {
scaled sigmoid_scaled(double x);  // sigmoid.cpp
}  // namespace detail

using namespace detail;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// softplus(z) = log(1 + e^z) >= 0, scaled: z + log1p(e^-z) for z >= 0, log1p(e^z) (scaled, so a subnormal
// result keeps its bits) for z < 0, 0 below z = -2000. Relative error < 2^-96.9.
scaled softplus(double z) {
  if (z >= 0) {
    if (z > 1500) return from_double(z);  // e^-z < 2^-2164: below any rounding of z
    return add(from_double(z), log1p(exp_scaled(dd{-z, 0.0})));
  }
  if (z < -2000) return {};
  return log1p(exp_scaled(dd{z, 0.0}));
}
}  // namespace

// L = t softplus(-x) + (1 - t) softplus(x): two terms >= 0 (1 - t exact as a dd), relative error < 2^-96,
// where (1 - t) x + softplus(-x) cancels for negative x. Gradient σ(x) - t cancels near σ(x) = t: the
// bound is relative to σ(x) + t, and Ziv's test sends the close cases to the multi-double tier.
double bce_with_logits(double x, double t, double* grad) {
  check_bce_target("bce_with_logits", t);
  if (std::isnan(x)) {
    if (grad) *grad = kNaN;
    return kNaN;
  }
  if (std::fabs(x) < 600) {  // tier 0 (fast.hpp), where it proves both roundings
    double loss, g;
    if (fast::bce(x, t, &loss, grad ? &g : nullptr)) {
      if (grad) *grad = g;
      return loss;
    }
  }
  if (grad) {
    double g;
    if (std::isinf(x) || std::fabs(x) > 1500) {
      // σ is 1 or 0, or within 2^-2164 of it: RN(σ - t) is RN(1 - t) or -t, but for a t that makes
      // 1 - t a midpoint, where the exact value lies 2^-2164 below it (error 0.5 + 2^-2100 ULP).
      g = x > 0 ? 1.0 - t : -t;
    } else {
      // Each form keeps its two terms at the scale of the result rather than of 1:
      //   |x| < 1: (σ(x) - 1/2) + (1/2 - t), σ(x) - 1/2 = -expm1(-x) / (2 (2 + expm1(-x))) (relative error
      //            < 2^-97 however small x is, subnormal x included; 1/2 - t exact as a dd);
      //   x >= 1:  (1 - t) - σ(-x) (1 - t exact), so σ(x) = 1 - 2^-1075 costs no extra bits;
      //   x <= -1: σ(x) - t.
      scaled s, ref, d;
      if (std::fabs(x) < 1) {
        dd u = expm1(dd{-x, 0.0});
        s = div(neg(from_dd(u)), from_dd(mul(add(u, 2.0), 2.0)));
        ref = from_dd(two_sum(0.5, -t));
        d = add(s, ref);
      } else if (x > 0) {
        s = sigmoid_scaled(-x);
        ref = from_dd(two_sum(1.0, -t));
        d = add(ref, neg(s));
      } else {
        s = sigmoid_scaled(x);
        ref = from_double(t);
        d = add(s, neg(ref));
      }
      if (d.m.hi == 0) {
        g = fallback::bce_grad(x, t);
      } else {
        g = rounding_certain(d, kRelErr * cancellation_ratio(s, ref, d)) ? round(d) : fallback::bce_grad(x, t);
      }
    }
    *grad = g;
  }
  if (std::isinf(x)) {
    bool lost = x > 0 ? t < 1 : t > 0;  // the weight on the infinite softplus
    return lost ? kInf : 0.0;
  }
  scaled l{};
  if (t != 0) l = mul(softplus(-x), t);
  if (t != 1) l = add(l, mul(softplus(x), from_dd(two_sum(1.0, -t))));
  if (l.m.hi == 0) return 0.0;
  if (rounding_certain(l, kRelErr)) return round(l);
  return fallback::bce_loss(x, t);
}

namespace {
void bce_precise(double x, double t, double* loss, double* grad) { *loss = bce_with_logits(x, t, grad); }
}  // namespace

// Tier 0 in whole vectors (fast.hpp), the scalar entry for each element it leaves.
void bce_with_logits(std::span<const double> x, std::span<const double> target, std::span<double> loss,
                     std::span<double> grad) {
  const bool want_grad = check_bce_span("bce_with_logits", x, target, loss, grad);
  fast::bce(x.data(), target.data(), x.size(), loss.data(), want_grad ? grad.data() : nullptr, bce_precise);
}

}  // namespace softcheck
