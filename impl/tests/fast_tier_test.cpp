// Tier 0 (impl/fast.hpp) on every Highway target this CPU runs: its table and its terms against MPFR,
// its sums within their stated bounds, the same bits on every target, and the public functions (which
// try tier 0 first) correctly rounded against the oracle, in place too.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <random>
#include <span>
#include <vector>

#include "impl/fast.hpp"
#include "impl/fast_tables.hpp"
#include "impl/vector_core.hpp"
#include "impl/softcheck.hpp"
#include "oracle/oracle.hpp"

namespace table {
#include "impl/exp2_512.inc"
#include "impl/log1p_256.inc"
}

namespace {

namespace fast = softcheck::detail::fast;
namespace oracle = softcheck::oracle;

// Runs body once per target (forced), then restores the default choice.
template <class Body>
void for_each_target(Body&& body) {
  auto targets = fast::targets();
  ASSERT_FALSE(targets.empty());
  for (std::int64_t t : targets) {
    fast::force_target(t);
    SCOPED_TRACE(fast::target_name(t));
    body(t);
  }
  fast::force_target(0);
}

// |(hi + lo) - e^(x - m)| / e^(x - m), in MPFR at 300 bits.
double term_error(double x, double m, double hi, double lo) {
  mpfr_t e, v, t;
  mpfr_inits2(300, e, v, t, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_d(e, x, MPFR_RNDN);
  mpfr_sub_d(e, e, m, MPFR_RNDN);  // exact at 300 bits for the magnitudes here
  mpfr_exp(e, e, MPFR_RNDN);
  mpfr_set_d(v, hi, MPFR_RNDN);
  mpfr_add_d(v, v, lo, MPFR_RNDN);
  mpfr_sub(t, v, e, MPFR_RNDN);
  mpfr_div(t, t, e, MPFR_RNDN);
  double r = std::fabs(mpfr_get_d(t, MPFR_RNDN));
  mpfr_clears(e, v, t, static_cast<mpfr_ptr>(nullptr));
  return r;
}

TEST(FastTier, EveryTargetIsTested) {
  // The CPU running the tests has at least the portable target; x86-64 adds SSE4 (and AVX2, AVX-512 where
  // present). Printed for the log.
  auto targets = fast::targets();
  std::string names;
  for (auto t : targets) names += fast::target_name(t) + " ";
  std::printf("tier-0 targets on this CPU: %s\n", names.c_str());
  EXPECT_GE(targets.size(), 2u);
}

TEST(FastTier, TermsAreWithinTheirBound) {
  // x - m over [-600, 0] at every scale, with m such that x - m is inexact in double (the low part counts).
  std::mt19937_64 g(5);
  const double ms[] = {0.0, 123.456789, -0.3, 599.5};
  std::vector<double> x(4096), hi(x.size()), lo(x.size());
  for_each_target([&](std::int64_t) {
    double worst = 0;
    for (double m : ms) {
      for (int rep = 0; rep < 6; ++rep) {
        for (double& v : x) {
          double scale = std::ldexp(1.0, -static_cast<int>(g() % 60));
          double d = -600.0 * scale * static_cast<double>(g() >> 11) * 0x1p-53;
          v = m + d;
          if (v - m < -600) v = m - 599.0;
        }
        fast::exp_terms(x.data(), x.size(), m, x.size(), x.size(), hi.data(), lo.data());
        for (std::size_t i = 0; i < x.size(); ++i) {
          double err = term_error(x[i], m, hi[i], lo[i]);
          worst = std::max(worst, err);
          ASSERT_LT(err, fast::kTermErr) << "x = " << x[i] << ", m = " << m;
        }
      }
    }
    std::printf("largest term error: 2^%.2f (bound 2^-84.5)\n", std::log2(worst));
  });
}

TEST(FastTier, TableIsExact) {
  // Every entry of the table tier 0 reads, against 2^(j/512) in MPFR: within 2^-107 relative.
  mpfr_t v, t;
  mpfr_inits2(400, v, t, static_cast<mpfr_ptr>(nullptr));
  for (int j = 0; j < 512; ++j) {
    mpfr_set_si(v, j, MPFR_RNDN);
    mpfr_div_ui(v, v, 512, MPFR_RNDN);
    mpfr_exp2(v, v, MPFR_RNDN);
    mpfr_set_d(t, table::kExp2_512[j][0], MPFR_RNDN);
    mpfr_add_d(t, t, table::kExp2_512[j][1], MPFR_RNDN);
    mpfr_sub(t, t, v, MPFR_RNDN);
    mpfr_div(t, t, v, MPFR_RNDN);
    EXPECT_LE(std::fabs(mpfr_get_d(t, MPFR_RNDN)), 0x1p-107) << "j = " << j;
    EXPECT_LE(std::fabs(table::kExp2_512[j][1]), std::ldexp(table::kExp2_512[j][0], -53)) << "j = " << j;
    // The product 2^(a/16) 2^(b/512) (j = 32a + b) that ExpDD uses: within 2^-102.6 (Exp2Frac's bound).
    const double* p = fast::kExpSplit.prod[j];
    mpfr_set_d(t, p[0], MPFR_RNDN);
    mpfr_add_d(t, t, p[1], MPFR_RNDN);
    mpfr_sub(t, t, v, MPFR_RNDN);
    mpfr_div(t, t, v, MPFR_RNDN);
    EXPECT_LE(std::fabs(mpfr_get_d(t, MPFR_RNDN)), 0x1.4p-103) << "product, j = " << j;
    EXPECT_LE(std::fabs(p[1]), std::ldexp(p[0], -51)) << "product, j = " << j;
  }
  // 1/(1 + i/256) and log1p(i/256), likewise.
  for (int i = 0; i <= 256; ++i) {
    for (int which = 0; which < 2; ++which) {
      mpfr_set_ui(v, static_cast<unsigned>(i), MPFR_RNDN);
      mpfr_div_ui(v, v, 256, MPFR_RNDN);
      if (which == 0) {
        mpfr_add_ui(v, v, 1, MPFR_RNDN);
        mpfr_ui_div(v, 1, v, MPFR_RNDN);
      } else {
        mpfr_log1p(v, v, MPFR_RNDN);
      }
      const double* e = &table::kLog1p256[i][2 * which];
      mpfr_set_d(t, e[0], MPFR_RNDN);
      mpfr_add_d(t, t, e[1], MPFR_RNDN);
      mpfr_sub(t, t, v, MPFR_RNDN);
      if (i > 0 || which == 0) mpfr_div(t, t, v, MPFR_RNDN);
      EXPECT_LE(std::fabs(mpfr_get_d(t, MPFR_RNDN)), 0x1p-107) << "i = " << i << ", column " << which;
    }
  }
  mpfr_clears(v, t, static_cast<mpfr_ptr>(nullptr));
}

TEST(FastTier, SumsAreWithinTheirBound) {
  std::mt19937_64 g(6);
  for_each_target([&](std::int64_t) {
    for (int rep = 0; rep < 60; ++rep) {
      std::size_t n = 1 + g() % 5000;
      std::vector<double> x(n), hi(n), lo(n);
      double spread = rep % 3 == 0 ? 1.0 : rep % 3 == 1 ? 30.0 : 700.0;
      for (double& v : x) v = -spread * static_cast<double>(g() >> 11) * 0x1p-53;
      fast::Sum s = fast::exp_terms(x.data(), n, 0.0, n, n, hi.data(), lo.data());
      mpfr_t acc, t;
      mpfr_inits2(400, acc, t, static_cast<mpfr_ptr>(nullptr));
      mpfr_set_zero(acc, 1);
      for (double v : x) {
        mpfr_set_d(t, v, MPFR_RNDN);
        mpfr_exp(t, t, MPFR_RNDN);
        mpfr_add(acc, acc, t, MPFR_RNDN);
      }
      mpfr_set_d(t, s.value.hi, MPFR_RNDN);
      mpfr_add_d(t, t, s.value.lo, MPFR_RNDN);
      mpfr_sub(t, t, acc, MPFR_RNDN);
      mpfr_abs(t, t, MPFR_RNDN);
      double abs_err = mpfr_get_d(t, MPFR_RNDU);
      double bound = s.rel_err * mpfr_get_d(acc, MPFR_RNDD) + s.dropped;
      mpfr_clears(acc, t, static_cast<mpfr_ptr>(nullptr));
      ASSERT_LE(abs_err, bound) << "n = " << n << ", spread " << spread;
    }
  });
}

std::vector<double> random_vector(std::mt19937_64& g) {
  std::size_t n = 1 + (g() % 4 == 0 ? g() % 3000 : g() % 40);
  std::vector<double> x(n);
  const double spread[] = {1e-300, 1e-9, 1, 30, 700, 1e300};
  const double s = spread[g() % 6];
  const double c = g() % 2 ? 0.0 : s * 5 * (static_cast<double>(g() >> 11) * 0x1p-53 - 0.5);
  for (double& v : x) v = c + s * (static_cast<double>(g() >> 11) * 0x1p-52 - 1);
  if (g() % 4 == 0) x[g() % n] = -HUGE_VAL;
  if (g() % 3 == 0) x[g() % n] = x[0];
  if (g() % 5 == 0) x[g() % n] = x[0] - 620;  // between e^-746 and e^-600
  return x;
}

TEST(FastTier, DistLossSumsAreWithinTheirBound) {
  // The distribution cross-entropy's sums A = sum t_i (m - x_i) and T = sum t_i against MPFR, with t
  // from subnormal to 2^900 and x over wide spreads, and the cases it must refuse (ok = false).
  std::mt19937_64 g(16);
  mpfr_t acc, tt, v, w;
  mpfr_inits2(2400, acc, tt, v, w, static_cast<mpfr_ptr>(nullptr));
  for_each_target([&](std::int64_t) {
    int refused = 0, checked = 0;
    for (int rep = 0; rep < 300; ++rep) {
      std::vector<double> x = random_vector(g), t(x.size());
      for (double& e : x)
        if (std::isinf(e)) e = x[0];  // no -inf here: those cases below
      const double m = *std::max_element(x.begin(), x.end());
      const int scale = rep % 4 == 0 ? -1070 : rep % 4 == 1 ? -20 : rep % 4 == 2 ? 0 : 900;
      for (double& e : t) e = g() % 3 == 0 ? 0.0 : std::ldexp(static_cast<double>(g() >> 11) * 0x1p-53, scale);
      const int kind = rep % 10;  // 7: a -inf under t > 0; 8: t = 2^995; 9: m - x_i = 2^1000
      if (kind == 7) x[g() % x.size()] = -HUGE_VAL, std::fill(t.begin(), t.end(), 0.5);
      if (kind == 8) t[g() % t.size()] = 0x1p995;
      if (kind == 9) x.push_back(m - 0x1p1000), t.push_back(1.0);
      fast::DistLoss r = fast::dist_loss(x.data(), t.data(), x.size(), m);
      bool refuse = false;  // what dist_loss promises to refuse
      for (std::size_t i = 0; i < x.size(); ++i)
        if (t[i] > 0 && !(std::fabs(m - x[i]) < 0x1p995 && t[i] < 0x1p995)) refuse = true;
      if (kind >= 7) {
        ASSERT_TRUE(refuse) << "kind " << kind;
      }
      if (refuse) {
        ASSERT_FALSE(r.ok) << "kind " << kind;
        ++refused;
        continue;
      }
      mpfr_set_zero(acc, 1);
      mpfr_set_zero(tt, 1);
      for (std::size_t i = 0; i < x.size(); ++i) {
        mpfr_add_d(tt, tt, t[i], MPFR_RNDN);
        if (t[i] == 0) continue;
        mpfr_set_d(v, m, MPFR_RNDN);
        mpfr_sub_d(v, v, x[i], MPFR_RNDN);
        mpfr_mul_d(v, v, t[i], MPFR_RNDN);
        mpfr_add(acc, acc, v, MPFR_RNDN);
      }
      if (mpfr_cmp_d(acc, 0x1p1020) >= 0) continue;  // near or beyond overflow: refusing is allowed
      ASSERT_TRUE(r.ok) << "n = " << x.size();
      mpfr_set_d(w, r.a.hi, MPFR_RNDN);
      mpfr_add_d(w, w, r.a.lo, MPFR_RNDN);
      mpfr_sub(w, w, acc, MPFR_RNDN);
      mpfr_abs(w, w, MPFR_RNDN);
      ASSERT_LE(mpfr_get_d(w, MPFR_RNDU), r.a_err * mpfr_get_d(acc, MPFR_RNDD) + r.a_abs) << "n = " << x.size();
      mpfr_set_d(w, r.t.hi, MPFR_RNDN);
      mpfr_add_d(w, w, r.t.lo, MPFR_RNDN);
      mpfr_sub(w, w, tt, MPFR_RNDN);
      mpfr_abs(w, w, MPFR_RNDN);
      ASSERT_LE(mpfr_get_d(w, MPFR_RNDU), r.t_err * mpfr_get_d(tt, MPFR_RNDD)) << "n = " << x.size();
      ++checked;
    }
    EXPECT_GE(refused, 90);
    EXPECT_GE(checked, 150);
  });
  mpfr_clears(acc, tt, v, w, static_cast<mpfr_ptr>(nullptr));
}


// Equal as docs/definitions.md counts it (signed zeros compare equal), NaN matching NaN.
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(FastTier, PublicFunctionsAreCorrectlyRoundedOnEveryTarget) {
  for_each_target([&](std::int64_t) {
    std::mt19937_64 g(7);
    oracle::Vector ov;
    for (int rep = 0; rep < 60; ++rep) {
      std::vector<double> x = random_vector(g);
      const std::size_t n = x.size();
      ov.assign(x);
      std::vector<oracle::Ref> ref(n), rgrad(n);
      std::vector<double> y(n), in_place;

      ov.softmax(ref);
      softcheck::softmax(x, y);
      in_place = x;
      softcheck::softmax(in_place, in_place);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(same(y[i], ref[i].rounded)) << "softmax, rep " << rep << ", i = " << i;
        ASSERT_TRUE(same(in_place[i], y[i])) << "softmax in place, rep " << rep;
      }
      ov.log_softmax(ref);
      softcheck::log_softmax(x, y);
      in_place = x;
      softcheck::log_softmax(in_place, in_place);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(same(y[i], ref[i].rounded)) << "log_softmax, rep " << rep << ", i = " << i << ", n = " << n << std::hexfloat << ": x_i = " << x[i] << ", got " << y[i] << ", want " << ref[i].rounded;
        ASSERT_TRUE(same(in_place[i], y[i])) << "log_softmax in place, rep " << rep;
      }
      ASSERT_TRUE(same(softcheck::logsumexp(x), ov.logsumexp().rounded)) << "logsumexp, rep " << rep;
      std::size_t k = g() % n;
      oracle::Ref rl = ov.cross_entropy(k, rgrad);
      double loss = softcheck::cross_entropy(x, k, y);
      ASSERT_TRUE(same(loss, rl.rounded)) << "cross_entropy loss, rep " << rep;
      in_place = x;
      ASSERT_TRUE(same(softcheck::cross_entropy(in_place, k, in_place), loss)) << "rep " << rep;
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(same(y[i], rgrad[i].rounded)) << "cross_entropy grad, rep " << rep << ", i = " << i;
        ASSERT_TRUE(same(in_place[i], y[i])) << "cross_entropy grad in place, rep " << rep;
      }
      softcheck::sigmoid(x, y);
      for (std::size_t i = 0; i < n; ++i)
        ASSERT_TRUE(same(y[i], oracle::sigmoid(x[i]).rounded)) << "sigmoid(" << x[i] << ")";
      softcheck::log_sigmoid(x, y);
      for (std::size_t i = 0; i < n; ++i)
        ASSERT_TRUE(same(y[i], oracle::log_sigmoid(x[i]).rounded)) << "log_sigmoid(" << x[i] << ")";
    }
  });
}

