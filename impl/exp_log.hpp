// Exponential and logarithm in double-double, and scaled values 2^k m that keep tiny and subnormal
// quantities exact until their single final rounding. Internal to impl/.
#pragma once

#include <cmath>

#include "impl/dd.hpp"

namespace softcheck::detail {

// RN(2^k * (v.hi + v.lo)) in one rounding, including into the subnormal range and to ±inf on overflow.
// Requires v normalized (v.hi = RN(v.hi + v.lo)) and v.hi normal or zero.
double round_scaled(dd v, int k);
// Ziv's test: true when every value within err_abs of v (both scaled by 2^k) rounds to the same double.
bool rounding_certain(dd v, double err_abs, int k);

// The value 2^k * (m.hi + m.lo), with m.hi near 1 (or zero).
struct scaled {
  dd m;
  int k = 0;
};
scaled from_double(double x);  // exact
scaled from_dd(dd v);          // exact
inline scaled mul(scaled a, scaled b) { return {mul(a.m, b.m), a.k + b.k}; }
inline scaled mul(scaled a, double b) { return mul(a, from_double(b)); }
inline scaled div(scaled a, scaled b) { return {div(a.m, b.m), a.k - b.k}; }
// a + b; a term below 2^-1000 times the other is dropped (relative effect < 2^-990).
scaled add(scaled a, scaled b);
inline scaled neg(scaled a) { return {-a.m, a.k}; }
inline dd to_dd(scaled a) { return ldexp(a.m, a.k); }  // for values well inside the normal range
inline double round(scaled a) { return round_scaled(a.m, a.k); }
// Ziv's test for a value known to relative error rel_err.
inline bool rounding_certain(scaled a, double rel_err) {
  return rounding_certain(a.m, rel_err * std::fabs(a.m.hi), a.k);
}
// (|a| + |b|) / |v| for a cancelling v = a +- b whose error is relative to |a| + |b|: from the scaled
// values, never from their roundings to double (which flush a part below 2^-1075 to 0 and would drop
// its error from the bound). +inf when v = 0 or the ratio overflows; the leading parts only, so the
// 1 + 2^-50 widening (absorbed by kRelErr's slack) keeps it an overestimate.
inline double cancellation_ratio(scaled a, scaled b, scaled v) {
  if (v.m.hi == 0) return HUGE_VAL;
  auto part = [&](scaled s) { return s.m.hi == 0 ? 0.0 : std::ldexp(std::fabs(s.m.hi), s.k - v.k); };
  return (part(a) + part(b)) / std::fabs(v.m.hi) * (1 + 0x1p-50);
}

// e^x = 2^k * m, m in [0.7, 1.42], for a double-double x with |x.hi| <= 1100 and |x.lo| <= ulp(x.hi)/2.
// Relative error of m < 2^-99.
scaled exp_scaled(dd x);
// e^x - 1 for |x.hi| <= 700: relative error < 2^-99 (relative to the result, however small x is).
dd expm1(dd x);
// log(1 + s) for s.hi >= -0.5: relative error <= 2^-97.
dd log1p(dd s);
// log a for a.hi >= 0.5: relative error <= 2^-97.
dd log(dd a);

}  // namespace softcheck::detail

namespace softcheck::detail {

// log(1 + s) for a scaled s >= 0: for s < 2^-60, s (1 - s/2 + s^2/3) (truncation < s^3/4 < 2^-180 s);
// else log1p(dd). Relative error <= 2^-97.
scaled log1p(scaled s);
// e^x as a scaled value; 0 for x < -2000 (e^x < 2^-2885: zero even after scaling by any finite double's
// worth). Same bound as exp_scaled.
scaled exp_or_zero(dd x);

// The relative error bound that every accurate function tests its dd result against before trusting
// the rounding (Ziv); each function's own bound, stated where it is computed, is below it.
inline constexpr double kRelErr = 0x1p-95;

}  // namespace softcheck::detail
