// Tier 0 of the accurate functions: Highway kernels, compiled once per target and chosen at run time
// (fast.hpp says what each computes). This file is included once per target by hwy/foreach_target.h.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "impl/fast.cpp"
#ifndef HWY_DISABLED_TARGETS
// SSSE3 adds nothing to SSE4 for double, AVX3_DL nothing to AVX3: fewer copies, same speed.
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_AVX3_DL)
#endif
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#ifndef SOFTCHECK_IMPL_FAST_ONCE
#define SOFTCHECK_IMPL_FAST_ONCE
#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>
#include <cstring>
#include <limits>

#include "impl/exp_log.hpp"
#include "impl/fast.hpp"

namespace softcheck::detail::fast {
#include "impl/log1p_256.inc"

// 1/3 as two doubles, 1/5 .. 1/11 rounded (for log1p's atanh series).
constexpr double kThird[2] = {0x1.5555555555555p-2, 0x1.5555555555555p-56};
constexpr double kI5 = 0x1.999999999999ap-3;
constexpr double kI7 = 0x1.2492492492492p-3;
constexpr double kI9 = 0x1.c71c71c71c71cp-4;
constexpr double kI11 = 0x1.745d1745d1746p-4;
constexpr double kLn2Pair[2] = {0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56};  // ln2 to 2^-107
constexpr int kBlock = 64;  // vectors summed per lane before the block's sum is added accurately

// Log1pDD's two 16-entry levels where tables live in registers: rows 16i (log1p(i/16)) and rows i
// (log1p(i/256)) of kLog1p256, laid out for vector loads.
struct alignas(64) LogSplit {
  double c1h[16], c1l[16], t1h[16], t1l[16], c2h[16], c2l[16], t2h[16], t2l[16];
};
constexpr LogSplit kLogSplit = [] {
  LogSplit t{};
  for (int i = 0; i < 16; ++i) {
    t.c1h[i] = kLog1p256[16 * i][0], t.c1l[i] = kLog1p256[16 * i][1];
    t.t1h[i] = kLog1p256[16 * i][2], t.t1l[i] = kLog1p256[16 * i][3];
    t.c2h[i] = kLog1p256[i][0], t.c2l[i] = kLog1p256[i][1];
    t.t2h[i] = kLog1p256[i][2], t.t2l[i] = kLog1p256[i][3];
  }
  return t;
}();
}  // namespace softcheck::detail::fast
#endif  // SOFTCHECK_IMPL_FAST_ONCE

#include "impl/fast-inl.h"

