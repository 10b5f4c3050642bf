// Property group 5: finite results where the exact value is finite, at ±1000, ±1e308 and in long vectors.
// Every function; the results must also stay within the budget.
#include <cfloat>
#include <cmath>
#include <utility>

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
  if (u < 0.85) {
    const int e = 9 + static_cast<int>(regimes::below(r, 1015));  // drawn first: see regimes.cpp on order
    return s * std::ldexp(1 + regimes::unit_interval(r), e);
  }
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
        if (u < 0.8) {
          const int e = 9 + static_cast<int>(regimes::below(r, 1015));
          return s * std::ldexp(1 + regimes::unit_interval(r), e);
        }
        return s * regimes::uniform(r, 700, 750);  // around where e^x overflows and e^-x underflows
      },
      regimes::shrink_double);
}

}  // namespace

void add_finite(std::vector<Property>& out) {
  const rc::Gen<Vec> xs = extreme_vectors();
  const rc::Gen<double> x1 = extreme_scalar();
  const std::string tail = " finite where the exact value is, and within B ULPs, at ±1000, ±1e308, mixed signs, long";

  // Per kernel entry: every row of it graded on one input.
  const std::pair<const char*, const char*> entries[] = {
      {"softmax", "softmax"},
      {"log_softmax", "log_softmax"},
      {"logsumexp", "logsumexp"},
      {"cross_entropy", "cross-entropy (index) and its gradient"},
      {"cross_entropy_dist", "cross-entropy (distribution) and its gradient"},
      {"sigmoid", "sigmoid"},
      {"log_sigmoid", "log_sigmoid"},
      {"bce_with_logits", "BCE with logits and its gradient"},
  };
  for (const auto& [entry, about] : entries) {
    const std::vector<const functions::Row*> rows = rows_of(entry);
    const inputs::Kind& kind = *rows.front()->input;
    PropertyInfo info{"finite." + std::string(entry), "finite", about + tail, kCases, {entry}};
    if (kind.scalar())
      out.push_back({info, [x1, rows, &kind](Ctx& c) { grade(c, rows, draw_input(c, kind, x1)); }});
    else
      out.push_back({info, [xs, rows, &kind](Ctx& c) { grade(c, rows, draw_input(c, kind, xs)); }});
  }
}

}  // namespace softcheck::properties
