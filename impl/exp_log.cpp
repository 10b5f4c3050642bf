// Double-double exp, expm1, log1p and log, and the final single rounding (into subnormals too).
#include "impl/exp_log.hpp"

#include <cmath>
#include <limits>
#include <utility>

namespace softcheck::detail {
namespace {

// ln 2 = kLn2[0] + kLn2[1] + kLn2[2] + O(2^-165). kLn2[0] has 53 bits, so for |k| <= 2^11 the
// reduction x.hi - k*kLn2[0] is exact when done with one FMA (the result has at most 53 significant bits:
// it is a multiple of 2^-54 below 2^-1 in magnitude).
constexpr double kLn2[3] = {0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56, 0x1.7b57a079a1934p-111};
constexpr double kInvLn2 = 0x1.71547652b82fep0;
constexpr int kHalvings = 8;  // e^r = (e^(r/256))^256, squared in expm1 form

// expm1(r) for |r| <= 0.35 * 2^-8 (plus a hair), relative error <= 2^-104.
// expm1(r)/r = 1 + r/2 (1 + r/3 (1 + ... (1 + r/10))); truncation <= |r|^10/11! < 2^-107 (|r| < 2^-9.5).
// The inner levels (j >= 7) weigh less than r^5/6! < 2^-57 and are evaluated in double: error < 2^-109.
dd expm1_small(dd r) {
  double q = 1.0;
  for (int j = 10; j >= 7; --j) q = 1.0 + r.hi * q / j;
  dd Q{q, 0.0};
  for (int j = 6; j >= 2; --j) Q = add(div(mul(r, Q), static_cast<double>(j)), 1.0);
  return mul(r, Q);
}

// u = e^r - 1 with |r| <= 0.3467 (plus a hair): r is halved 8 times, then u <- u(2 + u) undoes each halving.
// In expm1 form the relative error of u is not amplified by the squarings (factor <= 1.2 per step at the
// largest u), each step adding <= 7u^2: total <= (2^-104 + 8 * 7 * 2^-106) * 1.2^2 < 2^-99.5.
dd expm1_reduced(dd r) {
  dd u = expm1_small(ldexp(r, -kHalvings));
  for (int i = 0; i < kHalvings; ++i) u = mul(u, add(u, 2.0));
  return u;
}

// x - k ln2 as a double-double, absolute error <= 2^-105 for |k| <= 1100.
dd reduce(dd x, double kf) {
  double r1 = std::fma(-kf, kLn2[0], x.hi);  // exact (see kLn2)
  dd r = two_sum(r1, x.lo);                   // exact
  dd t = two_prod(-kf, kLn2[1]);              // exact
  r = add(r, t);                              // <= 3u^2 |r|
  return add(r, -kf * kLn2[2]);               // |k kLn2[2]| < 2^-100, its rounding < 2^-153
}

}  // namespace

// e^x = 2^k (1 + expm1(r)), r = x - k ln2, |r| <= ln2/2: relative error <= 2^-99.5 + 2^-105 < 2^-99.
scaled exp_scaled(dd x) {
  if (std::fabs(x.hi) < 0x1p-60) return {add(x, 1.0), 0};  // e^x = 1 + x + O(2^-121)
  double kf = std::nearbyint(x.hi * kInvLn2);
  dd u = expm1_reduced(reduce(x, kf));
  return {add(u, 1.0), static_cast<int>(kf)};
}

// For |x| < ln2/2 (k = 0) the result is expm1_reduced itself, relative error < 2^-99.5. Elsewhere
// |e^x - 1| > 0.29 and 2^k (1 + u) - 1 adds at most 2^-104 relative.
dd expm1(dd x) {
  if (std::fabs(x.hi) < 0x1p-60) return add(x, 0.5 * x.hi * x.hi);
  double kf = std::nearbyint(x.hi * kInvLn2);
  dd u = expm1_reduced(reduce(x, kf));
  if (kf == 0) return u;
  return add(ldexp(add(u, 1.0), static_cast<int>(kf)), -1.0);
}

// log1p by one Halley-like correction of y0 = log1p(s.hi) (libm, |y0 - y| < 2^-52 |y|):
//   g = (1 + s) e^-y0 - 1 = e^(y - y0) - 1,  y = y0 + log1p(g) = y0 + g - g^2/2 + O(g^3).
// |y0| < 0.3: g = s + u + s u with u = expm1(-y0); the error of u (2^-99 |u|, |u| < 1.2 |y|) and of the
//   dd operations give <= 2^-97.5 |y|.  Elsewhere: g = (1 + s) 2^k m - 1 with e^-y0 = 2^k m, absolute
//   error <= 2^-98.9, relative to |y| >= 0.3: <= 2^-97.1.  So relative error <= 2^-97.
dd log1p(dd s) {
  if (s.hi == 0) return s;
  if (std::isinf(s.hi)) return s;
  double y0 = std::log1p(s.hi);
  dd g;
  if (std::fabs(y0) < 0.3) {
    dd u = expm1(dd{-y0, 0.0});
    g = add(add(s, u), mul(s, u));
  } else {
    scaled e = exp_scaled(dd{-y0, 0.0});
    dd a = add(s, 1.0);
    g = add(ldexp(mul(a, e.m), e.k), -1.0);
  }
  dd corr = add(g, -0.5 * g.hi * g.hi);
  return add(corr, y0);
}

// a in [0.5, 2]: log1p(a - 1), with a.hi - 1 exact (Sterbenz). Elsewhere the same correction as log1p
// around y0 = log(a.hi): absolute error <= 2^-98.9, relative to |log a| >= 0.69: <= 2^-98.
dd log(dd a) {
  if (a.hi >= 0.5 && a.hi <= 2.0) return log1p(fast_two_sum(a.hi - 1.0, a.lo));
  double y0 = std::log(a.hi);
  scaled e = exp_scaled(dd{-y0, 0.0});
  dd g = add(ldexp(mul(a, e.m), e.k), -1.0);
  dd corr = add(g, -0.5 * g.hi * g.hi);
  return add(corr, y0);
}

double round_scaled(dd v, int k) {
  if (v.hi == 0 || !std::isfinite(v.hi)) return v.hi;
  int e = std::ilogb(v.hi) + k;  // exponent of the result, up to the rounding carry
  if (e >= -1022) return std::ldexp(v.hi, k);  // v.hi = RN(v.hi + v.lo); scaling commutes with RN
  // Subnormal (or zero) result: quantum 2^-1074. In units of the quantum the value is S + L, |S| < 2^53.
  if (e < -1076) return std::copysign(0.0, v.hi);  // below a quarter of 2^-1074 (v.hi normal, |v.lo| tiny)
  double S = std::ldexp(v.hi, k + 1074);
  double L = std::ldexp(v.lo, k + 1074);
  double N = std::nearbyint(S);  // ties to even on S alone
  double d = S - N;              // exact, |d| <= 1/2
  if (d == 0.5 || d == -0.5) {
    // S was a tie: L breaks it (if L = 0 the tie-to-even of nearbyint stands).
    if (L != 0 && std::signbit(L) == std::signbit(d)) N += (d > 0 ? 1.0 : -1.0);
  } else {
    double t = d + L;
    if (t > 0.5) N += 1.0;
    else if (t < -0.5) N -= 1.0;
    else if (t == 0.5 || t == -0.5) {
      // d + L rounded onto the tie: decide by the exact sign of (d + L) - t.
      dd x = two_sum(d, L);
      double off = x.hi - t + x.lo;
      if (off != 0 && std::signbit(off) == std::signbit(t)) N += (t > 0 ? 1.0 : -1.0);
      else if (off == 0 && std::fmod(N, 2.0) != 0) N += (t > 0 ? 1.0 : -1.0);
    }
  }
  return std::copysign(std::ldexp(N, -1074), v.hi);
}

bool rounding_certain(dd v, double err_abs, int k) {
  if (!std::isfinite(err_abs) || !std::isfinite(v.hi)) return false;
  if (v.hi == 0) return err_abs == 0;
  // Widen by the rounding of v.lo +- err (one double operation each).
  double err = err_abs + 0x1p-52 * (std::fabs(v.lo) + err_abs);
  dd lo = fast_two_sum(v.hi, v.lo - err);
  dd hi = fast_two_sum(v.hi, v.lo + err);
  return round_scaled(lo, k) == round_scaled(hi, k);
}

}  // namespace softcheck::detail