HWY_BEFORE_NAMESPACE();
namespace softcheck::detail::fast {
namespace HWY_NAMESPACE {
// Runs body(i, count) over [0, n) in whole vectors; the remainder is passed through padded copies by the
// bodies themselves (tail(i, count)).
template <class Body, class Tail>
HWY_INLINE void Loop(std::size_t n, std::size_t lanes, Body&& body, Tail&& tail) {
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) body(i);
  if (i < n) tail(i, n - i);
}

// e^(x - m) as fast.hpp's exp_terms states it: (eh, el), with fastm the lanes of x - m >= -600.
HWY_INLINE VDD Term(D d, const ExpTables& tab, V vx, V vm, hn::Mask<D>& fastm) {
  VDD t = TwoSum(vx, hn::Neg(vm));
  fastm = t.hi >= hn::Set(d, -600.0);
  VDD e = ExpDD(d, tab, hn::IfThenElseZero(fastm, t.hi), hn::IfThenElseZero(fastm, t.lo));
  V eh = hn::IfThenElseZero(fastm, e.hi), el = hn::IfThenElseZero(fastm, e.lo);
  if (HWY_UNLIKELY(!hn::AllTrue(d, fastm))) {  // below e^-600: (0, NaN) down to e^-746, (0, 0) below
    auto band = t.hi >= hn::Set(d, -746.0);
    el = hn::IfThenElse(fastm, el, hn::IfThenElseZero(band, hn::Set(d, std::numeric_limits<double>::quiet_NaN())));
  }
  return {eh, el};
}

// Per-lane sum of nonnegative double-double terms (normalized, each within rel of its value): kBlock
// vectors at a time summed sloppily (|bl| <= 2u k S_block after k terms, so a block's error is <= 2u^2
// (kBlock + kBlock (kBlock + 1) / 2) = 4288 u^2 = 0x1.0cp-94), each block then added accurately (3u^2),
// and the N lanes likewise: relative error < Err(rel).
struct BlockSum {
  V bh, bl;  // the block's sum, per lane (sloppy double-double)
  V ah, al;  // the blocks' sum, per lane (accurate double-double)
  std::size_t blocks = 0;
  explicit BlockSum(D d) : bh(hn::Zero(d)), bl(bh), ah(bh), al(bh) {}
  HWY_INLINE void Push(V kh, V kl) {
    VDD s = TwoSum(bh, kh);
    bh = s.hi;
    bl = bl + (s.lo + kl);
  }
  HWY_INLINE void Flush(D d) {
    VDD b = FastTwoSum(bh, bl);
    VDD s = TwoSum(ah, b.hi), t = TwoSum(al, b.lo);
    VDD v = FastTwoSum(s.hi, s.lo + t.hi);
    VDD w = FastTwoSum(v.hi, t.lo + v.lo);
    ah = w.hi, al = w.lo, bh = hn::Zero(d), bl = hn::Zero(d);
    ++blocks;
  }
  dd Total(D d) const {  // after the last Flush
    HWY_ALIGN double lh[HWY_MAX_BYTES / sizeof(double)], ll[HWY_MAX_BYTES / sizeof(double)];
    hn::Store(ah, d, lh);
    hn::Store(al, d, ll);
    dd total{lh[0], ll[0]};
    for (std::size_t l = 1; l < hn::Lanes(d); ++l) total = add(total, dd{lh[l], ll[l]});
    return total;
  }
  double Err(D d, double rel) const {
    return (rel + 0x1.0cp-94 + static_cast<double>(blocks + hn::Lanes(d)) * 0x1.8p-105) * (1 + 0x1p-40);
  }
};

Sum ExpTerms(const double* x, std::size_t n, double m, std::size_t skip_a, std::size_t skip_b, double* hi,
             double* lo) {
  const D d;
  const ExpTables tab(d);
  const DI di;
  const std::size_t N = hn::Lanes(d);
  const V vm = hn::Set(d, m), ninf = hn::Set(d, -std::numeric_limits<double>::infinity());
  const auto sa = hn::Set(di, static_cast<std::int64_t>(skip_a)), sb = hn::Set(di, static_cast<std::int64_t>(skip_b));
  BlockSum sum(d);
  V dropped = hn::Zero(d);
  // A block at a time, in two loops (the exponentials, then their sum: one body would be too long a chain
  // for the processor to overlap vectors), the terms in hi/lo or, not kept, in a buffer.
  constexpr std::size_t kMaxLanes = HWY_MAX_BYTES / sizeof(double);
  HWY_ALIGN double buf_h[kBlock * kMaxLanes], buf_l[kBlock * kMaxLanes];
  auto term = [&](V vx, double* dh, double* dl) SOFTCHECK_INLINE_LAMBDA {
    hn::Mask<D> fastm;
    VDD e = Term(d, tab, vx, vm, fastm);
    if (HWY_UNLIKELY(!hn::AllTrue(d, fastm)))  // terms below e^-600 are dropped from the sum: counted
      dropped = dropped + hn::IfThenElseZero(hn::AndNot(fastm, hn::Not(vx == ninf)), hn::Set(d, 1.0));
    hn::StoreU(e.hi, d, dh);
    hn::StoreU(e.lo, d, dl);
  };
  auto add_term = [&](V kh, V el, std::size_t i) SOFTCHECK_INLINE_LAMBDA {
    V kl = hn::IfThenElseZero(kh > hn::Zero(d), el);  // (0, NaN) between e^-746 and e^-600: dropped
    if (HWY_UNLIKELY((skip_a >= i && skip_a - i < N) || (skip_b >= i && skip_b - i < N))) {
      auto idx = hn::Iota(di, static_cast<std::int64_t>(i));
      auto skip = hn::RebindMask(d, hn::Or(idx == sa, idx == sb));
      kh = hn::IfThenElseZero(hn::Not(skip), kh);
      kl = hn::IfThenElseZero(hn::Not(skip), kl);
    }
    sum.Push(kh, kl);
  };
  const std::size_t whole = n / N * N;
  for (std::size_t c = 0; c < whole; c += kBlock * N) {
    const std::size_t len = std::min(whole - c, kBlock * N);
    double* th = hi ? hi + c : buf_h;
    double* tl = hi ? lo + c : buf_l;
    for (std::size_t k = 0; k < len; k += N) term(hn::LoadU(d, x + c + k), th + k, tl + k);
    for (std::size_t k = 0; k < len; k += N) add_term(hn::LoadU(d, th + k), hn::LoadU(d, tl + k), c + k);
    sum.Flush(d);
  }
  if (whole < n) {  // the last few, padded with -inf (terms 0)
    const std::size_t count = n - whole;
    HWY_ALIGN double bx[kMaxLanes];
    for (std::size_t l = 0; l < N; ++l) bx[l] = l < count ? x[whole + l] : -std::numeric_limits<double>::infinity();
    term(hn::Load(d, bx), buf_h, buf_l);
    if (hi) {
      std::memcpy(hi + whole, buf_h, count * sizeof(double));
      std::memcpy(lo + whole, buf_l, count * sizeof(double));
    }
    add_term(hn::Load(d, buf_h), hn::Load(d, buf_l), whole);
    sum.Flush(d);
  }
  Sum out;
  out.value = sum.Total(d);
  out.rel_err = sum.Err(d, kTermErr);  // terms kTermErr each
  out.dropped = hn::GetLane(hn::SumOfLanes(d, dropped)) * 0x1p-865;  // each < e^-600 = 2^-865.6
  return out;
}

// The distribution cross-entropy's sums (fast.hpp's dist_loss): per lane t_i (m - x_i) = t (dh + dl) with
// m - x_i = dh + dl exact (TwoSum), t dh exact (TwoProd; below 2^-969 the product's error may be lost to
// underflow, < 2^-1074 a term: the absolute bound n 2^-1073), t dl and the low sum rounded: 2u^2 + u^2;
// normalized, into a BlockSum; T likewise, its terms exact. Lanes with t_i > 0 and x_i = -inf, m - x_i
// or t_i beyond 2^995 (Dekker's splitting would overflow) make it return ok = false.
DistLoss DistLossT(const double* x, const double* t, std::size_t n, double m) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  const V vm = hn::Set(d, m), big = hn::Set(d, 0x1p995), zero = hn::Zero(d);
  BlockSum sa(d), st(d);
  auto bad = hn::FirstN(d, 0);  // all false
  auto step = [&](V vx, V vt) SOFTCHECK_INLINE_LAMBDA {
    auto pos = vt > zero;
    VDD g = TwoSum(vm, hn::Neg(vx));
    auto fine = hn::And(hn::Abs(g.hi) < big, vt < big);  // false for x = -inf (g.hi = +inf) and NaN
    bad = hn::Or(bad, hn::AndNot(fine, pos));
    V gh = hn::IfThenElseZero(hn::And(pos, fine), g.hi), gl = hn::IfThenElseZero(hn::And(pos, fine), g.lo);
    VDD p = TwoProd(d, hn::IfThenElseZero(fine, vt), gh);
    VDD k = FastTwoSum(p.hi, p.lo + hn::IfThenElseZero(fine, vt) * gl);
    sa.Push(k.hi, k.lo);
    st.Push(hn::IfThenElseZero(fine, vt), zero);
  };
  std::size_t i = 0, in_block = 0;
  for (; i + N <= n; i += N) {
    step(hn::LoadU(d, x + i), hn::LoadU(d, t + i));
    if (++in_block == static_cast<std::size_t>(kBlock)) sa.Flush(d), st.Flush(d), in_block = 0;
  }
  if (i < n) {  // padded with t = 0
    HWY_ALIGN double bx[HWY_MAX_BYTES / sizeof(double)], bt[HWY_MAX_BYTES / sizeof(double)] = {};
    for (std::size_t l = 0; l < N; ++l) bx[l] = m;
    std::memcpy(bx, x + i, (n - i) * sizeof(double));
    std::memcpy(bt, t + i, (n - i) * sizeof(double));
    step(hn::Load(d, bx), hn::Load(d, bt));
  }
  sa.Flush(d), st.Flush(d);
  DistLoss out;
  out.a = sa.Total(d), out.t = st.Total(d);
  out.a_err = sa.Err(d, 0x1.8p-106);
  out.t_err = st.Err(d, 0);
  out.a_abs = static_cast<double>(n) * 0x1p-1073;
  out.ok = hn::AllFalse(d, bad) && std::isfinite(out.a.hi) && std::isfinite(out.t.hi);
  return out;
}

