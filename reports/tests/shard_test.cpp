// The shard of a sweep from --shard or a batch engine's variables (reports/shard.hpp), each engine's
// variables exactly as it sets them; an ambiguous or incomplete environment is an InputError naming them.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "reports/common.hpp"
#include "reports/shard.hpp"

namespace {

namespace sr = softcheck::reports;

sr::Getenv env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

std::string error_of(const std::string& shard, unsigned shards, std::map<std::string, std::string> vars) {
  try {
    sr::resolve_shard(shard, shards, env(std::move(vars)));
  } catch (const sr::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Shard, WholeRunWithoutAnything) {
  const sr::Shard s = sr::resolve_shard("", 0, env({}));
  EXPECT_EQ(s.index, 0u);
  EXPECT_EQ(s.count, 1u);
  EXPECT_TRUE(s.source.empty());
}

TEST(Shard, ExplicitWinsOverTheEnvironment) {
  const sr::Shard s = sr::resolve_shard("2/5", 0, env({{"SLURM_ARRAY_TASK_ID", "1"}, {"GTEST_SHARD_INDEX", "0"}}));
  EXPECT_EQ(s.index, 2u);
  EXPECT_EQ(s.count, 5u);
}

TEST(Shard, GoogleTest) {
  const sr::Shard s = sr::resolve_shard("", 0, env({{"GTEST_SHARD_INDEX", "1"}, {"GTEST_TOTAL_SHARDS", "3"}}));
  EXPECT_EQ(s.index, 1u);
  EXPECT_EQ(s.count, 3u);
  EXPECT_NE(error_of("", 0, {{"GTEST_SHARD_INDEX", "1"}}).find("GTEST_TOTAL_SHARDS is not"), std::string::npos);
}

TEST(Shard, KubernetesIndexedJob) {
  // An Indexed Job sets JOB_COMPLETION_INDEX (0-based); the count is the Job's completions, passed on.
  sr::Shard s = sr::resolve_shard("", 4, env({{"JOB_COMPLETION_INDEX", "3"}}));
  EXPECT_EQ(s.index, 3u);
  EXPECT_EQ(s.count, 4u);
  s = sr::resolve_shard("", 0, env({{"JOB_COMPLETION_INDEX", "0"}, {"SOFTCHECK_SHARDS", "2"}}));
  EXPECT_EQ(s.count, 2u);
  EXPECT_NE(error_of("", 0, {{"JOB_COMPLETION_INDEX", "0"}}).find("--shards N or set SOFTCHECK_SHARDS"),
            std::string::npos);
  EXPECT_NE(error_of("", 2, {{"JOB_COMPLETION_INDEX", "2"}}).find("shard 2/2"), std::string::npos);
}

TEST(Shard, SlurmJobArray) {
  // sbatch --array=1-4: IDs 1..4, MIN 1, COUNT 4 (Slurm also sets MAX and STEP).
  sr::Shard s = sr::resolve_shard("", 0, env({{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_MIN", "1"},
                                              {"SLURM_ARRAY_TASK_MAX", "4"}, {"SLURM_ARRAY_TASK_COUNT", "4"},
                                              {"SLURM_ARRAY_TASK_STEP", "1"}}));
  EXPECT_EQ(s.index, 3u);
  EXPECT_EQ(s.count, 4u);
  // --array=0-8:4: IDs 0, 4, 8.
  s = sr::resolve_shard("", 0, env({{"SLURM_ARRAY_TASK_ID", "8"}, {"SLURM_ARRAY_TASK_MIN", "0"},
                                    {"SLURM_ARRAY_TASK_COUNT", "3"}, {"SLURM_ARRAY_TASK_STEP", "4"}}));
  EXPECT_EQ(s.index, 2u);
  EXPECT_NE(error_of("", 0, {{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "0"},
                             {"SLURM_ARRAY_TASK_COUNT", "3"}, {"SLURM_ARRAY_TASK_STEP", "4"}})
                .find("not MIN + k STEP"),
            std::string::npos);
  EXPECT_NE(error_of("", 0, {{"SLURM_ARRAY_TASK_ID", "5"}}).find("but SLURM_ARRAY_TASK_MIN is not"), std::string::npos);
}

TEST(Shard, AmbiguousOrMalformedIsAnError) {
  const std::string e = error_of("", 0, {{"GTEST_SHARD_INDEX", "0"}, {"GTEST_TOTAL_SHARDS", "2"},
                                         {"SLURM_ARRAY_TASK_ID", "1"}});
  EXPECT_NE(e.find("more than one shard scheme"), std::string::npos) << e;
  EXPECT_NE(e.find("GTEST_SHARD_INDEX"), std::string::npos) << e;
  EXPECT_NE(e.find("SLURM_ARRAY_TASK_ID"), std::string::npos) << e;
  EXPECT_NE(error_of("", 0, {{"GTEST_SHARD_INDEX", "x"}, {"GTEST_TOTAL_SHARDS", "2"}}).find("GTEST_SHARD_INDEX = 'x'"),
            std::string::npos);
  EXPECT_NE(error_of("1/3", 4, {}).find("disagree"), std::string::npos);
  EXPECT_NE(error_of("3/3", 0, {}).find("shard 3/3"), std::string::npos);
}

}  // namespace