TEST(FastTier, MaxScanFindsTheFirstMaximum) {
  // Tier 0 skips the first maximum's term by its index: lengths 0 to 40 (whole vectors and tails), the
  // maximum repeated at random places (across lanes and in the tail), -inf and NaN among the values.
  std::mt19937_64 g(15);
  for_each_target([&](std::int64_t) {
    for (int rep = 0; rep < 3000; ++rep) {
      std::vector<double> x(g() % 41);
      for (double& v : x) v = static_cast<double>(g() % 7) - 3;  // few values: many ties
      if (!x.empty() && g() % 4 == 0) x[g() % x.size()] = -HUGE_VAL;
      const bool with_nan = !x.empty() && g() % 8 == 0;
      if (with_nan) x[g() % x.size()] = std::nan("");
      fast::MaxScan ms = fast::max_scan(x.data(), x.size());
      ASSERT_EQ(ms.nan, with_nan);
      if (with_nan) continue;
      if (x.empty()) {
        EXPECT_EQ(ms.first, 0u);
        continue;
      }
      const std::size_t want = static_cast<std::size_t>(std::max_element(x.begin(), x.end()) - x.begin());
      ASSERT_EQ(ms.max, x[want]) << "n = " << x.size();
      ASSERT_EQ(ms.first, want) << "n = " << x.size();
    }
  });
}

