// docs/definitions.md's special-value table (oracle/special_values.hpp: every case exact, or rounding to
// the due infinity), and around it the finite extremes: overflow, underflow, values below MPFR's range.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "oracle/oracle.hpp"
#include "oracle/special_values.hpp"

namespace so = softcheck::oracle;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// An exact special/limit value: rounded as given, exact, frac 0.
void expect_exact(const so::Ref& r, double want, const char* what) {
  if (std::isnan(want)) {
    EXPECT_TRUE(r.is_nan()) << what << ": got " << r.rounded;
  } else {
    EXPECT_EQ(r.rounded, want) << what;
  }
  EXPECT_TRUE(r.exact) << what;
  EXPECT_EQ(r.frac, 0.0) << what;
  EXPECT_TRUE(r.certain) << what;
}

void expect_rounded(const so::Ref& r, double want, const char* what) {
  EXPECT_EQ(r.rounded, want) << what;
  EXPECT_FALSE(r.exact) << what;
  EXPECT_TRUE(r.certain) << what;
}

std::vector<so::Ref> softmax(std::vector<double> x) { return so::softmax(x); }
std::vector<so::Ref> log_softmax(std::vector<double> x) { return so::log_softmax(x); }
so::Ref logsumexp(std::vector<double> x) { return so::logsumexp(x); }
}  // namespace

TEST(SpecialValues, Sigmoid) {
  expect_rounded(so::sigmoid(1e308), 1, "sigmoid(1e308)");
  expect_rounded(so::sigmoid(-1e308), 0, "sigmoid(-1e308)");
  expect_rounded(so::sigmoid(-DBL_MAX), 0, "sigmoid(-DBL_MAX)");
  expect_rounded(so::sigmoid(-1000), 0, "sigmoid(-1000)");
  expect_rounded(so::sigmoid(0x1p-1074), 0.5, "sigmoid(2^-1074)");
  expect_rounded(so::sigmoid(-0x1p-1074), 0.5, "sigmoid(-2^-1074)");
}

TEST(SpecialValues, LogSigmoid) {
  expect_rounded(so::log_sigmoid(-1e308), -1e308, "log_sigmoid(-1e308)");
  expect_rounded(so::log_sigmoid(-DBL_MAX), -DBL_MAX, "log_sigmoid(-DBL_MAX)");
  expect_rounded(so::log_sigmoid(1e308), 0, "log_sigmoid(1e308)");
  expect_rounded(so::log_sigmoid(0), -0.6931471805599453, "log_sigmoid(0)");
}

TEST(SpecialValues, Softmax) {
  EXPECT_TRUE(softmax({}).empty());
  // e^(x_i - m) below MPFR's exponent range: positive, far below 2^-1074: rounds to 0, not exact.
  auto r = softmax({0, -1e308});
  expect_rounded(r[0], 1, "softmax([0,-1e308])_0");
  expect_rounded(r[1], 0, "softmax([0,-1e308])_1");
  EXPECT_EQ(r[1].frac, 0.0);
  r = softmax({1e308, -1e308});
  expect_rounded(r[1], 0, "softmax([1e308,-1e308])_1");
  // Extreme but finite inputs are ordinary.
  r = softmax({1e308, 1e308});
  expect_exact(r[0], 0.5, "softmax([1e308,1e308])_0");
  r = softmax({-1e308, -1e308, -1e308, -1e308});
  expect_exact(r[3], 0.25, "softmax(4 x -1e308)");
  r = softmax({0x1p-1074, -0x1p-1074});
  expect_rounded(r[0], 0.5, "softmax of subnormals");
}

TEST(SpecialValues, LogSoftmax) {
  // Overflow: log_softmax_1 of [1e308, -1e308] = -2e308 - log1p(tiny) rounds beyond -DBL_MAX.
  auto r = log_softmax({1e308, -1e308});
  expect_rounded(r[1], -kInf, "log_softmax overflow");
  expect_rounded(r[0], 0, "log_softmax dominant of [1e308,-1e308]");
}

TEST(SpecialValues, Logsumexp) {
  // A sum that overflows though each term does not: 1000 copies of 709.7 -> 709.7 + log(1000).
  const so::Ref r = logsumexp(std::vector<double>(1000, 709.7));
  EXPECT_TRUE(r.is_finite());
  EXPECT_NEAR(r.rounded, 709.7 + 6.907755278982137, 1e-12);
  expect_rounded(logsumexp({DBL_MAX, DBL_MAX}), DBL_MAX, "logsumexp(DBL_MAX x 2)");
  expect_rounded(logsumexp({-1e308, -1e308}), -1e308, "logsumexp(-1e308 x 2)");
}

