// The seed's own examples: the accurate functions must give the correctly rounded values exactly.
#include <gtest/gtest.h>

#include <vector>

#include "impl/softcheck.hpp"

namespace {

TEST(Seed, SigmoidIsCorrectlyRounded) {
  // The seed printed values 1.06-1.31 ULP off; these are the correctly rounded ones.
  EXPECT_EQ(softcheck::sigmoid(2.0), 0.8807970779778824);
  EXPECT_EQ(softcheck::sigmoid(3.0), 0.9525741268224333);
  EXPECT_EQ(softcheck::sigmoid(5.0), 0.9933071490757152);
  EXPECT_EQ(softcheck::sigmoid(6.0), 0.9975273768433652);
}

TEST(Seed, SoftmaxIsCorrectlyRounded) {
  std::vector<double> x{2, 3, 5, 6}, y(4);
  softcheck::softmax(x, y);
  EXPECT_EQ(y[0], 0.012754781742087938);
  EXPECT_EQ(y[1], 0.03467109143547884);
  EXPECT_EQ(y[2], 0.25618663962790716);
  EXPECT_EQ(y[3], 0.696387487194526);
}

TEST(Seed, SoftmaxOfMinusThousandsIsOneThirdEach) {
  std::vector<double> x{-1000, -1000, -1000}, y(3);
  softcheck::softmax(x, y);
  for (double v : y) EXPECT_EQ(v, 1.0 / 3.0);
}

TEST(Seed, InPlaceSoftmaxMatchesOutOfPlace) {
  std::vector<double> x{2, 3, 5, 6}, y(4);
  softcheck::softmax(x, y);
  softcheck::softmax(x, x);
  EXPECT_EQ(x, y);
}

}  // namespace
