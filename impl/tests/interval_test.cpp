// The exact tier's arithmetic (impl/interval.hpp): roundings to double against IEEE operations, which
// are correctly rounded; directed roundings bracket the exact value; exponential enclosures contain
// MPFR's value and are as narrow as stated.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include "impl/interval.hpp"

namespace {

using namespace softcheck::detail::exact;

double random_double(std::mt19937_64& g) {  // any finite double, subnormals and zeros included
  for (;;) {
    std::uint64_t b = g();
    if (g() % 8 == 0) b &= ~(0x7ffULL << 52);  // often a subnormal
    double x;
    std::memcpy(&x, &b, sizeof x);
    if (std::isfinite(x)) return x;
  }
}

TEST(Interval, ToDoubleRoundTripsEveryDouble) {
  std::mt19937_64 g(1);
  for (int k = 0; k < 20000; ++k) {
    double x = random_double(g);
    EXPECT_EQ(to_double(from_double(x)), x) << std::hexfloat << x;
  }
  EXPECT_EQ(to_double(from_double(0x0.0000000000001p-1022)), 0x0.0000000000001p-1022);
  EXPECT_EQ(to_double(from_double(-0x1.fffffffffffffp+1023)), -0x1.fffffffffffffp+1023);
}

TEST(Interval, ExactSumsAndProductsRoundLikeIeee) {
  std::mt19937_64 g(2);
  for (int k = 0; k < 20000; ++k) {
    double a = random_double(g), b = random_double(g);
    if (g() % 2 && std::isfinite(std::ldexp(b, 32))) b = std::ldexp(b, static_cast<int>(g() % 64) - 32);
    EXPECT_EQ(to_double(add(from_double(a), from_double(b))), a + b) << std::hexfloat << a << " + " << b;
    EXPECT_EQ(to_double(mul(from_double(a), from_double(b))), a * b) << std::hexfloat << a << " * " << b;
    if (b != 0) {
      EXPECT_EQ(quotient_to_double(from_double(a), from_double(b)), a / b) << std::hexfloat << a << " / " << b;
    }
  }
}

TEST(Interval, HalfwayCasesAndTheEnds) {
  const Dy one = from_double(1.0);
  const Dy half_ulp = pow2(-53);
  // 1 + 2^-53 is halfway between 1 and 1 + 2^-52: even is 1; Tie::up / down pick a side.
  EXPECT_EQ(to_double(add(one, half_ulp)), 1.0);
  EXPECT_EQ(to_double(add(one, half_ulp), Tie::up), 1.0 + 0x1p-52);
  EXPECT_EQ(to_double(add(one, half_ulp), Tie::down), 1.0);
  EXPECT_EQ(to_double(neg(add(one, half_ulp)), Tie::down), -1.0 - 0x1p-52);
  // Below the smallest subnormal: 2^-1075 is halfway to 0 (even), anything above it rounds up.
  EXPECT_EQ(to_double(pow2(-1075)), 0.0);
  EXPECT_EQ(to_double(pow2(-1075), Tie::up), 0x1p-1074);
  EXPECT_EQ(to_double(add(pow2(-1075), pow2(-3000))), 0x1p-1074);
  EXPECT_EQ(to_double(pow2(-1076)), 0.0);
  EXPECT_TRUE(std::signbit(to_double(neg(pow2(-1076)))));
  EXPECT_EQ(to_double(Dy{Int(3), -1075}), 0x1p-1073);  // 1.5 subnormal quanta: to even (2 quanta)
  // DBL_MAX + half an ULP rounds to +inf (even), anything below it to DBL_MAX.
  const Dy max = from_double(0x1.fffffffffffffp+1023);
  EXPECT_EQ(to_double(add(max, pow2(970))), HUGE_VAL);
  EXPECT_EQ(to_double(add(max, add(pow2(970), neg(pow2(900))))), 0x1.fffffffffffffp+1023);
  EXPECT_EQ(to_double(pow2(5000)), HUGE_VAL);
  EXPECT_EQ(to_double(neg(pow2(5000))), -HUGE_VAL);
}

TEST(Interval, DirectedRoundingsBracketTheExactValue) {
  std::mt19937_64 g(3);
  for (int k = 0; k < 5000; ++k) {
    // One draw per statement: the order of a call's arguments is unspecified (GCC and Clang differ).
    const double a1 = random_double(g);
    const Dy a = mul(from_double(random_double(g)), from_double(a1));  // ~106 bits
    const int e = static_cast<int>(g() % 3000) - 1500;
    double bv = std::ldexp(random_double(g), e);
    if (!std::isfinite(bv)) bv = 0x1.8p1000;
    const Dy b = from_double(bv);
    for (std::int64_t p : {2, 17, 53, 80}) {
      for (const Dy& exact : {a, add(a, b)}) {
        const Dy lo = round(exact, p, Dir::down), hi = round(exact, p, Dir::up);
        EXPECT_LE(compare(lo, exact), 0);
        EXPECT_GE(compare(hi, exact), 0);
      }
      // The bounded add stays a valid bound however far apart the operands are.
      EXPECT_LE(compare(add(a, b, p, Dir::down), add(a, b)), 0);
      EXPECT_GE(compare(add(a, b, p, Dir::up), add(a, b)), 0);
      if (!is_zero(b)) {
        const Dy qd = div(a, b, p, Dir::down), qu = div(a, b, p, Dir::up);
        EXPECT_LE(compare(mul(qd, b), a) * sign(b), 0);  // qd <= a/b
        EXPECT_GE(compare(mul(qu, b), a) * sign(b), 0);  // qu >= a/b
      }
    }
  }
}

// v as an MPFR number, exactly.
void set_mpfr(mpfr_t r, const Dy& v) {
  const Int mag = abs(v.m);
  const std::string digits = mag.str(0, std::ios_base::hex);  // hex digits, no prefix
  mpfr_set_prec(r, static_cast<mpfr_prec_t>(digits.size() * 4 + 8));
  mpfr_set_str(r, digits.c_str(), 16, MPFR_RNDN);  // exact at this precision
  if (v.m < 0) mpfr_neg(r, r, MPFR_RNDN);
  mpfr_mul_2si(r, r, static_cast<long>(v.e), MPFR_RNDN);
}

TEST(Interval, ExpEnclosuresContainTheExactValueAndAreNarrow) {
  std::mt19937_64 g(4);
  mpfr_t d, e, lo, hi;
  mpfr_inits2(64, d, e, lo, hi, static_cast<mpfr_ptr>(nullptr));
  for (int k = 0; k < 400; ++k) {
    // d = -(a + b), a and b doubles: gaps from 2^-1074 to 65000, often two doubles' worth of bits.
    const int ea = static_cast<int>(g() % 1090) - 1074;  // one draw per statement (argument order)
    double a = std::ldexp(1 + static_cast<double>(g() >> 11) * 0x1p-53, ea);
    if (a > 65000) a = 700.25;
    double b = 0;
    if (g() % 2) {
      const int eb = static_cast<int>(g() % 110) - 100;
      b = std::ldexp(static_cast<double>(g() >> 11) * 0x1p-53, eb);
    }
    const Dy dv = neg(add(from_double(a), from_double(b)));
    const std::int64_t p = k % 3 == 0 ? 2048 : 256;
    const Iv enc = exp_nonpositive(dv, p);
    set_mpfr(d, dv);
    mpfr_set_prec(e, static_cast<mpfr_prec_t>(p + 1300));  // e^d = 1 - 2^-1074 needs 1074 bits
    mpfr_exp(e, d, MPFR_RNDN);
    set_mpfr(lo, enc.lo);
    set_mpfr(hi, enc.hi);
    EXPECT_LT(mpfr_cmp(lo, e), 0) << "d = -(" << a << " + " << b << ")";
    EXPECT_GT(mpfr_cmp(hi, e), 0) << "d = -(" << a << " + " << b << ")";
    // width <= 2^(8 - p) e^d
    mpfr_set_prec(d, static_cast<mpfr_prec_t>(p + 400));
    mpfr_sub(d, hi, lo, MPFR_RNDU);
    mpfr_div(d, d, e, MPFR_RNDU);
    EXPECT_LT(mpfr_get_exp(d), 8 - p) << "d = -(" << a << " + " << b << "), p = " << p;
  }
  // Beyond -65536 the enclosure is [0, 2^-94000]; exactly 0 gives exactly 1.
  const Iv far = exp_nonpositive(from_double(-1e5), 256);
  EXPECT_TRUE(is_zero(far.lo));
  EXPECT_EQ(compare(far.hi, pow2(-94000)), 0);
  EXPECT_TRUE(exp_nonpositive(Dy{}, 256).point());
  mpfr_clears(d, e, lo, hi, static_cast<mpfr_ptr>(nullptr));
}

}  // namespace
