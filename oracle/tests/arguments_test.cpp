// Invalid arguments throw std::invalid_argument naming the argument and the value.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "oracle/oracle.hpp"

namespace so = softcheck::oracle;

namespace {
template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::invalid_argument";
  return {};
}
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST(Arguments, CrossEntropyClass) {
  so::Vector v;
  EXPECT_NE(message_of([&] { v.cross_entropy(std::size_t{0}); }).find("x is empty"), std::string::npos);
  v.assign(std::vector<double>{1, 2, 3});
  const std::string m = message_of([&] { v.cross_entropy(std::size_t{5}); });
  EXPECT_NE(m.find("target class 5"), std::string::npos) << m;
  EXPECT_NE(m.find("size 3"), std::string::npos) << m;
  std::vector<so::Ref> g(2);
  const std::string mg = message_of([&] { v.cross_entropy(std::size_t{0}, g); });
  EXPECT_NE(mg.find("grad has size 2"), std::string::npos) << mg;
}

TEST(Arguments, CrossEntropyDistribution) {
  so::Vector v(std::vector<double>{1, 2});
  std::string m = message_of([&] { v.cross_entropy(std::vector<double>{1}); });
  EXPECT_NE(m.find("target has size 1"), std::string::npos) << m;
  m = message_of([&] { v.cross_entropy(std::vector<double>{0.5, -1}); });
  EXPECT_NE(m.find("target[1] = -1"), std::string::npos) << m;
  m = message_of([&] { v.cross_entropy(std::vector<double>{kNaN, 1}); });
  EXPECT_NE(m.find("target[0] = nan"), std::string::npos) << m;
  m = message_of([&] { v.cross_entropy(std::vector<double>{kInf, 1}); });
  EXPECT_NE(m.find("target[0] = inf"), std::string::npos) << m;
  so::Vector empty;
  m = message_of([&] { empty.cross_entropy(std::vector<double>{}); });
  EXPECT_NE(m.find("x is empty"), std::string::npos) << m;
  // -0 is a valid target.
  EXPECT_NO_THROW(v.cross_entropy(std::vector<double>{-0.0, 1}));
}

TEST(Arguments, Bce) {
  for (const double t : {-0.25, 1.5, kNaN, kInf, -kInf}) {
    const std::string m = message_of([&] { so::bce_with_logits(0.0, t); });
    EXPECT_NE(m.find("target t = "), std::string::npos) << m;
  }
  EXPECT_NE(message_of([&] { so::bce_with_logits(1.0, 1.5); }).find("1.5"), std::string::npos);
  EXPECT_NO_THROW(so::bce_with_logits(0.0, 0.0));
  EXPECT_NO_THROW(so::bce_with_logits(0.0, 1.0));
}

TEST(Arguments, OutputSizes) {
  so::Vector v(std::vector<double>{1, 2});
  std::vector<so::Ref> out(3);
  EXPECT_NE(message_of([&] { v.softmax(out); }).find("out has size 3"), std::string::npos);
  EXPECT_NE(message_of([&] { v.log_softmax(out); }).find("out has size 3"), std::string::npos);
}

TEST(Arguments, MovedFromVectorIsUsable) {
  so::Vector a(std::vector<double>{1, 2});
  so::Vector b(std::move(a));
  EXPECT_EQ(b.size(), 2u);
  a.assign(std::vector<double>{0, 0});  // NOLINT(bugprone-use-after-move): documented to work
  EXPECT_EQ(a.logsumexp().rounded, 0.6931471805599453);
}
