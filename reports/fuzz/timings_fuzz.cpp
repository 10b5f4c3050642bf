// libFuzzer target for timings_from_json, what `softcheck merge` reads from the timings.json beside each
// report.json: on any bytes it fills the timings of a real report or throws InputError, never crashes, hangs,
// leaks or throws anything else; the report with those timings then merges and renders without fault.
#include <cstdint>
#include <cstdlib>

#include "reports/fuzz/support.hpp"
#include "reports/common.hpp"
#include "reports/json.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)softcheck::fuzz::fixture_report(true);
  (void)softcheck::fuzz::real_budgets();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace softcheck;
  reports::Report rep = fuzz::fixture_report(true);
  try {
    reports::timings_from_json(rep, fuzz::text_of(data, size), "fuzz/timings.json");
  } catch (const reports::InputError& e) {
    if (!*e.what()) std::abort();
    return 0;
  }
  if (rep.timings.cells.size() != rep.cells.size()) std::abort();
  fuzz::exercise(rep, fuzz::real_budgets(), false);  // report.json holds no timings
  return 0;
}
