// Ziv's strategy at work: precision rises exactly where a formula cancels, and the ceiling is never hit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

#include "oracle/oracle.hpp"
#include "support.hpp"

namespace so = softcheck::oracle;

TEST(Precision, RisesWhereTheFormulaCancels) {
  // logsumexp = m + log1p(s) with m = -1/2 and s = e^(b + 1/2), b = RN(log(1 - e^-1/2)): ~1e-17,
  // about 55 bits cancelled against an inexact s.
  const double b = std::log1p(-std::exp(-0.5));
  const so::Ref lse = so::logsumexp(std::vector<double>{-0.5, b});
  EXPECT_GT(lse.precision, 128);
  EXPECT_LT(std::fabs(lse.rounded), 1e-15);
  EXPECT_TRUE(lse.certain);
  // With exact s (ties: s = 1), the 64 guard bits of the sums and log1p (q = p + 64) absorb the same
  // cancellation at the first level: m = RN(-log 2) gives 2.3e-17.
  const so::Ref lse2 = so::logsumexp(std::vector<double>{-0.6931471805599453, -0.6931471805599453});
  EXPECT_EQ(lse2.rounded, 2.3190468138462996e-17);
  EXPECT_TRUE(lse2.certain);
  // σ(x) - t with t = RN(σ(x)): everything but the rounding error cancels.
  so::Ref g;
  so::bce_with_logits(2, 0.8807970779778824, &g);
  EXPECT_GT(g.precision, 128);
  EXPECT_EQ(g.rounded, 1.85451072410824608713916107390586557757984052500609766222883e-17);  // bc
  so::bce_with_logits(1e-10, 0.5, &g);
  EXPECT_GT(g.precision, 128);
  // (Σt) p_i - t_i with t_i = RN(p_i).
  so::Vector v(std::vector<double>{0, 1e-12});
  std::vector<so::Ref> p(2), gd(2);
  v.softmax(p);
  v.cross_entropy(std::vector<double>{p[0].rounded, p[1].rounded}, gd);
  EXPECT_GT(gd[0].precision, 128);
  EXPECT_TRUE(gd[0].certain);
}

TEST(Precision, NoRiseWhereTheFormulaAvoidsCancellation) {
  // -log1p(e^-700) for the dominant class; the target-class gradient -(others' share).
  so::Vector v(std::vector<double>{0, -700});
  std::vector<so::Ref> ls(2), g(2);
  v.log_softmax(ls);
  EXPECT_EQ(ls[0].precision, 128);
  EXPECT_EQ(ls[0].rounded, -9.859676543759771e-305);
  const so::Ref L = v.cross_entropy(std::size_t{0}, g);
  EXPECT_EQ(g[0].precision, 128);
  EXPECT_EQ(g[0].rounded, -9.859676543759771e-305);
  EXPECT_EQ(L.precision, 128);
  EXPECT_EQ(L.rounded, 9.859676543759771e-305);
  EXPECT_EQ(so::bce_with_logits(40, 1).precision, 128);
}

// v = M ± tiny around an exact midpoint M (tiny ~ e^-1e5): no precision separates v from M, the
// open-interval rule (v irrational) does, at the first levels.
TEST(Precision, MidpointAnchors) {
  const double m = 0x1p-37, far = -100000;  // x_1 - m = -100000 - 2^-37: a midpoint (ulp 2^-36)
  so::Vector v(std::vector<double>{m, far});
  std::vector<so::Ref> ls(2), g(2);
  v.log_softmax(ls);
  EXPECT_EQ(ls[1].rounded, -100000 - 0x1p-36);  // below the midpoint
  EXPECT_EQ(ls[1].frac, 0.5);
  EXPECT_FALSE(ls[1].halfway);
  EXPECT_LE(ls[1].precision, 256);
  const so::Ref L = v.cross_entropy(std::size_t{1}, g);
  EXPECT_EQ(L.rounded, 100000 + 0x1p-36);
  EXPECT_LE(L.precision, 256);
  // BCE: 1 - 2^-54 is a midpoint; σ(1e5) - 2^-54 lies just below it.
  so::Ref bg;
  so::Ref bl = so::bce_with_logits(1e5, 0x1p-54, &bg);
  EXPECT_EQ(bg.rounded, 1 - 0x1p-53);
  EXPECT_LE(bg.precision, 256);
  EXPECT_TRUE(bg.certain);
  // (1 - 2^-42) 1e5 = 100000 - 3125 2^-37 is a midpoint; the loss lies just above it.
  bl = so::bce_with_logits(1e5, 0x1p-42, &bg);
  EXPECT_EQ(bl.rounded, 100000 - 3124 * 0x1p-37);
  EXPECT_LE(bl.precision, 256);
  // Ties plus a far entry: (T - 2 t_i)/2 is a midpoint and the tail pulls the value off it.
  so::Vector w(std::vector<double>{0, 0, -1e5});
  std::vector<so::Ref> gd(3);
  w.cross_entropy(std::vector<double>{0.5, 0x1p-55, 0}, gd);
  EXPECT_EQ(gd[0].rounded, -0.25);
  EXPECT_EQ(gd[1].rounded, 0.25 - 0x1p-55);
  EXPECT_EQ(gd[1].frac, 0.5);
  for (const auto& r : gd) {
    EXPECT_TRUE(r.certain);
    EXPECT_FALSE(r.halfway);
    EXPECT_LE(r.precision, 256);
  }
}

