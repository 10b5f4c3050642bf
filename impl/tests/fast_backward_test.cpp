// Tier 0 of the backward passes (impl/fast.hpp, "Backward passes"; fast_backward.cpp) on every Highway
// target this CPU runs: the lane dot product and sum within their stated bound (MPFR), the public
// sigmoid_backward, softmax_backward and log_softmax_backward correctly rounded against the oracle (in
// place too) and bit for bit the same on every target, and tier 0 proving nearly every component of
// ordinary inputs (what makes it fast).
#include <gtest/gtest.h>
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <span>
#include <vector>

#include "impl/fast.hpp"
#include "impl/softcheck.hpp"
#include "oracle/oracle.hpp"

namespace {

namespace fast = softcheck::detail::fast;
namespace oracle = softcheck::oracle;

template <class Body>
void for_each_target(Body&& body) {
  auto targets = fast::targets();
  ASSERT_FALSE(targets.empty());
  for (std::int64_t t : targets) {
    fast::force_target(t);
    SCOPED_TRACE(fast::target_name(t));
    body();
  }
  fast::force_target(0);
}

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)); }

double unit(std::mt19937_64& r) { return static_cast<double>(r() >> 11) * 0x1p-53; }

// A double of random sign over binades [lo, hi), with exact zeros, subnormals and the odd special value.
double any_double(std::mt19937_64& r, int lo, int hi) {
  switch (r() % 40) {
    case 0: return 0.0;
    case 1: return -0.0;
    case 2: return 0x1p-1074 * static_cast<double>(r() % 1000);
    case 3: return r() % 2 ? HUGE_VAL : -HUGE_VAL;
    case 4: return NAN;
    default: break;
  }
  // One draw per statement: the order of a call's arguments is unspecified (GCC and Clang differ).
  const int e = lo + static_cast<int>(r() % static_cast<unsigned>(hi - lo));
  const double v = std::ldexp(1 + unit(r), e);
  return r() % 2 ? v : -v;
}

// sigmoid_backward's (y, g): y = σ(x) rounded (the framework's case), y near 0 and 1 and anywhere; g over
// ordinary and extreme binades.
void sigmoid_pair(std::mt19937_64& r, double& y, double& g) {
  const int k = static_cast<int>(r() % 6);
  if (k <= 2) y = softcheck::sigmoid((unit(r) - 0.5) * (k == 0 ? 10 : k == 1 ? 80 : 1500));
  if (k == 3) y = 1 - std::ldexp(static_cast<double>(1 + r() % 8), -53);  // 1 - y exact and tiny
  if (k == 4) y = any_double(r, -1074, 1024);
  if (k == 5) {
    const int e = -static_cast<int>(r() % 60);
    y = 1 + std::ldexp(unit(r), e);
  }
  g = r() % 3 ? 2 * unit(r) - 1 : any_double(r, -1074, 1024);
}

TEST(FastBackward, SigmoidBackwardIsCorrectlyRoundedOnEveryTarget) {
  // Against the oracle by value; against the scalar entry and across targets bit for bit (signed zeros
  // included); in place over y and over g.
  std::vector<double> first;
  for_each_target([&] {
    std::mt19937_64 r(21);
    std::vector<double> got;
    for (int rep = 0; rep < 40; ++rep) {
      const std::size_t n = 1 + (rep % 4 == 0 ? r() % 2000 : r() % 40);
      std::vector<double> y(n), g(n), out(n);
      for (std::size_t i = 0; i < n; ++i) sigmoid_pair(r, y[i], g[i]);
      softcheck::sigmoid_backward(y, g, out);
      std::vector<double> over_y = y, over_g = g;
      softcheck::sigmoid_backward(over_y, g, over_y);
      softcheck::sigmoid_backward(y, over_g, over_g);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(same(out[i], oracle::sigmoid_backward(y[i], g[i]).rounded))
            << std::hexfloat << "y = " << y[i] << ", g = " << g[i] << ": " << out[i];
        ASSERT_TRUE(same_bits(out[i], softcheck::sigmoid_backward(y[i], g[i]))) << std::hexfloat << y[i] << " " << g[i];
        ASSERT_TRUE(same_bits(over_y[i], out[i]) && same_bits(over_g[i], out[i])) << "in place, i = " << i;
      }
      got.insert(got.end(), out.begin(), out.end());
    }
    if (first.empty()) first = got;
    ASSERT_EQ(got.size(), first.size());
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(same_bits(got[i], first[i])) << "value " << i;
  });
}

