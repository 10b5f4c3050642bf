// `softcheck check`: the whole property suite (properties/suite.hpp) against one implementation, with a
// verdict per property, each failure's shrunk counterexample and replay line, and a summary.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "impl/kernels.hpp"
#include "properties/suite.hpp"

namespace softcheck::reports {

struct CheckOptions {
  properties::SuiteOptions suite;  // seed, scale, budget, filter ('*' wildcards, ':' alternatives), reproduce
  std::string exclude;             // properties matching this pattern are not run (same syntax as the filter)
  std::string replay_command;      // what replays one property, e.g. "softcheck check --impl naive"; the
                                   // failure's replay line is RC_PARAMS="..." <replay_command> --property ID
  bool isolate = true;             // each property in a child process (reports/isolate.hpp)
  double timeout_s = 600;          // a property making no progress this long is a hang (0: no limit)
  bool verbose = false;            // also list every property that was not provided, one a line
  unsigned jobs = 1;               // properties running at once, each in its child (with isolation)
  bool fail_fast = false;          // after the first failure start no further property
  std::function<void(const std::string&)> on_start;  // called with a property's id before it runs (progress)
};

struct CheckSummary {
  std::vector<std::string> passed, failed, not_provided, not_run;  // property ids, in catalog order
  std::vector<std::string> not_started;  // left when --fail-fast stopped the run
  // Every selected property's verdict, in catalog order (for --junit): not run ones as skipped.
  struct Verdict {
    std::string id;
    enum class Status { kPassed, kFailed, kSkipped } status = Status::kPassed;
    double seconds = 0;
    std::string message, kind, text;  // text: the whole account of a failure, with its replay line
  };
  std::vector<Verdict> verdicts;
  std::vector<std::string> missing_entries;  // the Kernels entries some selected property needed
  double seconds = 0;
  // 0: every property that ran passed (and at least one ran); 1: a property failed, or none could be
  // checked (every selected property needs an entry the implementation does not provide).
  int exit_status() const;
};

// The properties the options select, in catalog order. Throws InputError when the filter selects none.
std::vector<const properties::PropertyInfo*> selected_properties(const CheckOptions& options);

// `check --list`: a line per selected property: id, case count, description and the entries `kernels` lacks.
std::string format_property_list(const Kernels& kernels, const CheckOptions& options);

// JUnit XML (reports/junit.hpp) of a run: a testcase per selected property, failed with its shrunk
// counterexample and replay line, skipped where not provided or not run.
std::string check_junit(const CheckSummary& summary, const std::string& implementation);

// A word as the shell reads it back, quoted where needed (for replay lines).
std::string shell_word(std::string_view word);

// Runs the selected properties against `kernels`, printing as it goes through `print` (a PASS/FAIL line
// per property, the full account of each failure, then the summary). A property whose needed entry is null
// in `kernels` is not run and counts as "not provided", never as a failure.
CheckSummary run_check(const Kernels& kernels, const CheckOptions& options,
                       const std::function<void(const std::string&)>& print);

}  // namespace softcheck::reports
