// The Markdown report: a headline table (max ULP per function × implementation), then per function the
// cells by regime with their worst inputs, and the versions measured. Reads well as a CI job summary.
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "reports/common.hpp"
#include "reports/functions.hpp"
#include "reports/render.hpp"
#include "reports/worst.hpp"

namespace softcheck::reports {

std::string format_ulp(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return "∞";
  if (v < 10) return fmt::format("{:.4f}", v);
  if (v < 1e5) return fmt::format("{:.1f}", v);
  return fmt::format("{:.3g}", v);
}

std::string format_share(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "–";
  if (part == whole) return "100%";
  if (part == 0) return "0%";
  const double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  return fmt::format("{:.2f}%", std::clamp(p, 0.01, 99.99));
}

std::string format_input(const Input& in, const std::string& function, std::size_t max_elements) {
  const Function* f = find_function(function);
  if (!f) return "?";
  auto list = [&](const std::vector<double>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size() && i < max_elements; ++i) s += (i ? ", " : "") + hex(v[i]);
    if (v.size() > max_elements) s += fmt::format(", … ({} elements in all: see report.json)", v.size());
    return s + "]";
  };
  return f->input->text(in, [](double v) { return hex(v); }, list);
}

std::string format_witness(const Witness& w, const std::string& function, std::size_t max_elements) {
  std::string s = w.input ? format_input(*w.input, function, max_elements) : "(input not recorded)";
  s += fmt::format(" [regime {}, sample {}", w.regime, w.index);
  const Function* f = find_function(function);
  if (f && !f->scalar && f->part != functions::Part::kValue &&
      w.message.empty())  // an error is the whole call's, not one component's
    s += fmt::format(", component {}", w.component);
  s += "]";
  if (!w.message.empty())
    return s + (is_crash_message(w.message) ? ": " + w.message : ": threw \"" + w.message + "\"");
  return s + fmt::format(": got {}, correctly rounded {} ({} ULP, {} apart)", hex(w.y), hex(w.expected),
                         format_ulp(w.ulp), w.distance == INT64_MAX ? std::string("NaN") : std::to_string(w.distance));
}

namespace {

std::string headline_value(const Cell& c) {
  if (!c.provided) return "not provided";
  if (c.samples == 0) return "–";
  std::string s = c.max_ulp.value ? format_ulp(*c.max_ulp.value) : "–";
  const std::uint64_t bad = c.nonfinite + c.special_mismatch;
  if (bad) s = fmt::format("∞ ({} NaN/inf)", bad);
  if (c.errors) s += fmt::format(", {} errors", c.errors);
  if (c.crashes) s += fmt::format(" ({} crashed or hung)", c.crashes);
  if (c.skipped) s += fmt::format(", {} skipped", c.skipped);
  return s;
}

double ns_per_call(const Report& rep, std::size_t i) {
  if (i >= rep.timings.cells.size() || rep.timings.cells[i].calls == 0) return std::nan("");
  return static_cast<double>(rep.timings.cells[i].kernel_ns) / static_cast<double>(rep.timings.cells[i].calls);
}

}  // namespace

