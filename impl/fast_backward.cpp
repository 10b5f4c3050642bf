// Tier 0 of the backward passes in framework form (fast.hpp, "Backward passes"): sigmoid's g y (1 - y),
// softmax's y_i (g_i - Σ g_j y_j) and log-softmax's g_i - e^{y_i} Σ g_j, in Highway lanes with the runtime
// dispatch of fast.cpp. Exact sums and products (and fast.cpp's exponential), one Ziv test per component;
// whatever the test or the ranges below leave goes to the scalar tiers. This file is included once per target by hwy/foreach_target.h.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "impl/fast_backward.cpp"
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)  // as in fast.cpp
#endif
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#ifndef SOFTCHECK_IMPL_FAST_BACKWARD_ONCE
#define SOFTCHECK_IMPL_FAST_BACKWARD_ONCE
#include <algorithm>
#include <cmath>
#include <cstring>

#include "impl/fast.hpp"
#endif  // SOFTCHECK_IMPL_FAST_BACKWARD_ONCE

#include "impl/fast-inl.h"

HWY_BEFORE_NAMESPACE();
namespace softcheck::detail::fast {
namespace HWY_NAMESPACE {

// ok[0, count) = good's first count lanes as 0/1 (count at most the lane count).
HWY_INLINE void StoreOk(D d, hn::Mask<D> good, unsigned char* ok, std::size_t count) {
  if (count == hn::Lanes(d) && HWY_LIKELY(hn::AllTrue(d, good))) return (void)std::memset(ok, 1, count);
  HWY_ALIGN double k[HWY_MAX_BYTES / sizeof(double)];
  hn::Store(hn::IfThenElseZero(good, hn::Set(d, 1.0)), d, k);
  for (std::size_t l = 0; l < count; ++l) ok[l] = k[l] != 0;
}

// g y (1 - y) for |y| <= 1, |g| < 2^995 and a result of at least 2^-899 (other lanes: precise):
// w = 1 - y exact (FastTwoSum: |1| >= |y|), p = g y exact (TwoProd: |p| >= 2^-900 as |w| <= 2), p w as
// DWTimesDW: p.hi w.hi exact (it is >= 2^-900), the two cross products and their sum rounded (2u^2 + 2u^2,
// each < u|p w|), p.lo w.lo (< u^2) dropped, the low sum rounded with q.lo (3u^2): < 8u^2 = 2^-103
// relative; a cross product that underflows loses < 2^-1075 against |p w| >= 2^-899. The test is Ziv's at
// 2^-100 on a normal result. Where g = 0, y = 0 or y = 1 the value is RN(RN(g y) RN(1 - y)) = q.hi, what
// the scalar entry returns there ((g y)(1 - y) in IEEE arithmetic).
void SigmoidBackwardT(const double* y, const double* g, std::size_t n, double* out, double (*precise)(double, double)) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  const V one = hn::Set(d, 1.0), zero = hn::Zero(d), tiny = hn::Set(d, 0x1p-899), big = hn::Set(d, 0x1p995);
  const V rel = hn::Set(d, 0x1p-100);
  auto step = [&](V vy, V vg, hn::Mask<D>& good) SOFTCHECK_INLINE_LAMBDA {
    VDD w = FastTwoSum(one, hn::Neg(vy));
    VDD p = TwoProd(d, vg, vy);
    VDD q = TwoProd(d, p.hi, w.hi);
    VDD v = FastTwoSum(q.hi, q.lo + (p.hi * w.lo + p.lo * w.hi));
    auto simple = hn::Or(hn::Or(vg == zero, vy == zero), w.hi == zero);
    auto range = hn::And(hn::And(hn::Abs(vy) <= one, hn::Abs(vg) < big), hn::Abs(v.hi) >= tiny);
    good = hn::Or(simple, hn::And(range, Certain(d, v, rel)));
    return hn::IfThenElse(simple, q.hi, v.hi);
  };
  // Unproven lanes go to precise after each chunk, from copies (out may be y or g).
  constexpr std::size_t kChunk = 64, kMaxLanes = HWY_MAX_BYTES / sizeof(double);
  HWY_ALIGN double py[kChunk][kMaxLanes], pg[kChunk][kMaxLanes], pk[kChunk][kMaxLanes];
  std::size_t pi[kChunk];
  const std::size_t whole = n / N * N;
  for (std::size_t c = 0; c < whole; c += kChunk * N) {
    const std::size_t stop = std::min(whole, c + kChunk * N);
    std::size_t pending = 0;
    for (std::size_t i = c; i < stop; i += N) {
      const V vy = hn::LoadU(d, y + i), vg = hn::LoadU(d, g + i);
      hn::Mask<D> good;
      const V res = step(vy, vg, good);
      if (HWY_UNLIKELY(!hn::AllTrue(d, good))) {
        hn::Store(vy, d, py[pending]);
        hn::Store(vg, d, pg[pending]);
        hn::Store(hn::IfThenElseZero(good, one), d, pk[pending]);
        pi[pending++] = i;
      }
      hn::StoreU(res, d, out + i);
    }
    for (std::size_t k = 0; k < pending; ++k)
      for (std::size_t l = 0; l < N; ++l)
        if (pk[k][l] == 0) out[pi[k] + l] = precise(py[k][l], pg[k][l]);
  }
  if (whole < n) {
    const std::size_t count = n - whole;
    HWY_ALIGN double by[kMaxLanes] = {}, bg[kMaxLanes] = {}, r[kMaxLanes], ok[kMaxLanes];
    std::memcpy(by, y + whole, count * sizeof(double));
    std::memcpy(bg, g + whole, count * sizeof(double));
    hn::Mask<D> good;
    hn::Store(step(hn::Load(d, by), hn::Load(d, bg), good), d, r);
    hn::Store(hn::IfThenElseZero(good, one), d, ok);
    for (std::size_t l = 0; l < count; ++l) out[whole + l] = ok[l] != 0 ? r[l] : precise(by[l], bg[l]);
  }
}

// Σ a_j b_j (Σ a_j for b null) as fast.hpp's DotSum states it: Ogita, Rump and Oishi's cascaded
// summation with three levels (SumK, K = 3), over kAcc independent chains per lane (one chain would wait
// on each TwoSum's latency), the chains and then the lanes joined the same way. Each product is split
// exactly (TwoProd) into two parts. Level 1: every part is added into s by a TwoSum, so the exact sum is
// s + Σ q_k over its errors q_k. Level 2: every q_k is added into c by a TwoSum, so Σ q_k = c + Σ r_k.
// Level 3: cc sums the M <= 2n + 4 kAcc N values r_k (tail padding and joins included) in floating
// point along a tree of height < M: |Σ r_k - cc| <= γ_{M-1} Σ|r_k| <= 2 M u RR for RR the computed
// Σ|r_k| and M u <= 2^-30. The result's c is RN(c + cc) (u |c| more). Two levels (c a plain sum) would
// leave 2 M u Σ|q_k|, a relative 2^-70 at n = 2^20: too coarse for the components that cancel. TwoProd's
// error is exact unless the product underflows: then < 2^-1072.2 per product (at most seven roundings
// below 2^-1075 in Dekker's product, two with an FMA), counted as n 2^-1070. Dekker's splitting needs
// |a_j|, |b_j| < 2^996: ok = false (nothing to use) for any operand at or above 2^995, NaN or an
// infinity, and for a sum that overflows. err is widened by 2^-50 for its own roundings.
DotSum DotT(const double* a, const double* b, std::size_t n) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  constexpr std::size_t kAcc = 4;
  const V big = hn::Set(d, 0x1p995);
  V s[kAcc], c[kAcc], cc[kAcc], rr[kAcc], ab[kAcc];
  for (std::size_t k = 0; k < kAcc; ++k) s[k] = c[k] = cc[k] = rr[k] = ab[k] = hn::Zero(d);
  auto fine = hn::FirstN(d, N);  // all true
  auto put_c = [&](std::size_t k, V q) SOFTCHECK_INLINE_LAMBDA {  // level 2 (and 3)
    VDD t = TwoSum(c[k], q);
    c[k] = t.hi;
    cc[k] = cc[k] + t.lo;
    rr[k] = rr[k] + hn::Abs(t.lo);
  };
  auto put = [&](std::size_t k, V v) SOFTCHECK_INLINE_LAMBDA {  // level 1
    VDD t = TwoSum(s[k], v);
    s[k] = t.hi;
    put_c(k, t.lo);
  };
  auto step = [&](std::size_t k, V va, V vb) SOFTCHECK_INLINE_LAMBDA {
    fine = hn::And(fine, hn::And(hn::Abs(va) < big, hn::Abs(vb) < big));  // false for NaN
    if (b) {
      VDD p = TwoProd(d, va, vb);
      put(k, p.hi);
      put(k, p.lo);
      ab[k] = ab[k] + hn::Abs(p.hi);
    } else {
      put(k, va);
      ab[k] = ab[k] + hn::Abs(va);
    }
  };
  const V zero = hn::Zero(d);
  std::size_t i = 0;
  for (; i + kAcc * N <= n; i += kAcc * N)
    for (std::size_t k = 0; k < kAcc; ++k) step(k, hn::LoadU(d, a + i + k * N), b ? hn::LoadU(d, b + i + k * N) : zero);
  for (std::size_t k = 0; i < n; i += N, ++k) {  // fewer than kAcc vectors left, the last padded with zeros
    HWY_ALIGN double ba[HWY_MAX_BYTES / sizeof(double)] = {}, bb[HWY_MAX_BYTES / sizeof(double)] = {};
    const std::size_t count = std::min(N, n - i);
    std::memcpy(ba, a + i, count * sizeof(double));
    if (b) std::memcpy(bb, b + i, count * sizeof(double));
    step(k, hn::Load(d, ba), hn::Load(d, bb));
  }
  for (std::size_t k = 1; k < kAcc; ++k) {
    put(0, s[k]);
    put_c(0, c[k]);
    cc[0] = cc[0] + cc[k];
    rr[0] = rr[0] + rr[k];
    ab[0] = ab[0] + ab[k];
  }
  HWY_ALIGN double ls[HWY_MAX_BYTES / sizeof(double)], lc[HWY_MAX_BYTES / sizeof(double)];
  HWY_ALIGN double lcc[HWY_MAX_BYTES / sizeof(double)], lr[HWY_MAX_BYTES / sizeof(double)];
  hn::Store(s[0], d, ls);
  hn::Store(c[0], d, lc);
  hn::Store(cc[0], d, lcc);
  hn::Store(rr[0], d, lr);
  const double AB = hn::GetLane(hn::SumOfLanes(d, ab[0]));
  double S = ls[0], C = lc[0], CC = lcc[0], RR = lr[0];
  auto put_scalar_c = [&](double q) {
    const dd t = two_sum(C, q);
    C = t.hi, CC += t.lo, RR += std::fabs(t.lo);
  };
  for (std::size_t l = 1; l < N; ++l) {
    const dd t = two_sum(S, ls[l]);
    S = t.hi;
    put_scalar_c(t.lo);
    put_scalar_c(lc[l]);
    CC += lcc[l], RR += lr[l];
  }
  DotSum r;
  const double M = static_cast<double>(2 * n + 4 * kAcc * N) * 0x1p-53;
  r.s = S;
  r.c = C + CC;
  r.err = (2 * M * RR + 0x1p-53 * std::fabs(r.c) + (b ? static_cast<double>(n) * 0x1p-1070 : 0.0)) * (1 + 0x1p-50);
  // Σ|a_j b_j| <= Σ|p.hi| (1 + u) (+ 2^-1074 where a product underflows), that sum of M/2 terms within
  // M u <= 2^-30 relative.
  r.abs = AB * (1 + 0x1p-28) + (b ? static_cast<double>(n) * 0x1p-1070 : 0.0);
  r.ok = hn::AllTrue(d, fine) && M <= 0x1p-30 && std::isfinite(S) && std::isfinite(r.c) && std::isfinite(r.err);
  return r;
}

