// One test per row of README.md's "Special values and invalid input" table: every input class against
// every public function of impl/softcheck.hpp, checked against the values docs/definitions.md prescribes and
// against the oracle (correctly rounded references, independent of impl/), never against impl itself.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "impl/softcheck.hpp"
#include "oracle/oracle.hpp"
#include "oracle/ulp.hpp"

namespace {

namespace sc = softcheck;
namespace oc = softcheck::oracle;
using V = std::vector<double>;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double dmax = std::numeric_limits<double>::max();
constexpr double tiny = std::numeric_limits<double>::denorm_min();  // 2^-1074
constexpr double log2_rn = 0x1.62e42fefa39efp-1;                    // RN(log 2)

// The accuracy contract of impl/softcheck.hpp: correctly rounded but where the exact value lies within
// about 2^-100 of a rounding boundary; an error of 0.5 + 2^-40 ULP allows that and nothing more.
constexpr double kCorrectlyRounded = 0.5 + 0x1p-40;

std::string hexf(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}
std::string show(const V& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + hexf(v[i]);
  return s + "]";
}

// y against the oracle's exact value: its correct rounding, or the due infinity / NaN (docs/definitions.md).
void expect_cr(double y, const oc::Ref& r, const std::string& what) {
  ASSERT_TRUE(r.certain) << what;
  EXPECT_LE(oc::ulp_error(y, r), kCorrectlyRounded)
      << what << ": got " << hexf(y) << ", the exact value rounds to " << hexf(r.rounded);
}
void expect_cr(const V& y, const std::vector<oc::Ref>& r, const std::string& what) {
  ASSERT_EQ(y.size(), r.size()) << what;
  for (std::size_t i = 0; i < y.size(); ++i) expect_cr(y[i], r[i], what + "[" + std::to_string(i) + "]");
}

V apply(void (*f)(std::span<const double>, std::span<double>), const V& x) {
  V y(x.size());
  f(x, y);
  return y;
}
V softmax(const V& x) { return apply(sc::softmax, x); }
V log_softmax(const V& x) { return apply(sc::log_softmax, x); }
V sigmoid(const V& x) { return apply(sc::sigmoid, x); }
V log_sigmoid(const V& x) { return apply(sc::log_sigmoid, x); }

// Every vector function of x (and every scalar function of each x_i) against the oracle; the
// cross-entropies with every class index and with the target t (when given, of x's length).
void expect_all_cr(const V& x, const V& t = {}) {
  const std::string at = " at x = " + show(x);
  oc::Vector o(x);
  std::vector<oc::Ref> r(x.size());
  o.softmax(r);
  expect_cr(softmax(x), r, "softmax" + at);
  o.log_softmax(r);
  expect_cr(log_softmax(x), r, "log_softmax" + at);
  expect_cr(sc::logsumexp(x), o.logsumexp(), "logsumexp" + at);
  V ys = sigmoid(x), yl = log_sigmoid(x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    expect_cr(sc::sigmoid(x[i]), oc::sigmoid(x[i]), "sigmoid(" + hexf(x[i]) + ")");
    expect_cr(sc::log_sigmoid(x[i]), oc::log_sigmoid(x[i]), "log_sigmoid(" + hexf(x[i]) + ")");
    expect_cr(ys[i], oc::sigmoid(x[i]), "sigmoid span" + at);
    expect_cr(yl[i], oc::log_sigmoid(x[i]), "log_sigmoid span" + at);
  }
  V g(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    const oc::Ref loss = o.cross_entropy(k, r);
    expect_cr(sc::cross_entropy(x, k, g), loss, "cross_entropy loss, k = " + std::to_string(k) + at);
    expect_cr(g, r, "cross_entropy grad, k = " + std::to_string(k) + at);
    expect_cr(sc::cross_entropy(x, k), loss, "cross_entropy loss without grad" + at);
  }
  if (!t.empty()) {
    const std::string tt = at + ", t = " + show(t);
    const oc::Ref loss = o.cross_entropy(std::span<const double>(t), std::span<oc::Ref>(r));
    expect_cr(sc::cross_entropy(x, t, g), loss, "distribution cross_entropy loss" + tt);
    expect_cr(g, r, "distribution cross_entropy grad" + tt);
    expect_cr(sc::cross_entropy(x, std::span<const double>(t)), loss, "distribution loss without grad" + tt);
  }
}

void expect_bce_cr(double x, double t) {
  double g = 0;
  oc::Ref rg;
  const oc::Ref rl = oc::bce_with_logits(x, t, &rg);
  const std::string at = "(" + hexf(x) + ", " + hexf(t) + ")";
  expect_cr(sc::bce_with_logits(x, t, &g), rl, "bce_with_logits loss" + at);
  expect_cr(g, rg, "bce_with_logits grad" + at);
  expect_cr(sc::bce_with_logits(x, t), rl, "bce_with_logits loss without grad" + at);
}

bool all_nan(const V& v) {
  for (double e : v)
    if (!std::isnan(e)) return false;
  return !v.empty();
}

// The message of the std::invalid_argument that f throws ("(no exception)" if none, the type's name if
// another exception).
template <class F>
std::string message_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(not std::invalid_argument) ") + e.what();
  }
  return "(no exception)";
}
#define EXPECT_REJECTS(call, text) \
  EXPECT_NE(message_of([&] { call; }).find(text), std::string::npos) << #call << ": " << message_of([&] { call; })