TEST(SpecialValues, CrossEntropyClass) {
  std::vector<so::Ref> g(2);
  // Overflow: L = 2e308 + log1p(tiny) rounds to +inf; not exact (v is finite).
  so::Vector v(std::vector<double>{1e308, -1e308});
  so::Ref L = v.cross_entropy(1, g);
  expect_rounded(L, kInf, "CE loss 2e308");
  expect_rounded(g[1], -1, "CE grad at the losing class");
  expect_rounded(g[0], 1, "CE grad at the winning class");
  // x_k = -inf with another finite entry: L = +inf, grad_k = -1 exactly.
  v.assign(std::vector<double>{0, -kInf});
  L = v.cross_entropy(1, g);
  expect_exact(L, kInf, "CE x_k = -inf");
  expect_exact(g[0], 1, "CE grad beside x_k = -inf");
  expect_exact(g[1], -1, "CE grad at x_k = -inf");
  // One +inf at k: L = 0, grad 0; one +inf elsewhere: L = +inf, grad e_j - e_k.
  std::vector<so::Ref> g3(3);
  v.assign(std::vector<double>{1, kInf, -2});
  expect_exact(v.cross_entropy(1, g3), 0, "CE +inf at k");
  for (const auto& r : g3) expect_exact(r, 0, "CE grad, +inf at k");
  expect_exact(v.cross_entropy(0, g3), kInf, "CE +inf elsewhere");
  expect_exact(g3[0], -1, "CE grad at k, +inf elsewhere");
  expect_exact(g3[1], 1, "CE grad at +inf");
  expect_exact(g3[2], 0, "CE grad elsewhere");
  v.assign(std::vector<double>{kInf, kInf, 0});
  expect_exact(v.cross_entropy(2, g3), kNaN, "CE two +inf");
  for (const auto& r : g3) expect_exact(r, kNaN, "CE grad two +inf");
  v.assign(std::vector<double>{kNaN, 0, 1});
  expect_exact(v.cross_entropy(2, g3), kNaN, "CE NaN");
  expect_exact(g3[0], kNaN, "CE grad NaN");
  v.assign(std::vector<double>{-kInf, -kInf});
  expect_exact(v.cross_entropy(0, g), kNaN, "CE all -inf");
  // n = 1: L = 0, grad 0, exactly.
  std::vector<so::Ref> g1(1);
  v.assign(std::vector<double>{-12.5});
  expect_exact(v.cross_entropy(0, g1), 0, "CE n = 1");
  expect_exact(g1[0], 0, "CE grad n = 1");
}

TEST(SpecialValues, CrossEntropyDistribution) {
  std::vector<so::Ref> g(2);
  so::Vector v(std::vector<double>{0, -kInf});
  // t_i = 0 at x_i = -inf counts 0.
  expect_exact(v.cross_entropy(std::vector<double>{1, 0}, g), 0, "dist CE, t = 0 at -inf");
  expect_exact(g[0], 0, "dist CE grad, sole finite entry");
  expect_exact(g[1], 0, "dist CE grad, t = 0 at -inf");
  // t_i > 0 at x_i = -inf: +inf.
  expect_exact(v.cross_entropy(std::vector<double>{0.5, 0.25}, g), kInf, "dist CE, t > 0 at -inf");
  expect_exact(g[0], 0.25, "dist CE grad: T p_0 - t_0 = 0.75 - 0.5");
  expect_exact(g[1], -0.25, "dist CE grad at -inf");
  // One +inf at j: L = +inf if another t_i > 0, else 0; grad T e_j - t.
  std::vector<so::Ref> g3(3);
  v.assign(std::vector<double>{2, kInf, -1});
  expect_exact(v.cross_entropy(std::vector<double>{0, 3, 0}, g3), 0, "dist CE +inf, t only there");
  expect_exact(g3[1], 0, "dist CE grad at +inf");
  expect_exact(v.cross_entropy(std::vector<double>{0.5, 0.25, 0x1p-60}, g3), kInf, "dist CE +inf");
  expect_exact(g3[0], -0.5, "dist CE grad -t_0");
  expect_rounded(g3[1], 0.5, "dist CE grad T - t_j = 0.5 + 2^-60");
  expect_exact(g3[2], -0x1p-60, "dist CE grad -t_2");
  v.assign(std::vector<double>{kNaN, 0});
  expect_exact(v.cross_entropy(std::vector<double>{1, 0}, g), kNaN, "dist CE NaN");
  expect_exact(g[1], kNaN, "dist CE grad NaN");
  // All targets zero: L = 0 and grad 0 exactly.
  v.assign(std::vector<double>{1.5, -3});
  expect_exact(v.cross_entropy(std::vector<double>{0, 0}, g), 0, "dist CE, t = 0");
  expect_exact(g[0], 0, "dist CE grad, t = 0");
  expect_exact(g[1], 0, "dist CE grad, t = 0");
}

