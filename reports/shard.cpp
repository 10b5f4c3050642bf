// The shard of a sweep, from --shard or a batch engine's variables (see shard.hpp).
#include "reports/shard.hpp"

#include <fmt/format.h>

#include <charconv>
#include <string_view>
#include <vector>

#include "reports/common.hpp"

namespace softcheck::reports {
namespace {

unsigned number(std::string_view text, std::string_view what) {
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw InputError(fmt::format("{} = '{}': want an integer in [0, 2^32)", what, text));
  return v;
}

}  // namespace

Shard resolve_shard(const std::string& explicit_shard, unsigned shards, const Getenv& getenv) {
  Shard s;
  auto env = [&](const char* name) -> std::optional<std::string> {
    const char* v = getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
  if (!explicit_shard.empty()) {
    const auto slash = explicit_shard.find('/');
    if (slash == std::string::npos) throw InputError(fmt::format("--shard '{}': expected i/n", explicit_shard));
    s.index = number(std::string_view(explicit_shard).substr(0, slash), "--shard's i");
    s.count = number(std::string_view(explicit_shard).substr(slash + 1), "--shard's n");
    s.source = "--shard";
    if (shards && shards != s.count)
      throw InputError(fmt::format("--shard {} and --shards {} disagree on the count", explicit_shard, shards));
  } else {
    // Every engine whose variables are present, even partly: more than one is ambiguous.
    const std::vector<std::pair<std::string, std::vector<const char*>>> engines = {
        {"GoogleTest", {"GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS"}},
        {"Kubernetes Indexed Job", {"JOB_COMPLETION_INDEX"}},
        {"Slurm job array", {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN"}},
    };
    std::vector<std::string> present;
    std::string engine;
    for (const auto& [name, vars] : engines) {
      std::vector<std::string> set;
      for (const char* v : vars)
        if (env(v)) set.push_back(v);
      if (set.empty()) continue;
      present.push_back(fmt::format("{} ({})", name, fmt::join(set, ", ")));
      engine = name;
    }
    if (present.size() > 1)
      throw InputError(fmt::format("the environment names more than one shard scheme: {}; pass --shard i/n to choose",
                                   fmt::join(present, " and ")));
    auto need = [&](const char* name) {
      const auto v = env(name);
      if (!v) throw InputError(fmt::format("{}: {} is set but {} is not", engine, present[0], name));
      return number(*v, name);
    };
    if (engine == "GoogleTest") {
      s.index = need("GTEST_SHARD_INDEX");
      s.count = need("GTEST_TOTAL_SHARDS");
      s.source = "GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS";
    } else if (engine == "Kubernetes Indexed Job") {
      s.index = need("JOB_COMPLETION_INDEX");
      if (shards) {
        s.count = shards;
      } else if (const auto c = env("SOFTCHECK_SHARDS")) {
        s.count = number(*c, "SOFTCHECK_SHARDS");
      } else {
        throw InputError(
            "Kubernetes Indexed Job: JOB_COMPLETION_INDEX is set but not the shard count: pass --shards N or set "
            "SOFTCHECK_SHARDS to the Job's .spec.completions");
      }
      s.source = "JOB_COMPLETION_INDEX";
    } else if (engine == "Slurm job array") {
      const unsigned id = need("SLURM_ARRAY_TASK_ID"), min = need("SLURM_ARRAY_TASK_MIN");
      s.count = need("SLURM_ARRAY_TASK_COUNT");
      const unsigned step = env("SLURM_ARRAY_TASK_STEP") ? need("SLURM_ARRAY_TASK_STEP") : 1;
      if (step == 0 || id < min || (id - min) % step != 0)
        throw InputError(fmt::format("Slurm job array: SLURM_ARRAY_TASK_ID = {} is not MIN + k STEP (MIN = {}, STEP = {})",
                                     id, min, step));
      s.index = (id - min) / step;
      s.source = "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_MIN/SLURM_ARRAY_TASK_COUNT";
      if (shards && shards != s.count)
        throw InputError(fmt::format("--shards {} and SLURM_ARRAY_TASK_COUNT = {} disagree", shards, s.count));
    } else if (shards) {
      throw InputError(fmt::format("--shards {}: which shard this is comes from --shard i/n or JOB_COMPLETION_INDEX, "
                                   "and neither is given",
                                   shards));
    }
  }
  if (s.count == 0 || s.index >= s.count)
    throw InputError(fmt::format("shard {}/{}{}: want i/n with 0 ≤ i < n", s.index, s.count,
                                 s.source.empty() ? "" : " (from " + s.source + ")"));
  return s;
}

}  // namespace softcheck::reports