namespace softcheck::detail {

scaled from_double(double x) {
  if (x == 0 || !std::isfinite(x)) return {{x, 0.0}, 0};
  int e = std::ilogb(x);
  return {{std::ldexp(x, -e), 0.0}, e};
}

scaled add(scaled a, scaled b) {
  if (a.m.hi == 0) return b;
  if (b.m.hi == 0) return a;
  if (a.k < b.k) std::swap(a, b);
  int shift = b.k - a.k;  // <= 0
  if (shift < -1000) return a;
  dd s = add(a.m, ldexp(b.m, shift));
  if (s.hi == 0) return {s, 0};
  int e = std::ilogb(s.hi);  // renormalize so that m.hi stays near 1
  return {ldexp(s, -e), a.k + e};
}

}  // namespace softcheck::detail

namespace softcheck::detail {

scaled log1p(scaled s) {
  if (s.m.hi == 0) return s;
  if (s.k < -60) {
    dd v = ldexp(s.m, s.k);  // only used for the correction terms, < 2^-59
    double t = v.hi;
    dd poly = add(dd{1.0, 0.0}, t * (-0.5 + t / 3.0));
    return {mul(s.m, poly), s.k};
  }
  dd l = log1p(to_dd(s));
  return from_dd(l);
}

scaled from_dd(dd v) {
  if (v.hi == 0 || !std::isfinite(v.hi)) return {v, 0};
  int e = std::ilogb(v.hi);
  return {ldexp(v, -e), e};
}

scaled exp_or_zero(dd x) {
  if (x.hi < -2000) return {{0.0, 0.0}, 0};
  return exp_scaled(x);
}

}  // namespace softcheck::detail
