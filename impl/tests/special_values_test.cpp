// docs/definitions.md's special-value table, case by case, for the accurate functions.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "impl/softcheck.hpp"

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
using V = std::vector<double>;

V softmax(V x) {
  V y(x.size());
  softcheck::softmax(x, y);
  return y;
}
V log_softmax(V x) {
  V y(x.size());
  softcheck::log_softmax(x, y);
  return y;
}
bool all_nan(const V& v) {
  for (double e : v)
    if (!std::isnan(e)) return false;
  return !v.empty();
}

TEST(SpecialValues, Sigmoid) {
  EXPECT_EQ(softcheck::sigmoid(inf), 1.0);
  EXPECT_EQ(softcheck::sigmoid(-inf), 0.0);
  EXPECT_FALSE(std::signbit(softcheck::sigmoid(-inf)));
  EXPECT_TRUE(std::isnan(softcheck::sigmoid(nan)));
  EXPECT_EQ(softcheck::sigmoid(0.0), 0.5);
  EXPECT_EQ(softcheck::sigmoid(-0.0), 0.5);
  EXPECT_EQ(softcheck::sigmoid(1000.0), 1.0);
  EXPECT_EQ(softcheck::sigmoid(-1000.0), 0.0);
  EXPECT_EQ(softcheck::sigmoid(5e-324), 0.5);
}

TEST(SpecialValues, SigmoidIntoTheSubnormals) {
  // σ(x) ~ e^x for x < -709.78, where e^x is subnormal; the last nonzero σ is at x ~ -745.13.
  EXPECT_EQ(softcheck::sigmoid(-745.0), std::exp(-745.0));  // 2^-1074 (4.9e-324), both round the same
  EXPECT_GT(softcheck::sigmoid(-720.0), 0.0);
  EXPECT_LT(softcheck::sigmoid(-720.0), 0x1p-1022);
  EXPECT_EQ(softcheck::sigmoid(-746.0), 0.0);
}

TEST(SpecialValues, LogSigmoid) {
  EXPECT_EQ(softcheck::log_sigmoid(inf), 0.0);
  EXPECT_EQ(softcheck::log_sigmoid(-inf), -inf);
  EXPECT_TRUE(std::isnan(softcheck::log_sigmoid(nan)));
  EXPECT_EQ(softcheck::log_sigmoid(-1000.0), -1000.0);
  EXPECT_LT(softcheck::log_sigmoid(1000.0), 0.0 + 1e-300);
  EXPECT_EQ(softcheck::log_sigmoid(0.0), -0.6931471805599453);  // -log 2, correctly rounded
}

TEST(SpecialValues, Softmax) {
  EXPECT_EQ(softmax({-inf, 0.0}), (V{0.0, 1.0}));
  EXPECT_TRUE(all_nan(softmax({-inf, -inf})));
  EXPECT_EQ(softmax({inf, 3.0, -inf}), (V{1.0, 0.0, 0.0}));
  EXPECT_TRUE(all_nan(softmax({inf, inf, 1.0})));
  EXPECT_TRUE(all_nan(softmax({1.0, nan, 2.0})));
  EXPECT_EQ(softmax({1000.0, 1000.0}), (V{0.5, 0.5}));
  EXPECT_EQ(softmax({1e308, -1e308}), (V{1.0, 0.0}));
  EXPECT_EQ(softmax({42.0}), (V{1.0}));
  EXPECT_TRUE(softmax({}).empty());
}

TEST(SpecialValues, LogSoftmax) {
  EXPECT_EQ(log_softmax({-inf, 0.0}), (V{-inf, 0.0}));
  EXPECT_TRUE(all_nan(log_softmax({-inf, -inf})));
  EXPECT_EQ(log_softmax({inf, 3.0}), (V{0.0, -inf}));
  EXPECT_TRUE(all_nan(log_softmax({inf, inf})));
  EXPECT_TRUE(all_nan(log_softmax({nan, 0.0})));
  EXPECT_EQ(log_softmax({1e308, -1e308}), (V{0.0, -inf}));  // -2e308 is beyond DBL_MAX
  EXPECT_EQ(log_softmax({7.0}), (V{0.0}));
}

