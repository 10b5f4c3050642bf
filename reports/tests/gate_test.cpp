// The gate: the checked-in budgets pass for the accurate implementation and FAIL as soon as any accurate
// kernel entry is swapped for its standard variant; budget files are validated; skipped, not provided or
// unbudgeted functions never pass silently.
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include "reports/common.hpp"
#include "reports/functions.hpp"
#include "reports/gate.hpp"
#include "reports/json.hpp"
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
  const softcheck::Kernels k = softcheck::swap_kernel(softcheck::bundled_kernels("accurate"), entry,
                                               softcheck::bundled_kernels("standard"));
  std::vector<std::string> fns;
  for (const sr::Function& f : sr::functions())
    if (f.entry == entry) fns.emplace_back(f.name);
  const sr::GateResult g = sr::run_gate(run(k, fns), budgets(), "budgets.json");
  EXPECT_FALSE(g.pass) << g.text;
  EXPECT_GT(g.breaches, 0);
  EXPECT_NE(g.text.find("BREACH       " + fns.front()), std::string::npos) << g.text;
}

INSTANTIATE_TEST_SUITE_P(EveryEntry, SwapTest, ::testing::ValuesIn(softcheck::kernel_entries().begin(), softcheck::kernel_entries().end()),
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

// ---- nothing lost: every way a budgeted cell can go unmeasured fails the gate ----

namespace {

void throwing_sigmoid(const double*, std::size_t, double*) { throw std::runtime_error("kernel refused"); }
void aborting_sigmoid(const double* x, std::size_t n, double* y) {
  if (n == 1 && x[0] > 0) std::abort();
  softcheck::bundled_kernels("accurate").sigmoid(x, n, y);
}
void hanging_sigmoid(const double*, std::size_t, double*) {
  for (volatile int spin = 0; spin == 0;) {  // a volatile read each turn: a side effect, no UB
  }
}

sr::Report run_isolated(const softcheck::Kernels& k, double timeout_s = 20, unsigned max_crashes = 10) {
  sr::SweepOptions o;
  o.seed = 11;
  o.samples = 40;
  o.long_samples = 0;
  o.threads = 1;
  o.functions = {"sigmoid"};
  o.implementations = {k};
  o.implementation_info = {{"accurate", "test", {}}};
  o.worst_dir.reset();
  o.call_timeout_s = timeout_s;
  o.max_crashes = max_crashes;
  return sr::run_sweep(o);
}

const sr::Budgets& unbounded() {
  static const sr::Budgets b =
      sr::parse_budgets(R"({"schema": "softcheck-budgets/1", "budgets": {"accurate": {"*": "inf"}}})", "inf.json");
  return b;
}

}  // namespace

TEST(GateLosesNothing, AKernelThatThrowsIsABreachEvenUnderAnInfiniteBudget) {
  softcheck::Kernels k = softcheck::bundled_kernels("accurate");
  k.sigmoid = throwing_sigmoid;
  const sr::GateResult g = sr::run_gate(run_isolated(k), unbounded(), "inf.json");
  EXPECT_FALSE(g.pass) << g.text;
  EXPECT_NE(g.text.find("BREACH       sigmoid × accurate"), std::string::npos) << g.text;
  EXPECT_NE(g.text.find("threw \"kernel refused\""), std::string::npos) << g.text;
}

TEST(GateLosesNothing, ACrashIsABreachNamingTheInputAndSurvivesTheJson) {
  softcheck::Kernels k = softcheck::bundled_kernels("accurate");
  k.sigmoid = aborting_sigmoid;
  const sr::Report r = run_isolated(k);
  sr::GateResult g = sr::run_gate(r, unbounded(), "inf.json");
  EXPECT_FALSE(g.pass) << g.text;
  EXPECT_NE(g.text.find("crashed or hung); first: x = 0x"), std::string::npos) << g.text;
  EXPECT_NE(g.text.find("crashed: killed by signal 6 (SIGABRT: Aborted) in the sigmoid kernel call"), std::string::npos)
      << g.text;
  // gate --from report.json: the crash is still there.
  const sr::Report back = sr::report_from_json(sr::report_to_json(r).text, ".", "report.json");
  g = sr::run_gate(back, unbounded(), "inf.json");
  EXPECT_FALSE(g.pass) << g.text;
  EXPECT_NE(g.text.find("crashed or hung"), std::string::npos) << g.text;
}

TEST(GateLosesNothing, SamplesSkippedAfterHangsAreNotChecked) {
  softcheck::Kernels k = softcheck::bundled_kernels("accurate");
  k.sigmoid = hanging_sigmoid;
  const sr::Report r = run_isolated(k, 0.2, 2);
  std::uint64_t skipped = 0, crashes = 0;
  for (const sr::Cell& c : r.cells) skipped += c.skipped, crashes += c.crashes;
  EXPECT_EQ(crashes, 2u);
  EXPECT_EQ(skipped, 38u);  // 40 samples, 2 of them hung, the rest given up on (one thread: in order)
  const sr::GateResult g = sr::run_gate(r, unbounded(), "inf.json");
  EXPECT_FALSE(g.pass) << g.text;
  EXPECT_NE(g.text.find("NOT CHECKED  sigmoid × accurate ["), std::string::npos) << g.text;
  EXPECT_NE(g.text.find("not evaluated: the kernel had crashed or hung too often"), std::string::npos) << g.text;
}

TEST(GateLosesNothing, AReportMissingABudgetedCellFails) {
  const sr::Report whole = run(softcheck::bundled_kernels("accurate"), {"sigmoid", "softmax"});
  ASSERT_TRUE(sr::run_gate(whole, budgets(), "budgets.json").pass);

  // One regime's cell gone (a report cut or edited by hand).
  sr::Report r = whole;
  std::erase_if(r.cells, [](const sr::Cell& c) { return c.function == "softmax" && c.regime == "wide"; });
  sr::GateResult g = sr::run_gate(r, budgets(), "budgets.json");
  EXPECT_FALSE(g.pass) << g.text;
  EXPECT_NE(g.text.find("NOT CHECKED  softmax × accurate [wide]: budgeted, but the report has no cell for it"),
            std::string::npos)
      << g.text;

  // The replayed worst cases' cell gone.
  r = whole;
  std::erase_if(r.cells, [](const sr::Cell& c) { return c.function == "sigmoid" && c.regime == "worst"; });
  g = sr::run_gate(r, budgets(), "budgets.json");
  EXPECT_FALSE(g.pass) << g.text;
  EXPECT_NE(g.text.find("sigmoid × accurate [worst]: budgeted, but the report has no cell"), std::string::npos) << g.text;

  // Every cell of a function gone, under a budget that names only some of its regimes (no "*").
  r = whole;
  std::erase_if(r.cells, [](const sr::Cell& c) { return c.function == "sigmoid"; });
  const sr::Budgets regime_only = sr::parse_budgets(
      R"({"schema": "softcheck-budgets/1", "budgets": {"accurate": {"sigmoid": {"uniform": 1}, "softmax": 1}}})", "b");
  g = sr::run_gate(r, regime_only, "b");
  EXPECT_FALSE(g.pass) << g.text;
  EXPECT_NE(g.text.find("NOT CHECKED  sigmoid × accurate: budgeted, but the report has no cell for it"),
            std::string::npos)
      << g.text;
}

TEST(GateLosesNothing, AMissingSymbolIsNotCheckedEvenWithAnInfiniteBudget) {
  softcheck::Kernels k = softcheck::bundled_kernels("accurate");
  k.sigmoid = nullptr;  // a plugin that does not export softcheck_sigmoid
  const sr::GateResult g = sr::run_gate(run_isolated(k), unbounded(), "inf.json");
  EXPECT_FALSE(g.pass) << g.text;
  EXPECT_NE(g.text.find("NOT CHECKED  sigmoid × accurate: budgeted, but the implementation does not provide `sigmoid`"),
            std::string::npos)
      << g.text;
}
