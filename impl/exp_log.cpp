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

// 2^(j/64) = kExp2Table[j][0] + kExp2Table[j][1], relative error < 2^-107 (from `bc -l`, scale=80,
// hi the rounding of the value and lo the rounding of the rest).
constexpr double kExp2Table[64][2] = {
    {0x1.0000000000000p+0, 0x0.0p+0},
    {0x1.02c9a3e778061p+0, -0x1.19083535b085dp-56},
    {0x1.059b0d3158574p+0, 0x1.d73e2a475b465p-55},
    {0x1.0874518759bc8p+0, 0x1.186be4bb284ffp-57},
    {0x1.0b5586cf9890fp+0, 0x1.8a62e4adc610bp-54},
    {0x1.0e3ec32d3d1a2p+0, 0x1.03a1727c57b53p-59},
    {0x1.11301d0125b51p+0, -0x1.6c51039449b3ap-54},
    {0x1.1429aaea92de0p+0, -0x1.32fbf9af1369ep-54},
    {0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55},
    {0x1.1a35beb6fcb75p+0, 0x1.e5b4c7b4968e4p-55},
    {0x1.1d4873168b9aap+0, 0x1.e016e00a2643cp-54},
    {0x1.2063b88628cd6p+0, 0x1.dc775814a8495p-55},
    {0x1.2387a6e756238p+0, 0x1.9b07eb6c70573p-54},
    {0x1.26b4565e27cddp+0, 0x1.2bd339940e9d9p-55},
    {0x1.29e9df51fdee1p+0, 0x1.612e8afad1255p-55},
    {0x1.2d285a6e4030bp+0, 0x1.0024754db41d5p-54},
    {0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55},
    {0x1.33c08b26416ffp+0, 0x1.32721843659a6p-54},
    {0x1.371a7373aa9cbp+0, -0x1.63aeabf42eae2p-54},
    {0x1.3a7db34e59ff7p+0, -0x1.5e436d661f5e3p-56},
    {0x1.3dea64c123422p+0, 0x1.ada0911f09ebcp-55},
    {0x1.4160a21f72e2ap+0, -0x1.ef3691c309278p-58},
    {0x1.44e086061892dp+0, 0x1.89b7a04ef80d0p-59},
    {0x1.486a2b5c13cd0p+0, 0x1.3c1a3b69062f0p-56},
    {0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56},
    {0x1.4f9b2769d2ca7p+0, -0x1.4b309d25957e3p-54},
    {0x1.5342b569d4f82p+0, -0x1.07abe1db13cadp-55},
    {0x1.56f4736b527dap+0, 0x1.9bb2c011d93adp-54},
    {0x1.5ab07dd485429p+0, 0x1.6324c054647adp-54},
    {0x1.5e76f15ad2148p+0, 0x1.ba6f93080e65ep-54},
    {0x1.6247eb03a5585p+0, -0x1.383c17e40b497p-54},
    {0x1.6623882552225p+0, -0x1.bb60987591c34p-54},
    {0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54},
    {0x1.6dfb23c651a2fp+0, -0x1.bbe3a683c88abp-57},
    {0x1.71f75e8ec5f74p+0, -0x1.16e4786887a99p-55},
    {0x1.75feb564267c9p+0, -0x1.0245957316dd3p-54},
    {0x1.7a11473eb0187p+0, -0x1.41577ee04992fp-55},
    {0x1.7e2f336cf4e62p+0, 0x1.05d02ba15797ep-56},
    {0x1.82589994cce13p+0, -0x1.d4c1dd41532d8p-54},
    {0x1.868d99b4492edp+0, -0x1.fc6f89bd4f6bap-54},
    {0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54},
    {0x1.8f1ae99157736p+0, 0x1.5cc13a2e3976cp-55},
    {0x1.93737b0cdc5e5p+0, -0x1.75fc781b57ebcp-57},
    {0x1.97d829fde4e50p+0, -0x1.d185b7c1b85d1p-54},
    {0x1.9c49182a3f090p+0, 0x1.c7c46b071f2bep-56},
    {0x1.a0c667b5de565p+0, -0x1.359495d1cd533p-54},
    {0x1.a5503b23e255dp+0, -0x1.d2f6edb8d41e1p-54},
    {0x1.a9e6b5579fdbfp+0, 0x1.0fac90ef7fd31p-54},
    {0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54},
    {0x1.b33a2b84f15fbp+0, -0x1.2805e3084d708p-57},
    {0x1.b7f76f2fb5e47p+0, -0x1.5584f7e54ac3bp-56},
    {0x1.bcc1e904bc1d2p+0, 0x1.23dd07a2d9e84p-55},
    {0x1.c199bdd85529cp+0, 0x1.11065895048ddp-55},
    {0x1.c67f12e57d14bp+0, 0x1.2884dff483cadp-54},
    {0x1.cb720dcef9069p+0, 0x1.503cbd1e949dbp-56},
    {0x1.d072d4a07897cp+0, -0x1.cbc3743797a9cp-54},
    {0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55},
    {0x1.da9e603db3285p+0, 0x1.c2300696db532p-54},
    {0x1.dfc97337b9b5fp+0, -0x1.1a5cd4f184b5cp-54},
    {0x1.e502ee78b3ff6p+0, 0x1.39e8980a9cc8fp-55},
    {0x1.ea4afa2a490dap+0, -0x1.e9c23179c2893p-54},
    {0x1.efa1bee615a27p+0, 0x1.dc7f486a4b6b0p-54},
    {0x1.f50765b6e4540p+0, 0x1.9d3e12dd8a18bp-54},
    {0x1.fa7c1819e90d8p+0, 0x1.74853f3a5931ep-55},
};