// y_i (g_i - Σ) for Σ = s + c within err (DotT), every |y_i|, |g_i| < 2^995 (DotT's ok): per lane
// D = g_i - Σ as impl/dot.hpp's minus_sum (TwoSum, c subtracted in one rounding, TwoSum), within
// E_D = (err + u |d_l|)(1 + 2^-50); y_i D by TwoProd on D_h (exact: |D_h| < 2^995 is checked, and the
// result >= 2^-900 keeps the product's error above the underflow threshold) and y_i D_l + o_l in two
// roundings (u |y_i D_l| + u |o_l|), 2^-1070 for a product that underflows: Ziv's test with the sum of
// these, widened by 2^-50 for its own roundings, on a result between 2^-900 and 2^1000. y_i = 0: +0, what
// the scalar tier returns. ok_i = 0 elsewhere.
void SoftmaxBackwardT(const double* y, const double* g, std::size_t n, double s, double c, double err, double* out,
                      unsigned char* ok) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  const V vs = hn::Set(d, s), vc = hn::Set(d, c), verr = hn::Set(d, err), u = hn::Set(d, 0x1p-53);
  const V zero = hn::Zero(d), widen = hn::Set(d, 1 + 0x1p-50), tiny = hn::Set(d, 0x1p-1070);
  const V lo = hn::Set(d, 0x1p-900), hi = hn::Set(d, 0x1p1000), big = hn::Set(d, 0x1p995);
  auto step = [&](V vy, V vg, hn::Mask<D>& good) SOFTCHECK_INLINE_LAMBDA {
    VDD t = TwoSum(vg, hn::Neg(vs));
    V dl = t.lo - vc;
    VDD diff = TwoSum(t.hi, dl);  // D
    V e_d = (verr + u * hn::Abs(dl)) * widen;
    VDD o = TwoProd(d, vy, diff.hi);
    V yl = vy * diff.lo;
    V ol = yl + o.lo;
    VDD v = FastTwoSum(o.hi, ol);
    V e = (hn::Abs(vy) * e_d + u * (hn::Abs(yl) + hn::Abs(ol)) + tiny) * widen;
    auto range = hn::And(hn::And(hn::Abs(v.hi) >= lo, hn::Abs(v.hi) <= hi), hn::Abs(diff.hi) < big);
    auto yzero = vy == zero;
    good = hn::Or(yzero, hn::And(range, CertainAbs(d, v, e)));
    return hn::IfThenElseZero(hn::Not(yzero), v.hi);
  };
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::Mask<D> good;
    hn::StoreU(step(hn::LoadU(d, y + i), hn::LoadU(d, g + i), good), d, out + i);
    StoreOk(d, good, ok + i, N);
  }
  if (i < n) {
    const std::size_t count = n - i;
    HWY_ALIGN double by[HWY_MAX_BYTES / sizeof(double)] = {}, bg[HWY_MAX_BYTES / sizeof(double)] = {};
    std::memcpy(by, y + i, count * sizeof(double));
    std::memcpy(bg, g + i, count * sizeof(double));
    hn::Mask<D> good;
    hn::Store(step(hn::Load(d, by), hn::Load(d, bg), good), d, by);
    std::memcpy(out + i, by, count * sizeof(double));
    StoreOk(d, good, ok + i, count);
  }
}

