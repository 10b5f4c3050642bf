// Shared by the parser fuzz targets: a small real report and the checked-in budgets (built once), and
// what `softcheck gate` and `merge` do with a report after reading it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "reports/gate.hpp"
#include "reports/sweep.hpp"

namespace softcheck::fuzz {

// A real sweep: every regime but `long`, the worst-case files, a few samples each; every function and bundled
// implementation, or (small) sigmoid, softmax and cross_entropy_dist for accurate and naive, for targets
// that render the report on every input. Built on first use.
const reports::Report& fixture_report(bool small = false);
// reports/budgets.json as the gate reads it.
const reports::Budgets& real_budgets();

// The steps after reading that `gate --from` and `merge` run: the gate against `budgets`, a merge of the
// report with itself as its only shard, report.json / Markdown / HTML rendering. InputError is the only
// acceptable failure (merge rejects a report whose shard fields do not describe a whole run).
// round_trip: also check that the report.json written reads back to the same bytes.
void exercise(const reports::Report& report, const reports::Budgets& budgets, bool round_trip);

inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace softcheck::fuzz
