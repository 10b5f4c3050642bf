// libFuzzer target for parse_budgets, what `softcheck gate` (and `report --gate`, `merge --gate`) read from
// budgets.json: on any bytes it returns budgets or throws InputError, never crashes, hangs, leaks or throws
// anything else; budgets it accepts then gate a real report (run_gate) without fault.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "reports/fuzz/support.hpp"
#include "reports/common.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)softcheck::fuzz::fixture_report();  // build the fixture before the first input (not inside a timed run)
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace softcheck;
  reports::Budgets b;
  try {
    b = reports::parse_budgets(fuzz::text_of(data, size), "fuzz");
  } catch (const reports::InputError& e) {
    if (!*e.what()) std::abort();  // an error must say what is wrong
    return 0;
  }
  if (b.table.empty() || !(b.loose_factor > 1)) std::abort();  // accepted budgets are usable budgets
  const reports::GateResult g = reports::run_gate(fuzz::fixture_report(), b, "fuzz");
  if (g.text.empty()) std::abort();
  return 0;
}