bool same_bits(const V& a, const V& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  return true;
}
bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

// ---- Row: NaN anywhere ------------------------------------------------------------------------------

TEST(InputClass, NaN) {
  for (double n : {nan, -nan}) {
    EXPECT_TRUE(std::isnan(sc::sigmoid(n)));
    EXPECT_TRUE(std::isnan(sc::log_sigmoid(n)));
    // Element-wise functions: NaN in that element only.
    V ys = sigmoid({1.0, n}), yl = log_sigmoid({1.0, n});
    EXPECT_TRUE(std::isnan(ys[1]) && std::isnan(yl[1]));
    expect_cr(ys[0], oc::sigmoid(1.0), "sigmoid(1) beside a NaN");
    expect_cr(yl[0], oc::log_sigmoid(1.0), "log_sigmoid(1) beside a NaN");
    // Vector functions: any NaN makes every output NaN, whatever else is there (+inf, -inf).
    for (const V& x : {V{n}, V{1.0, n, 2.0}, V{n, inf}, V{inf, n}, V{-inf, n}, V{n, -inf, -inf}}) {
      EXPECT_TRUE(all_nan(softmax(x))) << show(x);
      EXPECT_TRUE(all_nan(log_softmax(x))) << show(x);
      EXPECT_TRUE(std::isnan(sc::logsumexp(x))) << show(x);
      V g(x.size());
      for (std::size_t k = 0; k < x.size(); ++k) {
        EXPECT_TRUE(std::isnan(sc::cross_entropy(x, k, g))) << show(x) << " k = " << k;
        EXPECT_TRUE(all_nan(g)) << show(x);
      }
      V t(x.size(), 0.0);
      t[0] = 1.0;  // t_i = 0 where x_i is NaN does not hide the NaN
      EXPECT_TRUE(std::isnan(sc::cross_entropy(x, t, g))) << show(x);
      EXPECT_TRUE(all_nan(g)) << show(x);
      expect_all_cr(x, t);  // the oracle agrees
    }
    for (double t : {0.0, 0.5, 1.0}) {
      double g = 0;
      EXPECT_TRUE(std::isnan(sc::bce_with_logits(n, t, &g)));
      EXPECT_TRUE(std::isnan(g));
      expect_bce_cr(n, t);
    }
  }
}

// ---- Rows: +inf, -inf ---------------------------------------------------------------------------------