// Hard cases from every regime plus built-to-cancel gradients: report the highest precision used
// and how many values hit the ceiling (none may).
TEST(Precision, CeilingNeverHit) {
  int values = 0, ceiling = 0, highest = 0, above_start = 0;
  auto count = [&](const so::Ref& r) {
    ++values;
    ceiling += r.certain ? 0 : 1;
    highest = std::max(highest, r.precision);
    above_start += r.precision > 128 ? 1 : 0;
  };
  so::Vector v;
  for (const auto& x : oracle_test::regimes(31, 60)) {
    const std::size_t n = x.size();
    v.assign(x);
    std::vector<so::Ref> p(n), ls(n), g(n), gd(n);
    v.softmax(p);
    v.log_softmax(ls);
    count(v.logsumexp());
    count(v.cross_entropy(n - 1, g));
    std::vector<double> t(n);
    for (std::size_t i = 0; i < n; ++i) t[i] = p[i].rounded;
    count(v.cross_entropy(t, gd));
    for (std::size_t i = 0; i < n; ++i) count(p[i]), count(ls[i]), count(g[i]), count(gd[i]);
    // logsumexp near zero: shift x by RN(-logsumexp).
    std::vector<double> shifted(x);
    const double lse = v.logsumexp().rounded;
    for (double& xi : shifted) xi -= lse;
    v.assign(shifted);
    count(v.logsumexp());
  }
  std::mt19937_64 rng(32);
  std::uniform_real_distribution<double> u(-750, 40);
  for (int k = 0; k < 500; ++k) {
    const double x = u(rng);
    const so::Ref s = so::sigmoid(x);
    count(s);
    count(so::log_sigmoid(x));
    so::Ref g;
    count(so::bce_with_logits(x, s.rounded, &g));  // σ(x) - RN(σ(x))
    count(g);
  }
  std::printf("[ oracle   ] %d values: %d decided above 128 bits, highest precision %d, ceiling hits %d\n",
              values, above_start, highest, ceiling);
  EXPECT_EQ(ceiling, 0);
  EXPECT_LE(highest, 1024);
}

TEST(Precision, ThreadsGiveIdenticalResults) {
  const auto inputs = oracle_test::regimes(33, 20);
  auto run = [&](std::vector<double>& out) {
    so::Vector v;
    for (const auto& x : inputs) {
      v.assign(x);
      std::vector<so::Ref> p(x.size()), g(x.size());
      v.softmax(p);
      const so::Ref L = v.cross_entropy(0, g);
      for (std::size_t i = 0; i < x.size(); ++i) out.insert(out.end(), {p[i].rounded, p[i].frac, g[i].frac});
      out.insert(out.end(), {L.rounded, L.frac, so::sigmoid(x[0]).frac, so::log_sigmoid(x[0]).frac});
    }
  };
  std::vector<double> serial, a, b;
  run(serial);
  std::thread ta([&] { run(a); }), tb([&] { run(b); });
  ta.join();
  tb.join();
  EXPECT_EQ(a, serial);
  EXPECT_EQ(b, serial);
}
