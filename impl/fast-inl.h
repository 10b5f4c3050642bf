// Tier 0's per-target building blocks (Highway's -inl.h convention: included once per target by the
// foreach_target files impl/fast.cpp and impl/fast_dist.cpp, inside their HWY_NAMESPACE): double-double
// lanes, exact sums and products, e^x to 2^-84.5 (ExpDD), a quotient (DivSum) and Ziv's test (Certain).
#include "impl/fast_tables.hpp"

#if defined(SOFTCHECK_IMPL_FAST_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef SOFTCHECK_IMPL_FAST_INL_H_
#undef SOFTCHECK_IMPL_FAST_INL_H_
#else
#define SOFTCHECK_IMPL_FAST_INL_H_
#endif

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace softcheck::detail::fast {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D = hn::ScalableTag<double>;
using DI = hn::RebindToSigned<D>;
using V = hn::Vec<D>;

struct VDD {
  V hi, lo;
};

HWY_INLINE VDD FastTwoSum(V a, V b) {  // exact for |a| >= |b| or a = 0
  V s = a + b;
  return {s, b - (s - a)};
}
HWY_INLINE VDD TwoSum(V a, V b) {  // exact (Knuth), no overflow for the magnitudes here
  V s = a + b;
  V bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
// Exact product for |a|, |b| < 2^996: an FMA where the target has one, Dekker's product elsewhere. Both
// give the exact error, so the bits agree across targets.
HWY_INLINE VDD TwoProd(D d, V a, V b) {
  V p = a * b;
#if HWY_NATIVE_FMA
  (void)d;
  return {p, hn::MulSub(a, b, p)};
#else
  const V c = hn::Set(d, 134217729.0);  // 2^27 + 1
  V ta = c * a, ah = ta - (ta - a), al = a - ah;
  V tb = c * b, bh = tb - (tb - b), bl = b - bh;
  return {p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
#endif
}

// The two factors of 2^(j/512) (kExpSplit): in registers where the target has two-source permutes
// (AVX-512: a 16-entry lookup is one permute, a 32-entry one two and a blend, then the product); elsewhere
// the products are gathered from kExpSplit.prod. Both give the same doubles, so the terms are the same on
// every target.
#undef SOFTCHECK_PERMUTE_TABLES
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
#define SOFTCHECK_PERMUTE_TABLES 1
struct ExpTables {
  __m512d ah[2], al[2], bh[4], bl[4];
  explicit ExpTables(D) {
    for (int i = 0; i < 2; ++i) ah[i] = _mm512_load_pd(kExpSplit.ah + 8 * i), al[i] = _mm512_load_pd(kExpSplit.al + 8 * i);
    for (int i = 0; i < 4; ++i) bh[i] = _mm512_load_pd(kExpSplit.bh + 8 * i), bl[i] = _mm512_load_pd(kExpSplit.bl + 8 * i);
  }
};
#else
#define SOFTCHECK_PERMUTE_TABLES 0
struct ExpTables {
  explicit ExpTables(D) {}
};
#endif

// 2^((k mod 512)/512) as th + tl = A B (A = 2^(a/16), B = 2^(b/512) from the tables, each within 2^-107):
// A.hi B.hi exact, A.hi B.lo + A.lo B.hi rounded twice and A.lo B.lo (< 2^-104) dropped: relative error
// < 2^-107 2 + 3 2^-105 + 2^-104 < 2^-102.6, |tl| < 2^-51 th.
HWY_INLINE VDD Exp2Frac(D d, const ExpTables& tab, hn::Vec<DI> k) {
#if SOFTCHECK_PERMUTE_TABLES
  (void)d;
  const __m512i ib = k.raw, ia = _mm512_srli_epi64(ib, 5);  // the permutes read only the index's low bits
  const __mmask8 upper = _mm512_test_epi64_mask(ib, _mm512_set1_epi64(16));
  V ah{_mm512_permutex2var_pd(tab.ah[0], ia, tab.ah[1])}, al{_mm512_permutex2var_pd(tab.al[0], ia, tab.al[1])};
  V bh{_mm512_mask_blend_pd(upper, _mm512_permutex2var_pd(tab.bh[0], ib, tab.bh[1]),
                            _mm512_permutex2var_pd(tab.bh[2], ib, tab.bh[3]))};
  V bl{_mm512_mask_blend_pd(upper, _mm512_permutex2var_pd(tab.bl[0], ib, tab.bl[1]),
                            _mm512_permutex2var_pd(tab.bl[2], ib, tab.bl[3]))};
  VDD p = TwoProd(d, ah, bh);
  return {p.hi, p.lo + (ah * bl + al * bh)};
#else
  (void)tab;
  const DI di;
  auto j2 = hn::ShiftLeft<1>(hn::And(k, hn::Set(di, 511)));
  return {hn::GatherIndex(d, &kExpSplit.prod[0][0], j2), hn::GatherIndex(d, &kExpSplit.prod[0][1], j2)};
#endif
}

// e^(dh + dl) for -600 <= dh <= 0, |dl| <= ulp(dh)/2, as a normalized double-double; relative error
// < kTermErr = 2^-84.5. Where (with u = 2^-53, |r| <= ln2/1024 (1 + 2^-32) < 2^-10.52, the 2^-32 for dl and
// the rounding of dh 512/ln2):
//   dh + dl = (512K + j) ln2/512 + r: k kL0 and k kL1 are exact, dh - k kL0 too (Sterbenz for k != 0),
//     r = rh + rl renormalized; kL's tail and the two roundings of rl (|dl| < 2^-44): < 2^-96 absolute.
//   e^r - 1 = r + r^2/2 + r^3/6 + ... + r^7/5040 + O(r^8/8!), truncation < 2^-99.5, with rh^2 = s + σ exact;
//     rh^3/6 + ... from s in double: relative error <= 3u + 2^-54 (three roundings and 1/6's) on
//     |rh|^3/6 < 2^-34.15: < 2^-85.33; s for rh^2 inside it: < 2^-87.1; the final sum of the tail:
//     u 2^-34.1 = 2^-87.1; the terms in rl (rl, rh rl, rh^2 rl/2) are exact to < 2^-115. E = e^r - 1
//     then has absolute error < 2^-85.33 + 2^-87.1 + 2^-87.1 + 2^-96 < 2^-84.68, relative to
//     e^r >= 0.9986: < 2^-84.66.
//   2^(j/512) (1 + E) from Exp2Frac (2^-102.6) with one exact product and FastTwoSums: < 2^-101.
//   2^K (-866 <= K <= 0) scales both parts exactly (a low part that goes subnormal is below 2^-150 of
//   the result). Total < 2^-84.66 + 2^-101 < 2^-84.5 (2^-85.66 the largest FastTier measures).
HWY_INLINE VDD ExpDD(D d, const ExpTables& tab, V dh, V dl) {
  const DI di;
  const V shifter = hn::Set(d, 0x1.8p52);
  V t = dh * hn::Set(d, kInvL) + shifter;
  V kf = t - shifter;
  auto ni = hn::BitCast(di, t) - hn::BitCast(di, shifter);  // k = 512K + j
  auto K = hn::ShiftRight<9>(ni);

  V r0 = dh - kf * hn::Set(d, kL0);
  VDD r = TwoSum(r0, hn::Neg(kf * hn::Set(d, kL1)));
  r = TwoSum(r.hi, r.lo + (dl - kf * hn::Set(d, kL2)));
  const V rh = r.hi, rl = r.lo;

  const V half = hn::Set(d, 0.5);
  VDD s = TwoProd(d, rh, rh);
  VDD e = FastTwoSum(rh, s.hi * half);
  V q = hn::Set(d, kC4) + rh * (hn::Set(d, kC5) + rh * (hn::Set(d, kC6) + rh * hn::Set(d, kC7)));
  V h3 = (rh * s.hi) * (hn::Set(d, kC3) + rh * q);
  V rrl = rh * rl;
  V small = rl + (s.lo * half + rrl * (hn::Set(d, 1.0) + half * rh));
  VDD E = FastTwoSum(e.hi, (e.lo + small) + h3);

  const VDD T = Exp2Frac(d, tab, ni);
  const V th = T.hi, tl = T.lo;
  VDD p = TwoProd(d, th, E.hi);
  VDD v = FastTwoSum(th, p.hi);
  V lo = v.lo + (tl + (p.lo + (th * E.lo + tl * E.hi)));
  VDD res = FastTwoSum(v.hi, lo);
  V scale = hn::BitCast(d, hn::ShiftLeft<52>(K + hn::Set(di, 1023)));
  return {res.hi * scale, res.lo * scale};
}

// (n.hi + n.lo) / (c + e.hi + e.lo) for a double c >= |e.hi|: one division (q = n.hi / den to 2u), the
// remainder n - q den exact (Sterbenz, an exact product) but for the low parts' roundings, corrected by
// the same reciprocal: relative error < 40u^2 (q's 2u times the roundings of the remainder, of q dl, of
// rem inv, and dividing by den.hi for den) < 2^-100.
HWY_INLINE VDD DivSum(D d, VDD n, V c, VDD e) {
  VDD den = FastTwoSum(c, e.hi);
  V dl = den.lo + e.lo;
  V inv = hn::Set(d, 1.0) / den.hi;
  V q = n.hi * inv;
  VDD p = TwoProd(d, q, den.hi);
  V rem = (((n.hi - p.hi) - p.lo) + n.lo) - q * dl;
  return FastTwoSum(q, rem * inv);
}

// Ziv's test on a normalized q with relative error < rel (q.hi normal, or q.hi = q.lo = 0: a zero q.hi
// with a nonzero q.lo would pass wrongly; no caller makes one): every value within the
// bound rounds like q.hi. The bound is widened by the roundings of q.lo -+ err.
HWY_INLINE hn::Mask<D> Certain(D d, VDD q, V rel) {
  V err = hn::Abs(q.hi) * rel;
  V err2 = err + hn::Set(d, 0x1p-52) * (hn::Abs(q.lo) + err);
  return (q.hi + (q.lo - err2)) == (q.hi + (q.lo + err2));
}

// Ziv's test with an absolute error bound err on a normalized q (|q.hi| >= 2^-900): as Certain.
HWY_INLINE hn::Mask<D> CertainAbs(D d, VDD q, V err) {
  V err2 = err + hn::Set(d, 0x1p-52) * (hn::Abs(q.lo) + err);
  return (q.hi + (q.lo - err2)) == (q.hi + (q.lo + err2));
}

// AccurateDWPlusDW (Joldes, Muller, Popescu): relative error <= 3u^2 + 13u^3, as dd.hpp's add.
HWY_INLINE VDD AddDD(VDD a, VDD b) {
  VDD s = TwoSum(a.hi, b.hi);
  VDD t = TwoSum(a.lo, b.lo);
  VDD v = FastTwoSum(s.hi, s.lo + t.hi);
  return FastTwoSum(v.hi, t.lo + v.lo);
}

}  // namespace HWY_NAMESPACE
}  // namespace softcheck::detail::fast
HWY_AFTER_NAMESPACE();

#endif  // SOFTCHECK_IMPL_FAST_INL_H_