TEST(FastTier, SameTermsOnEveryTarget) {
  std::mt19937_64 g(8);
  std::vector<double> x(10007);
  for (double& v : x) {  // one draw per statement: operand order is unspecified (GCC and Clang differ)
    const double u = static_cast<double>(g() >> 11) * 0x1p-53;
    v = -700.0 * u * std::ldexp(1.0, -static_cast<int>(g() % 40));
  }
  std::vector<double> hi0, lo0;
  for_each_target([&](std::int64_t) {
    std::vector<double> hi(x.size()), lo(x.size());
    fast::exp_terms(x.data(), x.size(), 0.25, x.size(), x.size(), hi.data(), lo.data());
    if (hi0.empty()) {
      hi0 = hi, lo0 = lo;
      return;
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_TRUE(same_bits(hi[i], hi0[i]) && same_bits(lo[i], lo0[i])) << "x = " << x[i];
    }
  });
}

}  // namespace

namespace {

TEST(FastTier, SameResultsOnEveryTarget) {
  // Bit for bit (signed zeros included): every public result, every target, against the first.
  std::vector<std::vector<double>> first;
  for_each_target([&](std::int64_t) {
    std::mt19937_64 g(9);
    std::vector<std::vector<double>> got;
    for (int rep = 0; rep < 80; ++rep) {
      std::vector<double> x = random_vector(g), y(x.size());
      std::vector<double> all;
      softcheck::softmax(x, y);
      all.insert(all.end(), y.begin(), y.end());
      softcheck::log_softmax(x, y);
      all.insert(all.end(), y.begin(), y.end());
      all.push_back(softcheck::logsumexp(x));
      all.push_back(softcheck::cross_entropy(x, rep % x.size(), y));
      all.insert(all.end(), y.begin(), y.end());
      softcheck::sigmoid(x, y);
      all.insert(all.end(), y.begin(), y.end());
      softcheck::log_sigmoid(x, y);
      all.insert(all.end(), y.begin(), y.end());
      got.push_back(std::move(all));
    }
    if (first.empty()) {
      first = std::move(got);
      return;
    }
    for (std::size_t r = 0; r < got.size(); ++r)
      for (std::size_t i = 0; i < got[r].size(); ++i)
        ASSERT_TRUE(same_bits(got[r][i], first[r][i]) || (std::isnan(got[r][i]) && std::isnan(first[r][i])))
            << "vector " << r << ", value " << i;
  });
}

}  // namespace