// The lane sum's claim: |s + c - Σ a_j b_j| <= err, ok wherever every operand is finite and below 2^995
// and nothing overflows; never ok otherwise.
TEST(FastBackward, DotIsWithinItsBound) {
  mpfr_t acc, mag, p, w;
  mpfr_inits2(4400, acc, mag, p, w, static_cast<mpfr_ptr>(nullptr));  // every sum here exact
  for_each_target([&] {
    std::mt19937_64 r(22);
    int checked = 0, refused = 0, inexact = 0, sum_inexact = 0;
    for (int rep = 0; rep < 400; ++rep) {
      const std::size_t n = 1 + (rep % 5 == 0 ? r() % 3000 : r() % 70);
      std::vector<double> a(n), b(n);
      const int kind = rep % 8;
      for (std::size_t j = 0; j < n; ++j) {
        switch (kind) {
          case 0: a[j] = 2 * unit(r) - 1, b[j] = unit(r); break;               // g, y of a backward pass
          case 1: a[j] = 0.3, b[j] = unit(r) / static_cast<double>(n); break;  // constant g
          case 2: a[j] = any_double(r, -1074, 990), b[j] = any_double(r, -1074, 990); break;
          case 3: a[j] = std::ldexp(2 * unit(r) - 1, -540), b[j] = std::ldexp(unit(r), -500); break;  // underflow
          case 4: a[j] = std::ldexp(1 + unit(r), 480) * (j % 2 ? 1 : -1), b[j] = std::ldexp(1 + unit(r), 480); break;
          case 5: a[j] = j % 2 ? 1e16 : -1e16, b[j] = 1 + unit(r) * 0x1p-40; break;  // cancellation
          default: {
            a[j] = 2 * unit(r) - 1;
            const int e = -static_cast<int>(r() % 60);
            b[j] = std::ldexp(unit(r), e);
            break;
          }
        }
      }
      if (kind == 7 && r() % 2) b[r() % n] = r() % 2 ? 0x1p995 : NAN;
      const fast::DotSum S = fast::dot(a.data(), b.data(), n);
      bool refuse = false;
      for (std::size_t j = 0; j < n; ++j)
        if (!(std::fabs(a[j]) < 0x1p995 && std::fabs(b[j]) < 0x1p995)) refuse = true;
      if (refuse) {
        ASSERT_FALSE(S.ok) << "rep " << rep;
        ++refused;
        continue;
      }
      mpfr_set_zero(acc, 1);
      mpfr_set_zero(mag, 1);
      for (std::size_t j = 0; j < n; ++j) {
        mpfr_set_d(p, a[j], MPFR_RNDN);
        mpfr_mul_d(p, p, b[j], MPFR_RNDN);
        mpfr_add(acc, acc, p, MPFR_RNDN);
        mpfr_abs(p, p, MPFR_RNDN);
        mpfr_add(mag, mag, p, MPFR_RNDN);
      }
      if (mpfr_cmp_d(mag, 0x1p1000) >= 0) continue;  // a partial sum may overflow: refusing is allowed
      ASSERT_TRUE(S.ok) << "rep " << rep << ", n = " << n;
      ASSERT_LE(mpfr_cmp_d(mag, S.abs), 0) << "abs, rep " << rep << ", kind " << kind;  // S.abs >= Σ|a_j b_j|
      mpfr_set_d(w, S.s, MPFR_RNDN);
      mpfr_add_d(w, w, S.c, MPFR_RNDN);
      mpfr_sub(w, w, acc, MPFR_RNDN);
      mpfr_abs(w, w, MPFR_RNDN);
      inexact += !mpfr_zero_p(w);
      ASSERT_LE(mpfr_get_d(w, MPFR_RNDU), S.err) << "rep " << rep << ", kind " << kind << ", n = " << n;
      ++checked;
      // The plain sum (its second operand null), Σ b_j: finite and below 2^995 here, so it must answer.
      const fast::DotSum T = fast::dot(b.data(), nullptr, n);
      ASSERT_TRUE(T.ok) << "rep " << rep;
      mpfr_set_zero(acc, 1);
      for (std::size_t j = 0; j < n; ++j) mpfr_add_d(acc, acc, b[j], MPFR_RNDN);
      mpfr_set_d(w, T.s, MPFR_RNDN);
      mpfr_add_d(w, w, T.c, MPFR_RNDN);
      mpfr_sub(w, w, acc, MPFR_RNDN);
      mpfr_abs(w, w, MPFR_RNDN);
      sum_inexact += !mpfr_zero_p(w);
      ASSERT_LE(mpfr_get_d(w, MPFR_RNDU), T.err) << "sum, rep " << rep << ", kind " << kind << ", n = " << n;
    }
    EXPECT_GE(refused, 15);
    EXPECT_GE(checked, 300);
    EXPECT_GE(inexact, 100);  // the bound is exercised, not only exact sums
    EXPECT_GE(sum_inexact, 50);
  });
  mpfr_clears(acc, mag, p, w, static_cast<mpfr_ptr>(nullptr));
}

