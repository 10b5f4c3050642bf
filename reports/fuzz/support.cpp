// The parser fuzz targets' fixtures (a small real report, the checked-in budgets) and the steps that
// `softcheck gate --from` and `softcheck merge` run on a report once it is read.
#include "reports/fuzz/support.hpp"

#include <cstdio>
#include <cstdlib>

#include "impl/kernels.hpp"
#include "reports/common.hpp"
#include "reports/json.hpp"
#include "reports/render.hpp"

namespace softcheck::fuzz {

const reports::Report& fixture_report(bool small) {
  auto sweep = [](bool only_some) {
    reports::SweepOptions o;
    o.samples = 70;  // 10 per vector regime, 35 per scalar one: every cell has samples and witnesses
    o.long_samples = 0;
    o.threads = 1;
    o.worst_dir = SOFTCHECK_WORST_DIR;
    if (only_some) {
      o.functions = {"sigmoid", "softmax", "cross_entropy_dist"};
      o.implementations = {bundled_kernels("accurate"), bundled_kernels("naive")};
    }
    return reports::run_sweep(o);
  };
  if (small) {
    static const reports::Report report = sweep(true);
    return report;
  }
  static const reports::Report report = sweep(false);
  return report;
}

const reports::Budgets& real_budgets() {
  static const reports::Budgets budgets = reports::parse_budgets(reports::read_file(SOFTCHECK_BUDGETS), SOFTCHECK_BUDGETS);
  return budgets;
}

void exercise(const reports::Report& report, const reports::Budgets& budgets, bool round_trip) {
  const reports::GateResult g = reports::run_gate(report, budgets, "budgets.json");
  if (g.text.empty() || g.markdown.empty()) std::abort();
  // What the gate and merge write: report.json must read back to the same bytes (when it has no side files).
  const reports::RenderedJson json = reports::report_to_json(report);
  if (round_trip && json.side_files.empty()) {
    const reports::Report again = reports::report_from_json(json.text, ".", "rendered report.json");
    if (reports::report_to_json(again).text != json.text) {
      std::fprintf(stderr, "report.json does not read back to the same bytes:\n%s\n", json.text.c_str());
      std::abort();
    }
  }
  (void)reports::timings_to_json(report);
  (void)reports::render_markdown(report, g.markdown);
  (void)reports::render_html(report, g.markdown);
  try {
    const reports::Report merged = reports::merge_reports({report});
    (void)reports::render_markdown(merged);
  } catch (const reports::InputError&) {
  }
}

}  // namespace softcheck::fuzz