// With lo null, hi is x and the terms are computed again from it (m given); with out null, nothing is
// written (a check).
bool ScaleRound(const double* hi, const double* lo, double m, std::size_t n, dd r, double rel_err, double* out) {
  const D d;
  const ExpTables tab(d);
  const std::size_t N = hn::Lanes(d);
  const V rh = hn::Set(d, r.hi), rl = hn::Set(d, r.lo), rel = hn::Set(d, rel_err), vm = hn::Set(d, m);
  bool ok = true;
  auto step = [&](V a, V b) SOFTCHECK_INLINE_LAMBDA {
    VDD e{a, b};
    if (!lo) {
      hn::Mask<D> fastm;
      e = Term(d, tab, a, vm, fastm);
    }
    VDD p = TwoProd(d, e.hi, rh);
    VDD q = FastTwoSum(p.hi, p.lo + (e.hi * rl + e.lo * rh));
    ok = ok && hn::AllTrue(d, Certain(d, q, rel));
    return q.hi;
  };
  std::size_t i = 0;
  for (; i + N <= n && ok; i += N) {
    V res = step(hn::LoadU(d, hi + i), lo ? hn::LoadU(d, lo + i) : hn::Zero(d));
    if (out) hn::StoreU(res, d, out + i);
  }
  if (i < n && ok) {
    HWY_ALIGN double bh[HWY_MAX_BYTES / sizeof(double)], bl[HWY_MAX_BYTES / sizeof(double)] = {};
    for (std::size_t l = 0; l < N; ++l) bh[l] = lo ? 0.0 : -std::numeric_limits<double>::infinity();
    std::memcpy(bh, hi + i, (n - i) * sizeof(double));
    if (lo) std::memcpy(bl, lo + i, (n - i) * sizeof(double));
    hn::Store(step(hn::Load(d, bh), hn::Load(d, bl)), d, bh);
    if (out) std::memcpy(out + i, bh, (n - i) * sizeof(double));
  }
  return ok;
}

bool ShiftRound(const double* x, std::size_t n, double m, dd L, double l_err, double* out) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  const V vm = hn::Set(d, m), lh = hn::Set(d, L.hi), ll = hn::Set(d, L.lo);
  const V ninf = hn::Set(d, -std::numeric_limits<double>::infinity());
  // |y| = |x - m| + L >= L: L's error is < l_err |y|; the double-double steps add < 2^-100.
  const V rel = hn::Set(d, (l_err + 0x1p-100) * (1 + 0x1p-40));
  bool ok = true;
  auto step = [&](V vx) SOFTCHECK_INLINE_LAMBDA {
    VDD t = TwoSum(vx, hn::Neg(vm));
    VDD s = TwoSum(t.hi, hn::Neg(lh));
    VDD q = FastTwoSum(s.hi, s.lo + (t.lo - ll));
    auto inf = t.hi == ninf;  // x = -inf, or x - m beyond -DBL_MAX: RN is -inf
    // A result below 2^-900 may have a subnormal low part: leave it to the precise tier (q = 0 is exact:
    // x = m and L = 0).
    auto normal = hn::Or(hn::Abs(q.hi) >= hn::Set(d, 0x1p-900), hn::And(q.hi == hn::Zero(d), q.lo == hn::Zero(d)));
    auto good = hn::Or(inf, hn::And(normal, Certain(d, q, rel)));
    ok = ok && hn::AllTrue(d, good);
    return hn::IfThenElse(inf, ninf, q.hi);
  };
  std::size_t i = 0;
  for (; i + N <= n && ok; i += N) {
    V res = step(hn::LoadU(d, x + i));
    if (out) hn::StoreU(res, d, out + i);
  }
  if (i < n && ok) {
    HWY_ALIGN double b[HWY_MAX_BYTES / sizeof(double)];
    for (std::size_t l = 0; l < N; ++l) b[l] = i + l < n ? x[i + l] : m;
    hn::Store(step(hn::Load(d, b)), d, b);
    if (out) std::memcpy(out + i, b, (n - i) * sizeof(double));
  }
  return ok;
}

