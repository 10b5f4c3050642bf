// Crashes and hangs of kernel calls: the printed line (inputs with %.17g) and the replayable .wc files.
#include "reports/failures.hpp"

#include <fmt/format.h>

#include <map>

#include "reports/common.hpp"
#include "reports/functions.hpp"
#include "reports/worst.hpp"

namespace softcheck::reports {
namespace {

std::string decimal(double v) { return fmt::format("{:.17g}", v); }

std::string decimal_list(const std::vector<double>& v, const std::string& hint) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size() && i < kFailureLineElements; ++i) s += (i ? ", " : "") + decimal(v[i]);
  if (v.size() > kFailureLineElements)
    s += fmt::format(", … ({} more{}{})", v.size() - kFailureLineElements, hint.empty() ? "" : ": ", hint);
  return s + "]";
}

}  // namespace

std::string describe_failure(const KernelFailure& f, const std::string& hint) {
  const Function* fn = f.functions.empty() ? nullptr : find_function(f.functions.front());
  std::string input = "(input not recorded)";
  if (f.input && fn) {
    input = fn->input->text(*f.input, decimal, [&](const std::vector<double>& v) { return decimal_list(v, hint); });
  }
  return fmt::format("{} × {}: {} in the {} kernel call [regime {}, sample {}]; input {}", f.implementation,
                     fmt::join(f.functions, ", "), f.what, f.entry, f.regime, f.index, input);
}

std::vector<std::filesystem::path> write_failure_files(const std::vector<KernelFailure>& failures,
                                                       const std::filesystem::path& dir) {
  std::map<std::string, WorstFile> files;
  for (const KernelFailure& f : failures)
    for (const std::string& name : f.functions) {
      if (!f.input) continue;
      WorstFile& wf = files[name];
      if (wf.header.empty())
        wf.header = {fmt::format("softcheck: inputs on which a kernel call for {} crashed or hung (isolated: softcheck "
                                 "recorded the failure and went on)",
                                 name),
                     fmt::format("Replay: softcheck report --worst {} --regime worst -f {} -i <implementation>",
                                 dir.string(), name),
                     "Line format: that of reports/worst/*.wc (hex floats); the note says who failed and how."};
      wf.cases.push_back({*f.input, fmt::format("{}: {} in the {} kernel call [regime {}, sample {}]", f.implementation,
                                                f.what, f.entry, f.regime, f.index)});
    }
  std::vector<std::filesystem::path> written;
  if (files.empty()) return written;
  ensure_writable_dir(dir);
  for (const auto& [name, wf] : files) {
    const auto path = worst_path(dir, name);
    write_atomically(path, format_worst_file(wf, *find_function(name)->input));
    written.push_back(path);
  }
  return written;
}

bool has_crashes(const Report& report) {
  for (const Cell& c : report.cells)
    if (c.crashes || c.skipped) return true;
  return false;
}

}  // namespace softcheck::reports