namespace {

// The element-wise kernels over [-600, 600] at every scale: every result tier 0 returns is correctly
// rounded, and tier 0 proves nearly all of them (the rest go to `precise`, counted): a bound far looser
// than the one stated would show as a high count, a wrong one as a wrong value.
int g_precise_calls = 0;
double count_sigmoid(double v) { return ++g_precise_calls, softcheck::sigmoid(v); }
double count_log_sigmoid(double v) { return ++g_precise_calls, softcheck::log_sigmoid(v); }

TEST(FastTier, ElementwiseKernelsProveNearlyEverything) {
  std::mt19937_64 g(10);
  std::vector<double> x(20000), y(x.size());
  for (double& v : x) {
    const double u = static_cast<double>(g() >> 11) * 0x1p-53;  // one draw per statement (operand order)
    double mag = 600.0 * u * std::ldexp(1.0, -static_cast<int>(g() % 50));
    v = g() % 2 ? mag : -mag;
  }
  struct Case {
    const char* name;
    void (*kernel)(const double*, std::size_t, double*, double (*)(double));
    double (*precise)(double);
    softcheck::oracle::Ref (*ref)(double);
  };
  const Case cases[] = {{"sigmoid", fast::sigmoid, count_sigmoid, oracle::sigmoid},
                        {"log_sigmoid", fast::log_sigmoid, count_log_sigmoid, oracle::log_sigmoid}};
  for_each_target([&](std::int64_t) {
    for (const Case& c : cases) {
      g_precise_calls = 0;
      c.kernel(x.data(), x.size(), y.data(), c.precise);
      for (std::size_t i = 0; i < x.size(); ++i)
        ASSERT_TRUE(same(y[i], c.ref(x[i]).rounded)) << c.name << "(" << std::hexfloat << x[i] << ")";
      EXPECT_LE(g_precise_calls, 2) << c.name << ": tier 0 left " << g_precise_calls << " of " << x.size();
    }
  });
}

}  // namespace

