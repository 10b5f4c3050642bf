// The sweep: functions × regimes × implementations, sampled deterministically by (seed, regime, index),
// split over threads and shards by sample index, merged exactly; and the Report it produces.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "impl/kernels.hpp"
#include "reports/stats.hpp"

namespace softcheck::reports {

inline constexpr const char* kReportSchema = "softcheck-report/1";
inline constexpr const char* kTimingsSchema = "softcheck-timings/1";
inline constexpr const char* kWorstRegime = "worst";

struct RegimeInfo {
  std::string name, description;
  bool scalar = false;
  std::uint64_t samples = 0;  // planned, over all shards (for "worst": the largest case count)
};

struct ImplementationInfo {
  std::string name;
  std::string origin;  // "bundled", or what the caller says (a plugin path later)
  std::vector<std::pair<std::string, std::string>> swaps;  // kernel entry → implementation it came from
};

struct WorstFileInfo {
  std::string function, file, digest;
  std::uint64_t cases = 0;
  std::vector<std::string> header;
};

struct RunInfo {
  std::uint64_t seed = 1;
  std::uint64_t samples = 0;       // per function, spread evenly over its regimes (but long)
  std::uint64_t long_samples = 0;  // for the `long` regime
  std::vector<std::string> functions, regimes, implementations;  // what this run covers
  unsigned shard_index = 0, shard_count = 1;
  bool replay_worst = true;
  std::vector<WorstFileInfo> worst;
};

// Not part of report.json (they differ between runs): timings.json.
struct CellTiming {
  std::int64_t kernel_ns = 0;
  std::uint64_t calls = 0;
};
struct Timings {
  double wall_s = 0;
  unsigned threads = 0;
  std::vector<CellTiming> cells;                             // parallel to Report::cells
  std::vector<std::pair<std::string, std::int64_t>> oracle;  // regime → oracle nanoseconds (all threads)
};

// A kernel call that crashed, hung or exited (the sweep runs kernels isolated: isolate.hpp). Not in
// report.json (the cells count it, and their first_error names the earliest); `softcheck report` prints
// each and writes the inputs to <out>/crashes/<function>.wc (replayable with --worst).
struct KernelFailure {
  std::string implementation;
  std::string entry;                   // the Kernels entry called, e.g. "softmax" (plugin symbol softcheck_softmax)
  std::vector<std::string> functions;  // the report rows that share that call
  std::string regime;
  int rank = 0;
  std::uint64_t index = 0;
  std::shared_ptr<const Input> input;
  std::string what;                    // isolate::Failure::describe(), e.g. "crashed: killed by signal 11 (...)"
};

struct Report {
  RunInfo run;
  std::vector<std::pair<std::string, std::string>> versions;
  std::vector<ImplementationInfo> implementations;
  std::vector<RegimeInfo> regimes;  // in rank order
  std::vector<Cell> cells;          // function order, then regime rank, then implementation order
  Timings timings;
  std::vector<KernelFailure> failures;  // crashes and hangs, by implementation, entry, regime rank, index
};

struct Progress {
  std::uint64_t done = 0, total = 0;  // samples
  std::string regime;                 // the regime most recently started
  double elapsed_s = 0;
};

struct SweepOptions {
  std::uint64_t seed = 1;
  // Samples per function: each regime of the function's kind but `long` gets ceil(samples / number of such
  // regimes), whatever the --regime filter (so a sample index means the same input in every run).
  std::uint64_t samples = 100000;
  std::uint64_t long_samples = 1;    // the `long` regime (n up to 10^6) is expensive
  unsigned threads = 0;              // 0: every core
  std::vector<std::string> functions, regimes;  // empty: all
  std::vector<Kernels> implementations;         // empty: the bundled ones
  std::vector<ImplementationInfo> implementation_info;  // parallel to implementations (optional)
  unsigned shard_index = 0, shard_count = 1;
  std::optional<std::filesystem::path> worst_dir;  // replay <dir>/<function>.wc; nullopt: none
  std::function<void(const Progress&)> progress;   // called from the calling thread, ~10 times a second

  // Isolation (isolate.hpp): each worker thread runs the kernels in a child process of its own, so a
  // kernel that crashes, hangs or exits is recorded as a failure of that call (cell errors/crashes, a
  // KernelFailure) and the sweep goes on with the next call. false: kernels run in this process.
  bool isolate = true;
  double call_timeout_s = 60;   // a kernel call running longer is a hang (killed); 0: no limit
  // After this many crashes or hangs of one implementation's kernel entry, its remaining calls are not
  // made (the cells count them as `skipped`, which fails the gate). 0: no limit.
  unsigned max_crashes = 10;
  // Called (serialized, from worker threads) for each crash or hang, as it is graded.
  std::function<void(const KernelFailure&)> on_failure;
};

// Throws InputError for unknown names, a bad shard or a corrupt worst-case file.
Report run_sweep(const SweepOptions& options);

// Merges complete sets of shards (or any reports of the same run over disjoint samples): exact, so the
// result equals the unsharded run. Throws InputError when the runs differ or shards are missing/duplicated.
Report merge_reports(const std::vector<Report>& shards);

// Per function × implementation over every regime (regime "all"), in report order.
std::vector<Cell> summarize(const Report& report);

// A regime's rank in the canonical order (scalar regimes, vector regimes, worst): the witness tie-break.
// -1 when unknown.
int regime_rank(std::string_view regime, bool scalar);

// Samples per regime for a per-function count: ceil(samples / regimes of that kind but long); long_samples
// for `long`.
std::uint64_t regime_samples(std::string_view regime, bool scalar, std::uint64_t samples, std::uint64_t long_samples);

}  // namespace softcheck::reports
