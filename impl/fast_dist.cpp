// Tier 0 of the distribution cross-entropy's gradient g_i = T e_i / S - t_i (fast.hpp, "Triple-double"):
// with targets t = RN(T softmax(x)) every component cancels by ~53 bits, so T e_i / S is needed to ~2^-115,
// beyond double-double. Triple-double lanes (Highway, runtime dispatch as in fast.cpp): e^d from the
// 512-entry table carried to a third double and a degree-9 polynomial, sums in blocks, and Ziv's test on
// each component. This file is included once per target by hwy/foreach_target.h.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "impl/fast_dist.cpp"
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)  // as in fast.cpp
#endif
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#ifndef SOFTCHECK_IMPL_FAST_DIST_ONCE
#define SOFTCHECK_IMPL_FAST_DIST_ONCE
#include <cmath>
#include <cstring>
#include <limits>

#include "impl/fast.hpp"
#include "impl/multi_double.hpp"

namespace softcheck::detail::fast {
#include "impl/exp2_512_tail.inc"

constexpr double kL3 = -0x1.7e1979b31ace9p-138;  // ln2/512 - kL0 - kL1 - kL2, rounded: the rest < 2^-192
// 1/k! for k = 3 .. 7 as two doubles (to 2^-106), k = 8 .. 10 rounded.
constexpr double kF3[2] = {0x1.5555555555555p-3, 0x1.5555555555555p-57};
constexpr double kF4[2] = {0x1.5555555555555p-5, 0x1.5555555555555p-59};
constexpr double kF5[2] = {0x1.1111111111111p-7, 0x1.1111111111111p-63};
constexpr double kF6[2] = {0x1.6c16c16c16c17p-10, -0x1.f49f49f49f49fp-65};
constexpr double kF7[2] = {0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-73};
constexpr double kF8 = 0x1.a01a01a01a01ap-16;
constexpr double kF9 = 0x1.71de3a556c734p-19;
constexpr double kF10 = 0x1.27e4fb7789f5cp-22;
constexpr int kTdBlock = 32;  // vectors summed per lane before the block is added to the lane's total
}  // namespace softcheck::detail::fast
#endif  // SOFTCHECK_IMPL_FAST_DIST_ONCE

#include "impl/fast-inl.h"

