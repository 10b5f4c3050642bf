// The double-double operations of impl/dd.hpp within the relative bounds stated there (Joldes, Muller,
// Popescu 2017), against MPFR: random normalized operands over many binades, and operands whose low
// parts are at their extremes (|lo| = ulp(hi)/2 and just below) or zero. Every tier's stated error rests on
// these bounds; a sample cannot prove them, but an operation that loses more than its bound on ordinary
// operands (a wrong algorithm, a dropped term) fails here.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <random>

#include "impl/dd.hpp"

namespace {

using softcheck::detail::dd;
namespace d = softcheck::detail;

constexpr double u = 0x1p-53;

double unit(std::mt19937_64& g) { return static_cast<double>(g() >> 11) * 0x1p-53; }

// A normalized dd: hi with a random significand in [1, 2) 2^e, lo of either sign up to ulp(hi)/2.
dd random_dd(std::mt19937_64& g) {
  // One draw per statement: the order of a call's arguments and an operator's operands is unspecified.
  const int e = static_cast<int>(g() % 121) - 60;
  const double sign = g() % 2 ? 1 : -1;
  const double hi = sign * std::ldexp(1 + unit(g), e);
  const int kind = static_cast<int>(g() % 6);
  const double half_ulp = std::ldexp(std::nextafter(std::fabs(hi), HUGE_VAL) - std::fabs(hi), -1);
  double lo = 0;
  if (kind == 1) lo = g() % 2 ? half_ulp : -half_ulp;  // the largest low part
  else if (kind > 1) lo = (2 * unit(g) - 1) * half_ulp;
  return d::fast_two_sum(hi, lo);
}

class Err {
 public:
  Err() { mpfr_inits2(2200, exact_, got_, static_cast<mpfr_ptr>(nullptr)); }
  ~Err() { mpfr_clears(exact_, got_, static_cast<mpfr_ptr>(nullptr)); }
  Err(const Err&) = delete;
  Err& operator=(const Err&) = delete;
  mpfr_ptr exact() { return exact_; }
  void set(mpfr_ptr m, dd a) {
    mpfr_set_d(m, a.hi, MPFR_RNDN);
    mpfr_add_d(m, m, a.lo, MPFR_RNDN);  // exact at 2200 bits
  }
  // |r - exact| / |exact|, rounded up, in units of u^2.
  double rel(dd r) {
    set(got_, r);
    mpfr_sub(got_, got_, exact_, MPFR_RNDN);
    mpfr_div(got_, got_, exact_, MPFR_RNDU);
    mpfr_abs(got_, got_, MPFR_RNDU);
    return mpfr_get_d(got_, MPFR_RNDU) / (u * u);
  }

 private:
  mpfr_t exact_, got_;
};

TEST(DoubleDouble, OperationsAreWithinTheirStatedBounds) {
  std::mt19937_64 g(31);
  Err E;
  mpfr_t a, b;
  mpfr_inits2(2200, a, b, static_cast<mpfr_ptr>(nullptr));
  const bool fma = SOFTCHECK_HW_FMA != 0;
  // In u^2: add 3 + 13u, add by a double 2, mul 5 (6 unfused), mul by a double 2 (3 unfused), div
  // 15 + 56u, div by a double 3.
  const char* const name[] = {"add", "add by a double", "mul", "mul by a double", "div", "div by a double"};
  const double bound[] = {3 + 13 * u, 2, fma ? 5.0 : 6.0, fma ? 2.0 : 3.0, 15 + 56 * u, 3};
  double worst[6] = {};
  // Op's error against E.exact() (no relative error for an exact zero sum), kept for the worst.
  auto rel = [&](int op, dd r) {
    const double e = mpfr_zero_p(E.exact()) ? 0.0 : E.rel(r);
    worst[op] = std::max(worst[op], e);
    return e;
  };
  for (int k = 0; k < 200000; ++k) {
    const dd x = random_dd(g), y = random_dd(g);
    const double yd = y.hi;
    E.set(a, x), E.set(b, y);
    mpfr_add(E.exact(), a, b, MPFR_RNDN);  // exact, as the products below (2 x 107 bits)
    ASSERT_LE(rel(0, d::add(x, y)), bound[0]) << name[0] << ", k = " << k;
    mpfr_add_d(E.exact(), a, yd, MPFR_RNDN);
    ASSERT_LE(rel(1, d::add(x, yd)), bound[1]) << name[1] << ", k = " << k;
    mpfr_mul(E.exact(), a, b, MPFR_RNDN);
    ASSERT_LE(rel(2, d::mul(x, y)), bound[2]) << name[2] << ", k = " << k;
    mpfr_mul_d(E.exact(), a, yd, MPFR_RNDN);
    ASSERT_LE(rel(3, d::mul(x, yd)), bound[3]) << name[3] << ", k = " << k;
    mpfr_div(E.exact(), a, b, MPFR_RNDN);  // within 2^-2199 relative: far below the bounds
    ASSERT_LE(rel(4, d::div(x, y)), bound[4]) << name[4] << ", k = " << k;
    mpfr_div_d(E.exact(), a, yd, MPFR_RNDN);
    ASSERT_LE(rel(5, d::div(x, yd)), bound[5]) << name[5] << ", k = " << k;
  }
  // The errors are measured, not zero: each operation's worst sample is a sizeable share of u^2.
  for (int op = 0; op < 6; ++op) {
    EXPECT_GT(worst[op], 0.25) << name[op];
    std::printf("%s: worst relative error %.3f u^2 (bound %.3f)\n", name[op], worst[op], bound[op]);
  }
  mpfr_clears(a, b, static_cast<mpfr_ptr>(nullptr));
}

}  // namespace