// softmax_backward's (y, g): y = softmax(x) (ties, wide spreads, exact zeros) or anything; g uniform,
// one-hot, constant (every component cancels: the precise tiers), nearly constant (within 2^-40 or
// 2^-50), or over the binades.
// For log-softmax (log_form), y = log_softmax(x) instead.
void softmax_pair(std::mt19937_64& r, std::vector<double>& y, std::vector<double>& g, bool log_form) {
  const std::size_t n = 1 + (r() % 6 == 0 ? r() % 5000 : r() % 50);
  y.resize(n), g.resize(n);
  const int ky = static_cast<int>(r() % 4);
  const double spread = ky == 0 ? 1 : ky == 1 ? 40 : 1500;
  std::vector<double> x(n);
  for (double& v : x) v = spread * (unit(r) - 0.5);
  if (r() % 3 == 0) x[r() % n] = x[0];
  if (ky <= 2 && log_form) softcheck::log_softmax(x, y);
  else if (ky <= 2) softcheck::softmax(x, y);
  else
    for (double& v : y) {
      if (log_form && r() % 2) {
        const int e = static_cast<int>(r() % 12);
        v = -std::ldexp(unit(r), e);
      } else {
        v = any_double(r, -1074, 990);
      }
    }
  const int kg = static_cast<int>(r() % 6);
  const double c = 2 * unit(r) - 1;
  for (double& v : g) {
    if (kg == 0) v = 2 * unit(r) - 1;
    if (kg == 1) v = 0;
    if (kg == 2) v = c;
    if (kg == 3) v = c + 0x1p-40 * unit(r);
    if (kg == 4) v = any_double(r, -1074, 990);
    if (kg == 5) v = c + 0x1p-50 * unit(r);  // g_i - ⟨g, p⟩ cancels by about 50 bits
  }
  if (kg == 1) g[r() % n] = 1;
}