TEST(InputClass, PlusInfinity) {
  EXPECT_EQ(sc::sigmoid(inf), 1.0);
  EXPECT_EQ(sc::log_sigmoid(inf), 0.0);
  EXPECT_EQ(softmax({inf, 3.0, -inf}), (V{1.0, 0.0, 0.0}));
  EXPECT_EQ(log_softmax({inf, 3.0, -inf}), (V{0.0, -inf, -inf}));
  EXPECT_TRUE(all_nan(softmax({inf, 1.0, inf})));  // two +inf: no limit
  EXPECT_TRUE(all_nan(log_softmax({inf, inf})));
  EXPECT_EQ(sc::logsumexp(V{inf, 1.0}), inf);
  EXPECT_EQ(sc::logsumexp(V{inf, inf}), inf);  // any +inf gives +inf
  EXPECT_EQ(sc::logsumexp(V{-inf, inf}), inf);
  V g(3);
  EXPECT_EQ(sc::cross_entropy(V{inf, 0.0, 1.0}, 0, g), 0.0);
  EXPECT_EQ(g, (V{0.0, 0.0, 0.0}));
  EXPECT_EQ(sc::cross_entropy(V{inf, 0.0, 1.0}, 1, g), inf);
  EXPECT_EQ(g, (V{1.0, -1.0, 0.0}));  // e_j - e_k
  EXPECT_TRUE(std::isnan(sc::cross_entropy(V{inf, inf, 1.0}, 2, g)));
  EXPECT_TRUE(all_nan(g));
  V g2(2);
  EXPECT_EQ(sc::cross_entropy(V{inf, 0.0}, V{1.0, 0.0}, g2), 0.0);
  EXPECT_EQ(g2, (V{0.0, 0.0}));
  EXPECT_EQ(sc::cross_entropy(V{inf, 0.0}, V{0.25, 0.75}, g2), inf);
  EXPECT_EQ(g2, (V{0.75, -0.75}));  // (Σt) e_j - t
  EXPECT_EQ(sc::cross_entropy(V{inf, 0.0}, V{0.0, 0.0}, g2), 0.0);
  EXPECT_EQ(g2, (V{0.0, 0.0}));
  double gb = 0;
  EXPECT_EQ(sc::bce_with_logits(inf, 1.0, &gb), 0.0);
  EXPECT_EQ(gb, 0.0);
  EXPECT_EQ(sc::bce_with_logits(inf, 0.5, &gb), inf);
  EXPECT_EQ(gb, 0.5);
  EXPECT_EQ(sc::bce_with_logits(inf, 0.0, &gb), inf);
  EXPECT_EQ(gb, 1.0);
  // The oracle agrees on all of them.
  for (const V& x : {V{inf}, V{inf, 3.0, -inf}, V{inf, 1.0, inf}, V{1.0, inf}})
    expect_all_cr(x, V(x.size(), 0.5));
  for (double t : {0.0, 0.25, 0.5, 1.0}) expect_bce_cr(inf, t);
}

TEST(InputClass, MinusInfinity) {
  EXPECT_EQ(sc::sigmoid(-inf), 0.0);
  EXPECT_FALSE(std::signbit(sc::sigmoid(-inf)));  // +0, as docs/definitions.md says
  EXPECT_EQ(sc::log_sigmoid(-inf), -inf);
  EXPECT_EQ(softmax({-inf, 0.0}), (V{0.0, 1.0}));
  EXPECT_EQ(log_softmax({-inf, 0.0}), (V{-inf, 0.0}));
  EXPECT_TRUE(all_nan(softmax({-inf, -inf})));  // all -inf: no limit
  EXPECT_TRUE(all_nan(log_softmax({-inf})));
  EXPECT_EQ(sc::logsumexp(V{-inf, -inf}), -inf);
  EXPECT_EQ(sc::logsumexp(V{-inf, 2.5}), 2.5);
  V g(3);
  EXPECT_EQ(sc::cross_entropy(V{-inf, 0.0, 1.0}, 0, g), inf);
  EXPECT_EQ(g[0], -1.0);
  EXPECT_TRUE(std::isnan(sc::cross_entropy(V{-inf, -inf, -inf}, 1, g)));
  EXPECT_TRUE(all_nan(g));
  V g2(2);
  EXPECT_EQ(sc::cross_entropy(V{-inf, 0.0}, V{0.0, 1.0}, g2), 0.0);  // t_i = 0 at -inf counts 0
  EXPECT_EQ(g2, (V{0.0, 0.0}));
  EXPECT_EQ(sc::cross_entropy(V{-inf, 0.0}, V{0.5, 0.5}, g2), inf);
  double gb = 0;
  EXPECT_EQ(sc::bce_with_logits(-inf, 0.0, &gb), 0.0);
  EXPECT_EQ(gb, 0.0);
  EXPECT_EQ(sc::bce_with_logits(-inf, 1.0, &gb), inf);
  EXPECT_EQ(gb, -1.0);
  EXPECT_EQ(sc::bce_with_logits(-inf, 0.5, &gb), inf);
  EXPECT_EQ(gb, -0.5);
  for (const V& x : {V{-inf}, V{-inf, 0.0}, V{-inf, 0.0, 1.0}, V{-inf, -inf}, V{2.5, -inf, -1e308}})
    expect_all_cr(x, V(x.size(), 0.5));
  expect_all_cr({-inf, 0.0, 1.0}, {0.0, 0.25, 0.75});
  for (double t : {0.0, 0.25, 0.5, 1.0}) expect_bce_cr(-inf, t);
}

