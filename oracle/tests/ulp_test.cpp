// The ULP metric: docs/definitions.md's err(y, v) against the exact value, glibc's distance, ulp of a double.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>

#include "oracle/oracle.hpp"
#include "oracle/ulp.hpp"

namespace so = softcheck::oracle;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kFar = std::numeric_limits<std::int64_t>::max();

so::Ref ref(double rounded, double frac, bool exact = false) {
  so::Ref r;
  r.rounded = rounded;
  r.frac = frac;
  r.exact = exact;
  return r;
}
}  // namespace

TEST(Ulp, UlpOf) {
  EXPECT_EQ(so::ulp_of(1.0), 0x1p-52);
  EXPECT_EQ(so::ulp_of(-3.0), 0x1p-51);
  EXPECT_EQ(so::ulp_of(0.0), 0x1p-1074);
  EXPECT_EQ(so::ulp_of(-0.0), 0x1p-1074);
  EXPECT_EQ(so::ulp_of(0x1p-1074), 0x1p-1074);
  EXPECT_EQ(so::ulp_of(DBL_MIN), 0x1p-1074);
  EXPECT_EQ(so::ulp_of(0x1p-1021), 0x1p-1073);
  EXPECT_EQ(so::ulp_of(DBL_MAX), 0x1p971);
  EXPECT_EQ(so::ulp_of(std::nextafter(1.0, 0.0)), 0x1p-53);
  EXPECT_EQ(so::ulp_of(kInf), kInf);
  EXPECT_TRUE(std::isnan(so::ulp_of(kNaN)));
}

TEST(Ulp, ErrorAgainstExactValue) {
  // v = 1 exactly: ulp(v) = 2^-52 on both sides (docs/definitions.md's ulp is that of v, not of y).
  EXPECT_EQ(so::ulp_error(1.0, ref(1.0, 0, true)), 0.0);
  EXPECT_EQ(so::ulp_error(1.0 + 0x1p-52, ref(1.0, 0, true)), 1.0);
  EXPECT_EQ(so::ulp_error(1.0 - 0x1p-53, ref(1.0, 0, true)), 0.5);
  // Unquantised: v = 1 + 0.3 ulp.
  EXPECT_DOUBLE_EQ(so::ulp_error(1.0, ref(1.0, 0.3)), 0.3);
  EXPECT_DOUBLE_EQ(so::ulp_error(1.0 + 0x1p-52, ref(1.0, 0.3)), 0.7);
  EXPECT_DOUBLE_EQ(so::ulp_error(1.0 - 0x1p-53, ref(1.0, 0.3)), 0.8);
  EXPECT_DOUBLE_EQ(so::ulp_error(-1.0 - 0x1p-52, ref(-1.0, -0.3)), 0.7);
}

TEST(Ulp, JustBelowAPowerOfTwo) {
  // v = 1 - 0.25 2^-53 rounds to 1, but lies in [1/2, 1): ulp(v) = 2^-53.
  const so::Ref v = ref(1.0, -0.25);
  EXPECT_DOUBLE_EQ(so::ulp_error(1.0, v), 0.25);
  EXPECT_DOUBLE_EQ(so::ulp_error(1.0 - 0x1p-53, v), 0.75);
  EXPECT_DOUBLE_EQ(so::ulp_error(1.0 + 0x1p-52, v), 2.25);
  EXPECT_DOUBLE_EQ(so::ulp_error(-1.0 + 0x1p-53, ref(-1.0, 0.25)), 0.75);
  // The oracle's own: sigmoid(40) = 1 - 4.25e-18 rounds to 1 from below.
  const so::Ref s = so::sigmoid(40);
  EXPECT_EQ(s.rounded, 1.0);
  EXPECT_NEAR(s.frac, -4.248354255291589e-18 / 0x1p-53, 1e-15);
  EXPECT_NEAR(so::ulp_error(1.0 - 0x1p-53, s), 1.0 + s.frac, 1e-15);
  // At 2^-1022 the binade below is subnormal, with the same ulp 2^-1074.
  EXPECT_DOUBLE_EQ(so::ulp_error(DBL_MIN - 0x1p-1074, ref(DBL_MIN, -0.25)), 0.75);
}

