// Exact and halfway values, where Ziv alone would never terminate: they must come out exactly.
#include <gtest/gtest.h>

#include <vector>

#include "oracle/oracle.hpp"
#include "oracle/ulp.hpp"

namespace so = softcheck::oracle;

TEST(Exact, SigmoidOfZero) {
  const so::Ref r = so::sigmoid(0);
  EXPECT_EQ(r.rounded, 0.5);
  EXPECT_TRUE(r.exact);
  EXPECT_FALSE(r.halfway);
  EXPECT_EQ(r.frac, 0.0);
  EXPECT_EQ(r.precision, 128);
  EXPECT_TRUE(so::sigmoid(-0.0).exact);
}

TEST(Exact, BceGradientAtZeroIsHalfMinusT) {
  so::Ref g;
  // 1/2 - 2^-55 is the midpoint of 1/2 - 2^-54 (odd) and 1/2 (even): ties to even gives 1/2.
  so::bce_with_logits(0, 0x1p-55, &g);
  EXPECT_EQ(g.rounded, 0.5);
  EXPECT_TRUE(g.halfway);
  EXPECT_FALSE(g.exact);
  EXPECT_EQ(g.frac, -0.5);
  EXPECT_EQ(so::ulp_error(0.5, g), 0.5);
  EXPECT_EQ(so::ulp_error(0.5 - 0x1p-54, g), 0.5);
  // 1/2 - 3 2^-55 is the midpoint of 1/2 - 2^-54 (odd) and 1/2 - 2^-53 (even): rounds down.
  so::bce_with_logits(0, 3 * 0x1p-55, &g);
  EXPECT_EQ(g.rounded, 0.5 - 0x1p-53);
  EXPECT_TRUE(g.halfway);
  EXPECT_EQ(g.frac, 0.5);
  // Exactly representable: 1/2 - 1/4, 1/2 - 1/2 = 0, 1/2 - 1.
  for (const double t : {0.25, 0.5, 1.0}) {
    so::bce_with_logits(0, t, &g);
    EXPECT_EQ(g.rounded, 0.5 - t);
    EXPECT_TRUE(g.exact) << t;
    EXPECT_FALSE(g.halfway);
  }
  // Not representable, not a midpoint: 1/2 - 2^-1074 rounds to 1/2, inexactly.
  so::bce_with_logits(0, 0x1p-1074, &g);
  EXPECT_EQ(g.rounded, 0.5);
  EXPECT_FALSE(g.exact);
  EXPECT_FALSE(g.halfway);
  EXPECT_LT(g.frac, 0.0);
  EXPECT_GE(g.frac, -0x1p-62);  // true frac -2^-1020, known to 2^-62
}

TEST(Exact, SoftmaxOfEqualEntries) {
  for (const double a : {0.0, -1000.0, 1e308, 0x1p-1074}) {
    for (const std::size_t n : {1u, 2u, 4u, 8u, 1024u}) {
      const auto r = so::softmax(std::vector<double>(n, a));
      EXPECT_EQ(r[0].rounded, 1.0 / static_cast<double>(n));
      EXPECT_TRUE(r[0].exact) << a << " " << n;
      EXPECT_EQ(r[0].precision, 128);
    }
    const auto r = so::softmax(std::vector<double>(3, a));
    EXPECT_EQ(r[1].rounded, 1.0 / 3.0);
    EXPECT_FALSE(r[1].exact);
  }
}

TEST(Exact, ZeroLogs) {
  EXPECT_TRUE(so::log_softmax(std::vector<double>{-4.75})[0].exact);
  EXPECT_EQ(so::log_softmax(std::vector<double>{-4.75})[0].rounded, 0.0);
  const so::Ref lse = so::logsumexp(std::vector<double>{0.0});
  EXPECT_TRUE(lse.exact);
  EXPECT_EQ(lse.rounded, 0.0);
  const so::Ref lse2 = so::logsumexp(std::vector<double>{0x1.8p-1070});
  EXPECT_TRUE(lse2.exact);
  EXPECT_EQ(lse2.rounded, 0x1.8p-1070);
}

TEST(Exact, CrossEntropyUniform) {
  std::vector<so::Ref> g(2);
  so::Vector v(std::vector<double>{5, 5});
  const so::Ref L = v.cross_entropy(0, g);
  EXPECT_EQ(L.rounded, 0.6931471805599453);
  EXPECT_FALSE(L.exact);
  EXPECT_EQ(g[0].rounded, -0.5);
  EXPECT_TRUE(g[0].exact);
  EXPECT_EQ(g[1].rounded, 0.5);
  EXPECT_TRUE(g[1].exact);
  // Distribution gradient (Σt)/k - t_i with all entries equal: exactly zero.
  std::vector<so::Ref> g3(3);
  v.assign(std::vector<double>{1, 1, 1});
  v.cross_entropy(std::vector<double>{1, 1, 1}, g3);
  for (const auto& r : g3) {
    EXPECT_EQ(r.rounded, 0.0);
    EXPECT_TRUE(r.exact);
  }
  v.cross_entropy(std::vector<double>{3, 0, 0.75}, g3);  // T = 3.75: 1.25 - t_i
  EXPECT_EQ(g3[0].rounded, -1.75);
  EXPECT_EQ(g3[1].rounded, 1.25);
  EXPECT_EQ(g3[2].rounded, 0.5);
  for (const auto& r : g3) EXPECT_TRUE(r.exact);
  // Midpoints: (t_1 - t_0)/2 = -1/4 + 2^-56 and (t_0 - t_1)/2 = 1/4 - 2^-56.
  v.assign(std::vector<double>{-7, -7});
  v.cross_entropy(std::vector<double>{0.5, 0x1p-55}, g);
  EXPECT_EQ(g[0].rounded, -0.25);
  EXPECT_TRUE(g[0].halfway);
  EXPECT_EQ(g[1].rounded, 0.25);
  EXPECT_TRUE(g[1].halfway);
  EXPECT_EQ(g[1].frac, -0.5);
  // With a -inf entry beside equal finite ones: p = 1/2 on the finite ones.
  v.assign(std::vector<double>{2, -std::numeric_limits<double>::infinity(), 2});
  v.cross_entropy(std::vector<double>{1, 0.5, 0.5}, g3);  // T = 2: 1 - t_i, -t_1
  EXPECT_EQ(g3[0].rounded, 0.0);
  EXPECT_TRUE(g3[0].exact);
  EXPECT_EQ(g3[1].rounded, -0.5);
  EXPECT_EQ(g3[2].rounded, 0.5);
  EXPECT_TRUE(g3[2].exact);
}