namespace {

TEST(FastTier, Log1pIsWithinItsBound) {
  // s from 2^-900 to 2^40, with a low part, against MPFR: relative error < kLog1pErr on every target.
  std::mt19937_64 g(12);
  std::vector<softcheck::detail::dd> s(20000);
  for (auto& v : s) {
    const int e = static_cast<int>(g() % 941) - 900;  // one draw per statement (argument order)
    double hi = std::ldexp(1.0 + static_cast<double>(g() >> 11) * 0x1p-53, e);
    if (g() % 8 == 0) hi = std::ldexp(1.0, static_cast<int>(g() % 40));  // powers of two: 1 + s near 2^k
    double lo = std::ldexp(hi, -54) * (static_cast<double>(g() >> 11) * 0x1p-52 - 1);
    v = softcheck::detail::fast_two_sum(hi, lo);
  }
  // And (0, 1], where the table levels are chosen (steps of 1/16 and 1/256 apart, AVX-512, or 1/256):
  // uniform, and each table point i/256 to within a few ulps either side, with a low part of either sign.
  for (int k = 0; k < 20000; ++k) {
    const double lo = std::ldexp(static_cast<double>(g() >> 11) * 0x1p-53 - 0.5, -106);
    s.push_back(softcheck::detail::fast_two_sum(static_cast<double>((g() >> 11) + 1) * 0x1p-53, lo));
  }
  for (int i = 1; i <= 256; ++i)
    for (int ulps = -3; ulps <= 3; ++ulps)
      for (double lo : {-0x1p-60, 0.0, 0x1p-60}) {
        double hi = i / 256.0 + ulps * std::ldexp(1.0, std::ilogb(i / 256.0) - 52);
        if (hi > 0 && hi <= 1) s.push_back(softcheck::detail::fast_two_sum(hi, std::ldexp(lo, std::ilogb(hi))));
      }
  mpfr_t e, t;
  mpfr_inits2(300, e, t, static_cast<mpfr_ptr>(nullptr));
  for_each_target([&](std::int64_t) {
    double worst = 0;
    for (const auto& v : s) {
      softcheck::detail::dd l = fast::log1p(v);
      mpfr_set_d(e, v.hi, MPFR_RNDN);
      mpfr_add_d(e, e, v.lo, MPFR_RNDN);
      mpfr_log1p(e, e, MPFR_RNDN);
      mpfr_set_d(t, l.hi, MPFR_RNDN);
      mpfr_add_d(t, t, l.lo, MPFR_RNDN);
      mpfr_sub(t, t, e, MPFR_RNDN);
      mpfr_div(t, t, e, MPFR_RNDN);
      double err = std::fabs(mpfr_get_d(t, MPFR_RNDN));
      worst = std::max(worst, err);
      ASSERT_LT(err, fast::kLog1pErr) << std::hexfloat << "s = " << v.hi << " + " << v.lo;
    }
    std::printf("largest log1p error: 2^%.2f (bound 2^-85)\n", std::log2(worst));
  });
  mpfr_clears(e, t, static_cast<mpfr_ptr>(nullptr));
}

}  // namespace

