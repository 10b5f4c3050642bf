// `softcheck check`: run the property suite against one Kernels, print verdicts, failures and a summary.
#include "reports/check.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <set>

#include "reports/common.hpp"
#include "reports/functions.hpp"

namespace softcheck::reports {
namespace {

namespace sp = softcheck::properties;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The entries of `info.needs` that `k` does not provide.
std::vector<std::string> missing(const Kernels& k, const sp::PropertyInfo& info) {
  std::vector<std::string> out;
  for (const std::string& e : info.needs)
    if (!provides(k, e)) out.push_back(e);
  return out;
}

std::string indent(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    out += "      " + line + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

int CheckSummary::exit_status() const { return failed.empty() && !passed.empty() ? 0 : 1; }

std::vector<const sp::PropertyInfo*> selected_properties(const CheckOptions& o) {
  std::vector<const sp::PropertyInfo*> out;
  for (const sp::PropertyInfo& p : sp::catalog())
    if (sp::matches(p.id, o.suite.filter) && (o.exclude.empty() || !sp::matches(p.id, o.exclude)))
      out.push_back(&p);
  if (out.empty())
    throw InputError(fmt::format("--property '{}'{}: no property matches (softcheck check --list shows them)",
                                 o.suite.filter,
                                 o.exclude.empty() ? "" : fmt::format(" --exclude '{}'", o.exclude)));
  return out;
}

std::string format_property_list(const Kernels& k, const CheckOptions& o) {
  std::string out;
  for (const sp::PropertyInfo* p : selected_properties(o)) {
    const std::vector<std::string> lacks = missing(k, *p);
    out += fmt::format("{:<44} {:>6} cases  {}{}\n", p->id, p->cases, p->description,
                       lacks.empty() ? "" : fmt::format("  [not provided: {}]", fmt::join(lacks, ", ")));
  }
  return out;
}

std::string shell_word(std::string_view w) {
  if (!w.empty() && w.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+=,:@%") ==
                        std::string_view::npos)
    return std::string(w);
  std::string q = "'";
  for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CheckSummary run_check(const Kernels& k, const CheckOptions& o, const std::function<void(const std::string&)>& print) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto selected = selected_properties(o);
  CheckSummary s;
  std::set<std::string> missing_entries;
  std::size_t width = 0;
  for (const auto* p : selected) width = std::max(width, p->id.size());

  print(fmt::format("softcheck check: {} properties against '{}' (seed {}, scale {}, budget {} ULP{})\n",
                    selected.size(), k.name, o.suite.seed, o.suite.scale, o.suite.budget_ulps,
                    o.suite.reproduce.empty() ? "" : ", only the cases of RC_PARAMS reproduce="));
  for (const sp::PropertyInfo* p : selected) {
    const std::vector<std::string> lacks = missing(k, *p);
    if (!lacks.empty()) {
      s.not_provided.push_back(p->id);
      missing_entries.insert(lacks.begin(), lacks.end());
      if (o.verbose)
        print(fmt::format("----  {:<{}}  not provided ({})\n", p->id, width, fmt::join(lacks, ", ")));
      continue;
    }
    if (o.on_start) o.on_start(p->id);
    const auto t = std::chrono::steady_clock::now();
    const sp::PropertyOutcome r = sp::run_property(k, p->id, o.suite);
    const double dt = seconds_since(t);
    if (r.skipped) {  // with a reproduce string: a property it does not name
      s.not_run.push_back(p->id);
      if (o.verbose) print(fmt::format("----  {:<{}}  {}\n", p->id, width, r.message));
    } else if (r.passed) {
      s.passed.push_back(p->id);
      print(fmt::format("PASS  {:<{}}  ({} case{}, {:.1f} s)\n", p->id, width, r.cases, r.cases == 1 ? "" : "s", dt));
    } else {
      s.failed.push_back(p->id);
      print(fmt::format("FAIL  {:<{}}  ({:.1f} s)\n", p->id, width, dt));
      const std::string command = o.replay_command.empty() ? "" : o.replay_command + " --property " + p->id;
      print(indent(sp::describe(r, k.name, command)));
    }
  }
  s.missing_entries.assign(missing_entries.begin(), missing_entries.end());
  s.seconds = seconds_since(t0);

  std::string sum = fmt::format("\nsummary: {} passed, {} failed, {} not provided", s.passed.size(), s.failed.size(),
                                s.not_provided.size());
  if (!s.not_run.empty()) sum += fmt::format(", {} not in the reproduce string", s.not_run.size());
  sum += fmt::format(" ({:.1f} s)\n", s.seconds);
  if (!s.not_provided.empty())
    sum += fmt::format("not provided: '{}' does not provide {} (not a failure; --verbose lists the properties)\n",
                       k.name, fmt::join(s.missing_entries, ", "));
  if (!s.failed.empty()) sum += fmt::format("failed: {}\n", fmt::join(s.failed, " "));
  if (s.passed.empty() && s.failed.empty())
    sum += "check: NOTHING CHECKED: no selected property could run, so nothing was shown correct\n";
  else
    sum += s.failed.empty() ? "check: PASS\n" : "check: FAIL\n";
  print(sum);
  return s;
}

}  // namespace softcheck::reports
