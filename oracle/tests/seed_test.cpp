// The seed's published numbers: correctly rounded sigmoid/softmax values and the 1.17-ULP sigmoid(2).
#include <gtest/gtest.h>

#include <vector>

#include "oracle/oracle.hpp"
#include "oracle/ulp.hpp"

namespace so = softcheck::oracle;

TEST(Seed, SigmoidCorrectlyRounded) {
  const double xs[] = {2, 3, 5, 6};
  const double want[] = {0.8807970779778824, 0.9525741268224333, 0.9933071490757152, 0.9975273768433652};
  for (int i = 0; i < 4; ++i) {
    const so::Ref r = so::sigmoid(xs[i]);
    EXPECT_EQ(r.rounded, want[i]) << "x = " << xs[i];
    EXPECT_TRUE(r.certain);
    EXPECT_FALSE(r.exact);
    EXPECT_LE(std::abs(r.frac), 0.5);
  }
}

TEST(Seed, SoftmaxCorrectlyRounded) {
  const std::vector<double> x = {2, 3, 5, 6};
  const double want[] = {0.012754781742087938, 0.03467109143547884, 0.25618663962790716, 0.696387487194526};
  const auto r = so::softmax(x);
  ASSERT_EQ(r.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(r[i].rounded, want[i]) << "i = " << i;
}

TEST(Seed, SoftmaxOfEqualLargeNegatives) {
  const std::vector<double> x = {-1000, -1000, -1000};
  for (const so::Ref& r : so::softmax(x)) {
    EXPECT_EQ(r.rounded, 1.0 / 3.0);
    EXPECT_FALSE(r.exact);
    EXPECT_FALSE(r.halfway);
  }
}

TEST(Seed, SeedSigmoidErrorIs117Ulp) {
  const double err = so::ulp_error(0.8807970779778823, so::sigmoid(2));
  EXPECT_NEAR(err, 1.17, 0.005) << err;
  EXPECT_LE(so::ulp_error(0.8807970779778824, so::sigmoid(2)), 0.5);
}
