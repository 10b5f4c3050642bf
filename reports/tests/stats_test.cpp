// The statistics are exact and mergeable: sums independent of grouping, maxima with index tie-breaks,
// and the grading helper counting each category once.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "oracle/oracle.hpp"
#include "reports/functions.hpp"
#include "reports/stats.hpp"

namespace sr = softcheck::reports;

TEST(ExactSum, GroupingDoesNotMatter) {
  std::mt19937_64 rng(7);
  std::vector<double> v;
  for (int i = 0; i < 3000; ++i) {
    const double m = std::ldexp(static_cast<double>(rng() >> 11), -53);
    v.push_back(std::ldexp(m, static_cast<int>(rng() % 200) - 100));
  }
  v.push_back(std::numeric_limits<double>::denorm_min());
  v.push_back(std::numeric_limits<double>::max());
  v.push_back(1e16);
  sr::ExactSum all, left, right;
  for (double d : v) all.add(d);
  for (std::size_t i = v.size(); i-- > 0;) (i % 3 ? left : right).add(v[i]);
  left.merge(right);
  EXPECT_EQ(all, left);
  EXPECT_EQ(all.to_string(), left.to_string());
  EXPECT_EQ(all.value(), left.value());
  const auto back = sr::ExactSum::parse(all.to_string());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, all);
  EXPECT_FALSE(sr::ExactSum::parse("0x12"));
  EXPECT_FALSE(sr::ExactSum::parse("0xzzp-1152"));
}

TEST(ExactSum, SmallSumsAreExact) {
  sr::ExactSum s;
  s.add(0.5);
  s.add(0.25);
  s.add(0x1p-1074);
  EXPECT_EQ(s.value(), 0.75);
  EXPECT_EQ(sr::ExactSum().value(), 0.0);
}

namespace {
sr::Cell cell() {
  sr::Cell c;
  c.function = "sigmoid";
  c.regime = "uniform";
  c.implementation = "x";
  return c;
}
}  // namespace

TEST(Record, CountsEachCategory) {
  auto in = std::make_shared<sr::Input>();
  in->x = {2.0};
  const std::string regime = "uniform";
  const sr::SampleId id{&regime, 0, 5, in};
  const softcheck::oracle::Ref ref = softcheck::oracle::sigmoid(2.0);
  sr::Cell c = cell();
  sr::record(c, id, 0, ref.rounded, ref, 1.0);                                  // correctly rounded
  sr::record(c, id, 0, std::nextafter(ref.rounded, 0.0), ref, 1.0);             // 1 apart
  sr::record(c, id, 0, std::numeric_limits<double>::quiet_NaN(), ref, 1.0);     // NaN where finite due
  EXPECT_EQ(c.values, 3u);
  EXPECT_EQ(c.correctly_rounded, 1u);
  EXPECT_EQ(c.finite, 2u);
  EXPECT_EQ(c.nonfinite, 1u);
  ASSERT_TRUE(c.max_distance.value);
  EXPECT_EQ(*c.max_distance.value, 1);
  ASSERT_TRUE(c.max_ulp.value);
  EXPECT_GT(*c.max_ulp.value, 0.5);
  EXPECT_LT(*c.max_ulp.value, 1.5);
  ASSERT_TRUE(c.first_nonfinite);
  EXPECT_EQ(c.first_nonfinite->index, 5u);
  // The seed's own figure (docs/definitions.md): 0.8807970779778823 is 1.17 ULP from σ(2).
  sr::Cell seed = cell();
  sr::record(seed, id, 0, 0.8807970779778823, ref, 1.0);
  EXPECT_NEAR(*seed.max_ulp.value, 1.17, 0.01);
}

TEST(Record, TiesGoToTheEarlierSampleWhateverTheMergeOrder) {
  const std::string regime = "uniform";
  const softcheck::oracle::Ref ref = softcheck::oracle::sigmoid(2.0);
  auto make = [&](std::uint64_t index) {
    auto in = std::make_shared<sr::Input>();
    in->x = {static_cast<double>(index)};
    sr::Cell c = cell();
    sr::record(c, {&regime, 0, index, in}, 0, std::nextafter(ref.rounded, 1.0), ref, 0.0);
    return c;
  };
  sr::Cell a = make(3), b = make(9);
  sr::Cell ab = a, ba = b;
  ab.merge(b);
  ba.merge(a);
  EXPECT_EQ(ab.max_ulp.witness.index, 3u);
  EXPECT_EQ(ba.max_ulp.witness.index, 3u);
  EXPECT_EQ(ab.ulp_sum, ba.ulp_sum);
}

TEST(Condition, SigmoidMatchesANumericalDerivative) {
  for (double x : {-30.0, -2.0, -0.5, 0.3, 1.0, 5.0, 20.0}) {
    const double h = 1e-6 * std::fabs(x);
    const double s = 1 / (1 + std::exp(-x));
    const double d = (1 / (1 + std::exp(-(x + h))) - 1 / (1 + std::exp(-(x - h)))) / (2 * h);
    EXPECT_NEAR(softcheck::functions::condition::sigmoid(x), std::fabs(x * d / s), 1e-5 * (1 + softcheck::functions::condition::sigmoid(x))) << x;
  }
}

TEST(Condition, SoftmaxMatchesANumericalDerivative) {
  const std::vector<double> x{1.5, -0.25, 3.0, 0.75};
  auto softmax = [](std::vector<double> v) {
    double m = *std::max_element(v.begin(), v.end()), s = 0;
    for (double& e : v) s += (e = std::exp(e - m));
    for (double& e : v) e /= s;
    return v;
  };
  const auto p = softmax(x);
  const auto k = softcheck::functions::condition::softmax(x, p);
  for (std::size_t i = 0; i < x.size(); ++i) {
    // Σ_j |x_j ∂log p_i/∂x_j| by central differences
    double expect = 0;
    for (std::size_t j = 0; j < x.size(); ++j) {
      auto a = x, b = x;
      const double h = 1e-6;
      a[j] += h;
      b[j] -= h;
      expect += std::fabs(x[j] * (std::log(softmax(a)[i]) - std::log(softmax(b)[i])) / (2 * h));
    }
    EXPECT_NEAR(k[i], expect, 1e-6) << i;
  }
}