// Element-wise driver in two stages: first(vx) gives a double-double per lane (an exponential), second(vx,
// that) each lane's result and whether it is proven; the others are precise(x_i). It runs over chunks of
// kChunk vectors, each stage in its own loop (the first's results kept in a buffer): one loop body holding
// both stages' dependent chains is too long for the processor to overlap consecutive vectors. The loops
// make no call (around a call the compiler would keep its constants in memory): a vector with an unproven
// lane is copied, and the chunk's unproven lanes go to precise after it, from the copies (y may be x).
template <class First, class Second>
HWY_INLINE void Elementwise(const double* x, std::size_t n, double* y, double (*precise)(double), First&& first,
                            Second&& second) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  constexpr std::size_t kChunk = 64, kMaxLanes = HWY_MAX_BYTES / sizeof(double);
  HWY_ALIGN double px[kChunk][kMaxLanes], pg[kChunk][kMaxLanes], bh[kChunk * kMaxLanes], bl[kChunk * kMaxLanes];
  std::size_t pi[kChunk];
  const std::size_t whole = n / N * N;
  for (std::size_t c = 0; c < whole; c += kChunk * N) {
    const std::size_t stop = std::min(whole, c + kChunk * N);
    for (std::size_t i = c, k = 0; i < stop; i += N, k += N) {
      VDD e = first(hn::LoadU(d, x + i));
      hn::Store(e.hi, d, bh + k);
      hn::Store(e.lo, d, bl + k);
    }
    std::size_t pending = 0;
    for (std::size_t i = c, k = 0; i < stop; i += N, k += N) {
      const V vx = hn::LoadU(d, x + i);
      auto [res, good] = second(vx, VDD{hn::Load(d, bh + k), hn::Load(d, bl + k)});
      if (HWY_UNLIKELY(!hn::AllTrue(d, good))) {
        hn::Store(vx, d, px[pending]);
        hn::Store(hn::IfThenElseZero(good, hn::Set(d, 1.0)), d, pg[pending]);
        pi[pending++] = i;
      }
      hn::StoreU(res, d, y + i);
    }
    for (std::size_t k = 0; k < pending; ++k)
      for (std::size_t l = 0; l < N; ++l)
        if (pg[k][l] == 0) y[pi[k] + l] = precise(px[k][l]);
  }
  if (whole < n) {
    const std::size_t count = n - whole;
    HWY_ALIGN double b[kMaxLanes] = {}, r[kMaxLanes], g[kMaxLanes];
    std::memcpy(b, x + whole, count * sizeof(double));
    const V vx = hn::Load(d, b);
    auto [res, good] = second(vx, first(vx));
    hn::Store(res, d, r);
    hn::Store(hn::IfThenElseZero(good, hn::Set(d, 1.0)), d, g);
    for (std::size_t l = 0; l < count; ++l) y[whole + l] = g[l] != 0 ? r[l] : precise(b[l]);
  }
}

// σ(x) = 1/(1 + e^-x) for 0 <= x < 600, e^x/(1 + e^x) for -600 < x < 0: e to kTermErr (its error is
// damped by 1/(1 + e) <= 1 in the quotient), the quotient (DivSum) < 2^-100:
// relative error < kTermErr + 2^-100 < 2^-84 (the bound tested). x >= 600: σ = 1 - e^-x rounds to 1.
// Elsewhere (x <= -600, NaN) and where the test fails: precise(x).
void Sigmoid(const double* x, std::size_t n, double* y, double (*precise)(double)) {
  const D d;
  const ExpTables tab(d);
  const V one = hn::Set(d, 1.0), rel = hn::Set(d, 0x1p-84);
  // e^-|x| (its argument 0 beyond 600, where the result does not use it)
  auto first = [&](V vx) SOFTCHECK_INLINE_LAMBDA {
    V ax = hn::Abs(vx);
    return ExpDD(d, tab, hn::IfThenElseZero(ax < hn::Set(d, 600.0), hn::Neg(ax)), hn::Zero(d));
  };
  Elementwise(x, n, y, precise, first, [&](V vx, VDD e) SOFTCHECK_INLINE_LAMBDA {
    auto fastm = hn::Abs(vx) < hn::Set(d, 600.0);
    auto big = vx >= hn::Set(d, 600.0);
    auto neg = vx < hn::Zero(d);
    VDD s = DivSum(d, {hn::IfThenElse(neg, e.hi, one), hn::IfThenElseZero(neg, e.lo)}, one, e);
    auto good = hn::Or(big, hn::And(fastm, Certain(d, s, rel)));
    return std::pair{hn::IfThenElse(big, one, s.hi), good};
  });
}

// Log1pDD's tables: in registers on AVX-512 (each lookup one two-source permute), else kLog1p256 gathered.
#if SOFTCHECK_PERMUTE_TABLES
struct LogTables {
  __m512d c1h[2], c1l[2], t1h[2], t1l[2], c2h[2], c2l[2], t2h[2], t2l[2];
  explicit LogTables(D) {
    const LogSplit& s = kLogSplit;
    for (int i = 0; i < 2; ++i) {
      c1h[i] = _mm512_load_pd(s.c1h + 8 * i), c1l[i] = _mm512_load_pd(s.c1l + 8 * i);
      t1h[i] = _mm512_load_pd(s.t1h + 8 * i), t1l[i] = _mm512_load_pd(s.t1l + 8 * i);
      c2h[i] = _mm512_load_pd(s.c2h + 8 * i), c2l[i] = _mm512_load_pd(s.c2l + 8 * i);
      t2h[i] = _mm512_load_pd(s.t2h + 8 * i), t2l[i] = _mm512_load_pd(s.t2l + 8 * i);
    }
  }
};
HWY_INLINE V Lookup16(const __m512d* t, hn::Vec<DI> i) { return V{_mm512_permutex2var_pd(t[0], i.raw, t[1])}; }
#else
struct LogTables {
  explicit LogTables(D) {}
};
#endif