// ---- Row: ±0 ------------------------------------------------------------------------------------------

TEST(InputClass, SignedZero) {
  for (double z : {0.0, -0.0}) {
    EXPECT_EQ(sc::sigmoid(z), 0.5);
    EXPECT_EQ(sc::log_sigmoid(z), -log2_rn);
    EXPECT_EQ(sc::logsumexp(V{z}), 0.0);
    EXPECT_EQ(softmax({z, 0.0}), (V{0.5, 0.5}));
    EXPECT_EQ(log_softmax({z, -0.0}), (V{-log2_rn, -log2_rn}));
    V g(2);
    EXPECT_EQ(sc::cross_entropy(V{z, 0.0}, 1, g), log2_rn);
    EXPECT_EQ(g, (V{0.5, -0.5}));
    EXPECT_EQ(sc::cross_entropy(V{z, -0.0}, V{0.5, 0.5}, g), log2_rn);
    EXPECT_EQ(g, (V{0.0, 0.0}));
    double gb = 0;
    EXPECT_EQ(sc::bce_with_logits(z, 0.5, &gb), log2_rn);
    EXPECT_EQ(gb, 0.0);
    EXPECT_EQ(sc::bce_with_logits(z, 0.0, &gb), log2_rn);
    EXPECT_EQ(gb, 0.5);
    // -0 as a target is 0: a valid target for both cross-entropies.
    EXPECT_EQ(sc::bce_with_logits(1.0, -0.0), sc::bce_with_logits(1.0, 0.0));
    EXPECT_EQ(sc::cross_entropy(V{-inf, 0.0}, V{-0.0, 1.0}), 0.0);
    for (double t : {0.0, -0.0, 0.5, 1.0}) expect_bce_cr(z, t);
    expect_all_cr({z}, {1.0});
    expect_all_cr({z, 0.0, -0.0}, {-0.0, 0.5, 0.5});
    expect_all_cr({z, 1.0}, {0.25, 0.75});
  }
}

// ---- Row: subnormal inputs and results ---------------------------------------------------------------

TEST(InputClass, Subnormal) {
  const V subs{tiny, -tiny, 0x1p-1050, -0x1p-1050, 0x1p-1022 - tiny, -(0x1p-1022 - tiny)};
  for (double s : subs) {
    EXPECT_EQ(sc::sigmoid(s), 0.5) << hexf(s);  // 1/2 + s/4: s/4 is far below ulp(1/2)/2
    EXPECT_EQ(sc::logsumexp(V{s}), s) << hexf(s);  // log e^s = s exactly
    expect_all_cr({s}, {1.0});
    expect_all_cr({s, 0.0}, {0.5, 0.5});
    expect_all_cr({s, -s, 1.0}, {tiny, 0.0, 1.0});
    for (double t : {0.0, tiny, 0.5, 1.0}) expect_bce_cr(s, t);
  }
  expect_all_cr(subs, V(subs.size(), 1.0 / 6));
  // Subnormal results: σ(x) and softmax probabilities below 2^-1022, correctly rounded (not flushed).
  for (double x : {-709.0, -720.0, -740.0, -744.5, -745.13, -745.2}) {
    expect_cr(sc::sigmoid(x), oc::sigmoid(x), "sigmoid(" + hexf(x) + ")");
    expect_all_cr({0.0, x}, {0.5, 0.5});
    expect_bce_cr(-x, 1.0);
    expect_bce_cr(x, tiny);
  }
  EXPECT_GT(softmax({0.0, -740.0})[1], 0.0);
  EXPECT_LT(softmax({0.0, -740.0})[1], 0x1p-1022);
  // A subnormal target in both cross-entropies.
  expect_all_cr({0.0, 1.0, -3.0}, {tiny, 1.0, 0x1p-1030});
}

// ---- Row: ±1000, ±1e308, ±DBL_MAX ---------------------------------------------------------------------

