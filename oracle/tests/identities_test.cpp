// Identities the exact functions satisfy, checked at high precision on reproducible random inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "oracle/internal.hpp"
#include "oracle/oracle.hpp"
#include "support.hpp"

namespace so = softcheck::oracle;
using oracle_test::Mp;

TEST(Identities, SoftmaxEnclosuresSumToOne) {
  oracle_test::wide_exponents();
  for (const auto& x : oracle_test::regimes(11, 20)) {
    for (const int level : {0, 2}) {
      const auto enc = so::internal::softmax_enclosures(x, level);
      Mp lo(2000), hi(2000), w(64);
      mpfr_set_zero(lo.v, 1);
      mpfr_set_zero(hi.v, 1);
      for (const auto& e : enc) {
        mpfr_add(lo.v, lo.v, e.lo.backend().data(), MPFR_RNDD);
        mpfr_add(hi.v, hi.v, e.hi.backend().data(), MPFR_RNDU);
      }
      EXPECT_LE(mpfr_cmp_ui(lo.v, 1), 0);
      EXPECT_GE(mpfr_cmp_ui(hi.v, 1), 0);
      mpfr_sub(w.v, hi.v, lo.v, MPFR_RNDU);
      EXPECT_LT(mpfr_cmp_ui_2exp(w.v, 1, -100), 0) << "n = " << x.size() << " level " << level;
    }
  }
}

TEST(Identities, SoftmaxRefsSumToOne) {
  oracle_test::wide_exponents();
  so::Vector v;
  for (const auto& x : oracle_test::regimes(12, 20)) {
    v.assign(x);
    std::vector<so::Ref> p(x.size());
    v.softmax(p);
    Mp sum, term;
    mpfr_set_zero(sum.v, 1);
    for (const so::Ref& r : p) {
      oracle_test::reconstruct(r, term.v);
      mpfr_add(sum.v, sum.v, term.v, MPFR_RNDN);
    }
    mpfr_sub_ui(sum.v, sum.v, 1, MPFR_RNDN);
    EXPECT_TRUE(mpfr_zero_p(sum.v) || mpfr_get_exp(sum.v) < -100) << mpfr_get_d(sum.v, MPFR_RNDN);
  }
}

TEST(Identities, SoftmaxOfTwoIsSigmoid) {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> u(-40, 40);
  int checked = 0;
  for (int k = 0; k < 400; ++k) {
    const double a = u(rng), b = u(rng);
    const double d = a - b;
    if (a - d != b || b + d != a) continue;  // a - b exact in double
    const so::Ref s = so::sigmoid(d);
    const so::Ref p = so::softmax(std::vector<double>{a, b})[0];
    EXPECT_EQ(p.rounded, s.rounded) << a << " " << b;
    EXPECT_NEAR(p.frac, s.frac, 1e-15) << a << " " << b;
    ++checked;
  }
  EXPECT_GT(checked, 100);
  EXPECT_EQ(so::softmax(std::vector<double>{-745, 0})[0].rounded, so::sigmoid(-745).rounded);
  EXPECT_EQ(so::softmax(std::vector<double>{37, 0})[0].rounded, so::sigmoid(37).rounded);
}

TEST(Identities, LogSoftmaxIsLogOfSoftmaxAndXMinusLogsumexp) {
  oracle_test::wide_exponents();
  for (const auto& x : oracle_test::regimes(14, 10)) {
    const auto p = so::internal::softmax_enclosures(x, 0);
    const auto ls = so::internal::log_softmax_enclosures(x, 0);
    const auto lse = so::internal::logsumexp_enclosure(x, 0);
    for (std::size_t i = 0; i < x.size(); ++i) {
      Mp lo(300), hi(300);
      // log of the softmax enclosure must meet the log_softmax enclosure.
      mpfr_log(lo.v, p[i].lo.backend().data(), MPFR_RNDD);
      mpfr_log(hi.v, p[i].hi.backend().data(), MPFR_RNDU);
      EXPECT_LE(mpfr_cmp(lo.v, ls[i].hi.backend().data()), 0) << i;
      EXPECT_GE(mpfr_cmp(hi.v, ls[i].lo.backend().data()), 0) << i;
      // So must x_i - logsumexp.
      mpfr_d_sub(lo.v, x[i], lse.hi.backend().data(), MPFR_RNDD);
      mpfr_d_sub(hi.v, x[i], lse.lo.backend().data(), MPFR_RNDU);
      EXPECT_LE(mpfr_cmp(lo.v, ls[i].hi.backend().data()), 0) << i;
      EXPECT_GE(mpfr_cmp(hi.v, ls[i].lo.backend().data()), 0) << i;
    }
  }
}

