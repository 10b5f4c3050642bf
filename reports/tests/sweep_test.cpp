// The sweep is deterministic: the same seed and counts give the same report.json bytes for any thread
// count and for any sharding merged back; the JSON reads back to the same report; null kernels are
// "not provided", not failures.
#include <gtest/gtest.h>
#include <unistd.h>

#include "reports/common.hpp"
#include "reports/functions.hpp"
#include "reports/json.hpp"
#include "reports/sweep.hpp"

namespace sr = softcheck::reports;

namespace {

// Small but covering every function and regime but `long` (one test below runs it) and the worst-case
// replay (JsonReadsBack and cli_shard_merge run it: some of its cases take the accurate kernels seconds).
sr::SweepOptions small(unsigned threads) {
  sr::SweepOptions o;
  o.seed = 20240611;
  o.samples = 280;  // 40 per vector regime, 70 per scalar one
  o.long_samples = 0;
  o.threads = threads;
  o.regimes = {"uniform", "loguniform", "thresholds", "special", "unit", "wide", "extreme", "dominant", "ties", "tail"};
  return o;
}

std::string json_of(const sr::Report& r) { return sr::report_to_json(r).text; }

}  // namespace

TEST(Sweep, ByteIdenticalJsonForOneAndTwoThreads) {
  const std::string one = json_of(sr::run_sweep(small(1)));
  const std::string two = json_of(sr::run_sweep(small(2)));
  const std::string three = json_of(sr::run_sweep(small(3)));
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, three);
  EXPECT_NE(one.find("\"schema\": \"softcheck-report/1\""), std::string::npos);
}

TEST(Sweep, ShardsMergeToTheUnshardedReport) {
  const std::string whole = json_of(sr::run_sweep(small(2)));
  std::vector<sr::Report> shards;
  for (unsigned i = 0; i < 3; ++i) {
    sr::SweepOptions o = small(1);
    o.shard_index = i;
    o.shard_count = 3;
    shards.push_back(sr::run_sweep(o));
  }
  // in any order
  std::swap(shards[0], shards[2]);
  EXPECT_EQ(json_of(sr::merge_reports(shards)), whole);
  // a missing or repeated shard is an input error
  EXPECT_THROW(sr::merge_reports({shards[0], shards[1]}), sr::InputError);
  EXPECT_THROW(sr::merge_reports({shards[0], shards[1], shards[1]}), sr::InputError);
}

TEST(Sweep, JsonReadsBackToTheSameBytes) {
  sr::SweepOptions o = small(2);
  o.worst_dir = SOFTCHECK_WORST_DIR;
  const sr::Report r = sr::run_sweep(o);
  EXPECT_FALSE(r.run.worst.empty());
  const std::string text = json_of(r);
  const sr::Report back = sr::report_from_json(text, ".", "test");
  EXPECT_EQ(json_of(back), text);
  EXPECT_THROW(sr::report_from_json("{\"schema\": \"other/1\"}", ".", "x.json"), sr::InputError);
  EXPECT_THROW(sr::report_from_json("{not json", ".", "x.json"), sr::InputError);
}

TEST(Sweep, LongRegimeWitnessesGoToSideFilesAndReadBack) {
  sr::SweepOptions o;
  o.samples = 0;
  o.long_samples = 1;
  o.seed = 1;  // its long sample 0 has n = 5111: quick
  o.functions = {"softmax", "cross_entropy_grad"};
  o.regimes = {"long"};
  const sr::Report r = sr::run_sweep(o);
  ASSERT_FALSE(r.cells.empty());
  EXPECT_EQ(r.cells.front().samples, 1u);
  const sr::RenderedJson j = sr::report_to_json(r);
  ASSERT_FALSE(j.side_files.empty());
  const auto dir = std::filesystem::temp_directory_path() / ("softcheck-long-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  sr::ensure_writable_dir(dir);
  sr::write_json_files(r, dir);
  const sr::Report back = sr::report_from_json(sr::read_file(dir / "report.json"), dir, "report.json");
  EXPECT_EQ(json_of(back), j.text);
  ASSERT_TRUE(back.cells.front().max_ulp.value);
  EXPECT_EQ(back.cells.front().max_ulp.witness.input->x.size(), r.cells.front().max_ulp.witness.input->x.size());
  std::filesystem::remove_all(dir);
}

// (Whether accurate stays within 1 ULP is the gate's business: gate_test and cli_gate_accurate.)
TEST(Sweep, EveryFunctionIsSampledAndGraded) {
  const sr::Report r = sr::run_sweep(small(2));
  for (const sr::Cell& c : sr::summarize(r)) {
    EXPECT_GT(c.samples, 0u) << c.function << " " << c.implementation;
    EXPECT_GE(c.values, c.samples) << c.function << " " << c.implementation;
    EXPECT_TRUE(c.max_ulp.value) << c.function << " " << c.implementation;
  }
  // the standard variant is worse somewhere (its known losses on dominant / tail inputs)
  double standard_worst = 0;
  for (const sr::Cell& c : sr::summarize(r))
    if (c.implementation == "standard" && c.max_ulp.value) standard_worst = std::max(standard_worst, *c.max_ulp.value);
  EXPECT_GT(standard_worst, 100.0);
}

TEST(Sweep, NullKernelIsNotProvidedNotAFailure) {
  sr::SweepOptions o = small(2);
  softcheck::Kernels k = softcheck::bundled_kernels("accurate");
  k.name = "partial";
  k.softmax = nullptr;
  o.implementations = {k};
  o.functions = {"softmax", "sigmoid"};
  const sr::Report r = sr::run_sweep(o);
  for (const sr::Cell& c : r.cells) {
    if (c.function == "softmax") {
      EXPECT_FALSE(c.provided);
      EXPECT_EQ(c.samples, 0u);
    } else {
      EXPECT_TRUE(c.provided);
      EXPECT_GT(c.samples, 0u);
    }
  }
  EXPECT_NE(json_of(r).find("\"status\": \"not_provided\""), std::string::npos);
}

TEST(Sweep, UnknownNamesAreInputErrors) {
  sr::SweepOptions o = small(1);
  o.functions = {"softmx"};
  EXPECT_THROW(sr::run_sweep(o), sr::InputError);
  o = small(1);
  o.regimes = {"wid"};
  EXPECT_THROW(sr::run_sweep(o), sr::InputError);
  o = small(1);
  o.shard_index = 2;
  o.shard_count = 2;
  EXPECT_THROW(sr::run_sweep(o), sr::InputError);
}
