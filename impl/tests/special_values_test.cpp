// docs/definitions.md's special-value table (oracle/special_values.hpp) for the accurate functions, and
// the finite extremes around it: overflowing sums, subnormal results, halfway gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "impl/kernels.hpp"
#include "impl/softcheck.hpp"
#include "oracle/special_values.hpp"
#include "properties/functions.hpp"

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
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

// The shared table, through the accurate kernels' entries.
TEST(SpecialValues, TheTable) {
  namespace sp = softcheck::special;
  const softcheck::Kernels& k = softcheck::bundled_kernels("accurate");
  softcheck::functions::EntryOutput call;
  for (const sp::Case& c : sp::table()) {
    softcheck::inputs::Input in;
    in.x = c.x;
    in.target_class = c.k;
    in.target = c.t;
    if (c.entry == "bce_with_logits") in.bce_target = c.t.at(0), in.target.clear();
    softcheck::functions::call_entry(k, c.entry, in, !c.outputs.empty(), call);
    auto check = [&](double got, double want, const std::string& what) {
      if (want == sp::kAny) return;
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(got)) << what << " = " << got;
      } else {
        EXPECT_EQ(got, want) << what;
        if (c.sign && want == 0) {
          EXPECT_EQ(std::signbit(got), std::signbit(want)) << what << ": the sign of zero";
        }
      }
    };
    std::string what = std::string(c.entry) + "(";
    for (std::size_t i = 0; i < c.x.size(); ++i) what += (i ? ", " : "") + std::to_string(c.x[i]);
    what += ")";
    check(call.value, c.value, what);
    ASSERT_EQ(call.vector.size(), c.outputs.size()) << what;
    for (std::size_t i = 0; i < c.outputs.size(); ++i) check(call.vector[i], c.outputs[i], what + "[" + std::to_string(i) + "]");
  }
}

TEST(SpecialValues, Sigmoid) {
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
  EXPECT_EQ(softcheck::log_sigmoid(-1000.0), -1000.0);
  EXPECT_LT(softcheck::log_sigmoid(1000.0), 0.0 + 1e-300);
  EXPECT_EQ(softcheck::log_sigmoid(0.0), -0.6931471805599453);  // -log 2, correctly rounded
}

TEST(SpecialValues, Softmax) {
  EXPECT_EQ(softmax({1000.0, 1000.0}), (V{0.5, 0.5}));
  EXPECT_EQ(softmax({1e308, -1e308}), (V{1.0, 0.0}));
  EXPECT_TRUE(softmax({}).empty());
}

TEST(SpecialValues, LogSoftmax) {
  EXPECT_EQ(log_softmax({7.0}), (V{0.0}));
}

TEST(SpecialValues, Logsumexp) {
  // n copies of 709.7: the sum overflows, the result does not. 709.7 + log 4, correctly rounded.
  EXPECT_EQ(softcheck::logsumexp(V{709.7, 709.7, 709.7, 709.7}), 711.0862943611199);
  EXPECT_EQ(softcheck::logsumexp(V{1e308, 1e308}), 1e308);
}

TEST(SpecialValues, CrossEntropyIndex) {
  EXPECT_EQ(softcheck::cross_entropy(V{1e308, -1e308}, 1), inf);  // 2e308 overflows
  EXPECT_EQ(softcheck::cross_entropy(V{1000.0, -1000.0, 0.0}, 0), 0.0);  // e^-1000 rounds to 0
}

TEST(SpecialValues, CrossEntropyDistribution) {
  V g(2);
  // Equal logits and a matching target: the gradient is exactly zero.
  EXPECT_EQ(softcheck::cross_entropy(V{3.0, 3.0}, V{0.5, 0.5}, g), 0.6931471805599453);
  EXPECT_EQ(g, (V{0.0, 0.0}));
}

TEST(SpecialValues, BceWithLogits) {
  double g = 0;
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
