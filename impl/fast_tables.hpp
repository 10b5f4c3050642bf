// Tier 0's constants (impl/fast-inl.h): 2^(j/512) and its two-level split, the pieces of ln2/512, the
// exponential's Taylor coefficients. Plain C++, no Highway: the tests read the tables too.
#pragma once

// The kernels' per-vector lambdas are forced inline: GCC leaves the larger ones out of line, and then passes
// and returns their vectors through memory.
#if defined(__GNUC__) || defined(__clang__)
#define SOFTCHECK_INLINE_LAMBDA __attribute__((always_inline))
#else
#define SOFTCHECK_INLINE_LAMBDA
#endif
namespace softcheck::detail::fast {
#include "impl/exp2_512.inc"

// ln2/512 = kL0 + kL1 + kL2 + O(2^-137.4) (k times the tail < 2^-118.7): kL0 and kL1 have 34 significant bits, so k kL0 and k kL1 are
// exact for |k| < 2^19 (|x| <= 600 gives |k| <= 443,221).
constexpr double kL0 = 0x1.62e42fef8p-10;
constexpr double kL1 = 0x1.1cf79abc8p-45;
constexpr double kL2 = 0x1.e3b39803f2f6bp-81;
constexpr double kInvL = 0x1.71547652b82fep+9;  // 512/ln2
// 1/j! for the tail of e^r - 1 (relative errors 2^-54 .. 2^-61, accounted at ExpDD).
constexpr double kC3 = 0x1.5555555555555p-3;
constexpr double kC4 = 0x1.5555555555555p-5;
constexpr double kC5 = 0x1.1111111111111p-7;
constexpr double kC6 = 0x1.6c16c16c16c17p-10;
constexpr double kC7 = 0x1.a01a01a01a01ap-13;

// 2^(j/512) = 2^(a/16) 2^(b/512) for j = 32a + b: the factors are rows 32a and b of kExp2_512, laid out
// for vector loads (ExpTables), and their products as Exp2Frac forms them, for the targets that gather
// (Dekker's exact product here: a constant expression has no FMA; both are exact, so the bits agree).
struct alignas(64) ExpSplit {
  double ah[16], al[16], bh[32], bl[32];
  double prod[512][2];
};
constexpr ExpSplit kExpSplit = [] {
  ExpSplit t{};
  for (int i = 0; i < 16; ++i) t.ah[i] = kExp2_512[32 * i][0], t.al[i] = kExp2_512[32 * i][1];
  for (int i = 0; i < 32; ++i) t.bh[i] = kExp2_512[i][0], t.bl[i] = kExp2_512[i][1];
  for (int j = 0; j < 512; ++j) {
    const double a = t.ah[j >> 5], al = t.al[j >> 5], b = t.bh[j & 31], bl = t.bl[j & 31];
    const double c = 134217729.0;  // 2^27 + 1
    const double p = a * b, ta = c * a, tb = c * b;
    const double a1 = ta - (ta - a), a2 = a - a1, b1 = tb - (tb - b), b2 = b - b1;
    t.prod[j][0] = p;
    t.prod[j][1] = (((a1 * b1 - p) + a1 * b2 + a2 * b1) + a2 * b2) + (a * bl + al * b);
  }
  return t;
}();
}  // namespace softcheck::detail::fast
