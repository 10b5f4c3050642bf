// libFuzzer target for report_from_json, what `softcheck gate --from` and `softcheck merge` read: on any
// bytes it returns a report or throws InputError, never crashes, hangs, leaks or throws anything else; a
// report it accepts then goes through what gate and merge do with it (gate against the checked-in budgets,
// merge, report.json / Markdown / HTML), and the report.json written from it reads back to the same bytes.
// Side files (input_file) resolve against a folder holding one real witness file.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "reports/fuzz/support.hpp"
#include "reports/common.hpp"
#include "reports/json.hpp"

namespace {

std::filesystem::path& side_dir() {
  static std::filesystem::path dir;
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace softcheck;
  (void)fuzz::real_budgets();
  // A folder like a report's: witness/softmax-long-0.wc (the corpus' reports name it in input_file).
  char tmpl[] = "/tmp/softcheck-report-fuzz-XXXXXX";
  if (!::mkdtemp(tmpl)) std::abort();
  side_dir() = tmpl;
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(side_dir(), ec);
  });
  std::filesystem::create_directories(side_dir() / "witness");
  std::string wc = "# softcheck witness: softmax input, regime long, sample 0\n";
  for (int i = 0; i < 300; ++i) wc += (i ? " " : "") + reports::hex(i * 0.25 - 30);
  reports::write_atomically(side_dir() / "witness" / "softmax-long-0.wc", wc + "\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace softcheck;
  reports::Report rep;
  try {
    rep = reports::report_from_json(fuzz::text_of(data, size), side_dir(), "fuzz/report.json");
  } catch (const reports::InputError& e) {
    if (!*e.what()) std::abort();
    return 0;
  }
  fuzz::exercise(rep, fuzz::real_budgets(), true);
  return 0;
}
