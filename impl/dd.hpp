// Double-double arithmetic: error-free transformations and the few dd operations impl/ needs.
//
// A dd is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2. Bounds below use u = 2^-53 and follow
// Joldes, Muller, Popescu, "Tight and rigorous error bounds for basic building blocks of double-word
// arithmetic", ACM TOMS 44 (2017): add <= 3u^2, mul <= 5u^2 (we use the FMA-based DWTimesDW2 shape),
// mul by a double <= 2u^2 (3u^2 without FMA), division <= 15u^2 + 56u^3 (relative, no underflow).
// Portable: only IEEE binary64 operations (and FMA where the hardware has one). Compile without contraction (-ffp-contract=off).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace softcheck::detail {

struct dd {
  double hi = 0, lo = 0;
};

// s + e == a + b exactly, provided |a| >= |b| or a == 0 (Dekker's FastTwoSum).
inline dd fast_two_sum(double a, double b) {
  double s = a + b;
  double e = b - (s - a);
  return {s, e};
}
// s + e == a + b exactly, no precondition: FastTwoSum on the operands ordered by magnitude. (Knuth's
// branch-free TwoSum overflows in an intermediate when |a| is near DBL_MAX though a + b does not.)
inline dd two_sum(double a, double b) { return std::fabs(a) >= std::fabs(b) ? fast_two_sum(a, b) : fast_two_sum(b, a); }

#if defined(__FMA__) || defined(__ARM_FEATURE_FMA) || defined(__aarch64__)
#define SOFTCHECK_HW_FMA 1
#else
#define SOFTCHECK_HW_FMA 0  // std::fma would be a library call (software emulation on old x86-64)
#endif

// p + e == a * b exactly (absent underflow and overflow): one FMA where the hardware has it, else
// Dekker's product with Veltkamp's splitting (a factor above 2^995 is scaled first: the split cannot
// overflow).
inline dd two_prod(double a, double b) {
  double p = a * b;
#if SOFTCHECK_HW_FMA
  double e = std::fma(a, b, -p);
#else
  // Keep the split from overflowing: scale a huge factor down by 2^60 and the result back (exact).
  if (std::fabs(a) > 0x1p995 || std::fabs(b) > 0x1p995) {
    if (!std::isfinite(p)) return {p, 0.0};
    bool big_a = std::fabs(a) > 0x1p995;
    dd r = two_prod(big_a ? a * 0x1p-60 : a, big_a ? b : b * 0x1p-60);
    return {r.hi * 0x1p60, r.lo * 0x1p60};
  }
  constexpr double c = 134217729.0;  // 2^27 + 1
  double ta = c * a, ah = ta - (ta - a), al = a - ah;
  double tb = c * b, bh = tb - (tb - b), bl = b - bh;
  double e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
#endif
  return {p, e};
}
// a * b + c for the low-order terms of a dd product: fused where the hardware has it; unfused costs
// at most u^2 more of relative error in mul() below (covered by the bounds stated there).
inline double mul_add(double a, double b, double c) {
#if SOFTCHECK_HW_FMA
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
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

// DWTimesDW2-style product: relative error <= 5u^2 (6u^2 without a hardware FMA).
inline dd mul(dd a, dd b) {
  dd c = two_prod(a.hi, b.hi);
  double tl = a.hi * b.lo;
  double cl = mul_add(a.lo, b.hi, tl);
  return fast_two_sum(c.hi, c.lo + cl);
}
inline dd mul(dd a, double b) {  // DWTimesFP3: relative error <= 2u^2 (3u^2 without FMA)
  dd c = two_prod(a.hi, b);
  double cl = mul_add(a.lo, b, c.lo);
  return fast_two_sum(c.hi, cl);
}

// DWDivDW2 (Joldes et al., Algorithm 17): relative error <= 15u^2 + 56u^3. The theorem takes r = b th
// from DWTimesFP1 (<= 1.5u^2 + 4u^3), so r is formed that way here, not by mul(dd, double) (DWTimesFP3:
// 2u^2, or 3u^2 without a hardware FMA), whose larger error the bound does not cover.
inline dd div(dd a, dd b) {
  double th = a.hi / b.hi;
  const dd c = two_prod(b.hi, th);
  const dd t = fast_two_sum(c.hi, b.lo * th);
  const dd r = fast_two_sum(t.hi, t.lo + c.lo);
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

// x * 2^e with one rounding (as std::ldexp), by a multiplication when 2^e is a normal double.
inline double scale(double x, int e) {
  if (e >= -1022 && e <= 1023) return x * std::bit_cast<double>(static_cast<std::uint64_t>(e + 1023) << 52);
  return std::ldexp(x, e);
}
// floor(log2 |x|) (as std::ilogb) for finite nonzero x, from the exponent bits when x is normal.
inline int exponent(double x) {
  int b = static_cast<int>((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7ff);
  return b != 0 ? b - 1023 : std::ilogb(x);
}
inline dd ldexp(dd a, int k) { return {scale(a.hi, k), scale(a.lo, k)}; }

}  // namespace softcheck::detail
