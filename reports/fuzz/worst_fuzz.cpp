// libFuzzer target for parse_worst_file (reports/worst/*.wc, replayed by every `softcheck report` and gate
// run, and the side files of report.json): on any bytes, for every kind of input line, it returns cases
// or throws InputError; a case it accepts writes back (format_case) to a line that parses to the same input.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "reports/fuzz/support.hpp"
#include "reports/common.hpp"
#include "reports/worst.hpp"

namespace {

using softcheck::reports::Input;

// Equal as the file means it: bit for bit, except that every NaN is "nan".
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(std::isnan(a[i]) && std::isnan(b[i])) && std::memcmp(&a[i], &b[i], sizeof(double)) != 0) return false;
  return true;
}

bool same(const Input& a, const Input& b) {
  return same(a.x, b.x) && same(a.target, b.target) && a.target_class == b.target_class &&
         same(std::vector<double>{a.bce_target}, std::vector<double>{b.bce_target});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace softcheck::reports;
  const std::string text = softcheck::fuzz::text_of(data, size);
  namespace in = softcheck::inputs;
  for (const in::Kind* k : {&in::scalar_x(), &in::vector_x(), &in::vector_class(), &in::vector_target(), &in::scalar_target()}) {
    const in::Kind& kind = *k;
    WorstFile f;
    try {
      f = parse_worst_file(text, kind, "fuzz.wc");
    } catch (const InputError& e) {
      if (!*e.what()) std::abort();
      continue;
    }
    for (const WorstCase& c : f.cases) {
      const std::string line = format_case(c.input, kind);
      const Input back = parse_case(line, kind);  // InputError here: we wrote a line we cannot read
      if (!same(back, c.input)) {
        std::fprintf(stderr, "case does not survive format_case/parse_case: '%s'\n", line.c_str());
        std::abort();
      }
    }
    // The whole file written back reads back with the same cases.
    const WorstFile again = parse_worst_file(format_worst_file(f, kind), kind, "rewritten.wc");
    if (again.cases.size() != f.cases.size()) std::abort();
  }
  return 0;
}