TEST(Identities, CrossEntropyAgreesWithSoftmax) {
  oracle_test::wide_exponents();
  so::Vector v;
  std::mt19937_64 rng(15);
  for (const auto& x : oracle_test::regimes(15, 10)) {
    const std::size_t n = x.size(), k = rng() % n;
    v.assign(x);
    std::vector<so::Ref> p(n), ls(n), g(n), gd(n), g2(n);
    v.softmax(p);
    v.log_softmax(ls);
    const so::Ref L = v.cross_entropy(k, g);
    EXPECT_EQ(L.rounded, -ls[k].rounded);
    EXPECT_EQ(L.frac, -ls[k].frac);
    for (std::size_t i = 0; i < n; ++i) {
      if (i == k) continue;
      EXPECT_EQ(g[i].rounded, p[i].rounded);
      EXPECT_EQ(g[i].frac, p[i].frac);
    }
    // grad_k = p_k - 1 at high precision (the oracle never forms it that way).
    Mp a, b;
    oracle_test::reconstruct(g[k], a.v);
    oracle_test::reconstruct(p[k], b.v);
    mpfr_sub_ui(b.v, b.v, 1, MPFR_RNDN);
    mpfr_sub(a.v, a.v, b.v, MPFR_RNDN);
    EXPECT_TRUE(mpfr_zero_p(a.v) || mpfr_get_exp(a.v) < -100);
    // A one-hot target distribution is the class index; twice it doubles loss and gradient exactly.
    std::vector<double> t(n, 0.0);
    t[k] = 1;
    const so::Ref Ld = v.cross_entropy(t, gd);
    EXPECT_EQ(Ld.rounded, L.rounded);
    EXPECT_NEAR(Ld.frac, L.frac, 1e-15);
    t[k] = 2;
    const so::Ref L2 = v.cross_entropy(t, g2);
    if (std::fabs(L.rounded) >= 0x1p-1021) {  // scaling by 2 commutes with rounding above subnormals
      EXPECT_EQ(L2.rounded, 2 * L.rounded);
    }
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(gd[i].rounded, g[i].rounded) << i;
      EXPECT_NEAR(gd[i].frac, g[i].frac, 1e-15) << i;
      if (std::fabs(g[i].rounded) >= 0x1p-1021) {
        EXPECT_EQ(g2[i].rounded, 2 * g[i].rounded) << i;
      }
    }
  }
}

TEST(Identities, BceAgreesWithLogSigmoid) {
  oracle_test::wide_exponents();
  std::mt19937_64 rng(16);
  std::uniform_real_distribution<double> u(-750, 40);
  for (int k = 0; k < 300; ++k) {
    const double x = u(rng);
    so::Ref g1, g0;
    const so::Ref L1 = so::bce_with_logits(x, 1, &g1), L0 = so::bce_with_logits(x, 0, &g0);
    const so::Ref ls = so::log_sigmoid(x), lsm = so::log_sigmoid(-x);
    const so::Ref s = so::sigmoid(x), sm = so::sigmoid(-x);
    EXPECT_EQ(L1.rounded, -ls.rounded) << x;
    EXPECT_NEAR(L1.frac, -ls.frac, 1e-15) << x;
    EXPECT_EQ(L0.rounded, -lsm.rounded) << x;
    EXPECT_NEAR(L0.frac, -lsm.frac, 1e-15) << x;
    EXPECT_EQ(g0.rounded, s.rounded) << x;
    EXPECT_NEAR(g0.frac, s.frac, 1e-15) << x;
    EXPECT_EQ(g1.rounded, -sm.rounded) << x;  // σ(x) - 1 = -σ(-x)
    EXPECT_NEAR(g1.frac, -sm.frac, 1e-15) << x;
    // σ(x) + σ(-x) = 1.
    Mp a, b;
    oracle_test::reconstruct(s, a.v);
    oracle_test::reconstruct(sm, b.v);
    mpfr_add(a.v, a.v, b.v, MPFR_RNDN);
    mpfr_sub_ui(a.v, a.v, 1, MPFR_RNDN);
    EXPECT_TRUE(mpfr_zero_p(a.v) || mpfr_get_exp(a.v) < -100) << x;
  }
}