TEST(InputClass, LargeMagnitude) {
  for (double x : {1000.0, -1000.0, 1e308, -1e308, dmax, -dmax}) {
    expect_cr(sc::sigmoid(x), oc::sigmoid(x), "sigmoid(" + hexf(x) + ")");
    expect_cr(sc::log_sigmoid(x), oc::log_sigmoid(x), "log_sigmoid(" + hexf(x) + ")");
    for (double t : {0.0, 0.5, 1.0}) expect_bce_cr(x, t);
    EXPECT_TRUE(std::isfinite(sc::log_sigmoid(x)));
  }
  EXPECT_EQ(sc::log_sigmoid(-dmax), -dmax);
  EXPECT_EQ(sc::bce_with_logits(-dmax, 1.0), dmax);
  for (const V& x : {V{1000.0, 1000.0}, V{1000.0, -1000.0, 0.0}, V{1e308, -1e308}, V{dmax, -dmax},
                     V{dmax, dmax, dmax}, V{-dmax, -dmax}, V{709.7, 709.7, 709.7, 709.7}}) {
    expect_all_cr(x, V(x.size(), 1.0));
    expect_all_cr(x, V(x.size(), 1e300));
  }
  // Results beyond DBL_MAX are the due infinity, finite ones stay finite.
  EXPECT_EQ(log_softmax({dmax, -dmax}), (V{0.0, -inf}));
  EXPECT_EQ(sc::logsumexp(V{dmax, dmax}), dmax);
  EXPECT_EQ(sc::cross_entropy(V{dmax, -dmax}, 1), inf);
}

// ---- Row: empty spans ---------------------------------------------------------------------------------

TEST(InputClass, Empty) {
  V e;
  EXPECT_NO_THROW(sc::sigmoid(e, e));
  EXPECT_NO_THROW(sc::log_sigmoid(e, e));
  EXPECT_NO_THROW(sc::softmax(e, e));
  EXPECT_NO_THROW(sc::log_softmax(e, e));
  EXPECT_EQ(sc::logsumexp(e), -inf);
  EXPECT_EQ(oc::logsumexp(e).rounded, -inf);  // the oracle agrees
  EXPECT_REJECTS(sc::cross_entropy(e, 0), "cross_entropy: x is empty");
  V g;
  EXPECT_REJECTS(sc::cross_entropy(e, 0, g), "cross_entropy: x is empty");
  EXPECT_REJECTS(sc::cross_entropy(e, std::span<const double>(e)), "cross_entropy: x is empty");
  EXPECT_REJECTS(sc::cross_entropy(e, std::span<const double>(e), g), "cross_entropy: x is empty");
  // An empty grad for a non-empty x skips the gradient: the loss is the same.
  const V x{1.0, 2.0};
  V g2(2);
  EXPECT_TRUE(same_bits(sc::cross_entropy(x, 1, {}), sc::cross_entropy(x, 1, g2)));
  EXPECT_TRUE(same_bits(sc::cross_entropy(x, V{0.5, 0.5}, {}), sc::cross_entropy(x, V{0.5, 0.5}, g2)));
}

// ---- Row: n = 1 ---------------------------------------------------------------------------------------

TEST(InputClass, SingleElement) {
  for (double x : {-dmax, -1e308, -745.5, -3.5, -tiny, -0.0, 0.0, tiny, 0.75, 709.8, 1e308, dmax}) {
    EXPECT_EQ(softmax({x}), (V{1.0})) << hexf(x);
    EXPECT_EQ(log_softmax({x}), (V{0.0})) << hexf(x);
    EXPECT_EQ(sc::logsumexp(V{x}), x) << hexf(x);
    V g(1);
    EXPECT_EQ(sc::cross_entropy(V{x}, 0, g), 0.0) << hexf(x);
    EXPECT_EQ(g[0], 0.0) << hexf(x);
    for (double t : {0.0, 0.5, 1.0, 3.0}) {  // L = -t log 1 = 0, grad = t * 1 - t = 0
      EXPECT_EQ(sc::cross_entropy(V{x}, V{t}, g), 0.0) << hexf(x) << " t = " << t;
      EXPECT_EQ(g[0], 0.0) << hexf(x) << " t = " << t;
    }
    expect_all_cr({x}, {0.5});
  }
  // The special values of n = 1: +inf is a one-hot, -inf (all -inf) and NaN are NaN.
  EXPECT_EQ(softmax({inf}), (V{1.0}));
  EXPECT_EQ(log_softmax({inf}), (V{0.0}));
  EXPECT_EQ(sc::logsumexp(V{inf}), inf);
  EXPECT_EQ(sc::cross_entropy(V{inf}, 0), 0.0);
  EXPECT_TRUE(all_nan(softmax({-inf})));
  EXPECT_EQ(sc::logsumexp(V{-inf}), -inf);
  EXPECT_TRUE(std::isnan(sc::cross_entropy(V{-inf}, 0)));
  EXPECT_TRUE(all_nan(softmax({nan})));
  for (double x : {inf, -inf, nan}) expect_all_cr({x}, {0.5});
}

