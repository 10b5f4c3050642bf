// Property group 1: every output (losses and gradient components too) within B ULPs of the oracle.
// One property per function row (properties/functions.hpp) and input regime of its kind.
#include <string>

#include "properties/property.hpp"
#include "properties/regimes.hpp"

namespace softcheck::properties {
namespace {

// Oracle cost is ~1-2 µs per element: `long` (n up to 10^6) gets a handful of cases.
int vector_cases(std::string_view regime) { return regime == "long" ? 4 : 2000; }
constexpr int kScalarCases = 4000;  // 1..8 scalars each for an element-wise function

void add_row(std::vector<Property>& out, const functions::Row& row, std::string_view regime) {
  const std::string id = "agreement." + std::string(row.name) + "." + std::string(regime);
  const std::string about =
      std::string(row.about) + " within B ULPs of the oracle on `" + std::string(regime) + "` inputs";
  const inputs::Kind& kind = *row.input;
  const functions::Row* r = &row;
  if (!row.scalar) {
    const rc::Gen<Vec> xs = regimes::vector(regime);
    out.push_back({{id, "agreement", about, vector_cases(regime), {std::string(row.entry)}},
                   [xs, r, &kind](Ctx& c) { grade(c, {&r, 1}, draw_input(c, kind, xs)); }});
  } else if (kind.elementwise()) {
    const rc::Gen<Vec> xs = scalars(regime);
    out.push_back({{id, "agreement", about, kScalarCases, {std::string(row.entry)}},
                   [xs, r, &kind](Ctx& c) { grade(c, {&r, 1}, draw_input(c, kind, xs)); }});
  } else {
    const rc::Gen<double> x1 = regimes::scalar(regime);
    out.push_back({{id, "agreement", about, kScalarCases, {std::string(row.entry)}},
                   [x1, r, &kind](Ctx& c) { grade(c, {&r, 1}, draw_input(c, kind, x1)); }});
  }
}

}  // namespace

void add_agreement(std::vector<Property>& out) {
  for (const regimes::Regime& regime : regimes::vector_regimes())
    for (const functions::Row& row : functions::rows())
      if (!row.scalar && row.own_properties) add_row(out, row, regime.name);
  for (const regimes::Regime& regime : regimes::scalar_regimes())
    for (const functions::Row& row : functions::rows())
      if (row.scalar && row.own_properties) add_row(out, row, regime.name);
}

}  // namespace softcheck::properties