// z = (δ + l) c for δ = 0 or |l| <= |δ|/2 (δ = h - table point is a multiple of ulp(h), |l| <= ulp(h)/2),
// c = ch + cl within 2^-107: δ ch exact, the rest rounded thrice (an FMA where the target has one saves
// a rounding) and smaller than it, so the FastTwoSum is exact: relative error < 4u^2.
HWY_INLINE VDD Reduce(D d, V dh, V l, V ch, V cl) {
  VDD p = TwoProd(d, dh, ch);
  return FastTwoSum(p.hi, p.lo + hn::MulAdd(dh, cl, l * ch));
}

// log1p(e) for e = eh + el in [-2^-52, 1] (normalized; el may put e a hair below a table point, eh a
// hair below 0 from Log1pOne), relative error < 2^-85. u = 2^-53.
//   Reduction (AVX-512, tables in registers): i = min(floor(16 eh), 15), e_i = i/16, z1 = (e - e_i)/(1 + e_i)
//     (eh - e_i exact: Sterbenz for i >= 1; Reduce): 0 <= z1 < 2^-4 but for a hair below 0 where e is;
//     then j = floor(256 z1) (z1.hi < 1/16: j <= 15), z = (z1 - j/256)/(1 + j/256) likewise, |z| < 2^-8;
//     log1p(e) = log1p(i/16) + log1p(j/256) + log1p(z). Elsewhere one level of 256 (gathered):
//     i = floor(256 eh), log1p(e) = log1p(i/256) + log1p(z). The table values are within 2^-107, the
//     reductions 4u^2 each (relative to z; log1p's condition number there is ~1).
//   log1p(z) = 2 atanh(w), w = z / (2 + z) (|w| < 2^-9; DivSum: < 2^-100):
//     2w (1 + s/3 + s^2/5 + ... + s^5/11), s = w^2 (exact product plus 2 wh wl), truncation
//     s^6/13 < 2^-99.7; s/3 as a double-double (1/3 as two doubles); the rest, < 2^-34.3, in double
//     with 3u (fused or not): < 2^-85.7; their sum 2^-87; the products 5u^2: relative error < 2^-85.3;
//   the sum: terms of one sign (z < 0 only within 2^-52 of a table point), the table part's sum 2u^2:
//     relative error < 2^-85.
HWY_INLINE VDD Log1pDD(D d, const LogTables& lt, V eh, V el) {
  const DI di;
  const V one = hn::Set(d, 1.0), shifter = hn::Set(d, 0x1p52), zero = hn::Zero(d);
  auto index = [&](V f) { return hn::BitCast(di, f + shifter) - hn::BitCast(di, shifter); };
  VDD z;
  V th, tl;
#if SOFTCHECK_PERMUTE_TABLES
  V f1 = hn::Min(hn::Max(hn::Floor(eh * hn::Set(d, 16.0)), zero), hn::Set(d, 15.0));
  auto i1 = index(f1);
  VDD z1 = Reduce(d, eh - f1 * hn::Set(d, 1.0 / 16), el, Lookup16(lt.c1h, i1), Lookup16(lt.c1l, i1));
  V f2 = hn::Max(hn::Floor(z1.hi * hn::Set(d, 256.0)), zero);
  auto i2 = index(f2);
  z = Reduce(d, z1.hi - f2 * hn::Set(d, 1.0 / 256), z1.lo, Lookup16(lt.c2h, i2), Lookup16(lt.c2l, i2));
  VDD t = TwoSum(Lookup16(lt.t1h, i1), Lookup16(lt.t2h, i2));
  th = t.hi;
  tl = t.lo + (Lookup16(lt.t1l, i1) + Lookup16(lt.t2l, i2));
#else
  (void)lt;
  V fi = hn::Max(hn::Floor(eh * hn::Set(d, 256.0)), zero);  // e a hair below 0: i = 0
  auto i4 = hn::ShiftLeft<2>(index(fi));
  const double* table = &kLog1p256[0][0];
  V ch = hn::GatherIndex(d, table, i4), cl = hn::GatherIndex(d, table + 1, i4);
  th = hn::GatherIndex(d, table + 2, i4), tl = hn::GatherIndex(d, table + 3, i4);
  z = Reduce(d, eh - fi * hn::Set(d, 1.0 / 256), el, ch, cl);
#endif

  VDD w = DivSum(d, z, hn::Set(d, 2.0), z);

  VDD s = TwoProd(d, w.hi, w.hi);
  V sl = hn::MulAdd(hn::Set(d, 2.0) * w.hi, w.lo, s.lo);
  VDD s3 = TwoProd(d, s.hi, hn::Set(d, kThird[0]));
  V s3l = s3.lo + hn::MulAdd(s.hi, hn::Set(d, kThird[1]), sl * hn::Set(d, kThird[0]));
  V rest = (s.hi * s.hi) *
           hn::MulAdd(s.hi, hn::MulAdd(s.hi, hn::MulAdd(s.hi, hn::Set(d, kI11), hn::Set(d, kI9)), hn::Set(d, kI7)),
                      hn::Set(d, kI5));
  VDD onep = FastTwoSum(one, s3.hi);
  V onepl = onep.lo + (s3l + rest);
  VDD m = TwoProd(d, w.hi, onep.hi);
  VDD l = FastTwoSum(m.hi, m.lo + hn::MulAdd(w.hi, onepl, w.lo * onep.hi));
  VDD r = FastTwoSum(th, hn::Set(d, 2.0) * l.hi);
  return FastTwoSum(r.hi, r.lo + (tl + hn::Set(d, 2.0) * l.lo));
}

