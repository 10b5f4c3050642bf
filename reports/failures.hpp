// Kernel calls that crashed or hung (sweep.hpp's KernelFailure, found by the isolated sweep): the line
// printed for each, the replayable files of their inputs, and whether a report holds any.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "reports/sweep.hpp"

namespace softcheck::reports {

// Inputs longer than this are cut in failure lines (the whole input goes to the failure files).
inline constexpr std::size_t kFailureLineElements = 8;

// One line: "<impl> × <functions>: <what> in the <entry> kernel call [regime R, sample I]; input x = [...]
// (n = N)", every value with %.17g. A cut input ends with `full_input_hint` (where the whole input is).
std::string describe_failure(const KernelFailure& f, const std::string& full_input_hint);

// Writes every failure's input to <dir>/<function>.wc, the worst-case line format (worst.hpp), one case a
// line with a note naming the implementation and what happened: replayable with
// `softcheck report --worst <dir> --regime worst -f <function> -i <impl>`. Each file atomically.
// Returns the files written.
std::vector<std::filesystem::path> write_failure_files(const std::vector<KernelFailure>& failures,
                                                       const std::filesystem::path& dir);

// Whether any cell recorded a crash or hang, or skipped samples after too many: the run failed to measure
// something (`report` and `merge` then exit 1).
bool has_crashes(const Report& report);

}  // namespace softcheck::reports