TEST(SpecialValues, BceWithLogits) {
  so::Ref g;
  expect_exact(so::bce_with_logits(kInf, 1, &g), 0, "BCE(+inf, 1)");
  expect_exact(g, 0, "BCE grad(+inf, 1)");
  expect_exact(so::bce_with_logits(kInf, 0.25, &g), kInf, "BCE(+inf, 0.25)");
  expect_exact(g, 0.75, "BCE grad(+inf, 0.25)");
  expect_exact(so::bce_with_logits(kInf, 0x1p-1074, &g), kInf, "BCE(+inf, 2^-1074)");
  expect_rounded(g, 1, "BCE grad(+inf, 2^-1074) = 1 - 2^-1074");
  expect_exact(so::bce_with_logits(-kInf, 0, &g), 0, "BCE(-inf, 0)");
  expect_exact(g, 0, "BCE grad(-inf, 0)");
  expect_exact(so::bce_with_logits(-kInf, 0.5, &g), kInf, "BCE(-inf, 0.5)");
  expect_exact(g, -0.5, "BCE grad(-inf, 0.5)");
  expect_exact(so::bce_with_logits(kNaN, 0.5, &g), kNaN, "BCE(NaN)");
  expect_exact(g, kNaN, "BCE grad(NaN)");
  // Huge finite logits are ordinary: L = (1 - t) x + log1p(e^-x).
  expect_rounded(so::bce_with_logits(1e308, 0.5, &g), 5e307, "BCE(1e308, 0.5)");
  expect_rounded(g, 0.5, "BCE grad(1e308, 0.5)");
  expect_rounded(so::bce_with_logits(-1e308, 0, &g), 0, "BCE(-1e308, 0)");
  expect_rounded(g, 0, "BCE grad(-1e308, 0)");
  expect_rounded(so::bce_with_logits(-DBL_MAX, 1, &g), DBL_MAX, "BCE(-DBL_MAX, 1)");
  expect_rounded(g, -1, "BCE grad(-DBL_MAX, 1)");
}

// The shared table: each fixed component is the due value, exact (or, where marked, its rounding), with
// the due sign of zero where the table fixes it.
TEST(SpecialValues, TheTable) {
  namespace sp = softcheck::special;
  for (const sp::Case& c : sp::table()) {
    std::vector<so::Ref> out;
    so::Ref value;
    bool has_value = true;
    if (c.entry == "sigmoid" || c.entry == "log_sigmoid") {
      for (double x : c.x) out.push_back(c.entry == "sigmoid" ? so::sigmoid(x) : so::log_sigmoid(x));
      has_value = false;
    } else if (c.entry == "softmax" || c.entry == "log_softmax") {
      out = c.entry == "softmax" ? so::softmax(c.x) : so::log_softmax(c.x);
      has_value = false;
    } else if (c.entry == "logsumexp") {
      value = so::logsumexp(c.x);
    } else if (c.entry == "cross_entropy") {
      out.resize(c.x.size());
      value = so::Vector(c.x).cross_entropy(c.k, out);
    } else if (c.entry == "cross_entropy_dist") {
      out.resize(c.x.size());
      value = so::Vector(c.x).cross_entropy(std::span<const double>(c.t), out);
    } else {
      out.resize(1);
      value = so::bce_with_logits(c.x.at(0), c.t.at(0), &out[0]);
    }
    auto check = [&](const so::Ref& r, double want, const std::string& what) {
      if (want == sp::kAny) return;
      if (std::isnan(want)) {
        EXPECT_TRUE(r.is_nan()) << what << ": got " << r.rounded;
      } else {
        EXPECT_EQ(r.rounded, want) << what;
      }
      if (c.sign && want == 0) {
        EXPECT_EQ(std::signbit(r.rounded), std::signbit(want)) << what << ": the sign of zero";
      }
      EXPECT_EQ(r.exact, c.exact) << what;
      if (c.exact) {
        EXPECT_EQ(r.frac, 0.0) << what;
      }
      EXPECT_TRUE(r.certain) << what;
    };
    std::string name = std::string(c.entry) + "([";
    for (std::size_t i = 0; i < c.x.size(); ++i) name += (i ? ", " : "") + std::to_string(c.x[i]);
    name += "])";
    if (has_value) check(value, c.value, name);
    ASSERT_EQ(out.size(), c.outputs.size()) << name;
    for (std::size_t i = 0; i < out.size(); ++i) check(out[i], c.outputs[i], name + "[" + std::to_string(i) + "]");
  }
}
