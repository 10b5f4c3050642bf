// Invalid arguments are rejected with std::invalid_argument naming the argument and the value.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "impl/softcheck.hpp"
#include "impl/variants.hpp"

namespace {

using V = std::vector<double>;

template <class F>
std::string message_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(Arguments, MismatchedLengths) {
  V x{1, 2, 3}, y(2);
  EXPECT_NE(message_of([&] { softcheck::softmax(x, y); }).find("y has 2 elements but x has 3"), std::string::npos);
  EXPECT_THROW(softcheck::log_softmax(x, y), std::invalid_argument);
  EXPECT_THROW(softcheck::sigmoid(x, y), std::invalid_argument);
  EXPECT_THROW(softcheck::log_sigmoid(x, y), std::invalid_argument);
  EXPECT_THROW(softcheck::cross_entropy(x, 0, y), std::invalid_argument);
  EXPECT_THROW(softcheck::cross_entropy(x, V{0.5, 0.5}), std::invalid_argument);
}

TEST(Arguments, ClassIndex) {
  EXPECT_NE(message_of([] { softcheck::cross_entropy(V{1, 2}, 2); }).find("target class index 2"),
            std::string::npos);
  EXPECT_NE(message_of([] { softcheck::cross_entropy(V{}, 0); }).find("x is empty"), std::string::npos);
  EXPECT_THROW(softcheck::standard::cross_entropy(V{1, 2}, 5), std::invalid_argument);
  EXPECT_THROW(softcheck::naive::cross_entropy(V{1, 2}, 5), std::invalid_argument);
}

TEST(Arguments, DistributionTargets) {
  EXPECT_NE(message_of([] { softcheck::cross_entropy(V{1, 2}, V{-0.5, 1.5}); }).find("target[0] = -0.5"),
            std::string::npos);
  EXPECT_THROW(softcheck::cross_entropy(V{1, 2}, V{NAN, 1}), std::invalid_argument);
  EXPECT_THROW(softcheck::cross_entropy(V{1, 2}, V{INFINITY, 1}), std::invalid_argument);
  // Targets need not sum to one: the loss scales with them.
  EXPECT_EQ(softcheck::cross_entropy(V{0, 0}, V{2, 2}), 4 * 0.6931471805599453);
}

TEST(Arguments, BceTarget) {
  EXPECT_NE(message_of([] { softcheck::bce_with_logits(0.0, 1.5); }).find("target = 1.5"), std::string::npos);
  EXPECT_THROW(softcheck::bce_with_logits(0.0, -0.1), std::invalid_argument);
  EXPECT_THROW(softcheck::bce_with_logits(0.0, NAN), std::invalid_argument);
}

TEST(Arguments, EmptyInputs) {
  V e;
  EXPECT_NO_THROW(softcheck::softmax(e, e));
  EXPECT_EQ(softcheck::logsumexp(e), -INFINITY);
}

}  // namespace