// log1p(s) for one s = sh + sl >= 2^-900 (normalized): Log1pDD for s <= 1; else with 1 + s = 2^k y,
// y in [1, 2): k ln2 + log1p(y - 1), y - 1 exact (Sterbenz) plus the low part (a hair below 0 when 1 + s
// is a hair below 2^k), ln2 as two doubles (k ln2 to 2^-107), two terms of one sign: relative error
// < 2^-85.
dd Log1pOne(double sh, double sl) {
  const D d;
  V vh = hn::Set(d, sh), vl = hn::Set(d, sl);
  if (sh > 1) {
    dd S = fast_two_sum(sh, 1.0);
    S.lo += sl;
    int k = exponent(S.hi);
    dd e = fast_two_sum(scale(S.hi, -k) - 1.0, scale(S.lo, -k));
    VDD l = Log1pDD(d, LogTables(d), hn::Set(d, e.hi), hn::Set(d, e.lo));
    dd kl = two_prod(static_cast<double>(k), kLn2Pair[0]);
    kl.lo += static_cast<double>(k) * kLn2Pair[1];
    dd r = add(kl, dd{hn::GetLane(l.hi), hn::GetLane(l.lo)});
    return r;
  }
  VDD l = Log1pDD(d, LogTables(d), vh, vl);
  return {hn::GetLane(l.hi), hn::GetLane(l.lo)};
}

// Binary cross-entropy with logits for one |x| < 600, t in [0, 1], e = e^-|x|, L = log1p(e):
//   loss = L + (1 - t) x (x >= 0) or L + t |x| (x < 0): terms >= 0, 1 - t exact as two doubles, the
//     products exact to 2u^2: relative error < kTermErr + 2^-85 + 2^-100 < 2^-83.73, tested at 2^-83.5;
//   grad = σ(x) - t as (1 - t) - σ(-|x|) (x >= 0) or σ(-|x|) - t (x < 0), σ(-|x|) = e/(1 + e) to 2^-84
//     (as in Sigmoid), the reference exact: absolute error < 2^-84 σ(-|x|), and the double-double
//     difference 3u^2 relative to its result (Joldes et al.'s bound holds through cancellation); a
//     result below 2^-900 (its low part perhaps subnormal) is left to the precise tiers.
// Returns whether both roundings are proven.
bool BceOne(double x, double t, double* loss, double* grad) {
  const D d;
  const V one = hn::Set(d, 1.0);
  const double a = std::fabs(x);
  VDD e = ExpDD(d, ExpTables(d), hn::Set(d, -a), hn::Zero(d));
  VDD L = Log1pDD(d, LogTables(d), e.hi, e.lo);
  dd Ls{hn::GetLane(L.hi), hn::GetLane(L.lo)};
  dd w = x >= 0 ? two_sum(1.0, -t) : dd{t, 0.0};
  dd lin = mul(w, a);
  dd l = add(Ls, lin);
  if (!rounding_certain(l, 0x1.6a09e667f3bcdp-84 * std::fabs(l.hi), 0)) return false;
  *loss = l.hi;
  if (grad) {
    VDD sv = DivSum(d, e, one, e);
    dd sg{hn::GetLane(sv.hi), hn::GetLane(sv.lo)};
    dd g = x >= 0 ? sub(two_sum(1.0, -t), sg) : sub(sg, dd{t, 0.0});
    double err = 0x1p-84 * sg.hi + 0x1p-100 * std::fabs(g.hi);
    if (!(std::fabs(g.hi) >= 0x1p-900) || !rounding_certain(g, err, 0)) return false;
    *grad = g.hi;
  }
  return true;
}

