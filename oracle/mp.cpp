// Internal to the oracle: MPFR variables, exponent range and the Ziv rounding test (see mp.hpp).
#include "oracle/mp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace softcheck::oracle::detail {

Real make_real(mpfr_prec_t precision) {
  Real r;
  mpfr_set_prec(ptr(r), precision);
  return r;
}

void set_precision(Real& r, mpfr_prec_t precision) {
  if (mpfr_get_prec(ptr(r)) != precision) mpfr_set_prec(ptr(r), precision);
}

namespace {
// Frees this thread's MPFR constant caches (log 2, ...) when the thread ends: no leak per worker thread.
struct CacheRelease {
  ~CacheRelease() { mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE); }
};
}  // namespace

void widen_exponent_range() {
  thread_local bool done = false;
  if (done) return;
  mpfr_set_emin(mpfr_get_emin_min());
  mpfr_set_emax(mpfr_get_emax_max());
  thread_local CacheRelease release;
  (void)release;
  done = true;
}

long ulp_exponent(mpfr_srcptr v) {
  if (mpfr_zero_p(v)) return -1074;
  const long e = static_cast<long>(mpfr_get_exp(v)) - 1;  // MPFR: v = m 2^E, 1/2 <= |m| < 1
  return std::max(e, -1022L) - 52;
}

void log1p_bounds(mpfr_ptr lo, mpfr_ptr hi, mpfr_srcptr a_lo, mpfr_srcptr a_hi, mpfr_ptr t1, mpfr_ptr t2) {
  const int ternary = mpfr_log1p(lo, a_lo, MPFR_RNDD);
  mpfr_set(hi, lo, MPFR_RNDN);  // same precision: exact
  if (ternary != 0) mpfr_nextabove(hi);
  if (mpfr_equal_p(a_lo, a_hi)) return;
  mpfr_sub(t1, a_hi, a_lo, MPFR_RNDU);
  mpfr_add_ui(t2, a_lo, 1, MPFR_RNDD);
  mpfr_div(t1, t1, t2, MPFR_RNDU);
  mpfr_add(hi, hi, t1, MPFR_RNDU);
}

Ref exact_ref(double value) {
  Ref r;
  r.rounded = value;
  r.exact = true;
  return r;
}

Ref nan_ref() { return exact_ref(std::numeric_limits<double>::quiet_NaN()); }

Settler::Settler() : diff_(make_real(128)), width_(make_real(64)) {}

bool Settler::midpoint(mpfr_srcptr v, double& below, double& above) {
  if (!mpfr_number_p(v) || mpfr_zero_p(v)) return false;
  const double z = mpfr_get_d(v, MPFR_RNDZ);  // the neighbour nearer zero (DBL_MAX beyond the range)
  const int spacing = z == 0 ? -1074 : std::max(std::ilogb(z), -1022) - 52;
  // v - z is a single bit when v is a midpoint, so exact in 128 bits; otherwise it is not 2^(spacing-1).
  if (mpfr_sub_d(ptr(diff_), v, z, MPFR_RNDN) != 0) return false;
  mpfr_abs(ptr(diff_), ptr(diff_), MPFR_RNDN);
  if (mpfr_cmp_ui_2exp(ptr(diff_), 1, spacing - 1) != 0) return false;
  const double away = z + std::copysign(std::ldexp(1.0, spacing), z == 0 ? mpfr_sgn(v) : z);  // may be ±inf
  below = mpfr_sgn(v) > 0 ? z : away;
  above = mpfr_sgn(v) > 0 ? away : z;
  return true;
}

bool Settler::settle(mpfr_srcptr lo, mpfr_srcptr hi, int precision, Ref& out, bool open) {
  double rounded = mpfr_get_d(lo, MPFR_RNDN);
  if (!(rounded == mpfr_get_d(hi, MPFR_RNDN))) {  // also refuses NaN
    if (!open) return false;
    double below = 0, above = 0, inner_hi = mpfr_get_d(hi, MPFR_RNDN);
    if (midpoint(lo, below, above)) rounded = above;
    if (midpoint(hi, below, above)) inner_hi = below;
    if (!(rounded == inner_hi)) return false;
  }
  const bool point = mpfr_equal_p(lo, hi) != 0;
  out = Ref{};
  out.precision = precision;
  if (std::isinf(rounded)) {  // overflow (or v = ±inf): no frac
    out.rounded = rounded;
    out.exact = point && mpfr_inf_p(lo);
    return true;
  }
  if (rounded == 0) rounded = mpfr_sgn(hi) < 0 ? -0.0 : 0.0;  // -0 only for a negative enclosure
  if (!point) {
    // ulp over the enclosure is smallest at its end nearest to zero.
    const long ue = mpfr_sgn(lo) > 0 ? ulp_exponent(lo) : mpfr_sgn(hi) < 0 ? ulp_exponent(hi) : -1074;
    mpfr_sub(ptr(width_), hi, lo, MPFR_RNDU);
    if (mpfr_cmp_ui_2exp(ptr(width_), 1, ue - 62) > 0) return false;
  }
  // lo - rounded is exact unless lo carries more than 128 significant bits below ulp; then it is off
  // by 2^-128 relative, far below the 2^-62 frac accuracy. Scaling by a power of two is exact.
  const int ternary = mpfr_sub_d(ptr(diff_), lo, rounded, MPFR_RNDN);
  mpfr_mul_2si(ptr(diff_), ptr(diff_), -ulp_exponent(lo), MPFR_RNDN);
  out.rounded = rounded;
  if (point && mpfr_zero_p(ptr(diff_))) {
    out.exact = true;
  } else {
    out.frac = mpfr_get_d(ptr(diff_), MPFR_RNDN);
    out.halfway = point && ternary == 0 && std::fabs(out.frac) == 0.5;
  }
  return true;
}

void Settler::give_up(mpfr_srcptr lo, mpfr_srcptr hi, Ref& out) {
  (void)hi;
  out = Ref{};
  out.precision = kPrecisionCeiling;
  out.certain = false;
  out.rounded = mpfr_get_d(lo, MPFR_RNDN);
  if (std::isfinite(out.rounded)) {
    mpfr_sub_d(ptr(diff_), lo, out.rounded, MPFR_RNDN);
    mpfr_mul_2si(ptr(diff_), ptr(diff_), -ulp_exponent(lo), MPFR_RNDN);
    out.frac = mpfr_get_d(ptr(diff_), MPFR_RNDN);
  }
}

}  // namespace softcheck::oracle::detail