// g_i - e^{x_i - m} R for R = Rh + Rl (normalized, within rel_r of its value relative, 0 < |Rh| < 2^995),
// lanes with -600 <= x_i - m <= 0 (x_i - m = dh + dl exact, TwoSum): e = e^{x_i - m} by ExpDD (kTermErr),
// P = e R as DWTimesDW (TwoProd of the high parts, exact as |P| >= 2^-899 is checked; the cross products
// rounded, e.lo Rl dropped: < 5u^2, underflow in a cross product < 2^-1075 absolute), so
// |P - e^{x_i - m} R| < (kTermErr + rel_r + 2^-100) |P| (1 + 2^-40) (the products of the relative errors
// inside the last factor); v = g_i - P: g_i - P.hi exact (TwoSum), its low part less P.lo rounded once
// (u |lo|), TwoSum. Ziv's test with the sum of the two on a result between 2^-900 and 2^1000; ok_i = 0
// elsewhere (x_i - m outside [-600, 0], a NaN, a tiny P, a cancellation beyond the bound), out_i then to
// be ignored. The exponentials first, a chunk at a time in their own loop (as fast.cpp's Elementwise).
void SubTermsT(const double* x, const double* g, std::size_t n, double m, double Rh, double Rl, double rel_r,
               double* out, unsigned char* ok) {
  const D d;
  const ExpTables tab(d);
  const std::size_t N = hn::Lanes(d);
  const V rh = hn::Set(d, Rh), rl = hn::Set(d, Rl), u = hn::Set(d, 0x1p-53), zero = hn::Zero(d);
  const V prel = hn::Set(d, (kTermErr + rel_r + 0x1p-100) * (1 + 0x1p-40));
  const V tiny = hn::Set(d, 0x1p-899), small = hn::Set(d, 0x1p-900), large = hn::Set(d, 0x1p1000);
  const V lowest = hn::Set(d, -600.0), vm = hn::Set(d, m);
  auto inside = [&](V vx) SOFTCHECK_INLINE_LAMBDA {  // false for NaN
    V dh = vx - vm;
    return hn::And(dh >= lowest, dh <= zero);
  };
  auto first = [&](V vx) SOFTCHECK_INLINE_LAMBDA {
    VDD t = TwoSum(vx, hn::Neg(vm));
    auto in = hn::And(t.hi >= lowest, t.hi <= zero);
    return ExpDD(d, tab, hn::IfThenElseZero(in, t.hi), hn::IfThenElseZero(in, t.lo));
  };
  auto second = [&](V vx, V vg, VDD e, hn::Mask<D>& good) SOFTCHECK_INLINE_LAMBDA {
    VDD p = TwoProd(d, e.hi, rh);
    VDD P = FastTwoSum(p.hi, p.lo + (e.hi * rl + e.lo * rh));
    VDD t = TwoSum(vg, hn::Neg(P.hi));
    V lo = t.lo - P.lo;
    VDD v = TwoSum(t.hi, lo);
    V err = prel * hn::Abs(P.hi) + u * hn::Abs(lo);
    auto range = hn::And(hn::And(inside(vx), hn::Abs(P.hi) >= tiny),
                         hn::And(hn::Abs(v.hi) >= small, hn::Abs(v.hi) <= large));
    good = hn::And(range, CertainAbs(d, v, err));
    return v.hi;
  };
  constexpr std::size_t kChunk = 64, kMaxLanes = HWY_MAX_BYTES / sizeof(double);
  HWY_ALIGN double bh[kChunk * kMaxLanes], bl[kChunk * kMaxLanes];
  const std::size_t whole = n / N * N;
  for (std::size_t c = 0; c < whole; c += kChunk * N) {
    const std::size_t stop = std::min(whole, c + kChunk * N);
    for (std::size_t i = c, k = 0; i < stop; i += N, k += N) {
      VDD e = first(hn::LoadU(d, x + i));
      hn::Store(e.hi, d, bh + k);
      hn::Store(e.lo, d, bl + k);
    }
    for (std::size_t i = c, k = 0; i < stop; i += N, k += N) {
      hn::Mask<D> good;
      hn::StoreU(second(hn::LoadU(d, x + i), hn::LoadU(d, g + i), VDD{hn::Load(d, bh + k), hn::Load(d, bl + k)}, good),
                 d, out + i);
      StoreOk(d, good, ok + i, N);
    }
  }
  if (whole < n) {
    const std::size_t count = n - whole;
    HWY_ALIGN double bx[kMaxLanes] = {}, bg[kMaxLanes] = {};
    std::memcpy(bx, x + whole, count * sizeof(double));
    std::memcpy(bg, g + whole, count * sizeof(double));
    const V vx = hn::Load(d, bx);
    hn::Mask<D> good;
    hn::Store(second(vx, hn::Load(d, bg), first(vx), good), d, bx);
    std::memcpy(out + whole, bx, count * sizeof(double));
    StoreOk(d, good, ok + whole, count);
  }
}

