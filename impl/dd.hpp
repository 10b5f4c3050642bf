// Double-double arithmetic: error-free transformations and the few dd operations impl/ needs.
//
// A dd is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2. Bounds below use u = 2^-53 and follow
// Joldes, Muller, Popescu, "Tight and rigorous error bounds for basic building blocks of double-word
// arithmetic", ACM TOMS 44 (2017): add <= 3u^2, mul <= 5u^2 (we use the FMA-based DWTimesDW2 shape),
// mul by a double <= 2u^2, division <= 10u^2 (relative, no underflow).
// Portable: only IEEE binary64 operations and std::fma. Compile without contraction (-ffp-contract=off).
#pragma once

#include <cmath>

namespace softcheck::detail {

struct dd {
  double hi = 0, lo = 0;
};

// s + e == a + b exactly (Knuth's TwoSum; no precondition).
inline dd two_sum(double a, double b) {
  double s = a + b;
  double bb = s - a;
  double e = (a - (s - bb)) + (b - bb);
  return {s, e};
}
// s + e == a + b exactly, provided |a| >= |b| or a == 0 (Dekker's FastTwoSum).
inline dd fast_two_sum(double a, double b) {
  double s = a + b;
  double e = b - (s - a);
  return {s, e};
}
// p + e == a * b exactly (absent underflow), with one FMA.
inline dd two_prod(double a, double b) {
  double p = a * b;
  double e = std::fma(a, b, -p);
  return {p, e};
}

inline dd operator-(dd a) { return {-a.hi, -a.lo}; }

// AccurateDWPlusDW: relative error <= 3u^2 + 13u^3.
inline dd add(dd a, dd b) {
  dd s = two_sum(a.hi, b.hi);
  dd t = two_sum(a.lo, b.lo);
  double c = s.lo + t.hi;
  dd v = fast_two_sum(s.hi, c);
  double w = t.lo + v.lo;
  return fast_two_sum(v.hi, w);
}
inline dd add(dd a, double b) {  // DWPlusFP: relative error <= 2u^2
  dd s = two_sum(a.hi, b);
  double v = a.lo + s.lo;
  return fast_two_sum(s.hi, v);
}
inline dd sub(dd a, dd b) { return add(a, -b); }

// DWTimesDW2-style product: relative error <= 5u^2.
inline dd mul(dd a, dd b) {
  dd c = two_prod(a.hi, b.hi);
  double tl = a.hi * b.lo;
  double cl = std::fma(a.lo, b.hi, tl);
  return fast_two_sum(c.hi, c.lo + cl);
}
inline dd mul(dd a, double b) {  // DWTimesFP3: relative error <= 2u^2
  dd c = two_prod(a.hi, b);
  double cl = std::fma(a.lo, b, c.lo);
  return fast_two_sum(c.hi, cl);
}

// DWDivDW2-style quotient: relative error <= 15u^2 + 56u^3 (Joldes et al., Thm 5.3 region).
inline dd div(dd a, dd b) {
  double th = a.hi / b.hi;
  dd r = mul(b, th);
  double pih = a.hi - r.hi;  // exact: Sterbenz
  double dl = a.lo - r.lo;
  double d = pih + dl;
  double tl = d / b.hi;
  return fast_two_sum(th, tl);
}
inline dd div(dd a, double b) {  // DWDivFP3: relative error <= 3u^2
  double th = a.hi / b;
  dd p = two_prod(th, b);
  double dh = a.hi - p.hi;
  double dt = dh - p.lo;
  double d = dt + a.lo;
  double tl = d / b;
  return fast_two_sum(th, tl);
}

inline dd ldexp(dd a, int k) { return {std::ldexp(a.hi, k), std::ldexp(a.lo, k)}; }

}  // namespace softcheck::detail
