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
  const double b_add = 3 + 13 * u, b_add1 = 2, b_mul = fma ? 5 : 6, b_mul1 = fma ? 2 : 3, b_div = 15 + 56 * u,
               b_div1 = 3;
  double worst[6] = {};
  for (int k = 0; k < 200000; ++k) {
    const dd x = random_dd(g), y = random_dd(g);
    const double yd = y.hi;
    E.set(a, x), E.set(b, y);

    mpfr_add(E.exact(), a, b, MPFR_RNDN);  // exact
    if (!mpfr_zero_p(E.exact())) {
      const double r = E.rel(d::add(x, y));
      ASSERT_LE(r, b_add) << "add, k = " << k;
      worst[0] = std::max(worst[0], r);
    }
    mpfr_add_d(E.exact(), a, yd, MPFR_RNDN);
    if (!mpfr_zero_p(E.exact())) {
      const double r = E.rel(d::add(x, yd));
      ASSERT_LE(r, b_add1) << "add by a double, k = " << k;
      worst[1] = std::max(worst[1], r);
    }
    mpfr_mul(E.exact(), a, b, MPFR_RNDN);  // exact: 2 x 107 bits
    {
      const double r = E.rel(d::mul(x, y));
      ASSERT_LE(r, b_mul) << "mul, k = " << k;
      worst[2] = std::max(worst[2], r);
    }
    mpfr_mul_d(E.exact(), a, yd, MPFR_RNDN);
    {
      const double r = E.rel(d::mul(x, yd));
      ASSERT_LE(r, b_mul1) << "mul by a double, k = " << k;
      worst[3] = std::max(worst[3], r);
    }
    mpfr_div(E.exact(), a, b, MPFR_RNDN);  // within 2^-2199 relative: far below the bounds
    {
      const double r = E.rel(d::div(x, y));
      ASSERT_LE(r, b_div) << "div, k = " << k;
      worst[4] = std::max(worst[4], r);
    }
    mpfr_div_d(E.exact(), a, yd, MPFR_RNDN);
    {
      const double r = E.rel(d::div(x, yd));
      ASSERT_LE(r, b_div1) << "div by a double, k = " << k;
      worst[5] = std::max(worst[5], r);
    }
  }
  // The errors are measured, not zero: each operation's worst sample is a sizeable share of u^2.
  for (double w : worst) EXPECT_GT(w, 0.25);
  std::printf("worst relative errors in u^2: add %.3f, add1 %.3f, mul %.3f, mul1 %.3f, div %.3f, div1 %.3f\n",
              worst[0], worst[1], worst[2], worst[3], worst[4], worst[5]);
  mpfr_clears(a, b, static_cast<mpfr_ptr>(nullptr));
}

}  // namespace