namespace {

TEST(FastTier, BceIsCorrectlyRoundedOnEveryTarget) {
  // Loss and gradient against the oracle (x at every scale below 600, t random, 0, 1/2 and 1), and tier 0
  // proving nearly all of them itself.
  std::mt19937_64 g(13);
  std::vector<std::pair<double, double>> xt(4000);
  for (auto& [x, t] : xt) {
    const double u = static_cast<double>(g() >> 11) * 0x1p-53;  // one draw per statement (operand order)
    double mag = 600.0 * u * std::ldexp(1.0, -static_cast<int>(g() % 50));
    x = g() % 2 ? mag : -mag;
    const double fixed[] = {0.0, 0.5, 1.0};
    const double v = static_cast<double>(g() >> 11) * 0x1p-53;
    t = g() % 4 == 0 ? fixed[g() % 3] : g() % 2 ? v : v / 3;  // v/3: 1 - t not a double
  }
  for_each_target([&](std::int64_t) {
    int unproven = 0, unexpected = 0;
    for (auto [x, t] : xt) {
      oracle::Ref rg;
      oracle::Ref rl = oracle::bce_with_logits(x, t, &rg);
      double grad;
      double loss = softcheck::bce_with_logits(x, t, &grad);
      ASSERT_TRUE(same(loss, rl.rounded)) << std::hexfloat << "loss at x = " << x << ", t = " << t;
      ASSERT_TRUE(same(grad, rg.rounded)) << std::hexfloat << "grad at x = " << x << ", t = " << t;
      double l0, g0;
      // Expected to go on: t = 1/2 with x tiny (σ(x) - 1/2 ~ x/4 below tier 0's absolute error 2^-85), and
      // 1 - t exactly a midpoint (t in [1/4, 1/2) with its last bit set) with x > 58: the gradient
      // (1 - t) - σ(-x) is then within e^-58 < 2^-83.6 of that midpoint.
      const softcheck::detail::dd omt = softcheck::detail::two_sum(1.0, -t);
      const bool on_midpoint = omt.lo != 0 && std::fabs(omt.lo) == std::ldexp(std::nextafter(omt.hi, 2.0) - omt.hi, -1);
      const bool expected = (t == 0.5 && std::fabs(x) < 0x1p-20) || (on_midpoint && x > 58);
      if (!fast::bce(x, t, &l0, &g0)) {
        ++unproven, unexpected += !expected;
        if (!expected) std::printf("  unproven: x = %a, t = %a\n", x, t);
      }
    }
    EXPECT_LE(unexpected, 2) << "tier 0 left " << unproven << " of " << xt.size();
    std::printf("tier 0 left %d of %zu BCE values to the precise tiers (%d of neither expected kind)\n", unproven,
                xt.size(), unexpected);
  });
}

}  // namespace