std::string render_markdown(const Report& rep, const std::string& extra) {
  std::string md;
  md += "# softcheck accuracy report\n\n";
  md += fmt::format(
      "Seed {} · {} samples per function over its regimes (`long`: {}) · implementations: {} · {} regimes{}{}\n\n", rep.run.seed,
      rep.run.samples, rep.run.long_samples, fmt::join(rep.run.implementations, ", "), rep.regimes.size(),
      rep.run.shard_count > 1 ? fmt::format(" · shard {}/{}", rep.run.shard_index, rep.run.shard_count) : "",
      rep.timings.wall_s > 0 ? fmt::format(" · {:.1f} s on {} threads", rep.timings.wall_s, rep.timings.threads) : "");
  md += "Errors are `err(y, v) = |y - v| / ulp(v)` against the exact value v (docs/definitions.md): ≤ 0.5 is correctly "
        "rounded, < 1 faithful. NaN/inf where a finite value was due counts as ∞ and is never averaged in.\n\n";

  // Headline: max ULP per function × implementation over every regime.
  const std::vector<Cell> summary = summarize(rep);
  std::map<std::pair<std::string, std::string>, const Cell*> sum;
  for (const Cell& c : summary) sum[{c.function, c.implementation}] = &c;
  md += "## Max error per function (ULP, every regime)\n\n| function | samples |";
  for (const auto& impl : rep.run.implementations) md += " " + impl + " |";
  md += "\n|---|---:|";
  for (std::size_t i = 0; i < rep.run.implementations.size(); ++i) md += "---:|";
  md += "\n";
  for (const auto& fn : rep.run.functions) {
    std::uint64_t samples = 0;
    for (const auto& impl : rep.run.implementations)
      if (auto it = sum.find({fn, impl}); it != sum.end()) samples = std::max(samples, it->second->samples);
    md += fmt::format("| `{}` | {} |", fn, samples);
    for (const auto& impl : rep.run.implementations) {
      auto it = sum.find({fn, impl});
      md += " " + (it == sum.end() ? std::string("–") : headline_value(*it->second)) + " |";
    }
    md += "\n";
  }
  md += "\n";

  if (!extra.empty()) md += extra + "\n";

  md += "## Per function and regime\n\n";
  md += "Columns: samples (inputs) · max err in ULP and the integer distance to the correctly rounded double "
        "(glibc's measure) · mean err over finite values · share of output values correctly rounded / faithful · "
        "NaN/inf where finite was due · max err/(κ+1), the condition-aware error (≲ 1: the input's conditioning "
        "explains it) · kernel time per call.\n\n";
  for (const auto& fn : rep.run.functions) {
    const Function& f = *find_function(fn);
    md += fmt::format("### `{}`\n\nGrades {}. Condition number κ: {}.\n\n", fn, f.graded, f.condition);
    md += "| regime | implementation | samples | max ULP | max dist | mean ULP | correctly rounded | faithful | NaN/inf "
          "| max err/(κ+1) | ns/call |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (std::size_t i = 0; i < rep.cells.size(); ++i) {
      const Cell& c = rep.cells[i];
      if (c.function != fn) continue;
      if (!c.provided) {
        md += fmt::format("| {} | {} | not provided | | | | | | | | |\n", c.regime, c.implementation);
        continue;
      }
      const double ns = ns_per_call(rep, i);
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.regime, c.implementation,
                        c.samples, c.max_ulp.value ? format_ulp(*c.max_ulp.value) : "–",
                        c.max_distance.value ? std::to_string(*c.max_distance.value) : "–",
                        c.finite ? format_ulp(c.mean_ulp()) : "–", format_share(c.correctly_rounded, c.values),
                        format_share(c.faithful, c.values),
                        (c.nonfinite + c.special_mismatch
                             ? fmt::format("**{}**", c.nonfinite + c.special_mismatch) + (c.errors ? fmt::format(" ({} errors)", c.errors) : "")
                             : (c.errors ? fmt::format("{} errors", c.errors) : std::string("0"))) +
                            (c.crashes ? fmt::format(", **{} crashed or hung**", c.crashes) : "") +
                            (c.skipped ? fmt::format(", **{} skipped**", c.skipped) : ""),
                        c.max_condition.value ? format_ulp(*c.max_condition.value) : "–",
                        std::isnan(ns) ? std::string("–") : fmt::format("{:.0f}", ns));
    }
    md += "\nWorst inputs (max err over every regime):\n\n";
    for (const auto& impl : rep.run.implementations) {
      auto it = sum.find({fn, impl});
      if (it == sum.end() || !it->second->provided) continue;
      const Cell& c = *it->second;
      if (c.max_ulp.value) md += fmt::format("- {}: {}\n", impl, format_witness(c.max_ulp.witness, fn, 8));
      if (c.first_nonfinite)
        md += fmt::format("- {}, first NaN/inf or wrong special value: {}\n", impl, format_witness(*c.first_nonfinite, fn, 8));
      if (c.first_error) md += fmt::format("- {}, first error: {}\n", impl, format_witness(*c.first_error, fn, 8));
    }
    md += "\n";
  }

  md += "## Regimes\n\n| regime | kind | samples | description |\n|---|---|---:|---|\n";
  for (const RegimeInfo& r : rep.regimes)
    md += fmt::format("| {} | {} | {} | {} |\n", r.name, r.name == kWorstRegime ? "replay" : r.scalar ? "scalar" : "vector",
                      r.samples, r.description);
  if (!rep.run.worst.empty()) {
    md += "\nWorst-case files replayed: ";
    for (std::size_t i = 0; i < rep.run.worst.size(); ++i)
      md += fmt::format("{}`{}` ({} cases)", i ? ", " : "", rep.run.worst[i].file, rep.run.worst[i].cases);
    md += "\n";
  } else if (!rep.run.replay_worst) {
    md += "\nWorst-case files: not replayed (`--worst none`).\n";
  }
  md += "\n<details><summary>Versions measured</summary>\n\n| component | version |\n|---|---|\n";
  for (const auto& [k, v] : rep.versions) md += fmt::format("| {} | {} |\n", k, v);
  for (const ImplementationInfo& i : rep.implementations) {
    std::string swaps;
    for (const auto& [entry, from] : i.swaps) swaps += fmt::format(" ({} swapped in from {})", entry, from);
    md += fmt::format("| implementation `{}` | {}{} |\n", i.name, i.origin, swaps);
  }
  md += "\n</details>\n";
  return md;
}

std::string fit_step_summary(const std::string& markdown) {
  constexpr std::size_t kLimit = 1000 * 1000;  // GitHub's cap is 1 MiB; keep a margin
  if (markdown.size() <= kLimit) return markdown;
  std::size_t cut = markdown.rfind("\n", kLimit - 200);
  if (cut == std::string::npos) cut = kLimit - 200;
  return markdown.substr(0, cut) + "\n\n*(cut to fit GitHub's 1 MiB step-summary limit: the full report is report.md)*\n";
}

}  // namespace softcheck::reports