// ---- Row: an output, grad or target of the wrong length ------------------------------------------------

TEST(InputClass, WrongLength) {
  const V x{1.0, 2.0, 3.0};
  for (std::size_t m : {0u, 2u, 4u}) {
    V y(m, 7.0);
    const std::string n = std::to_string(m) + " elements but x has 3";
    EXPECT_REJECTS(sc::softmax(x, y), "softmax: y has " + n);
    EXPECT_REJECTS(sc::log_softmax(x, y), "log_softmax: y has " + n);
    EXPECT_REJECTS(sc::sigmoid(x, y), "sigmoid: y has " + n);
    EXPECT_REJECTS(sc::log_sigmoid(x, y), "log_sigmoid: y has " + n);
    if (m != 0) {  // an empty grad means "no gradient"
      EXPECT_REJECTS(sc::cross_entropy(x, 0, y), "cross_entropy: grad has " + n);
      EXPECT_REJECTS(sc::cross_entropy(x, V{0.25, 0.25, 0.5}, y), "cross_entropy: grad has " + n);
    }
    EXPECT_REJECTS(sc::cross_entropy(x, std::span<const double>(y)), "cross_entropy: target has " + n);
    EXPECT_EQ(y, V(m, 7.0)) << "a rejected call wrote to its output";
  }
  V none, one(1);
  EXPECT_REJECTS(sc::softmax(none, one), "softmax: y has 1 elements but x has 0");
}

// ---- Row: output overlapping the input at an offset ---------------------------------------------------

