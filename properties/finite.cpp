// Property group 5: finite results where the exact value is finite, at ±1000, ±1e308 and in long vectors.
// Every function; the results must also stay within the budget.
#include <cfloat>
#include <cmath>

#include "properties/doubles.hpp"
#include "properties/property.hpp"
#include "properties/regimes.hpp"

namespace softcheck::properties {
namespace {

constexpr int kCases = 2000;

double extreme_entry(rc::Random& r) {
  const double s = regimes::chance(r, 0.5) ? 1 : -1;
  const double u = regimes::unit_interval(r);
  if (u < 0.4) return s * 1000;
  if (u < 0.55) return s * 1e308;
  if (u < 0.6) return s * DBL_MAX;
  if (u < 0.85) return s * std::ldexp(1 + regimes::unit_interval(r), 9 + static_cast<int>(regimes::below(r, 1015)));
  return regimes::uniform(r, -50, 50);
}

// extreme (n <= 16), or one in ten a long vector of extreme entries (n 10^3 .. 2·10^4: the oracle costs
// ~1-2 µs per element).
rc::Gen<Vec> extreme_vectors() {
  auto long_extreme = regimes::make_gen<Vec>(
      [](rc::Random& r, int size) {
        const double top = std::log10(2e4) - 3;
        const double e = 3 + regimes::uniform(r, 0, top * std::clamp(size, 0, 100) / 100.0);
        Vec v(static_cast<std::size_t>(std::llround(std::pow(10.0, e))));
        for (double& x : v) x = extreme_entry(r);
        return v;
      },
      [](const Vec& v) { return regimes::shrink_vector(v, 1); });
  return regimes::reshrink<Vec>(rc::gen::weightedOneOf<Vec>({{9, regimes::vector("extreme")}, {1, long_extreme}}),
                                [](const Vec& v) { return regimes::shrink_vector(v, 1); });
}

rc::Gen<double> extreme_scalar() {
  return regimes::make_gen<double>(
      [](rc::Random& r, int) {
        const double s = regimes::chance(r, 0.5) ? 1 : -1;
        const double u = regimes::unit_interval(r);
        if (u < 0.3) return s * 1000;
        if (u < 0.45) return s * 1e308;
        if (u < 0.5) return s * DBL_MAX;
        if (u < 0.8) return s * std::ldexp(1 + regimes::unit_interval(r), 9 + static_cast<int>(regimes::below(r, 1015)));
        return s * regimes::uniform(r, 700, 750);  // around where e^x overflows and e^-x underflows
      },
      regimes::shrink_double);
}

}  // namespace

void add_finite(std::vector<Property>& out) {
  const rc::Gen<Vec> xs = extreme_vectors();
  const rc::Gen<double> x1 = extreme_scalar();
  const std::string tail = " finite where the exact value is, and within B ULPs, at ±1000, ±1e308, mixed signs, long";

  out.push_back({{"finite.softmax", "finite", "softmax" + tail, kCases, {"softmax"}}, [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec y = call_softmax(c.k, x);
                   std::vector<oracle::Ref> ref(x.size());
                   c.ov.assign(x);
                   c.ov.softmax(ref);
                   Grader grade(c);
                   for (std::size_t i = 0; i < x.size(); ++i) grade.add("softmax(x)", i, y[i], ref[i]);
                   grade.finish();
                 }});
  out.push_back({{"finite.log_softmax", "finite", "log_softmax" + tail, kCases, {"log_softmax"}}, [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec y = call_log_softmax(c.k, x);
                   std::vector<oracle::Ref> ref(x.size());
                   c.ov.assign(x);
                   c.ov.log_softmax(ref);
                   Grader grade(c);
                   for (std::size_t i = 0; i < x.size(); ++i) grade.add("log_softmax(x)", i, y[i], ref[i]);
                   grade.finish();
                 }});
  out.push_back({{"finite.logsumexp", "finite", "logsumexp" + tail, kCases, {"logsumexp"}}, [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const double y = call_logsumexp(c.k, x);
                   c.ov.assign(x);
                   Grader grade(c);
                   grade.add("logsumexp(x)", kNoIndex, y, c.ov.logsumexp());
                   grade.finish();
                 }});
  out.push_back({{"finite.cross_entropy", "finite", "cross-entropy (index) and its gradient" + tail, kCases,
                  {"cross_entropy"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const std::size_t k = c.draw("k", regimes::class_index(x));
                   Vec g(x.size());
                   const double loss = c.k.cross_entropy(x.data(), x.size(), k, g.data());
                   std::vector<oracle::Ref> gref(x.size());
                   c.ov.assign(x);
                   Grader grade(c);
                   grade.add("cross_entropy(x, k)", kNoIndex, loss, c.ov.cross_entropy(k, gref));
                   for (std::size_t i = 0; i < x.size(); ++i)
                     grade.add("gradient", i, g[i], gref[i], i == k ? "gradient (target class)" : "gradient");
                   grade.finish();
                 }});
  out.push_back({{"finite.cross_entropy_dist", "finite", "cross-entropy (distribution) and its gradient" + tail,
                  kCases, {"cross_entropy_dist"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec t = c.draw("t", regimes::distribution(x));
                   Vec g(x.size());
                   const double loss = c.k.cross_entropy_dist(x.data(), t.data(), x.size(), g.data());
                   std::vector<oracle::Ref> gref(x.size());
                   c.ov.assign(x);
                   Grader grade(c);
                   grade.add("cross_entropy(x, t)", kNoIndex, loss, c.ov.cross_entropy(t, gref));
                   for (std::size_t i = 0; i < x.size(); ++i) grade.add("gradient", i, g[i], gref[i]);
                   grade.finish();
                 }});
  out.push_back({{"finite.sigmoid", "finite", "sigmoid" + tail, kCases, {"sigmoid"}}, [x1](Ctx& c) {
                   const double x = c.draw("x", x1);
                   Grader grade(c);
                   grade.add("sigmoid(x)", kNoIndex, call_sigmoid(c.k, x), oracle::sigmoid(x));
                   grade.finish();
                 }});
  out.push_back({{"finite.log_sigmoid", "finite", "log_sigmoid" + tail, kCases, {"log_sigmoid"}}, [x1](Ctx& c) {
                   const double x = c.draw("x", x1);
                   Grader grade(c);
                   grade.add("log_sigmoid(x)", kNoIndex, call_log_sigmoid(c.k, x), oracle::log_sigmoid(x));
                   grade.finish();
                 }});
  out.push_back({{"finite.bce_with_logits", "finite", "BCE with logits and its gradient" + tail, kCases,
                  {"bce_with_logits"}},
                 [x1](Ctx& c) {
                   const double x = c.draw("x", x1);
                   const double t = c.draw("t", regimes::bce_target(x));
                   double g = 0;
                   const double loss = c.k.bce_with_logits(x, t, &g);
                   oracle::Ref gref;
                   Grader grade(c);
                   grade.add("bce_with_logits(x, t)", kNoIndex, loss, oracle::bce_with_logits(x, t, &gref));
                   grade.add("gradient", kNoIndex, g, gref);
                   grade.finish();
                 }});
}

}  // namespace softcheck::properties
