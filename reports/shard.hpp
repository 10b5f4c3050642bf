// Which shard of a sweep this process runs: from --shard i/n, or from the variables a batch engine sets
// for each of its tasks, so that a sharded sweep needs no per-task command line.
//   GoogleTest-style runners: GTEST_SHARD_INDEX, GTEST_TOTAL_SHARDS
//   Kubernetes Indexed Job:   JOB_COMPLETION_INDEX, with the count from --shards N or SOFTCHECK_SHARDS
//                             (the Job's .spec.completions, which Kubernetes does not export)
//   Slurm job array:          SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT (and
//                             SLURM_ARRAY_TASK_STEP): shard (ID - MIN) / STEP of COUNT
// A CI matrix passes --shard i/n itself. An explicit --shard wins over the environment; an environment
// that names two engines, or one engine incompletely or inconsistently, is an InputError naming the
// variables (exit 2), never a silent whole run.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace softcheck::reports {

struct Shard {
  unsigned index = 0, count = 1;
  std::string source;  // "--shard", "GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS", ...; empty: the whole run
};

// getenv by default; tests pass their own environment.
using Getenv = std::function<const char*(const char*)>;
// explicit_shard: --shard's "i/n" (empty: not given); shards: --shards N (0: not given).
Shard resolve_shard(const std::string& explicit_shard, unsigned shards, const Getenv& getenv);

}  // namespace softcheck::reports