// y = x + 1 would overwrite x[i + 1] before it is read: rejected, nothing written (in place means y = x).
TEST(InputClass, PartialOverlap) {
  for (std::ptrdiff_t off : {1, -1, 2}) {
    V buf{0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
    const V before = buf;
    const std::span<const double> x(buf.data() + 2, 3);
    const std::span<double> y(buf.data() + 2 + off, 3);
    const std::string msg = "overlaps x at an offset of " + std::to_string(off) + " elements";
    EXPECT_REJECTS(sc::softmax(x, y), "softmax: y " + msg);
    EXPECT_REJECTS(sc::log_softmax(x, y), "log_softmax: y " + msg);
    EXPECT_REJECTS(sc::sigmoid(x, y), "sigmoid: y " + msg);
    EXPECT_REJECTS(sc::log_sigmoid(x, y), "log_sigmoid: y " + msg);
    EXPECT_REJECTS(sc::cross_entropy(x, 0, y), "cross_entropy: grad " + msg);
    EXPECT_REJECTS(sc::cross_entropy(x, V{0.25, 0.25, 0.5}, y), "cross_entropy: grad " + msg);
    EXPECT_EQ(buf, before) << "a rejected call wrote to its output";
  }
}

// ---- Row: output aliasing the input (in place) --------------------------------------------------------

// Vectors from several regimes, and the special values: deterministic.
std::vector<V> alias_inputs() {
  std::vector<V> xs{{1.0, 2.0, 3.0}, {0.0}, {-inf, 0.0, 1.0}, {inf, 3.0, -inf}, {nan, 1.0}, {-inf, -inf},
                    {1000.0, -1000.0, 0.0}, {dmax, -dmax, 1.0}, {tiny, -tiny, 0.0}, {0.0, -740.0, -745.0}};
  std::mt19937_64 rng(7);
  for (double spread : {1.0, 50.0, 745.0, 1e5}) {
    std::uniform_real_distribution<double> u(-spread, spread);
    for (std::size_t n : {2u, 17u, 1000u}) {
      V x(n);
      for (double& v : x) v = u(rng);
      xs.push_back(x);
    }
  }
  V dominant(64, -30.0);  // one entry 700 above the others: log-softmax near 0, tiny target gradient
  dominant[5] = 670.0;
  xs.push_back(dominant);
  return xs;
}

TEST(InputClass, InPlaceSameBits) {
  using Fn = void (*)(std::span<const double>, std::span<double>);
  const std::pair<const char*, Fn> fns[] = {
      {"softmax", sc::softmax}, {"log_softmax", sc::log_softmax}, {"sigmoid", sc::sigmoid},
      {"log_sigmoid", sc::log_sigmoid}};
  for (const V& x : alias_inputs()) {
    for (const auto& [name, f] : fns) {
      V out(x.size()), inplace = x;
      f(x, out);
      f(inplace, inplace);
      EXPECT_TRUE(same_bits(out, inplace)) << name << " in place differs at x = " << show(x);
    }
    // Gradients written over x.
    V g(x.size());
    for (std::size_t k : {std::size_t{0}, x.size() - 1}) {
      const double l = sc::cross_entropy(x, k, g);
      V gx = x;
      const double li = sc::cross_entropy(gx, k, gx);
      EXPECT_TRUE(same_bits(l, li) && same_bits(g, gx)) << "cross_entropy grad over x, k = " << k << ", " << show(x);
    }
    V t(x.size(), 1.0 / static_cast<double>(x.size()));
    const double l = sc::cross_entropy(x, t, g);
    V gx = x;
    double li = sc::cross_entropy(gx, t, gx);
    EXPECT_TRUE(same_bits(l, li) && same_bits(g, gx)) << "distribution grad over x, " << show(x);
    V gt = t;  // and over the target
    li = sc::cross_entropy(x, gt, gt);
    EXPECT_TRUE(same_bits(l, li) && same_bits(g, gt)) << "distribution grad over t, " << show(x);
  }
}

// In place where the fast tier cannot round: targets t = RN(softmax(x)) make every component of the
// distribution gradient softmax - t cancel by ~53 bits (impl/cross_entropy.cpp), so the precise tier runs
// and needs the original x while the gradient overwrites it. Same bits as out of place, and correct.
TEST(InputClass, InPlacePreciseTier) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-20.0, 20.0);
  for (std::size_t n : {2u, 5u, 64u}) {
    V x(n);
    for (double& v : x) v = u(rng);
    const V t = softmax(x);
    V g(n);
    const double l = sc::cross_entropy(x, t, g);
    V gx = x;
    const double li = sc::cross_entropy(gx, t, gx);
    EXPECT_TRUE(same_bits(l, li) && same_bits(g, gx)) << show(x);
    V gt = t;
    const double lt = sc::cross_entropy(x, gt, gt);
    EXPECT_TRUE(same_bits(l, lt) && same_bits(g, gt)) << show(x);
    expect_all_cr(x, t);
  }
}

// ---- Row: class index out of range --------------------------------------------------------------------

TEST(InputClass, ClassIndexOutOfRange) {
  const V x{1.0, 2.0, 3.0};
  V g(3, 7.0);
  EXPECT_REJECTS(sc::cross_entropy(x, 3), "cross_entropy: target class index 3 is out of range for 3 classes");
  EXPECT_REJECTS(sc::cross_entropy(x, 3, g), "target class index 3 is out of range for 3 classes");
  EXPECT_REJECTS(sc::cross_entropy(x, SIZE_MAX, g), "target class index 18446744073709551615 is out of range");
  EXPECT_REJECTS(sc::cross_entropy(V{inf}, 1), "target class index 1 is out of range for 1 classes");
  EXPECT_EQ(g, V(3, 7.0)) << "a rejected call wrote to grad";
  expect_all_cr(x);  // k = 0 .. n - 1 are valid (checked against the oracle)
}

// ---- Rows: distribution targets -----------------------------------------------------------------------