namespace {

TEST(FastTier, BceSpanEqualsTheScalarEntryOnEveryTarget) {
  // The element-wise entry (tier 0 in whole vectors) against the scalar one, bit for bit, loss and
  // gradient: x uniform on [-50, 50] and at every scale (past 600, where the scalar tiers take over), ±0,
  // ±inf, NaN; t random (with bits below 2^-53 or not), 0, 1/2 and 1; lengths that leave a partial vector; out of place, in place (loss = x, grad = t) and loss
  // only. The scalar entry is graded against the oracle (above, and by the property suite).
  std::mt19937_64 g(15);
  for_each_target([&](std::int64_t) {
    for (int rep = 0; rep < 30; ++rep) {
      const std::size_t n = 1 + g() % 300;
      std::vector<double> x(n), t(n);
      for (std::size_t i = 0; i < n; ++i) {
        const double u = static_cast<double>(g() >> 11) * 0x1p-53;
        double mag = g() % 2 ? 50.0 * u : 800.0 * u * std::ldexp(1.0, -static_cast<int>(g() % 60));
        x[i] = g() % 2 ? mag : -mag;
        const double fixed[] = {0.0, 0.5, 1.0};
        // u/3 has bits below 2^-53, so that 1 - t is not a double (its low part counts)
        const double v = static_cast<double>(g() >> 11) * 0x1p-53;
        t[i] = g() % 4 == 0 ? fixed[g() % 3] : g() % 2 ? v : v / 3;
      }
      const double special[] = {0.0, -0.0, HUGE_VAL, -HUGE_VAL, NAN, 600.0, -600.0, 0x1p-1074};
      x[g() % n] = special[g() % 8];
      std::vector<double> loss(n), grad(n), only(n);
      softcheck::bce_with_logits(x, t, loss, grad);
      softcheck::bce_with_logits(x, t, only);
      std::vector<double> xi = x, ti = t;
      softcheck::bce_with_logits(xi, ti, xi, ti);
      for (std::size_t i = 0; i < n; ++i) {
        double gs;
        const double ls = softcheck::bce_with_logits(x[i], t[i], &gs);
        ASSERT_TRUE(same_bits(loss[i], ls) && same_bits(grad[i], gs) && same_bits(only[i], ls))
            << std::hexfloat << "x = " << x[i] << ", t = " << t[i] << ": span " << loss[i] << ", " << grad[i]
            << "; scalar " << ls << ", " << gs;
        ASSERT_TRUE(same_bits(xi[i], ls) && same_bits(ti[i], gs)) << std::hexfloat << "in place, x = " << x[i];
      }
    }
  });
  // Bad arguments: a clear error (std::invalid_argument naming the argument).
  std::vector<double> x(4, 0.5), t(4, 0.25), loss(4), grad(4), shortv(3);
  EXPECT_THROW(softcheck::bce_with_logits(x, shortv, loss, grad), std::invalid_argument);
  EXPECT_THROW(softcheck::bce_with_logits(x, t, shortv, grad), std::invalid_argument);
  EXPECT_THROW(softcheck::bce_with_logits(x, t, loss, shortv), std::invalid_argument);
  EXPECT_THROW(softcheck::bce_with_logits(x, t, loss, loss), std::invalid_argument);
  std::vector<double> xc = x;
  EXPECT_NO_THROW(softcheck::bce_with_logits(xc, t, xc, grad));  // loss = x is fine ...
  std::vector<double> big(5, 0.5);
  EXPECT_THROW(softcheck::bce_with_logits(std::span<const double>(big).subspan(0, 4), t,
                                          std::span<double>(big).subspan(1, 4)),
               std::invalid_argument);  // ... loss over x at an offset is not
  t[2] = 1.5;
  EXPECT_THROW(softcheck::bce_with_logits(std::vector<double>(4, 0.5), t, loss), std::invalid_argument);
}

TEST(FastTier, RecomputingTheTermsGivesTheSameResults) {
  // Beyond the scratch limit tier 0 computes its terms twice (and, in place, checks before it writes);
  // with the limit lowered to 0 every call takes that path: the same bits as keeping the terms.
  std::mt19937_64 g(14);
  auto run = [&](std::vector<double> x, std::size_t k) {
    std::vector<double> out, y(x.size());
    softcheck::softmax(x, y);
    out.insert(out.end(), y.begin(), y.end());
    std::vector<double> z = x;
    softcheck::softmax(z, z);
    out.insert(out.end(), z.begin(), z.end());
    softcheck::log_softmax(x, y);
    out.insert(out.end(), y.begin(), y.end());
    z = x;
    softcheck::log_softmax(z, z);
    out.insert(out.end(), z.begin(), z.end());
    out.push_back(softcheck::cross_entropy(x, k, y));
    out.insert(out.end(), y.begin(), y.end());
    z = x;
    out.push_back(softcheck::cross_entropy(z, k, z));
    out.insert(out.end(), z.begin(), z.end());
    out.push_back(softcheck::cross_entropy(x, k));
    return out;
  };
  const std::size_t saved = softcheck::detail::scratch_limit;
  for (int rep = 0; rep < 60; ++rep) {
    std::vector<double> x = random_vector(g);
    std::size_t k = g() % x.size();
    softcheck::detail::scratch_limit = saved;
    std::vector<double> kept = run(x, k);
    softcheck::detail::scratch_limit = 0;
    std::vector<double> again = run(x, k);
    softcheck::detail::scratch_limit = saved;
    ASSERT_EQ(kept.size(), again.size());
    for (std::size_t i = 0; i < kept.size(); ++i)
      ASSERT_TRUE(same_bits(kept[i], again[i]) || (std::isnan(kept[i]) && std::isnan(again[i])))
          << "vector " << rep << ", value " << i;
  }
}

}  // namespace
