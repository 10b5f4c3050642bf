// Sums and dot products of doubles for the backward passes, Σ a_j b_j (Σ a_j where b is null): a fast
// double-double value with a proved absolute bound, and the exact value for when that bound does not
// decide. Internal to impl/.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "impl/dd.hpp"
#include "impl/interval.hpp"

namespace softcheck::detail {

// s + c (as a real) within err of the exact sum; ok = false where an operand or a partial sum is not
// finite or n is too large for the bound (then only the exact tier may answer).
struct DotBound {
  double s = 0, c = 0, err = 0;
  bool ok = false;
};

// Ogita, Rump and Oishi's Dot2/Sum2 (SIAM J. Sci. Comput. 26, 2005) without the final rounding: each
// product split exactly (TwoProd), the N = 2n parts (n without b) summed by a TwoSum chain into s, the
// chain's errors q_k (exact) summed in plain arithmetic into c. With u = 2^-53 and γ_k = k u / (1 - k u):
// exact = s + Σ q_k and |Σ q_k - c| <= γ_{N-2} Σ|q_k| <= γ_{N-2} Q (1 + γ_N), Q the computed Σ|q_k|
// (which is itself <= γ_{N-1} Σ|parts|: the usual γ_N^2 bound, but 0 where every TwoSum was exact, as
// for a one-hot g). For N u <= 2^-30 that is below err = 2 N u Q, plus 2^-1070 per product
// for TwoProd where the product underflows (FMA: two roundings below 2^-1075; Dekker's product: at most
// seven). Dekker's product pre-scales a factor above 2^995 by 2^-60, which would underflow 2^60 times
// coarser: a product below 2^-900 with such a factor is left to the exact tier (ok = false). TwoSum is
// exact whatever the magnitudes, subnormals included. The bound's own rounding (two products) is inside
// the 2.
inline DotBound dot_bound(const double* a, const double* b, std::size_t n) {
  DotBound r;
  if (n > (std::size_t{1} << 21)) return r;  // N u > 2^-30
  double s = 0, c = 0, Q = 0;
  auto put = [&](double v) {
    const dd t = two_sum(s, v);
    s = t.hi;
    c += t.lo;
    Q += std::fabs(t.lo);
  };
  for (std::size_t j = 0; j < n; ++j) {
    if (b) {
      const dd p = two_prod(a[j], b[j]);
      if (std::fabs(p.hi) < 0x1p-900 && (std::fabs(a[j]) > 0x1p995 || std::fabs(b[j]) > 0x1p995)) return r;
      put(p.hi);
      put(p.lo);
    } else {
      put(a[j]);
    }
  }
  const double N = static_cast<double>(b ? 2 * n : n) * 0x1p-53;
  r.s = s;
  r.c = c;
  r.err = 2 * N * Q + (b ? static_cast<double>(n) * 0x1p-1070 : 0.0);
  r.ok = std::isfinite(s) && std::isfinite(c) && std::isfinite(r.err);
  return r;
}

// a - Σ (the sum of B): a - s by TwoSum, less c in one rounding (error <= u |d_l - c|), renormalized by
// TwoSum: D within err = (E + u |d_l - c|)(1 + 2^-50) of the exact a - Σ (the factor for err's own
// roundings).
struct Difference {
  dd D;
  double err;
};
inline Difference minus_sum(double a, const DotBound& B) {
  const dd d = two_sum(a, -B.s);
  const double dl = d.lo - B.c;
  return {two_sum(d.hi, dl), (B.err + 0x1p-53 * std::fabs(dl)) * (1 + 0x1p-50)};
}

// Where out is a or b itself, a and b are copied into `copy` and the spans pointed at it: for functions
// whose later components read all of a and b (an exact sum formed on first need).
inline void detach(std::span<const double>& a, std::span<const double>& b, std::span<const double> out,
                   std::vector<double>& copy) {
  if (out.empty() || (out.data() != a.data() && out.data() != b.data())) return;
  const std::size_t n = a.size();
  copy.assign(a.begin(), a.end());
  copy.insert(copy.end(), b.begin(), b.end());
  a = {copy.data(), n};
  b = {copy.data() + n, n};
}

// The sum's value where an operand is not finite (README, "Special values"): NaN for a NaN operand, a
// product 0 · ∞, or infinite terms of both signs; else the infinity of the infinite terms (a product of
// finite operands is finite, however large); 0 where every operand is finite.
inline double special_dot(const double* a, const double* b, std::size_t n) {
  bool pos = false, neg = false;
  for (std::size_t j = 0; j < n; ++j) {
    const double x = a[j], y = b ? b[j] : 1.0;
    if (std::isnan(x) || std::isnan(y)) return NAN;
    if (std::isfinite(x) && std::isfinite(y)) continue;
    if (x == 0 || y == 0) return NAN;
    (std::signbit(x) != std::signbit(y) ? neg : pos) = true;
  }
  return pos && neg ? NAN : pos ? HUGE_VAL : neg ? -HUGE_VAL : 0.0;
}

// The exact value (every operand finite).
inline exact::Dy dot_exact(const double* a, const double* b, std::size_t n) {
  exact::Dy s;
  for (std::size_t j = 0; j < n; ++j) {
    if (a[j] == 0 || (b && b[j] == 0)) continue;
    s = exact::add(s, b ? exact::mul(exact::from_double(a[j]), exact::from_double(b[j])) : exact::from_double(a[j]));
  }
  return s;
}

}  // namespace softcheck::detail