HWY_BEFORE_NAMESPACE();
namespace softcheck::detail::fast {
namespace HWY_NAMESPACE {

struct VTD {
  V a, b, c;  // a + b + c, |b| <= 2^-52 |a|, |c| <= 2^-104 |a|
};

// dd Horner step c + r q for |c| > |r q|, r = r0 + r1: relative error < 2^-103 (the roundings of the
// low parts, each < u of a term < 2^-52 of the result, and the dropped r1 q.lo < 2^-115 of it).
HWY_INLINE VDD HornerDD(D d, const double c[2], V r0, V r1, VDD q) {
  VDD p = TwoProd(d, r0, q.hi);
  V pl = p.lo + (r0 * q.lo + r1 * q.hi);
  VDD s = FastTwoSum(hn::Set(d, c[0]), p.hi);
  return FastTwoSum(s.hi, s.lo + (pl + hn::Set(d, c[1])));
}

// e^(dh + dl) for -600 <= dh <= 0, |dl| <= ulp(dh)/2, as a triple-double; relative error < kTdTermErr =
// 2^-138. Every term above 2^-135 is formed exactly (TwoProd, TwoSum) and carried in three levels (about
// 1, 2^-53, 2^-106); only terms below 2^-134 are rounded. With u = 2^-53, |r| <= ln2/1024 (1 + 2^-32) <
// 2^-10.52 (as in ExpDD), errors absolute (e^r >= 0.9986 turns them into relative ones):
//   r = dh + dl - k (kL0 + kL1 + kL2 + kL3): dh - k kL0 and k kL1 exact (ExpDD), k kL2 by an exact
//     product, k kL3 rounded (< 2^-171); three exact TwoSums leave four low terms < 2^-95 whose sum is
//     rounded thrice (< 2^-146); the constant's rest k 2^-192. r = r0 + r1 + r2 to < 2^-145.
//   e^r = 1 + r + r^2/2 + r^3/6 + r^4 Q4, Q4 = 1/24 + ... + r^6/10!: truncation r^11/11! < 2^-140.9.
//     r^2 = a0 + m + low (r0^2 and 2 r0 r1 exact, low < 2^-123.5 rounded twice): < 2^-176.
//     r^3 = (a0 + m)(r0 + r1) + low r0 + a0 r2: a0 r0 and m r0 exact, a0 r1 < 2^-84.5 rounded
//       (< 2^-138), the rest < 2^-134 (< 2^-185); times 1/6 (two doubles, 2^-110 relative): its
//       products above 2^-85 exact, P0 c1 < 2^-88.6 rounded (< 2^-142): r^3/6 within 2^-139.9.
//     Q4 by four dd Horner steps on a double tail (each < 2^-103 relative), r^4 from (a0 + m)^2 (< 2^-104),
//       one more dd product: r^4 Q4 < 2^-46.6 within 2^-148.7.
//   F = e^r - 1 as f + F1 + F2: f by exact FastTwoSums of r0, a0/2, r^3/6, r^4 Q4 (each below the
//     previous); F1 by exact TwoSums of their errors and the next level (< 2^-60); F2 the rounded sum of
//     terms < 2^-111 (< 2^-161).
//   2^(j/512) = t0 + t1 + t2 within 2^-161; (t0 + t1 + t2)(1 + F) with t0 f, t0 F1 and t1 f exact, t0 F2,
//     t1 F1 and t2 f rounded (< 2^-162), t1 F2 and t2 F1 dropped (< 2^-162); the level above 2^-104 by
//     exact TwoSums, the ten terms below summed in double (< 2^-150.3). Renormalization and the scaling
//     by 2^K (K >= -866; a third double that goes subnormal: < 2^-1075 absolute, 2^-209 relative) exact.
//   Total: 2^-139.9 + 2^-140.9 + 2^-145 + 2^-148.7 + 2^-150.3 + 2^-160 < 2^-139.2, relative < 2^-139.1 <
//   kTdTermErr (FastDist.TripleDoubleTermsAreWithinTheirBound measures the largest).
HWY_INLINE VTD ExpTD(D d, V dh, V dl) {
  const DI di;
  const V shifter = hn::Set(d, 0x1.8p52);
  V t = dh * hn::Set(d, kInvL) + shifter;
  V kf = t - shifter;
  auto ni = hn::BitCast(di, t) - hn::BitCast(di, shifter);  // k = 512K + j
  auto jj = hn::And(ni, hn::Set(di, 511));
  auto j2 = hn::ShiftLeft<1>(jj);
  auto K = hn::ShiftRight<9>(ni);
  const V nk = hn::Neg(kf);

  V A = dh + nk * hn::Set(d, kL0);  // exact
  V B = nk * hn::Set(d, kL1);       // exact
  VDD C = TwoProd(d, nk, hn::Set(d, kL2));
  V E = nk * hn::Set(d, kL3);
  VDD s = TwoSum(A, B);
  VDD u = TwoSum(s.lo, dl);
  VDD w = TwoSum(u.hi, C.hi);
  V low_r = ((u.lo + w.lo) + C.lo) + E;
  VDD r01 = TwoSum(s.hi, w.hi);
  VDD r12 = TwoSum(r01.lo, low_r);
  const V r0 = r01.hi, r1 = r12.hi, r2 = r12.lo;
  const V half = hn::Set(d, 0.5);

  // r^2 = a0 + m + low
  VDD a = TwoProd(d, r0, r0);
  VDD b = TwoProd(d, hn::Set(d, 2.0) * r0, r1);
  VDD mm = TwoSum(a.lo, b.hi);
  const V a0 = a.hi, m = mm.hi;
  V low = mm.lo + (b.lo + (r1 * r1 + hn::Set(d, 2.0) * (r0 * r2)));
  // r^3/6 = U0 + tau + lo6
  VDD P = TwoProd(d, a0, r0);
  VDD M = TwoProd(d, m, r0);
  VDD sg = TwoSum(P.lo, M.hi);
  VDD sg2 = TwoSum(sg.hi, a0 * r1);
  V lo3 = (sg.lo + sg2.lo) + (M.lo + ((m * r1 + a0 * r2) + low * r0));
  const V c0 = hn::Set(d, kF3[0]), c1 = hn::Set(d, kF3[1]);
  VDD U = TwoProd(d, P.hi, c0);
  VDD Vp = TwoProd(d, sg2.hi, c0);
  VDD tau = TwoSum(U.lo, Vp.hi);
  VDD tau2 = TwoSum(tau.hi, P.hi * c1);
  V lo6 = (tau.lo + tau2.lo) + (Vp.lo + (lo3 * c0 + sg2.hi * c1));
  // r^4 Q4
  V q8 = hn::Set(d, kF8) + r0 * (hn::Set(d, kF9) + r0 * hn::Set(d, kF10));
  VDD Q{q8, hn::Zero(d)};
  Q = HornerDD(d, kF7, r0, r1, Q);
  Q = HornerDD(d, kF6, r0, r1, Q);
  Q = HornerDD(d, kF5, r0, r1, Q);
  Q = HornerDD(d, kF4, r0, r1, Q);
  VDD r4 = TwoProd(d, a0, a0);
  r4.lo = r4.lo + hn::Set(d, 2.0) * (a0 * m);
  VDD v = TwoProd(d, r4.hi, Q.hi);
  VDD W = FastTwoSum(v.hi, v.lo + (r4.hi * Q.lo + r4.lo * Q.hi));
  // F = f + F1 + F2
  VDD g1 = FastTwoSum(r0, a0 * half);
  VDD g2 = FastTwoSum(g1.hi, U.hi);
  VDD g3 = FastTwoSum(g2.hi, W.hi);
  VDD k1 = TwoSum(g1.lo, g2.lo);
  VDD k2 = TwoSum(k1.hi, g3.lo);
  VDD k3 = TwoSum(k2.hi, r1);
  VDD k4 = TwoSum(k3.hi, m * half);
  VDD k5 = TwoSum(k4.hi, tau2.hi);
  VDD k6 = TwoSum(k5.hi, W.lo);
  const V f = g3.hi, F1 = k6.hi;
  const V F2 = ((k1.lo + k2.lo) + (k3.lo + k4.lo)) + ((k5.lo + k6.lo) + ((r2 + low * half) + lo6));

  const double* table = &kExp2_512[0][0];
  V t0 = hn::GatherIndex(d, table, j2);
  V t1 = hn::GatherIndex(d, table + 1, j2);
  V t2 = hn::GatherIndex(d, kExp2_512Tail, jj);
  VDD x = TwoProd(d, t0, f);
  VDD y = TwoProd(d, t0, F1);
  VDD z = TwoProd(d, t1, f);
  VDD h = FastTwoSum(t0, x.hi);
  VDD e1 = TwoSum(h.lo, t1);
  VDD e2 = TwoSum(e1.hi, x.lo);
  VDD e3 = TwoSum(e2.hi, y.hi);
  VDD e4 = TwoSum(e3.hi, z.hi);
  V lvl2 = ((e1.lo + e2.lo) + (e3.lo + e4.lo)) + ((y.lo + z.lo) + ((t0 * F2 + t1 * F1) + (t2 * f + t2)));
  VDD R = FastTwoSum(h.hi, e4.hi);
  VDD R2 = TwoSum(R.lo, lvl2);
  V scale = hn::BitCast(d, hn::ShiftLeft<52>(K + hn::Set(di, 1023)));
  return {R.hi * scale, R2.hi * scale, R2.lo * scale};
}

// Per-lane sums of nonnegative triple-doubles (terms e0 + e1 + e2, |e1| <= 2^-52 e0, |e2| <= 2^-104 e0):
// a block (b) of up to B = kTdBlock terms per lane, then added to the lane's total (z), renormalized;
// only the third doubles are rounded. In a block with sum σ: |b1| <= (B + 2) u σ, the third level
// |b2| <= B (B + 4) 2^-105 σ, and each of the three roundings per term < u (B + 1)(B + 4) 2^-105 σ: the
// block is within 3B(B + 1)(B + 4) 2^-158 σ < 2^-141.2 σ (B = 32). Adding a block to a renormalized total
// Z (|z1| < 2^-52 Z, |z2| < 2^-104 Z): three roundings < u (3 2^-105 Z + |b2|) each, in all < 2^-154.8 Z
// + 2^-146.2 σ. Over a lane's n/(B N) + 1 blocks: (2^-141.2 + 2^-146.2 + (n/(32 N) + 1) 2^-154.8) of
// the sum, below td_sum_err(n) = 2^-140.5 + n 2^-159 (fast.hpp) for any lane count N >= 1.
struct Acc3 {
  V b0, b1, b2, z0, z1, z2;
  int in_block = 0;
  explicit Acc3(D d) : b0(hn::Zero(d)), b1(b0), b2(b0), z0(b0), z1(b0), z2(b0) {}
  HWY_INLINE static void Add(V& x0, V& x1, V& x2, V e0, V e1, V e2) {
    VDD u = TwoSum(x0, e0);
    VDD v = TwoSum(x1, u.lo);
    VDD v1 = TwoSum(v.hi, e1);
    x0 = u.hi, x1 = v1.hi, x2 = x2 + ((v.lo + v1.lo) + e2);
  }
  HWY_INLINE void Push(D d, V e0, V e1, V e2) {
    Add(b0, b1, b2, e0, e1, e2);
    if (++in_block == kTdBlock) Flush(d);
  }
  HWY_INLINE void Flush(D d) {
    Add(z0, z1, z2, b0, b1, b2);
    VDD r = FastTwoSum(z0, z1);
    VDD r2 = TwoSum(r.lo, z2);
    z0 = r.hi, z1 = r2.hi, z2 = r2.lo;
    b0 = b1 = b2 = hn::Zero(d);
    in_block = 0;
  }
  // The lanes' totals added exactly, then rounded to their three largest doubles (< 2^-156 relative).
  void Total(D d, double out[3]) {
    Flush(d);
    HWY_ALIGN double b[3][HWY_MAX_BYTES / sizeof(double)];
    hn::Store(z0, d, b[0]);
    hn::Store(z1, d, b[1]);
    hn::Store(z2, d, b[2]);
    ExactSum e;
    for (auto& row : b)
      for (std::size_t l = 0; l < hn::Lanes(d); ++l) e.add(row[l]);
    std::array<double, 3> top{};
    e.top(top);
    out[0] = top[0], out[1] = top[1], out[2] = top[2];
  }
};

DistSums DistSumsT(const double* x, const double* t, std::size_t n, double m, std::size_t a) {
  const D d;
  const DI di;
  const std::size_t N = hn::Lanes(d);
  const V vm = hn::Set(d, m), ninf = hn::Set(d, -std::numeric_limits<double>::infinity());
  const auto va = hn::Set(di, static_cast<std::int64_t>(a));
  Acc3 s(d), r(d);
  V dropped = hn::Zero(d);
  auto step = [&](V vx, V vt, std::size_t i) SOFTCHECK_INLINE_LAMBDA {
    auto off = hn::RebindMask(d, hn::Iota(di, static_cast<std::int64_t>(i)) != va);
    VDD e = TwoSum(vx, hn::Neg(vm));
    auto fastm = hn::And(off, e.hi >= hn::Set(d, -600.0));
    VTD E = ExpTD(d, hn::IfThenElseZero(fastm, e.hi), hn::IfThenElseZero(fastm, e.lo));
    s.Push(d, hn::IfThenElseZero(fastm, E.a), hn::IfThenElseZero(fastm, E.b), hn::IfThenElseZero(fastm, E.c));
    r.Push(d, hn::IfThenElseZero(off, vt), hn::Zero(d), hn::Zero(d));
    auto low = hn::AndNot(fastm, hn::And(off, vx != ninf));  // 0 < e_j < e^-600, omitted
    dropped = dropped + hn::IfThenElseZero(low, hn::Set(d, 1.0));
  };
  std::size_t i = 0;
  for (; i + N <= n; i += N) step(hn::LoadU(d, x + i), hn::LoadU(d, t + i), i);
  if (i < n) {
    HWY_ALIGN double bx[HWY_MAX_BYTES / sizeof(double)], bt[HWY_MAX_BYTES / sizeof(double)] = {};
    for (std::size_t l = 0; l < N; ++l) bx[l] = -std::numeric_limits<double>::infinity();
    std::memcpy(bx, x + i, (n - i) * sizeof(double));
    std::memcpy(bt, t + i, (n - i) * sizeof(double));
    step(hn::Load(d, bx), hn::Load(d, bt), i);
  }
  DistSums out;
  s.Total(d, out.s);
  r.Total(d, out.r);
  out.dropped = hn::GetLane(hn::SumOfLanes(d, dropped));
  return out;
}

// out_i = RN(ts e_i - t_i) where proven (ok_i = 1), ts = ts[0] + ts[1] + ts[2] (normalized), e_i =
// e^(x_i - m). P = ts e_i as its six largest partial products (three exact), the rest < 2^-154 P;
// g = P - t_i formed by exact TwoSums but for the sum of their low parts (seven terms, six roundings,
// each < u times the sum of their magnitudes: < 2^-50.4 of it). Its error: rel |P| (rel covers e_i, ts
// and the products) plus that rounding bound. x_i - m < -600 (but -inf: g = -t_i exactly) and results
// below 2^-900 are not proven.
void DistGradT(const double* x, const double* t, std::size_t n, double m, const double* ts, double rel, double* out,
               unsigned char* ok) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  const V vm = hn::Set(d, m), ninf = hn::Set(d, -std::numeric_limits<double>::infinity());
  const V s0 = hn::Set(d, ts[0]), s1 = hn::Set(d, ts[1]), s2 = hn::Set(d, ts[2]);
  const V vrel = hn::Set(d, rel * (1 + 0x1p-40));
  auto step = [&](V vx, V vt, double* dst, unsigned char* okd, std::size_t count) SOFTCHECK_INLINE_LAMBDA {
    VDD e = TwoSum(vx, hn::Neg(vm));
    auto fastm = e.hi >= hn::Set(d, -600.0);
    VTD E = ExpTD(d, hn::IfThenElseZero(fastm, e.hi), hn::IfThenElseZero(fastm, e.lo));
    VDD p = TwoProd(d, s0, E.a);
    VDD q = TwoProd(d, s0, E.b);
    VDD r = TwoProd(d, s1, E.a);
    V c = (s0 * E.c + s1 * E.b) + s2 * E.a;
    VDD st = TwoSum(p.hi, hn::Neg(vt));
    VDD h1 = TwoSum(st.hi, p.lo);
    VDD h2 = TwoSum(h1.hi, q.hi);
    VDD h3 = TwoSum(h2.hi, r.hi);
    V lows = ((h1.lo + h2.lo) + (h3.lo + st.lo)) + ((q.lo + r.lo) + c);
    V mags = ((hn::Abs(h1.lo) + hn::Abs(h2.lo)) + (hn::Abs(h3.lo) + hn::Abs(st.lo))) +
             ((hn::Abs(q.lo) + hn::Abs(r.lo)) + hn::Abs(c));
    VDD g = TwoSum(h3.hi, lows);
    V err = vrel * hn::Abs(p.hi) + hn::Set(d, 0x1p-50) * mags;
    auto good = hn::And(hn::And(fastm, hn::Abs(g.hi) >= hn::Set(d, 0x1p-900)), CertainAbs(d, g, err));
    auto gone = vx == ninf;  // e_i = 0: g = 0 - t_i exactly (+0 for t_i = 0, as the exact value)
    V res = hn::IfThenElse(gone, hn::Zero(d) - vt, g.hi);
    good = hn::Or(good, gone);
    HWY_ALIGN double br[HWY_MAX_BYTES / sizeof(double)], bg[HWY_MAX_BYTES / sizeof(double)];
    hn::Store(res, d, br);
    hn::Store(hn::IfThenElseZero(good, hn::Set(d, 1.0)), d, bg);
    for (std::size_t l = 0; l < count; ++l) dst[l] = br[l], okd[l] = bg[l] != 0;
  };
  std::size_t i = 0;
  for (; i + N <= n; i += N) step(hn::LoadU(d, x + i), hn::LoadU(d, t + i), out + i, ok + i, N);
  if (i < n) {
    HWY_ALIGN double bx[HWY_MAX_BYTES / sizeof(double)], bt[HWY_MAX_BYTES / sizeof(double)] = {};
    for (std::size_t l = 0; l < N; ++l) bx[l] = m;
    std::memcpy(bx, x + i, (n - i) * sizeof(double));
    std::memcpy(bt, t + i, (n - i) * sizeof(double));
    step(hn::Load(d, bx), hn::Load(d, bt), out + i, ok + i, n - i);
  }
}

// For tests: the triple-double terms e^(x_i - m), x_i - m >= -600.
void ExpTermsTD(const double* x, std::size_t n, double m, double* e0, double* e1, double* e2) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  for (std::size_t i = 0; i < n; i += N) {
    HWY_ALIGN double b[3][HWY_MAX_BYTES / sizeof(double)] = {};
    const std::size_t c = std::min(N, n - i);
    for (std::size_t l = 0; l < N; ++l) b[0][l] = l < c ? x[i + l] : m;
    VDD e = TwoSum(hn::Load(d, b[0]), hn::Neg(hn::Set(d, m)));
    VTD E = ExpTD(d, e.hi, e.lo);
    hn::Store(E.a, d, b[0]);
    hn::Store(E.b, d, b[1]);
    hn::Store(E.c, d, b[2]);
    for (std::size_t l = 0; l < c; ++l) e0[i + l] = b[0][l], e1[i + l] = b[1][l], e2[i + l] = b[2][l];
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace softcheck::detail::fast
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace softcheck::detail::fast {

HWY_EXPORT(DistSumsT);
HWY_EXPORT(DistGradT);
HWY_EXPORT(ExpTermsTD);

DistSums dist_sums(const double* x, const double* t, std::size_t n, double m, std::size_t a) {
  return HWY_DYNAMIC_DISPATCH(DistSumsT)(x, t, n, m, a);
}
void dist_grad(const double* x, const double* t, std::size_t n, double m, const double ts[3], double rel, double* out,
               unsigned char* ok) {
  HWY_DYNAMIC_DISPATCH(DistGradT)(x, t, n, m, ts, rel, out, ok);
}
void exp_terms_td(const double* x, std::size_t n, double m, double* e0, double* e1, double* e2) {
  HWY_DYNAMIC_DISPATCH(ExpTermsTD)(x, n, m, e0, e1, e2);
}

}  // namespace softcheck::detail::fast
#endif  // HWY_ONCE