// Element-wise BCE with logits (grad may be null): per lane as BceOne, the products in lanes without a
// fused operation (DWTimesFP3 without FMA: 3u^2, within the 2^-83.73 total), the sum by AddDD. Lanes not
// proven (either rounding), |x| >= 600 and NaN: precise(x_i, t_i, &loss_i, grad_i), from copies of x_i and
// t_i. Each vector of x and t is read before its outputs are written, so loss and grad may be x or t
// themselves.
void BceT(const double* x, const double* t, std::size_t n, double* loss, double* grad,
          void (*precise)(double, double, double*, double*)) {
  const D d;
  const ExpTables tab(d);
  const LogTables lt(d);
  const std::size_t N = hn::Lanes(d);
  const V one = hn::Set(d, 1.0), rel = hn::Set(d, 0x1.6a09e667f3bcdp-84);  // 2^-83.5
  // As Elementwise: chunks, the exponentials in a loop of their own, the unproven lanes after the chunk.
  auto second = [&](V vx, V vt, VDD e) SOFTCHECK_INLINE_LAMBDA {
    V a = hn::Abs(vx);
    auto fastm = a < hn::Set(d, 600.0);
    VDD L = Log1pDD(d, lt, e.hi, e.lo);
    auto pos = vx >= hn::Zero(d);
    VDD omt = TwoSum(one, hn::Neg(vt));  // 1 - t, exact
    VDD w{hn::IfThenElse(pos, omt.hi, vt), hn::IfThenElseZero(pos, omt.lo)};
    VDD c = TwoProd(d, w.hi, a);
    VDD lin = FastTwoSum(c.hi, c.lo + w.lo * a);
    VDD l = AddDD(L, lin);
    auto good = hn::And(fastm, Certain(d, l, rel));
    V g = hn::Zero(d);
    if (grad) {
      VDD sv = DivSum(d, e, one, e);  // σ(-|x|)
      // (1 - t) - σ(-|x|) for x >= 0, σ(-|x|) - t for x < 0 (w is the reference in both)
      VDD p{hn::IfThenElse(pos, w.hi, sv.hi), hn::IfThenElse(pos, w.lo, sv.lo)};
      VDD q{hn::IfThenElse(pos, hn::Neg(sv.hi), hn::Neg(w.hi)), hn::IfThenElse(pos, hn::Neg(sv.lo), hn::Neg(w.lo))};
      VDD gg = AddDD(p, q);
      V err = hn::Set(d, 0x1p-84) * sv.hi + hn::Set(d, 0x1p-100) * hn::Abs(gg.hi);
      good = hn::And(good, hn::And(hn::Abs(gg.hi) >= hn::Set(d, 0x1p-900), CertainAbs(d, gg, err)));
      g = gg.hi;
    }
    return std::tuple{l.hi, g, good};
  };
  auto first = [&](V vx) SOFTCHECK_INLINE_LAMBDA {
    V a = hn::Abs(vx);
    return ExpDD(d, tab, hn::IfThenElseZero(a < hn::Set(d, 600.0), hn::Neg(a)), hn::Zero(d));
  };
  constexpr std::size_t kChunk = 64, kMaxLanes = HWY_MAX_BYTES / sizeof(double);
  HWY_ALIGN double px[kChunk][kMaxLanes], pt[kChunk][kMaxLanes], pg[kChunk][kMaxLanes], bh[kChunk * kMaxLanes],
      bl[kChunk * kMaxLanes];
  std::size_t pi[kChunk];
  const std::size_t whole = n / N * N;
  for (std::size_t c = 0; c < whole; c += kChunk * N) {
    const std::size_t stop = std::min(whole, c + kChunk * N);
    for (std::size_t i = c, k = 0; i < stop; i += N, k += N) {
      VDD e = first(hn::LoadU(d, x + i));
      hn::Store(e.hi, d, bh + k);
      hn::Store(e.lo, d, bl + k);
    }
    std::size_t pending = 0;
    for (std::size_t i = c, k = 0; i < stop; i += N, k += N) {
      const V vx = hn::LoadU(d, x + i), vt = hn::LoadU(d, t + i);
      auto [l, g, good] = second(vx, vt, VDD{hn::Load(d, bh + k), hn::Load(d, bl + k)});
      if (HWY_UNLIKELY(!hn::AllTrue(d, good))) {
        hn::Store(vx, d, px[pending]);
        hn::Store(vt, d, pt[pending]);
        hn::Store(hn::IfThenElseZero(good, one), d, pg[pending]);
        pi[pending++] = i;
      }
      hn::StoreU(l, d, loss + i);
      if (grad) hn::StoreU(g, d, grad + i);
    }
    for (std::size_t k = 0; k < pending; ++k)
      for (std::size_t q = 0; q < N; ++q)
        if (pg[k][q] == 0) {
          const std::size_t at = pi[k] + q;
          precise(px[k][q], pt[k][q], &loss[at], grad ? &grad[at] : nullptr);
        }
  }
  if (whole < n) {
    const std::size_t count = n - whole;
    HWY_ALIGN double bx[kMaxLanes] = {}, bt[kMaxLanes] = {}, rl[kMaxLanes], rg[kMaxLanes], ok[kMaxLanes];
    std::memcpy(bx, x + whole, count * sizeof(double));
    std::memcpy(bt, t + whole, count * sizeof(double));
    const V vx = hn::Load(d, bx);
    auto [l, g, good] = second(vx, hn::Load(d, bt), first(vx));
    hn::Store(l, d, rl);
    hn::Store(g, d, rg);
    hn::Store(hn::IfThenElseZero(good, one), d, ok);
    for (std::size_t k = 0; k < count; ++k) {
      if (ok[k] != 0) {
        loss[whole + k] = rl[k];
        if (grad) grad[whole + k] = rg[k];
      } else {
        precise(bx[k], bt[k], &loss[whole + k], grad ? &grad[whole + k] : nullptr);
      }
    }
  }
}

// log σ(x) = -log1p(e^-x) for 0 <= x < 600, x - log1p(e^x) for -600 < x < 0 (two terms of one sign):
// e to kTermErr (log1p's condition number is <= 1), log1p to 2^-85, the last sum 3u^2: relative error
// < 2^-83.73, tested at 2^-83.5. x <= -600: log σ(x) = x - e^x (1 + ...), within 2^-865 of x, rounds
// to x. Elsewhere (x >= 600, NaN, +inf) and where the test fails: precise(x).
void LogSigmoid(const double* x, std::size_t n, double* y, double (*precise)(double)) {
  const D d;
  const ExpTables tab(d);
  const LogTables lt(d);
  const V rel = hn::Set(d, 0x1.6a09e667f3bcdp-84);  // 2^-83.5
  auto first = [&](V vx) SOFTCHECK_INLINE_LAMBDA {  // e^-|x|, as in Sigmoid
    V ax = hn::Abs(vx);
    return ExpDD(d, tab, hn::IfThenElseZero(ax < hn::Set(d, 600.0), hn::Neg(ax)), hn::Zero(d));
  };
  Elementwise(x, n, y, precise, first, [&](V vx, VDD e) SOFTCHECK_INLINE_LAMBDA {
    auto fastm = hn::Abs(vx) < hn::Set(d, 600.0);
    auto bigneg = vx <= hn::Set(d, -600.0);
    VDD L = Log1pDD(d, lt, e.hi, e.lo);
    VDD t = TwoSum(hn::IfThenElseZero(vx < hn::Zero(d), vx), hn::Neg(L.hi));
    VDD r = FastTwoSum(t.hi, t.lo - L.lo);
    auto good = hn::Or(bigneg, hn::And(fastm, Certain(d, r, rel)));
    return std::pair{hn::IfThenElse(bigneg, vx, r.hi), good};
  });
}

