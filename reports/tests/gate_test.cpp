// The gate: the checked-in budgets pass for the accurate implementation and FAIL as soon as any accurate
// kernel entry is swapped for its standard variant; budget files are validated; skipped, not provided or
// unbudgeted functions never pass silently.
#include <gtest/gtest.h>

#include "reports/common.hpp"
#include "reports/functions.hpp"
#include "reports/gate.hpp"
#include "reports/sweep.hpp"

namespace sr = softcheck::reports;

namespace {

sr::Budgets budgets() { return sr::parse_budgets(sr::read_file(SOFTCHECK_BUDGETS), SOFTCHECK_BUDGETS); }

sr::Report run(const softcheck::Kernels& k, std::vector<std::string> functions = {}) {
  sr::SweepOptions o;
  o.seed = 11;
  o.samples = 1050;  // 150 per vector regime
  o.long_samples = 0;
  o.implementations = {k};
  o.implementation_info = {{"accurate", "test", {}}};
  o.functions = std::move(functions);
  o.worst_dir = SOFTCHECK_WORST_DIR;
  return sr::run_sweep(o);
}

}  // namespace

TEST(Gate, AccuratePassesTheCheckedInBudgets) {
  const sr::GateResult g = sr::run_gate(run(softcheck::bundled_kernels("accurate")), budgets(), "budgets.json");
  EXPECT_TRUE(g.pass) << g.text;
  EXPECT_EQ(g.breaches, 0);
  EXPECT_GT(g.checked, 0);
}

// Every kernel entry of accurate replaced by standard's: the gate must fail, naming that function.
class SwapTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(SwapTest, GateFailsWhenAnAccurateEntryIsSwappedForStandard) {
  const std::string entry(GetParam());
  const softcheck::Kernels k = sr::swap_kernel(softcheck::bundled_kernels("accurate"), entry,
                                               softcheck::bundled_kernels("standard"));
  std::vector<std::string> fns;
  for (const sr::Function& f : sr::functions())
    if (f.kernel == entry) fns.emplace_back(f.name);
  const sr::GateResult g = sr::run_gate(run(k, fns), budgets(), "budgets.json");
  EXPECT_FALSE(g.pass) << g.text;
  EXPECT_GT(g.breaches, 0);
  EXPECT_NE(g.text.find("BREACH       " + fns.front()), std::string::npos) << g.text;
}

INSTANTIATE_TEST_SUITE_P(EveryEntry, SwapTest, ::testing::ValuesIn(sr::kernel_entries().begin(), sr::kernel_entries().end()),
                         [](const auto& param_info) { return std::string(param_info.param); });

TEST(Gate, NotProvidedOrUnbudgetedNeverPasses) {
  softcheck::Kernels k = softcheck::bundled_kernels("accurate");
  k.logsumexp = nullptr;
  sr::GateResult g = sr::run_gate(run(k, {"logsumexp", "sigmoid"}), budgets(), "budgets.json");
  EXPECT_FALSE(g.pass);
  EXPECT_NE(g.text.find("NOT CHECKED  logsumexp × accurate"), std::string::npos) << g.text;

  sr::Report r = run(softcheck::bundled_kernels("accurate"), {"sigmoid"});
  const sr::Budgets only_naive = sr::parse_budgets(R"({"schema": "softcheck-budgets/1", "budgets": {"naive": {"*": 1}}})", "b");
  g = sr::run_gate(r, only_naive, "b");
  EXPECT_FALSE(g.pass);
  EXPECT_NE(g.text.find("no budget"), std::string::npos) << g.text;
  EXPECT_NE(g.text.find("not in scope implementation naive"), std::string::npos) << g.text;
}

TEST(Gate, LooseBudgetsAreFlagged) {
  const sr::Report r = run(softcheck::bundled_kernels("accurate"), {"sigmoid"});
  const sr::Budgets loose =
      sr::parse_budgets(R"({"schema": "softcheck-budgets/1", "budgets": {"accurate": {"sigmoid": 1000}}})", "b");
  const sr::GateResult g = sr::run_gate(r, loose, "b");
  EXPECT_TRUE(g.pass) << g.text;
  EXPECT_EQ(g.loose, 1);
  EXPECT_NE(g.text.find("LOOSE"), std::string::npos);
}

TEST(Gate, BadBudgetFilesAreInputErrors) {
  const char* bad[] = {
      "",
      "{",
      "[]",
      R"({"budgets": {"accurate": {"*": 1}}})",
      R"({"schema": "softcheck-budgets/2", "budgets": {"accurate": {"*": 1}}})",
      R"({"schema": "softcheck-budgets/1", "budgets": {}})",
      R"({"schema": "softcheck-budgets/1", "budgets": {"accurate": {"softmx": 1}}})",
      R"({"schema": "softcheck-budgets/1", "budgets": {"accurate": {"softmax": -1}}})",
      R"({"schema": "softcheck-budgets/1", "budgets": {"accurate": {"softmax": {"wid": 1}}}})",
      R"({"schema": "softcheck-budgets/1", "budgets": {"accurate": {"softmax": "lots"}}})",
      R"({"schema": "softcheck-budgets/1", "loose_factor": 0.5, "budgets": {"accurate": {"*": 1}}})",
      R"({"schema": "softcheck-budgets/1", "budget": {"accurate": {"*": 1}}})",
  };
  for (const char* text : bad) EXPECT_THROW(sr::parse_budgets(text, "b.json"), sr::InputError) << text;
  EXPECT_NO_THROW(budgets());
}