TEST(Ulp, Subnormals) {
  EXPECT_DOUBLE_EQ(so::ulp_error(0.0, ref(0x1p-1074, 0.3)), 1.3);
  EXPECT_DOUBLE_EQ(so::ulp_error(0x1p-1073, ref(0x1p-1074, 0.3)), 0.7);
  EXPECT_DOUBLE_EQ(so::ulp_error(-0.0, ref(0.0, 0.2)), 0.2);
  EXPECT_DOUBLE_EQ(so::ulp_error(0x1p-1074, ref(0.0, 0.2)), 0.8);
  EXPECT_DOUBLE_EQ(so::ulp_error(-0x1p-1074, ref(0.0, 0.2)), 1.2);
  EXPECT_DOUBLE_EQ(so::ulp_error(0x1.8p-1070, ref(0x1p-1070, 0)), 8.0);
  // The oracle's own subnormal: sigmoid(-745.1) ~ 2.55e-324 = 0.5169 2^-1074 rounds to 2^-1074.
  const so::Ref s = so::sigmoid(-745.1);
  EXPECT_EQ(s.rounded, 0x1p-1074);
  EXPECT_NEAR(so::ulp_error(0.0, s), 0.516888508490358, 1e-12);  // bc: 2.553768547752073927e-324 / 2^-1074
}

TEST(Ulp, SpecialValues) {
  const so::Ref finite = ref(2.0, 0.1);
  EXPECT_EQ(so::ulp_error(kNaN, finite), kInf);
  EXPECT_EQ(so::ulp_error(kInf, finite), kInf);
  EXPECT_EQ(so::ulp_error(-kInf, finite), kInf);
  const so::Ref nan = ref(kNaN, 0, true);
  EXPECT_EQ(so::ulp_error(kNaN, nan), 0.0);
  EXPECT_EQ(so::ulp_error(1.0, nan), kInf);
  EXPECT_EQ(so::ulp_error(kInf, nan), kInf);
  const so::Ref inf = ref(kInf, 0, true);
  EXPECT_EQ(so::ulp_error(kInf, inf), 0.0);
  EXPECT_EQ(so::ulp_error(-kInf, inf), kInf);
  EXPECT_EQ(so::ulp_error(DBL_MAX, inf), kInf);
  EXPECT_EQ(so::ulp_error(kNaN, inf), kInf);
  // Overflow: v finite beyond the threshold is due +inf; DBL_MAX is wrong.
  const so::Ref overflow = ref(kInf, 0, false);
  EXPECT_EQ(so::ulp_error(kInf, overflow), 0.0);
  EXPECT_EQ(so::ulp_error(DBL_MAX, overflow), kInf);
  // Signed zeros compare equal.
  EXPECT_EQ(so::ulp_error(-0.0, ref(0.0, 0, true)), 0.0);
  EXPECT_EQ(so::ulp_error(0.0, ref(-0.0, 0, true)), 0.0);
}

TEST(Ulp, HugeErrorsAreCappedFinite) {
  const double e1 = so::ulp_error(1e308, ref(0x1p-1074, 0.1));
  EXPECT_TRUE(std::isfinite(e1));
  EXPECT_GT(e1, 1e300);
  const double e2 = so::ulp_error(-DBL_MAX, ref(DBL_MAX, 0));
  EXPECT_TRUE(std::isfinite(e2));
  EXPECT_EQ(so::ulp_error(-DBL_MAX / 2, ref(DBL_MAX / 2, 0)), 0x1p54 - 2);  // DBL_MAX / 2^970
  const double e3 = so::ulp_error(1.0, ref(0.0, 0, true));
  EXPECT_TRUE(std::isfinite(e3));
  EXPECT_GT(e3, 1e300);
}

TEST(Ulp, Distance) {
  EXPECT_EQ(so::ulp_distance(1.0, 1.0), 0);
  EXPECT_EQ(so::ulp_distance(1.0, std::nextafter(1.0, 2.0)), 1);
  EXPECT_EQ(so::ulp_distance(std::nextafter(1.0, 0.0), 1.0), 1);
  EXPECT_EQ(so::ulp_distance(0.0, -0.0), 0);
  EXPECT_EQ(so::ulp_distance(0x1p-1074, -0x1p-1074), 2);
  EXPECT_EQ(so::ulp_distance(-0.0, 0x1p-1074), 1);
  EXPECT_EQ(so::ulp_distance(DBL_MAX, kInf), 1);
  EXPECT_EQ(so::ulp_distance(-kInf, -DBL_MAX), 1);
  EXPECT_EQ(so::ulp_distance(1.0, 2.0), std::int64_t{1} << 52);
  EXPECT_EQ(so::ulp_distance(kNaN, 1.0), kFar);
  EXPECT_EQ(so::ulp_distance(1.0, kNaN), kFar);
  EXPECT_EQ(so::ulp_distance(kNaN, kNaN), 0);
  EXPECT_EQ(so::ulp_distance(-kInf, kInf), kFar);  // 2 * 0x7FF0000000000000 saturates
  EXPECT_EQ(so::ulp_distance(-DBL_MAX, DBL_MAX), kFar);
}