// softmax_backward and log_softmax_backward against the oracle by value, in place over y and over g,
// and across targets bit for bit.
TEST(FastBackward, SoftmaxBackwardsAreCorrectlyRoundedOnEveryTarget) {
  using Kernel = void (*)(std::span<const double>, std::span<const double>, std::span<double>);
  using Oracle = void (*)(std::span<const double>, std::span<const double>, std::span<oracle::Ref>);
  struct Case {
    const char* name;
    Kernel kernel;
    Oracle ref;
    bool log_form;
  };
  const Case cases[] = {
      {"softmax_backward", softcheck::softmax_backward, oracle::softmax_backward, false},
      {"log_softmax_backward", softcheck::log_softmax_backward, oracle::log_softmax_backward, true}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<double> first;
    for_each_target([&] {
      std::mt19937_64 r(23);
      std::vector<double> got, y, g;
      for (int rep = 0; rep < 40; ++rep) {
        softmax_pair(r, y, g, c.log_form);
        const std::size_t n = y.size();
        std::vector<double> out(n), over_y = y, over_g = g;
        std::vector<oracle::Ref> ref(n);
        c.kernel(y, g, out);
        c.kernel(over_y, g, over_y);
        c.kernel(y, over_g, over_g);
        c.ref(y, g, ref);
        for (std::size_t i = 0; i < n; ++i) {
          ASSERT_TRUE(same(out[i], ref[i].rounded))
              << std::hexfloat << "rep " << rep << ", i = " << i << ": y_i = " << y[i] << ", g_i = " << g[i];
          ASSERT_TRUE(same_bits(over_y[i], out[i]) && same_bits(over_g[i], out[i])) << "in place, i = " << i;
        }
        got.insert(got.end(), out.begin(), out.end());
      }
      if (first.empty()) first = got;
      ASSERT_EQ(got.size(), first.size());
      for (std::size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(same_bits(got[i], first[i])) << "value " << i;
    });
  }
}

// The input forms (tier 0: log_softmax_vjp's sub_terms at m = max x with R = Σg / Σe^{x_j - m};
// softmax_vjp's scale_diff with R = 1/Σe^{x_j - m}, Q = Σ g_j e^{x_j - m} R) against the oracle, in place
// over x and over g, and bit for bit across targets; x over narrow to wide spreads with ties, -inf and
// terms between e^-746 and e^-600, g as for the framework forms.
TEST(FastBackward, InputFormsAreCorrectlyRoundedOnEveryTarget) {
  for (const bool log_form : {true, false}) {
    SCOPED_TRACE(log_form ? "log_softmax_vjp" : "softmax_vjp");
    const auto kernel = log_form ? softcheck::log_softmax_vjp : softcheck::softmax_vjp;
    std::vector<double> first;
    for_each_target([&] {
      std::mt19937_64 r(25);
      std::vector<double> got, y, g;
      oracle::Vector ov;
      for (int rep = 0; rep < 40; ++rep) {
        softmax_pair(r, y, g, true);  // for g (and its length)
        const std::size_t n = g.size();
        std::vector<double> x(n);
        const double spread[] = {1e-9, 1, 30, 700, 1e300};
        const double sp = spread[r() % 5], c = 100 * (unit(r) - 0.5);
        for (double& v : x) v = c + sp * (unit(r) - 0.5);
        if (r() % 4 == 0) x[r() % n] = -HUGE_VAL;
        if (r() % 3 == 0) x[r() % n] = x[0];
        if (r() % 5 == 0) x[r() % n] = *std::max_element(x.begin(), x.end()) - 650;
        std::vector<double> out(n), over_x = x, over_g = g;
        std::vector<oracle::Ref> ref(n);
        kernel(x, g, out);
        kernel(over_x, g, over_x);
        kernel(x, over_g, over_g);
        ov.assign(x);
        if (log_form) ov.log_softmax_vjp(g, ref);
        else ov.softmax_vjp(g, ref);
        for (std::size_t i = 0; i < n; ++i) {
          ASSERT_TRUE(same(out[i], ref[i].rounded))
              << std::hexfloat << "rep " << rep << ", i = " << i << ": x_i = " << x[i] << ", g_i = " << g[i];
          ASSERT_TRUE(same_bits(over_x[i], out[i]) && same_bits(over_g[i], out[i])) << "in place, i = " << i;
        }
        got.insert(got.end(), out.begin(), out.end());
      }
      if (first.empty()) first = got;
      ASSERT_EQ(got.size(), first.size());
      for (std::size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(same_bits(got[i], first[i])) << "value " << i;
    });
  }
}

int g_precise_calls = 0;
double count_sigmoid_backward(double y, double g) { return ++g_precise_calls, softcheck::sigmoid_backward(y, g); }

TEST(FastBackward, TierZeroProvesOrdinaryComponents) {
  // y = σ(x) or softmax(x) for x over [-30, 30], g uniform on [-1, 1]: tier 0 leaves next to nothing to
  // the scalar tiers (a bound far looser than stated would show here as a high count).
  std::mt19937_64 r(24);
  const std::size_t n = 20000;
  std::vector<double> x(n), y(n), g(n), out(n);
  for (double& v : x) v = 60 * (unit(r) - 0.5);
  for (double& v : g) v = 2 * unit(r) - 1;
  for_each_target([&] {
    softcheck::sigmoid(x, y);
    g_precise_calls = 0;
    fast::sigmoid_backward(y.data(), g.data(), n, out.data(), count_sigmoid_backward);
    EXPECT_LE(g_precise_calls, 2) << "sigmoid_backward: tier 0 left " << g_precise_calls << " of " << n;
    softcheck::softmax(x, y);
    const fast::DotSum S = fast::dot(g.data(), y.data(), n);
    ASSERT_TRUE(S.ok);
    std::vector<unsigned char> ok(n);
    fast::softmax_backward(y.data(), g.data(), n, S, out.data(), ok.data());
    auto left = std::count(ok.begin(), ok.end(), 0);
    EXPECT_LE(left, 2) << "softmax_backward: tier 0 left " << left << " of " << n;
    softcheck::log_softmax(x, y);
    const fast::DotSum G = fast::dot(g.data(), nullptr, n);
    ASSERT_TRUE(G.ok);
    const softcheck::detail::dd G0 = softcheck::detail::two_sum(G.s, G.c);
    fast::sub_terms(y.data(), g.data(), n, 0.0, G0, G.err / std::fabs(G0.hi) * (1 + 0x1p-50), out.data(), ok.data());
    left = std::count(ok.begin(), ok.end(), 0);
    EXPECT_LE(left, 2) << "log_softmax_backward: tier 0 left " << left << " of " << n;
    // softmax_vjp at x: e^{x_j - m} once, R = 1/S, Q = N/S with N = Σ g_j e^{x_j - m} (errors as the caller
    // states them, rounded up here), scale_diff.
    const double m = *std::max_element(x.begin(), x.end());
    std::vector<double> el(n);
    const fast::Sum S0 = fast::exp_terms(x.data(), n, m, n, n, y.data(), el.data());
    const fast::DotSum N1 = fast::dot(g.data(), y.data(), n), N2 = fast::dot(g.data(), el.data(), n);
    ASSERT_TRUE(N1.ok && N2.ok);
    const softcheck::detail::dd Nt = softcheck::detail::add(softcheck::detail::two_sum(N1.s, N1.c),
                                                            softcheck::detail::two_sum(N2.s, N2.c));
    const double rel_s = S0.rel_err + S0.dropped;
    const double E_N = N1.err + N2.err + 2 * fast::kTermErr * N1.abs + 0x1p-102 * std::fabs(Nt.hi);
    const double E_Q = (E_N + 2 * rel_s * std::fabs(Nt.hi)) / S0.value.hi * 1.01;
    fast::scale_diff(y.data(), el.data(), g.data(), n, softcheck::detail::div({1.0, 0.0}, S0.value),
                     2 * rel_s, softcheck::detail::div(Nt, S0.value), E_Q, out.data(), ok.data());
    left = std::count(ok.begin(), ok.end(), 0);
    EXPECT_LE(left, 2) << "softmax_vjp: tier 0 left " << left << " of " << n;
  });
}

}  // namespace