TEST(InputClass, DistributionTargetNegative) {
  const V x{1.0, 2.0};
  V g(2, 7.0);
  EXPECT_REJECTS(sc::cross_entropy(x, V{0.5, -0.25}, g), "cross_entropy: target[1] = -0.25");
  EXPECT_REJECTS(sc::cross_entropy(x, V{-tiny, 1.0}), "target[0] = -4.9406564584124654e-324");
  EXPECT_REJECTS(sc::cross_entropy(x, V{1.0, -1e308}), "target[1] = -1e+308");
  EXPECT_EQ(g, V(2, 7.0)) << "a rejected call wrote to grad";
  expect_all_cr(x, {-0.0, 1.0});  // -0 is 0, not negative
}

TEST(InputClass, DistributionTargetNonFinite) {
  const V x{1.0, 2.0};
  EXPECT_REJECTS(sc::cross_entropy(x, V{nan, 1.0}), "cross_entropy: target[0] = nan");
  EXPECT_REJECTS(sc::cross_entropy(x, V{0.5, inf}), "cross_entropy: target[1] = inf");
  EXPECT_REJECTS(sc::cross_entropy(x, V{-inf, 0.5}), "cross_entropy: target[0] = -inf");
  V g(2);
  EXPECT_REJECTS(sc::cross_entropy(V{inf, 1.0}, V{0.5, nan}, g), "target[1] = ");  // even where x decides
}

// Allowed: L = -Σ t_i log_softmax(x)_i and ∂L/∂x = (Σt) softmax(x) - t, whatever Σt is.
TEST(InputClass, DistributionTargetUnnormalised) {
  // Closed forms: x = [0, 0], t = [2, 2]: L = 4 log 2 (exactly 4 RN(log 2)), grad = 4/2 - 2 = 0.
  V g(2);
  EXPECT_EQ(sc::cross_entropy(V{0.0, 0.0}, V{2.0, 2.0}, g), 4 * log2_rn);
  EXPECT_EQ(g, (V{0.0, 0.0}));
  // Σt = 0: L = 0, grad = 0.
  EXPECT_EQ(sc::cross_entropy(V{1.0, 5.0}, V{0.0, 0.0}, g), 0.0);
  EXPECT_EQ(g, (V{0.0, 0.0}));
  const V x{0.0, 1.0, -2.5};
  for (const V& t : {V{0.0, 0.0, 0.0}, V{0.25, 0.125, 0.125}, V{1.0, 1.0, 1.0}, V{3.0, 0.0, 0.5},
                     V{1e-300, 0.0, tiny}, V{1e308, 1e308, 0.0}, V{dmax, dmax, dmax}})
    expect_all_cr(x, t);
  // Σt beyond DBL_MAX with a finite loss: T log 2 = 2e308 * 0.69 = 1.39e308.
  const double l = sc::cross_entropy(V{0.0, 0.0}, V{1e308, 1e308}, g);
  EXPECT_TRUE(std::isfinite(l));
  expect_all_cr({0.0, 0.0}, {1e308, 1e308});
}

// ---- Row: BCE target outside [0, 1] ---------------------------------------------------------------------

TEST(InputClass, BceTargetOutsideUnitInterval) {
  double g = 7.0;
  EXPECT_REJECTS(sc::bce_with_logits(0.0, 1.5, &g), "bce_with_logits: target = 1.5 is outside [0, 1]");
  EXPECT_REJECTS(sc::bce_with_logits(0.0, -0.1), "target = -0.10000000000000001 is outside [0, 1]");
  EXPECT_REJECTS(sc::bce_with_logits(2.0, std::nextafter(1.0, 2.0)), "target = 1.0000000000000002");
  EXPECT_REJECTS(sc::bce_with_logits(2.0, -tiny), "target = -4.9406564584124654e-324");
  EXPECT_REJECTS(sc::bce_with_logits(0.0, nan, &g), "target = nan is outside");
  EXPECT_REJECTS(sc::bce_with_logits(0.0, inf), "target = inf is outside");
  EXPECT_REJECTS(sc::bce_with_logits(0.0, -inf), "target = -inf is outside");
  EXPECT_REJECTS(sc::bce_with_logits(nan, 2.0), "target = 2 is outside");  // the target is checked first
  EXPECT_EQ(g, 7.0) << "a rejected call wrote to grad";
  // The ends and their neighbours are valid.
  for (double t : {0.0, -0.0, tiny, std::nextafter(1.0, 0.0), 1.0})
    for (double x : {-30.0, 0.0, 1.5}) expect_bce_cr(x, t);
}

}  // namespace