// 1/j as dd for the Taylor coefficients (1/2 and 1/4 are exact).
constexpr dd kInv3{0x1.5555555555555p-2, 0x1.5555555555555p-56};
constexpr dd kInv5{0x1.999999999999ap-3, -0x1.999999999999ap-57};
constexpr dd kInv6{0x1.5555555555555p-3, 0x1.5555555555555p-57};

// e^r - 1 for |r| <= ln2/128 + 2^-40 (< 2^-7.5): expm1(r)/r = 1 + r/2 (1 + r/3 (... (1 + r/11))),
// truncation |r|^11/12! < 2^-111. Levels j >= 7 weigh < |r|^6/7! < 2^-57 and run in double (error
// < 2^-109); levels 6..2 in dd (5u^2 + 2u^2 each, damped by |r|/j): relative error < 2^-104.
dd expm1_table_range(dd r) {
  double q = 1.0;
  for (int j = 11; j >= 7; --j) q = 1.0 + r.hi * q / j;
  dd Q = add(mul(mul(r, q), kInv6), 1.0);
  Q = add(mul(mul(r, Q), kInv5), 1.0);
  Q = add(mul(mul(r, Q), 0.25), 1.0);
  Q = add(mul(mul(r, Q), kInv3), 1.0);
  Q = add(mul(mul(r, Q), 0.5), 1.0);
  return mul(r, Q);
}

}  // namespace

// e^x = 2^k 2^(j/64) (1 + expm1(r)), x = (64k + j) ln2/64 + r, |r| <= ln2/128 (+ the rounding of k's
// estimate). The reduction is exact to 2^-105 (see reduce), the table 2^-107, expm1 2^-104, and
// T + T u adds 8u^2: relative error < 2^-102 < 2^-99 as stated.
scaled exp_scaled(dd x) {
  if (std::fabs(x.hi) < 0x1p-60) return {add(x, 1.0), 0};  // e^x = 1 + x + O(2^-121)
  double kf = std::nearbyint(x.hi * (64 * kInvLn2));
  // r = x - kf ln2/64: kLn2[i]/64 is exact, and kf kLn2[0]/64 (17-bit kf times a 53-bit constant) leaves
  // x.hi - kf kLn2[0]/64 a multiple of 2^-60 or of ulp(x.hi), below 2^-7: exact in one FMA.
  double r1 = std::fma(-kf, kLn2[0] / 64, x.hi);
  dd r = two_sum(r1, x.lo);
  r = add(r, two_prod(-kf, kLn2[1] / 64));
  r = add(r, -kf * (kLn2[2] / 64));
  dd u = expm1_table_range(r);
  long long kk = static_cast<long long>(kf);
  int j = static_cast<int>(kk & 63);
  int k = static_cast<int>((kk - j) / 64);
  dd T{kExp2Table[j][0], kExp2Table[j][1]};
  return {add(T, mul(T, u)), k};
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
  int e = exponent(v.hi) + k;  // exponent of the result, up to the rounding carry
  if (e >= -1022) return scale(v.hi, k);  // v.hi = RN(v.hi + v.lo); scaling commutes with RN
  // Subnormal (or zero) result: quantum 2^-1074. In units of the quantum the value is S + L, |S| < 2^53.
  if (e < -1076) return std::copysign(0.0, v.hi);  // below a quarter of 2^-1074 (v.hi normal, |v.lo| tiny)
  double S = scale(v.hi, k + 1074);
  double L = scale(v.lo, k + 1074);
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
  return std::copysign(scale(N, -1074), v.hi);
}

bool rounding_certain(dd v, double err_abs, int k) {
  if (!std::isfinite(err_abs) || !std::isfinite(v.hi)) return false;
  if (v.hi == 0) return err_abs == 0;
  if (!(err_abs < 0x1p-8 * std::fabs(v.hi))) return false;  // no correct bit to speak of
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
  int e = exponent(x);
  return {{scale(x, -e), 0.0}, e};
}

scaled add(scaled a, scaled b) {
  if (a.m.hi == 0) return b;
  if (b.m.hi == 0) return a;
  if (a.k < b.k) std::swap(a, b);
  int shift = b.k - a.k;  // <= 0
  if (shift < -1000) return a;
  dd s = add(a.m, ldexp(b.m, shift));
  if (s.hi == 0) return {s, 0};
  int e = exponent(s.hi);  // renormalize so that m.hi stays near 1
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
  int e = exponent(v.hi);
  return {ldexp(v, -e), e};
}

scaled exp_or_zero(dd x) {
  if (x.hi < -2000) return {{0.0, 0.0}, 0};
  return exp_scaled(x);
}

}  // namespace softcheck::detail
