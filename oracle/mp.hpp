// Internal to the oracle: Boost.Multiprecision/MPFR plumbing and the Ziv rounding test shared by its sources.
#pragma once

#include <mpfr.h>

#include <boost/multiprecision/mpfr.hpp>

#include "oracle/oracle.hpp"

namespace softcheck::oracle::detail {

// Every MPFR variable of the oracle is a Boost mpfr_float whose precision is set explicitly once
// (Boost's thread-local default precision is never relied on); arithmetic goes through mpfr_* on
// .backend().data() for directed rounding and ternary values.
using Real = boost::multiprecision::mpfr_float;
inline mpfr_ptr ptr(Real& r) { return r.backend().data(); }
inline mpfr_srcptr ptr(const Real& r) { return r.backend().data(); }
Real make_real(mpfr_prec_t precision);
void set_precision(Real& r, mpfr_prec_t precision);  // no-op (no reallocation) when unchanged

// Ziv levels: 128, 256, ..., kPrecisionCeiling bits.
inline constexpr int kStartPrecision = 128;
inline constexpr int kLevels = 7;
static_assert((kStartPrecision << (kLevels - 1)) == kPrecisionCeiling);
inline constexpr int level_precision(int level) { return kStartPrecision << level; }

// Wide enough for the exact difference of any two doubles (2^1024 down to 2^-1074: 2099 bits).
inline constexpr mpfr_prec_t kExactDoublePrecision = 2200;

// MPFR's exponent range is per thread: widen it to the extremes so that e^(x_i - m) for any double
// difference neither overflows nor underflows before it is far outside the double range.
void widen_exponent_range();

// Exponent of ulp(v) as in docs/definitions.md: max(floor(log2|v|), -1022) - 52; -1074 for v = 0.
long ulp_exponent(mpfr_srcptr v);

// log1p over an enclosure a in [a_lo, a_hi], a_lo >= 0, with a single log1p: lo = RNDD(log1p(a_lo)).
// By the mean value theorem (log1p' = 1/(1+a) <= 1/(1+a_lo)),
// log1p(a) <= log1p(a_lo) + (a_hi - a_lo)/(1 + a_lo), so hi = [nextabove(lo) if inexact] +
// (a_hi - a_lo)/(1 + a_lo), every step rounded up. Since a/((1 + a) log1p(a)) <= 1, the extra relative
// width is at most that of a.
// lo and hi must have the same precision; t1, t2 are scratch.
void log1p_bounds(mpfr_ptr lo, mpfr_ptr hi, mpfr_srcptr a_lo, mpfr_srcptr a_hi, mpfr_ptr t1, mpfr_ptr t2);

// Ref constructors for values known without computation.
Ref exact_ref(double value);  // v is exactly value (a double, ±inf by the special-value rule)
Ref nan_ref();

// Decides RN(v) from an enclosure lo <= v <= hi (interval arithmetic: lo from all-RNDD, hi from
// all-RNDU evaluation). Settled when RN(lo) == RN(hi) (RN is monotone, so every v in between rounds
// alike) and hi - lo <= 2^-62 ulp, so frac, taken from lo, is within 2^-62 of the true one.
// lo == hi means v is exactly known: exact and halfway are then decided exactly.
// open: v is irrational, so lo < v < hi strictly (lo, hi are dyadic); an end that is exactly a midpoint
// then rounds inward. This settles v = M ± tiny around an exact midpoint M (e.g. log_softmax
// d - log1p(e^-1e5) with d = x_i - m a midpoint), which no finite precision separates from M.
// Irrationality is by the Lindemann-Weierstrass theorem (e^a, a != 0 algebraic, is transcendental, and
// e^(b_j) for distinct algebraic b_j are linearly independent over the algebraic numbers); each caller
// states where its function is rational.
class Settler {
 public:
  Settler();
  bool settle(mpfr_srcptr lo, mpfr_srcptr hi, int precision, Ref& out, bool open = false);
  // Ceiling reached: best guess RN(lo), certain = false.
  void give_up(mpfr_srcptr lo, mpfr_srcptr hi, Ref& out);

 private:
  // Whether v is exactly halfway between two adjacent doubles (below < above), overflow threshold included.
  bool midpoint(mpfr_srcptr v, double& below, double& above);
  Real diff_;   // (lo - RN(lo)) / ulp, 128 bits
  Real width_;  // hi - lo rounded up, 64 bits
};

}  // namespace softcheck::oracle::detail