TEST(SpecialValues, Logsumexp) {
  EXPECT_EQ(softcheck::logsumexp(V{}), -inf);
  EXPECT_EQ(softcheck::logsumexp(V{-inf, -inf}), -inf);
  EXPECT_EQ(softcheck::logsumexp(V{inf, 1.0}), inf);
  EXPECT_EQ(softcheck::logsumexp(V{inf, -inf}), inf);
  EXPECT_TRUE(std::isnan(softcheck::logsumexp(V{inf, nan})));
  EXPECT_EQ(softcheck::logsumexp(V{0.0}), 0.0);
  // n copies of 709.7: the sum overflows, the result does not. 709.7 + log 4, correctly rounded.
  EXPECT_EQ(softcheck::logsumexp(V{709.7, 709.7, 709.7, 709.7}), 711.0862943611199);
  EXPECT_EQ(softcheck::logsumexp(V{1e308, 1e308}), 1e308);
}

TEST(SpecialValues, CrossEntropyIndex) {
  V g(3);
  EXPECT_EQ(softcheck::cross_entropy(V{-inf, 0.0, 1.0}, 0, g), inf);
  EXPECT_EQ(g[0], -1.0);
  EXPECT_EQ(softcheck::cross_entropy(V{inf, 0.0, 1.0}, 0, g), 0.0);
  EXPECT_EQ(g, (V{0.0, 0.0, 0.0}));
  EXPECT_EQ(softcheck::cross_entropy(V{inf, 0.0, 1.0}, 1, g), inf);
  EXPECT_EQ(g, (V{1.0, -1.0, 0.0}));
  EXPECT_TRUE(std::isnan(softcheck::cross_entropy(V{inf, inf, 1.0}, 1, g)));
  EXPECT_TRUE(all_nan(g));
  EXPECT_TRUE(std::isnan(softcheck::cross_entropy(V{nan, 0.0, 1.0}, 1, g)));
  EXPECT_EQ(softcheck::cross_entropy(V{1e308, -1e308}, 1), inf);  // 2e308 overflows
  EXPECT_EQ(softcheck::cross_entropy(V{1000.0, -1000.0, 0.0}, 0), 0.0);  // e^-1000 rounds to 0
}

TEST(SpecialValues, CrossEntropyDistribution) {
  V g(2);
  EXPECT_EQ(softcheck::cross_entropy(V{-inf, 0.0}, V{0.0, 1.0}, g), 0.0);  // t = 0 at -inf counts 0
  EXPECT_EQ(g, (V{0.0, 0.0}));
  EXPECT_EQ(softcheck::cross_entropy(V{-inf, 0.0}, V{0.5, 0.5}, g), inf);
  EXPECT_EQ(softcheck::cross_entropy(V{inf, 0.0}, V{1.0, 0.0}, g), 0.0);
  EXPECT_EQ(softcheck::cross_entropy(V{inf, 0.0}, V{0.25, 0.75}, g), inf);
  EXPECT_EQ(g, (V{0.75, -0.75}));
  EXPECT_TRUE(std::isnan(softcheck::cross_entropy(V{inf, inf}, V{0.5, 0.5}, g)));
  // Equal logits and a matching target: the gradient is exactly zero.
  EXPECT_EQ(softcheck::cross_entropy(V{3.0, 3.0}, V{0.5, 0.5}, g), 0.6931471805599453);
  EXPECT_EQ(g, (V{0.0, 0.0}));
}

TEST(SpecialValues, BceWithLogits) {
  double g = 0;
  EXPECT_EQ(softcheck::bce_with_logits(inf, 1.0, &g), 0.0);
  EXPECT_EQ(g, 0.0);
  EXPECT_EQ(softcheck::bce_with_logits(inf, 0.5, &g), inf);
  EXPECT_EQ(g, 0.5);
  EXPECT_EQ(softcheck::bce_with_logits(-inf, 0.0, &g), 0.0);
  EXPECT_EQ(g, 0.0);
  EXPECT_EQ(softcheck::bce_with_logits(-inf, 1.0, &g), inf);
  EXPECT_EQ(g, -1.0);
  EXPECT_TRUE(std::isnan(softcheck::bce_with_logits(nan, 0.5, &g)));
  EXPECT_TRUE(std::isnan(g));
  EXPECT_EQ(softcheck::bce_with_logits(0.0, 0.5, &g), 0.6931471805599453);
  EXPECT_EQ(g, 0.0);
  // σ(0) - 2^-55 is the midpoint of two doubles: ties to even gives 0.5.
  softcheck::bce_with_logits(0.0, 0x1p-55, &g);
  EXPECT_EQ(g, 0.5);
  softcheck::bce_with_logits(0.0, 0x1.8p-55, &g);  // 0.5 - 0.75 ulp: rounds down one ulp
  EXPECT_EQ(g, 0.5 - 0x1p-54);
  EXPECT_EQ(softcheck::bce_with_logits(1000.0, 1.0), 0.0);
  EXPECT_EQ(softcheck::bce_with_logits(-1000.0, 1.0), 1000.0);
}

}  // namespace