MaxScan MaxScanT(const double* x, std::size_t n) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  V mx = hn::Set(d, -std::numeric_limits<double>::infinity()), nan = hn::Zero(d);
  std::size_t i = 0;
  for (; i + N <= n; i += N) {
    V v = hn::LoadU(d, x + i);
    nan = hn::Max(nan, hn::IfThenElseZero(hn::IsNaN(v), hn::Set(d, 1.0)));
    mx = hn::Max(mx, v);
  }
  // Lane by lane: Highway's portable MaxOfLanes starts from -DBL_MAX, not -inf.
  HWY_ALIGN double lm[HWY_MAX_BYTES / sizeof(double)], ln[HWY_MAX_BYTES / sizeof(double)];
  hn::Store(mx, d, lm);
  hn::Store(nan, d, ln);
  double m = lm[0];
  bool has_nan = false;
  for (std::size_t l = 0; l < N; ++l) m = std::max(m, lm[l]), has_nan = has_nan || ln[l] != 0;
  for (; i < n; ++i) {
    if (std::isnan(x[i])) has_nan = true;
    else if (x[i] > m) m = x[i];
  }
  // The first index of m: a second pass that stops there (half of x on average; in cache for short x).
  const V vm = hn::Set(d, m);
  for (i = 0; i + N <= n; i += N) {
    const intptr_t l = hn::FindFirstTrue(d, hn::LoadU(d, x + i) == vm);
    if (l >= 0) return {m, i + static_cast<std::size_t>(l), has_nan};
  }
  for (; i < n; ++i)
    if (x[i] == m) return {m, i, has_nan};
  return {m, n, has_nan};
}

}  // namespace HWY_NAMESPACE
}  // namespace softcheck::detail::fast
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace softcheck::detail::fast {

HWY_EXPORT(ExpTerms);
HWY_EXPORT(DistLossT);
HWY_EXPORT(ScaleRound);
HWY_EXPORT(ShiftRound);
HWY_EXPORT(Sigmoid);
HWY_EXPORT(LogSigmoid);
HWY_EXPORT(Log1pOne);
HWY_EXPORT(BceOne);
HWY_EXPORT(BceT);
HWY_EXPORT(MaxScanT);

Sum exp_terms(const double* x, std::size_t n, double m, std::size_t skip_a, std::size_t skip_b, double* hi,
              double* lo) {
  return HWY_DYNAMIC_DISPATCH(ExpTerms)(x, n, m, skip_a, skip_b, hi, lo);
}
DistLoss dist_loss(const double* x, const double* t, std::size_t n, double m) {
  return HWY_DYNAMIC_DISPATCH(DistLossT)(x, t, n, m);
}
bool scale_round(const double* hi, const double* lo, std::size_t n, dd r, double rel_err, double* out) {
  return HWY_DYNAMIC_DISPATCH(ScaleRound)(hi, lo, 0.0, n, r, rel_err, out);
}
bool exp_scale_round(const double* x, std::size_t n, double m, dd r, double rel_err, double* out) {
  return HWY_DYNAMIC_DISPATCH(ScaleRound)(x, nullptr, m, n, r, rel_err, out);
}
bool shift_round(const double* x, std::size_t n, double m, dd L, double l_err, double* out) {
  return HWY_DYNAMIC_DISPATCH(ShiftRound)(x, n, m, L, l_err, out);
}
void sigmoid(const double* x, std::size_t n, double* y, double (*precise)(double)) {
  HWY_DYNAMIC_DISPATCH(Sigmoid)(x, n, y, precise);
}
void log_sigmoid(const double* x, std::size_t n, double* y, double (*precise)(double)) {
  HWY_DYNAMIC_DISPATCH(LogSigmoid)(x, n, y, precise);
}
bool bce(double x, double t, double* loss, double* grad) { return HWY_DYNAMIC_DISPATCH(BceOne)(x, t, loss, grad); }
void bce(const double* x, const double* t, std::size_t n, double* loss, double* grad,
         void (*precise)(double, double, double*, double*)) {
  HWY_DYNAMIC_DISPATCH(BceT)(x, t, n, loss, grad, precise);
}
dd log1p(dd s) { return HWY_DYNAMIC_DISPATCH(Log1pOne)(s.hi, s.lo); }
MaxScan max_scan(const double* x, std::size_t n) { return HWY_DYNAMIC_DISPATCH(MaxScanT)(x, n); }

std::vector<std::int64_t> targets() {
  std::vector<std::int64_t> out;
  for (std::int64_t t = hwy::SupportedTargets() & HWY_TARGETS; t != 0; t &= t - 1) out.push_back(t & ~(t - 1));
  return out;
}
std::string target_name(std::int64_t target) { return hwy::TargetName(target); }
void force_target(std::int64_t target) {
  hwy::SetSupportedTargetsForTest(target);
  if (target == 0) hwy::GetChosenTarget().DeInit();
  else hwy::GetChosenTarget().Update(hwy::SupportedTargets());
}

}  // namespace softcheck::detail::fast
#endif  // HWY_ONCE