// e_i R (g_i - Q) for e_i = eh_i + el_i (within kTermErr of e^{x_i - m}), R = Rh + Rl (within rel_r,
// 0 < R <= 1) and Q = Qh + Ql within E_Q absolute (|Qh| < 2^995): P = e R as in SubTermsT, within
// prel = (kTermErr + rel_r + 2^-100)(1 + 2^-40) of e^{x_i - m} R relative (|P.hi| >= 2^-899 checked);
// D = g_i - Q as SoftmaxBackwardT's, within E_D = (E_Q + u |dl|)(1 + 2^-50) of g_i - Q. Then
// |P D - P_x D_x| <= prel |P| (|D| + E_D) + |P| E_D for the exact P_x, D_x. v = P D: P.hi D.hi exact
// (TwoProd; |v| >= 2^-900 is checked), a1 = P.hi D.lo, a2 = P.lo D.hi, their sum and o.lo added in four
// roundings (u each on its result), P.lo D.lo dropped (< 2^-105 |P.hi D.hi|), 2^-1070 for products that
// underflow. Ziv's test with the sum, widened by 2^-40, on 2^-900 <= |v| <= 2^1000 and |D.hi| < 2^995.
// eh_i = 0 (a term the fast exponential does not give) or a failed test: ok_i = 0, out_i to be ignored.
// out may be eh (each lane is read before it is written).
void ScaleDiffT(const double* eh, const double* el, const double* g, std::size_t n, double Rh, double Rl,
                double rel_r, double Qh, double Ql, double E_Q, double* out, unsigned char* ok) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  const V rh = hn::Set(d, Rh), rl = hn::Set(d, Rl), qh = hn::Set(d, Qh), ql = hn::Set(d, Ql), eq = hn::Set(d, E_Q);
  const V u = hn::Set(d, 0x1p-53), widen50 = hn::Set(d, 1 + 0x1p-50);
  const V widen40 = hn::Set(d, 1 + 0x1p-40), u2 = hn::Set(d, 0x1p-105), tiny = hn::Set(d, 0x1p-1070);
  const V prel = hn::Set(d, (kTermErr + rel_r + 0x1p-100) * (1 + 0x1p-40));
  const V pmin = hn::Set(d, 0x1p-899), small = hn::Set(d, 0x1p-900), large = hn::Set(d, 0x1p1000);
  const V big = hn::Set(d, 0x1p995);
  auto step = [&](V veh, V vel, V vg, hn::Mask<D>& good) SOFTCHECK_INLINE_LAMBDA {
    VDD p = TwoProd(d, veh, rh);
    VDD P = FastTwoSum(p.hi, p.lo + (veh * rl + vel * rh));
    VDD t = TwoSum(vg, hn::Neg(qh));
    V dl = t.lo - ql;
    VDD diff = TwoSum(t.hi, dl);
    V e_d = (eq + u * hn::Abs(dl)) * widen50;
    VDD o = TwoProd(d, P.hi, diff.hi);
    V a1 = P.hi * diff.lo, a2 = P.lo * diff.hi;
    V a = a1 + a2;
    V ol = a + o.lo;
    VDD v = FastTwoSum(o.hi, ol);
    V ap = hn::Abs(P.hi), ad = hn::Abs(diff.hi);
    V err = (ap * widen50 * (prel * (ad * widen50 + e_d) + e_d) +
             u * (hn::Abs(a1) + hn::Abs(a2) + hn::Abs(a) + hn::Abs(ol)) + u2 * (ap * ad) + tiny) *
            widen40;
    auto range = hn::And(hn::And(ap >= pmin, ad < big), hn::And(hn::Abs(v.hi) >= small, hn::Abs(v.hi) <= large));
    good = hn::And(range, CertainAbs(d, v, err));
    return v.hi;
  };
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    hn::Mask<D> good;
    const V r = step(hn::LoadU(d, eh + i), hn::LoadU(d, el + i), hn::LoadU(d, g + i), good);
    hn::StoreU(r, d, out + i);
    StoreOk(d, good, ok + i, N);
  }
  if (i < n) {
    const std::size_t count = n - i;
    HWY_ALIGN double bh[HWY_MAX_BYTES / sizeof(double)] = {}, bl[HWY_MAX_BYTES / sizeof(double)] = {};
    HWY_ALIGN double bg[HWY_MAX_BYTES / sizeof(double)] = {};
    std::memcpy(bh, eh + i, count * sizeof(double));
    std::memcpy(bl, el + i, count * sizeof(double));
    std::memcpy(bg, g + i, count * sizeof(double));
    hn::Mask<D> good;
    hn::Store(step(hn::Load(d, bh), hn::Load(d, bl), hn::Load(d, bg), good), d, bh);
    std::memcpy(out + i, bh, count * sizeof(double));
    StoreOk(d, good, ok + i, count);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace softcheck::detail::fast
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace softcheck::detail::fast {

HWY_EXPORT(SigmoidBackwardT);
HWY_EXPORT(DotT);
HWY_EXPORT(SoftmaxBackwardT);
HWY_EXPORT(SubTermsT);
HWY_EXPORT(ScaleDiffT);

void sigmoid_backward(const double* y, const double* g, std::size_t n, double* out, double (*precise)(double, double)) {
  HWY_DYNAMIC_DISPATCH(SigmoidBackwardT)(y, g, n, out, precise);
}
DotSum dot(const double* a, const double* b, std::size_t n) { return HWY_DYNAMIC_DISPATCH(DotT)(a, b, n); }
void softmax_backward(const double* y, const double* g, std::size_t n, const DotSum& S, double* out,
                      unsigned char* ok) {
  HWY_DYNAMIC_DISPATCH(SoftmaxBackwardT)(y, g, n, S.s, S.c, S.err, out, ok);
}
void sub_terms(const double* x, const double* g, std::size_t n, double m, dd R, double rel_r, double* out,
               unsigned char* ok) {
  HWY_DYNAMIC_DISPATCH(SubTermsT)(x, g, n, m, R.hi, R.lo, rel_r, out, ok);
}
void scale_diff(const double* eh, const double* el, const double* g, std::size_t n, dd R, double rel_r, dd Q,
                double err_q, double* out, unsigned char* ok) {
  HWY_DYNAMIC_DISPATCH(ScaleDiffT)(eh, el, g, n, R.hi, R.lo, rel_r, Q.hi, Q.lo, err_q, out, ok);
}

}  // namespace softcheck::detail::fast
#endif  // HWY_ONCE
