// softcheck: the command-line program (report, gate, merge, hunt, list, check, eval). Exit status: 0 success or
// within budget, 1 a gate breach, budget not checked or property failed, 2 a usage or input error, 3 an internal
// error.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <set>

#include <thread>
#include "properties/regimes.hpp"
#include "reports/common.hpp"
#include "reports/failures.hpp"
#include "reports/check.hpp"
#include "reports/eval.hpp"
#include "reports/functions.hpp"
#include "reports/gate.hpp"
#include "reports/hunt.hpp"
#include "reports/isolate.hpp"
#include "reports/shard.hpp"
#include "reports/json.hpp"
#include "reports/render.hpp"
#include "reports/sweep.hpp"
#include "reports/worst.hpp"

#ifndef SOFTCHECK_WORST_DIR
#define SOFTCHECK_WORST_DIR "reports/worst"
#endif

namespace sr = softcheck::reports;
using sr::InputError;

namespace {

// CLI11 2.1 reads "-5" into an unsigned option as 2^64 - 5 and a 25-digit number as 0: integer options
// take only decimal digits that fit (the message names the text; CLI11 prefixes the option).
std::string count_check(const std::string& s, std::uint64_t max) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || s[0] == '+' || ec != std::errc() || end != s.data() + s.size() || v > max)
    return fmt::format("'{}' is not an integer from 0 to {}", s, max);
  return {};
}
const CLI::Validator kCount([](std::string& s) { return count_check(s, UINT64_MAX); }, "UINT64");
const CLI::Validator kCount32([](std::string& s) { return count_check(s, UINT32_MAX); }, "UINT32");
const CLI::Validator kSize([](std::string& s) { return count_check(s, SIZE_MAX); }, "SIZE");
// Seconds: a finite number >= 0 (CLI11 takes "nan" and "-1" as doubles).
const CLI::Validator kSeconds(
    [](std::string& s) -> std::string {
      double v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v < 0)
        return fmt::format("'{}' is not a finite number of seconds >= 0", s);
      return {};
    },
    "SECONDS");

struct SweepArgs {
  std::uint64_t samples = 100000, long_samples = 1, seed = 1;
  unsigned threads = 0;
  std::vector<std::string> functions, regimes, impls{"accurate", "standard", "naive"}, swaps;
  std::string shard, worst = "default";
  unsigned shards = 0;
  bool no_progress = false;
  double call_timeout = 60;  // isolation (reports/isolate.hpp): see add_sweep_options
  unsigned max_crashes = 10;
  bool no_isolation = false;
};

void add_sweep_options(CLI::App* app, SweepArgs& a) {
  const std::size_t scalar = softcheck::regimes::scalar_regimes().size(),
                    vector = softcheck::regimes::vector_regimes().size() - 1;  // `long` has its own count
  app->add_option("-n,--samples", a.samples,
                  "Samples per function, spread evenly over its regimes but `long` (" + std::to_string(scalar) +
                      " scalar: " + std::to_string((100000 + scalar - 1) / scalar) + " each; " + std::to_string(vector) +
                      " vector: " + std::to_string((100000 + vector - 1) / vector) + " each, at the default)")
      ->check(kCount)
      ->capture_default_str();
  app->add_option("--long-samples", a.long_samples, "Samples of the `long` regime (n up to 10^6: expensive)")
      ->check(kCount)
      ->capture_default_str();
  app->add_option("--seed", a.seed, "Seed: the same seed and counts give a byte-identical report.json")
      ->check(kCount)
      ->capture_default_str();
  app->add_option("-j,--threads", a.threads, "Worker threads (0: every core)")->check(kCount32)->capture_default_str();
  app->add_option("-f,--function", a.functions, "Functions to run (comma-separated; default: all)")->delimiter(',');
  app->add_option("-r,--regime", a.regimes, "Regimes to run (comma-separated; default: all)")->delimiter(',');
  app->add_option("-i,--impl", a.impls,
                  "Implementations (comma-separated; `report` also adds torch where its plugin was built)")
      ->delimiter(',')
      ->capture_default_str();
  app->add_option("--shard", a.shard,
                  "Run shard i of n (\"i/n\", 0-based) of every regime's samples; default: from a batch engine's "
                  "variables (GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS; Kubernetes JOB_COMPLETION_INDEX with --shards or "
                  "SOFTCHECK_SHARDS; Slurm SLURM_ARRAY_TASK_ID/_MIN/_COUNT), else the whole run");
  app->add_option("--shards", a.shards, "The shard count where the engine gives only the index (Kubernetes)")
      ->check(kCount32);
  app->add_option("--worst", a.worst,
                  "Folder of worst-case files <function>.wc to replay, or \"none\" (default: " SOFTCHECK_WORST_DIR ")");
  app->add_option("--swap", a.swaps,
                  "Debug: ENTRY=IMPL replaces the accurate implementation's kernel ENTRY by IMPL's (proves the gate "
                  "catches it)");
  app->add_flag("--no-progress", a.no_progress, "No progress bar even on a terminal");
  app->add_option("--call-timeout", a.call_timeout,
                  "Seconds a kernel call may run before it counts as hung (killed, recorded, the run goes on); 0: "
                  "no limit")
      ->check(kSeconds)
      ->capture_default_str();
  app->add_option("--max-crashes", a.max_crashes,
                  "After this many crashes or hangs of one implementation's kernel, skip its remaining calls (they "
                  "fail the gate); 0: no limit")
      ->check(kCount32)
      ->capture_default_str();
  app->add_flag("--no-isolation", a.no_isolation,
                "Run the kernels inside softcheck's process (debugging): a crashing kernel then kills softcheck");
}


// The one place that turns an --impl name into Kernels: a bundled name, a plugin name on the plugin
// search path, or a path to a plugin .so (impl/kernels.hpp, load_kernels).
softcheck::Kernels resolve_implementation(const std::string& name) {
  const auto& bundled = softcheck::bundled_kernel_names();
  if (std::find(bundled.begin(), bundled.end(), name) == bundled.end()) {
    // Loading runs the plugin's code (constructors, softcheck_plugin_abi): try it in a child first, so that a
    // plugin crashing or hanging there is an input error naming it, not a crash of softcheck.
    const auto failed = sr::isolate::run_isolated([&](sr::isolate::Calls& calls) {
      calls.begin(0, "load");
      try {
        (void)softcheck::load_kernels(name);
      } catch (...) {  // reported by the load below, in this process
      }
      calls.end();
    });
    if (failed)
      throw InputError(fmt::format("implementation '{}' {} while loading (dlopen, softcheck_plugin_abi)", name,
                                   failed->describe()));
  }
  try {
    return softcheck::load_kernels(name);
  } catch (const std::invalid_argument& e) {
    throw InputError(e.what());
  }
}

std::string origin_of(const std::string& name) {
  const auto& bundled = softcheck::bundled_kernel_names();
  if (std::find(bundled.begin(), bundled.end(), name) != bundled.end()) return "bundled";
  return "plugin " + name;
}

void progress_printer(const sr::Progress& p) {
  static int last_decile = -1;
  const double f = p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1;
  if (::isatty(STDERR_FILENO)) {
    constexpr int kWidth = 30;
    const int fill = static_cast<int>(f * kWidth);
    const double eta = f > 0.01 ? p.elapsed_s * (1 - f) / f : 0;
    std::fprintf(stderr, "\r[%s%s] %3.0f%% %llu/%llu samples  %-10s %5.0f s  ETA %4.0f s ",
                 std::string(static_cast<std::size_t>(fill), '#').c_str(),
                 std::string(static_cast<std::size_t>(kWidth - fill), '.').c_str(), 100 * f,
                 static_cast<unsigned long long>(p.done), static_cast<unsigned long long>(p.total), p.regime.c_str(),
                 p.elapsed_s, eta);
    if (p.done == p.total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  } else {
    const int decile = static_cast<int>(f * 10);
    if (decile != last_decile && (decile > last_decile)) {
      last_decile = decile;
      std::fprintf(stderr, "softcheck: %d%% (%llu/%llu samples, %.0f s)\n", decile * 10,
                   static_cast<unsigned long long>(p.done), static_cast<unsigned long long>(p.total), p.elapsed_s);
    }
  }
}

// Prints each crash or hang as the sweep grades it; `crash_dir` (may be empty) is where the whole input goes.
std::function<void(const sr::KernelFailure&)> failure_printer(const std::filesystem::path& crash_dir) {
  return [crash_dir](const sr::KernelFailure& f) {
    const std::string hint = crash_dir.empty()
                                 ? "--out DIR writes the whole input to DIR/crashes/<function>.wc"
                                 : "whole input in " + (crash_dir / (f.functions.front() + ".wc")).string();
    std::fprintf(stderr, "%ssoftcheck: FAILED %s\n", ::isatty(STDERR_FILENO) ? "\n" : "",
                 sr::describe_failure(f, hint).c_str());
  };
}

// After the run: the inputs of crashed or hung calls into <out>/crashes/ (none without an output folder).
void write_failures(const sr::Report& rep, const std::filesystem::path& out) {
  if (rep.failures.empty()) return;
  const auto files = out.empty() ? std::vector<std::filesystem::path>{} : sr::write_failure_files(rep.failures, out / "crashes");
  std::fprintf(stderr, "softcheck: %zu kernel call(s) crashed or hung (isolated: recorded, the run went on)%s%s\n",
               rep.failures.size(), files.empty() ? "" : "; their inputs: ",
               files.empty() ? "" : (out / "crashes").string().c_str());
}

sr::SweepOptions sweep_options(const SweepArgs& a) {
  sr::SweepOptions o;
  o.seed = a.seed;
  o.samples = a.samples;
  o.long_samples = a.long_samples;
  o.threads = a.threads;
  o.functions = a.functions;
  o.regimes = a.regimes;
  // Every check that needs no plugin first: a usage error is reported at once, not after loading
  // libtorch (a second or more).
  std::set<std::string> seen;
  for (const std::string& name : a.impls)
    if (!seen.insert(name).second) throw InputError(fmt::format("--impl: '{}' given twice", name));
  if (a.impls.empty()) throw InputError("--impl: no implementation given");
  std::vector<std::pair<std::string, std::string>> swaps;  // (entry, from)
  std::size_t accurate_at = 0;
  for (const std::string& s : a.swaps) {
    const auto eq = s.find('=');
    if (eq == std::string::npos) throw InputError(fmt::format("--swap '{}': expected ENTRY=IMPL", s));
    const std::string entry = s.substr(0, eq), from = s.substr(eq + 1);
    const auto entries = softcheck::kernel_entries();
    if (std::find(entries.begin(), entries.end(), entry) == entries.end())
      throw InputError(fmt::format("--swap: unknown kernel entry '{}' (known: {})", entry, fmt::join(entries, ", ")));
    const auto it = std::find(a.impls.begin(), a.impls.end(), "accurate");
    if (it == a.impls.end()) throw InputError("--swap needs the accurate implementation in --impl");
    accurate_at = static_cast<std::size_t>(it - a.impls.begin());
    swaps.emplace_back(entry, from);
  }
  const sr::Shard shard = sr::resolve_shard(a.shard, a.shards, [](const char* name) { return std::getenv(name); });
  o.shard_index = shard.index;
  o.shard_count = shard.count;
  if (a.worst == "none") {
    o.worst_dir.reset();
  } else if (a.worst == "default") {
    std::error_code ec;
    if (std::filesystem::is_directory(SOFTCHECK_WORST_DIR, ec)) o.worst_dir = SOFTCHECK_WORST_DIR;
    else std::fprintf(stderr, "softcheck: note: no worst-case folder at %s; none replayed\n", SOFTCHECK_WORST_DIR);
  } else {
    std::error_code ec;
    if (!std::filesystem::is_directory(a.worst, ec))
      throw InputError(fmt::format("--worst '{}': not a folder (or \"none\")", a.worst));
    o.worst_dir = a.worst;
  }
  if (!a.no_progress) o.progress = progress_printer;
  if (!(a.call_timeout >= 0)) throw InputError("--call-timeout: want a number of seconds ≥ 0");
  o.call_timeout_s = a.call_timeout;
  o.max_crashes = a.max_crashes;
  for (const std::string& name : a.impls) {
    o.implementations.push_back(resolve_implementation(name));
    o.implementation_info.push_back({name, origin_of(name), {}});
  }
  for (const auto& [entry, from] : swaps) {
    o.implementations[accurate_at] = softcheck::swap_kernel(o.implementations[accurate_at], entry, resolve_implementation(from));
    o.implementation_info[accurate_at].origin += ", with swapped entries (--swap)";
    o.implementation_info[accurate_at].swaps.emplace_back(entry, from);
  }
  o.isolate = !a.no_isolation;
  return o;
}

std::set<std::string> parse_formats(const std::vector<std::string>& formats) {
  std::set<std::string> f;
  for (const std::string& s : formats) {
    if (s != "json" && s != "md" && s != "html")
      throw InputError(fmt::format("--format: unknown format '{}' (json, md, html)", s));
    f.insert(s);
  }
  return f;
}

void write_outputs(const sr::Report& rep, const std::filesystem::path& dir, const std::set<std::string>& formats,
                   const std::string& gate_markdown) {
  sr::ensure_writable_dir(dir);
  if (formats.count("json")) sr::write_json_files(rep, dir);
  std::string md;
  if (formats.count("md") || std::getenv("GITHUB_STEP_SUMMARY")) md = sr::render_markdown(rep, gate_markdown);
  if (formats.count("md")) sr::write_atomically(dir / "report.md", md);
  if (formats.count("html")) sr::write_atomically(dir / "report.html", sr::render_html(rep, gate_markdown));
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
    std::ofstream out(summary, std::ios::app);
    if (!out) throw InputError(fmt::format("cannot append to GITHUB_STEP_SUMMARY '{}'", summary));
    out << sr::fit_step_summary(md) << "\n";
  }
}

void announce(const sr::Report& rep, const std::filesystem::path& dir, const std::set<std::string>& formats) {
  std::uint64_t samples = 0, values = 0;
  for (const sr::Cell& c : rep.cells) samples += c.samples, values += c.values;
  std::fprintf(stderr, "softcheck: %llu cell-samples, %llu graded values in %.1f s on %u threads -> %s (%s)\n",
               static_cast<unsigned long long>(samples), static_cast<unsigned long long>(values), rep.timings.wall_s,
               rep.timings.threads, dir.string().c_str(), fmt::format("{}", fmt::join(formats, ", ")).c_str());
}

int gate_and_print(const sr::Report& rep, const std::string& budgets_path, std::string& markdown,
                   const std::string& junit = "") {
  const sr::Budgets b = sr::parse_budgets(sr::read_file(budgets_path), budgets_path);
  const sr::GateResult g = sr::run_gate(rep, b, budgets_path);
  std::fputs(g.text.c_str(), stdout);
  std::fflush(stdout);
  markdown = g.markdown;
  if (!junit.empty()) sr::write_atomically(junit, sr::gate_junit(g, rep.timings.wall_s));
  return g.pass ? 0 : 1;
}

int cmd_list() {
  std::puts("functions (name: kernel entry; graded; condition number κ):");
  for (const auto& f : sr::functions())
    std::printf("  %-26s %-19s %s %s; κ: %s\n", std::string(f.name).c_str(), std::string(f.entry).c_str(),
                f.scalar ? "[scalar]" : "[vector]", std::string(f.graded).c_str(), std::string(f.condition).c_str());
  std::puts("scalar regimes:");
  for (const auto& r : softcheck::regimes::scalar_regimes())
    std::printf("  %-12s %s\n", std::string(r.name).c_str(), std::string(r.description).c_str());
  std::puts("vector regimes:");
  for (const auto& r : softcheck::regimes::vector_regimes())
    std::printf("  %-12s %s\n", std::string(r.name).c_str(), std::string(r.description).c_str());
  std::printf("  %-12s %s\n", sr::kWorstRegime, "the cases of <worst folder>/<function>.wc (both kinds)");
  std::puts("implementations:");
  for (const auto& n : softcheck::available_kernel_names()) std::printf("  %s\n", n.c_str());
  std::puts("  (or a path to a plugin .so: --impl ./libmykernels.so)");
  return 0;
}

// `check` and `eval` (reports/check.hpp, reports/eval.hpp): options and the glue to the library.
struct CheckArgs {
  std::string impl, property, exclude;
  std::uint64_t seed = 0;
  double scale = 1, budget = 1;
  bool no_shrink = false, verbose = false, list = false, no_isolation = false, fail_fast = false;
  double timeout = 600;
  unsigned jobs = 0;
  std::string junit;
  CLI::Option *seed_opt = nullptr, *scale_opt = nullptr, *budget_opt = nullptr;
};

void add_check_options(CLI::App* app, CheckArgs& a) {
  app->add_option("-i,--impl", a.impl, "Implementation: accurate, standard, naive, a plugin name or a plugin .so path")
      ->required();
  app->add_option("-p,--property", a.property,
                  "Properties to run: ids with '*' wildcards, alternatives separated by ',' or ':' (default: all)");
  app->add_option("--exclude", a.exclude, "Properties not to run (same syntax)");
  a.seed_opt = app->add_option("--seed", a.seed, "Seed (default: RC_PARAMS seed=..., else 20240604)")->check(kCount);
  a.scale_opt = app->add_option("--scale", a.scale, "Multiply every case count (default: SOFTCHECK_PROPERTY_SCALE, else 1)");
  a.budget_opt = app->add_option("--budget", a.budget, "The error budget in ULP that agreement properties allow (default 1)");
  app->add_flag("--no-shrink", a.no_shrink, "Report the first counterexample found, unshrunk");
  app->add_flag("--no-isolation", a.no_isolation,
                "Run the properties inside softcheck's process (debugging): a crashing kernel then kills softcheck");
  app->add_option("--timeout", a.timeout,
                  "Seconds a property may run before it counts as hung (killed, failed, the run goes on); 0: no limit")
      ->check(kSeconds)
      ->capture_default_str();
  app->add_option("-j,--jobs", a.jobs, "Properties running at once, each in its own process (0: every core)")
      ->check(kCount32)
      ->capture_default_str();
  app->add_option("--junit", a.junit, "Also write the verdicts as JUnit XML (a testcase per property)");
  app->add_flag("--fail-fast", a.fail_fast, "Stop at the first failing property (those running finish; the rest are not run)");
  app->add_flag("-v,--verbose", a.verbose, "Also list each property that was not provided");
  app->add_flag("--list", a.list, "List the selected properties and the kernel entries they need; run nothing");
}

int cmd_check(const CheckArgs& a, const char* argv0) {
  sr::CheckOptions o;
  try {
    o.suite = softcheck::properties::options_from_environment();
  } catch (const std::invalid_argument& e) {
    throw InputError(e.what());
  }
  if (a.seed_opt->count()) o.suite.seed = a.seed;
  if (a.scale_opt->count()) {
    if (!(a.scale > 0) || !std::isfinite(a.scale)) throw InputError("--scale: want a number > 0");
    o.suite.scale = a.scale;
  }
  if (a.budget_opt->count()) {
    if (!(a.budget > 0)) throw InputError("--budget: want a number of ULPs > 0");
    o.suite.budget_ulps = a.budget;
  }
  if (a.no_shrink) o.suite.shrink = false;
  o.suite.filter = a.property;
  std::replace(o.suite.filter.begin(), o.suite.filter.end(), ',', ':');
  o.exclude = a.exclude;
  std::replace(o.exclude.begin(), o.exclude.end(), ',', ':');
  o.verbose = a.verbose;
  o.isolate = !a.no_isolation;
  o.timeout_s = a.timeout;
  o.jobs = a.jobs ? a.jobs : std::max(1u, std::thread::hardware_concurrency());
  if (!o.isolate) o.jobs = 1;  // in-process: one at a time
  o.fail_fast = a.fail_fast;
  const softcheck::Kernels k = resolve_implementation(a.impl);
  if (a.list) {
    std::fputs(sr::format_property_list(k, o).c_str(), stdout);
    return 0;
  }
  if (o.jobs == 1 && ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO))  // the PASS/FAIL line overwrites it
    o.on_start = [](const std::string& id) { std::fprintf(stderr, "running %s ...\r", id.c_str()); };
  o.replay_command = fmt::format("{} check --impl {}", sr::shell_word(argv0), sr::shell_word(a.impl));
  if (a.budget_opt->count()) o.replay_command += fmt::format(" --budget {}", a.budget);
  const sr::CheckSummary s = sr::run_check(k, o, [](const std::string& text) {
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
  });
  if (!a.junit.empty()) sr::write_atomically(a.junit, sr::check_junit(s, k.name));
  return s.exit_status();
}

struct EvalArgs {
  std::string function, impl = "accurate", target, targets;
  bool json = false;
  CLI::Option *target_opt = nullptr, *targets_opt = nullptr;
};

// Long options only: an input such as -inf must not read as short options.
void add_eval_options(CLI::App* app, EvalArgs& a) {
  app->add_option("function", a.function,
                  "sigmoid, log_sigmoid, softmax, log_softmax, logsumexp, cross_entropy, cross_entropy_dist, "
                  "bce_with_logits (or a report row, e.g. cross_entropy_grad); the inputs x1 x2 ... follow")
      ->required();
  // The inputs are the arguments left over (allow_extras), in order: so -inf or -.5 is an input, not an option.
  app->allow_extras();
  app->footer("Inputs x1 x2 ...: decimal or hex floats (-2.5e-3, 0x1.8p-3), inf, -inf, nan; exactly parsed, an "
              "out-of-range number (1e999, 1e-400) is an error.\nExit status: 0 evaluated, 2 usage or input error.");
  app->add_option("--impl", a.impl, "Implementation (bundled name, plugin name or .so path)")->capture_default_str();
  a.target_opt = app->add_option("--target", a.target, "cross_entropy: the class index K; bce_with_logits: t in [0, 1]");
  a.targets_opt = app->add_option("--targets", a.targets, "cross_entropy_dist: t1,t2,...,tn (one per input)");
  app->add_flag("--json", a.json, "Print one JSON object");
}

int cmd_eval(const EvalArgs& a, std::vector<std::string> inputs) {
  for (const std::string& x : inputs)
    if (x.size() > 2 && x.compare(0, 2, "--") == 0)
      throw InputError(fmt::format("eval: unknown option '{}' (softcheck eval --help)", x));
  sr::EvalRequest r{a.function, a.impl, std::move(inputs), std::nullopt, std::nullopt};
  if (a.target_opt->count()) r.target = a.target;
  if (a.targets_opt->count()) r.targets = a.targets;
  const softcheck::Kernels k = resolve_implementation(a.impl);
  const sr::Evaluation e = sr::evaluate(k, r);
  std::fputs((a.json ? sr::format_json(e) : sr::format_text(e)).c_str(), stdout);
  return 0;
}

}  // namespace

struct ReportArgs {
  SweepArgs sweep;
  std::string out = "softcheck-report", gate;
  std::vector<std::string> formats{"json", "md", "html"};
};

void add_report_options(CLI::App* cmd, ReportArgs& a) {
  add_sweep_options(cmd, a.sweep);
  cmd->add_option("-o,--out", a.out, "Output folder")->capture_default_str();
  cmd->add_option("--format", a.formats, "Formats: json (report.json + timings.json), md, html")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--gate", a.gate, "Also check these budgets (exit 1 on a breach)");
}

int cmd_report(ReportArgs a, bool impl_given) {
  // The report compares every implementation at hand: the bundled ones, and torch where its plugin
  // was built (libtorch-dev installed). gate/merge/hunt keep the bundled default.
  if (!impl_given) a.sweep.impls = softcheck::available_kernel_names();
  const auto formats = parse_formats(a.formats);
  sr::SweepOptions o = sweep_options(a.sweep);
  sr::ensure_writable_dir(a.out);  // before the sweep, not after minutes of work
  if (!a.gate.empty()) sr::parse_budgets(sr::read_file(a.gate), a.gate);
  o.on_failure = failure_printer(std::filesystem::path(a.out) / "crashes");
  const sr::Report rep = sr::run_sweep(o);
  int status = 0;
  std::string gate_md;
  if (!a.gate.empty()) status = gate_and_print(rep, a.gate, gate_md);
  write_outputs(rep, a.out, formats, gate_md);
  write_failures(rep, a.out);
  announce(rep, a.out, formats);
  if (sr::has_crashes(rep)) status = 1;  // a kernel crashed or hung: the run failed to measure it
  return status;
}

struct GateArgs {
  SweepArgs sweep;
  std::string budgets, from, out, junit;
};

void add_gate_options(CLI::App* cmd, GateArgs& a) {
  add_sweep_options(cmd, a.sweep);
  cmd->add_option("-b,--budgets", a.budgets, "Budget file (reports/budgets.json)")->required();
  cmd->add_option("--from", a.from, "Check this report.json instead of running the sweep (sweep options are then ignored)");
  cmd->add_option("-o,--out", a.out, "Also write the report (json, md, html) into this folder");
  cmd->add_option("--junit", a.junit, "Also write the verdict as JUnit XML (a testcase per function × implementation)");
}

int cmd_gate(const GateArgs& a) {
  const sr::Budgets b = sr::parse_budgets(sr::read_file(a.budgets), a.budgets);  // fail fast
  (void)b;
  sr::Report rep;
  if (!a.from.empty()) {
    const std::filesystem::path p = a.from;
    rep = sr::report_from_json(sr::read_file(p), p.parent_path(), a.from);
  } else {
    sr::SweepOptions o = sweep_options(a.sweep);
    if (!a.out.empty()) sr::ensure_writable_dir(a.out);
    o.on_failure = failure_printer(a.out.empty() ? std::filesystem::path() : std::filesystem::path(a.out) / "crashes");
    rep = sr::run_sweep(o);
    write_failures(rep, a.out);
  }
  std::string gate_md;
  const int status = gate_and_print(rep, a.budgets, gate_md, a.junit);
  if (!a.out.empty()) write_outputs(rep, a.out, {"json", "md", "html"}, gate_md);
  else if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
    std::ofstream out(summary, std::ios::app);
    out << sr::fit_step_summary(gate_md) << "\n";
  }
  return status;
}

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string out = "softcheck-report", gate;
  std::vector<std::string> formats{"json", "md", "html"};
};

void add_merge_options(CLI::App* cmd, MergeArgs& a) {
  cmd->add_option("inputs", a.inputs, "Shard report.json files (or folders holding one)")->required();
  cmd->add_option("-o,--out", a.out, "Output folder")->capture_default_str();
  cmd->add_option("--format", a.formats, "Formats: json, md, html")->delimiter(',')->capture_default_str();
  cmd->add_option("--gate", a.gate, "Also check these budgets (exit 1 on a breach)");
}

int cmd_merge(const MergeArgs& a) {
  const auto formats = parse_formats(a.formats);
  sr::ensure_writable_dir(a.out);
  std::vector<sr::Report> shards;
  for (const std::string& in : a.inputs) {
    std::filesystem::path p = in;
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) p /= "report.json";
    sr::Report r = sr::report_from_json(sr::read_file(p), p.parent_path(), p.string());
    const auto timings = p.parent_path() / "timings.json";
    if (std::filesystem::exists(timings, ec)) sr::timings_from_json(r, sr::read_file(timings), timings.string());
    shards.push_back(std::move(r));
  }
  const sr::Report rep = sr::merge_reports(shards);
  int status = 0;
  std::string gate_md;
  if (!a.gate.empty()) status = gate_and_print(rep, a.gate, gate_md);
  write_outputs(rep, a.out, formats, gate_md);
  std::fprintf(stderr, "softcheck: merged %zu shards -> %s\n", shards.size(), a.out.c_str());
  if (sr::has_crashes(rep)) status = 1;  // a shard's kernel crashed or hung
  return status;
}

struct HuntArgs {
  std::string function, impl = "standard", worst;
  std::vector<std::string> regimes;
  std::uint64_t seed = 1, restarts = 4000, steps = 3000;
  unsigned threads = 0;
  std::size_t keep = 4, candidates = 8, max_n = 64;
  double seconds = 0;
  bool write = false;
};

void add_hunt_options(CLI::App* cmd, HuntArgs& a) {
  cmd->add_option("-f,--function", a.function, "Function (row name, e.g. softmax)")->required();
  cmd->add_option("-i,--impl", a.impl, "Implementation whose error is maximised")->capture_default_str();
  cmd->add_option("-r,--regime", a.regimes, "Regimes to start from (default: all of the function's kind but special and long)")
      ->delimiter(',');
  cmd->add_option("--seed", a.seed, "Seed")->check(kCount)->capture_default_str();
  cmd->add_option("-j,--threads", a.threads, "Threads (0: every core)")->check(kCount32)->capture_default_str();
  cmd->add_option("--restarts", a.restarts, "Random samples drawn before refining")->check(kCount)->capture_default_str();
  cmd->add_option("--steps", a.steps, "Refinement steps per candidate")->check(kCount)->capture_default_str();
  cmd->add_option("--candidates", a.candidates, "Worst random samples refined")->check(kSize)->capture_default_str();
  cmd->add_option("--keep", a.keep, "Distinct worst inputs kept")->check(kSize)->capture_default_str();
  cmd->add_option("--max-n", a.max_n, "Refinement never grows a vector beyond this length")->check(kSize)->capture_default_str();
  cmd->add_option("--seconds", a.seconds, "Wall-clock limit of the refinement (0: none)")->check(kSeconds)->capture_default_str();
  cmd->add_option("--worst", a.worst, "Worst-case folder (default: " SOFTCHECK_WORST_DIR ")");
  cmd->add_flag("--write", a.write, "Append the findings to <worst>/<function>.wc (else print them)");
}

int cmd_hunt(const HuntArgs& a) {
  const sr::Function* f = sr::find_function(a.function);
  if (!f) throw InputError(fmt::format("unknown function '{}' (softcheck list)", a.function));
  sr::HuntOptions o;
  o.function = f;
  o.implementation = resolve_implementation(a.impl);
  o.regimes = a.regimes;
  o.seed = a.seed;
  o.threads = a.threads;
  o.restarts = a.restarts;
  o.steps = a.steps;
  o.candidates = a.candidates;
  o.keep = a.keep;
  o.max_n = a.max_n;
  o.seconds = a.seconds;
  o.log = [](const std::string& s) { std::fprintf(stderr, "softcheck: %s\n", s.c_str()); };
  const sr::HuntResult res = sr::hunt(o);
  std::fprintf(stderr, "softcheck: hunt: %llu evaluations\n", static_cast<unsigned long long>(res.evaluations));
  for (const auto& h : res.findings)
    std::printf("%s  # %s\n", sr::format_case(h.found.input, *f->input).c_str(), h.found.note.c_str());
  if (!a.write) return 0;
  const std::filesystem::path dir = a.worst.empty() ? std::filesystem::path(SOFTCHECK_WORST_DIR) : std::filesystem::path(a.worst);
  sr::ensure_writable_dir(dir);
  const auto path = sr::worst_path(dir, f->name);
  sr::WorstFile wf;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) wf = sr::parse_worst_file(sr::read_file(path), *f->input, path.string());
  if (wf.header.empty())
    wf.header = {fmt::format("softcheck worst cases for {}: {}", f->name, f->graded),
                 "Found by `softcheck hunt` (random restarts over the regimes, then local refinement: nextafter",
                 "steps, one element perturbed, near-ties, spreads of 700..745, longer n). Replayed by every",
                 "`softcheck report` and `softcheck gate` run as the regime \"worst\".",
                 fmt::format("Line format: {}; hex floats; the note after '#' says who failed it and how badly.",
                             f->input->line_format())};
  std::string how = fmt::format("hunt --function {} --impl {} --seed {} --restarts {} --steps {}{}", f->name, a.impl,
                                o.seed, o.restarts, o.steps,
                                o.regimes.empty() ? "" : fmt::format(" --regime {}", fmt::join(o.regimes, ",")));
  wf.header.push_back(how);
  std::set<std::string> have;
  for (const auto& c : wf.cases) have.insert(sr::format_case(c.input, *f->input));
  std::size_t added = 0;
  for (const auto& h : res.findings)
    if (have.insert(sr::format_case(h.found.input, *f->input)).second) wf.cases.push_back(h.found), ++added;
  sr::write_atomically(path, sr::format_worst_file(wf, *f->input));
  std::fprintf(stderr, "softcheck: %zu new case(s) in %s (%zu in all)\n", added, path.string().c_str(), wf.cases.size());
  return 0;
}

int main(int argc, char** argv) {
  CLI::App app{"softcheck: accuracy report and CI gate for sigmoid, softmax and cross-entropy kernels"};
  app.set_version_flag("--version", std::string("softcheck ") + SOFTCHECK_VERSION);
  app.require_subcommand(1);

  ReportArgs report_args;
  auto* report = app.add_subcommand("report", "Sweep functions × regimes × implementations and write the report");
  add_report_options(report, report_args);
  GateArgs gate_args;
  auto* gate = app.add_subcommand("gate", "Check a report against budgets: 0 within, 1 breach, 2 usage/input error");
  add_gate_options(gate, gate_args);
  MergeArgs merge_args;
  auto* merge = app.add_subcommand("merge", "Merge the report.json of every shard into the unsharded report");
  add_merge_options(merge, merge_args);
  HuntArgs hunt_args;
  auto* hunt = app.add_subcommand("hunt", "Search for the inputs of largest error; --write adds them to <worst>/<function>.wc");
  add_hunt_options(hunt, hunt_args);
  auto* list = app.add_subcommand("list", "List the functions (with κ), regimes and implementations");
  CheckArgs check_args;
  auto* check = app.add_subcommand("check", "Run the property suite against one implementation: 0 all pass, 1 a "
                                            "failure, 2 usage/input error");
  add_check_options(check, check_args);
  EvalArgs eval_args;
  auto* eval = app.add_subcommand("eval", "Evaluate one input: the implementation's value, the correctly rounded "
                                          "value and the error in ULPs, per output component");
  add_eval_options(eval, eval_args);

  // An unknown first word is named (CLI11 would only say that a subcommand is required).
  if (argc > 1) {
    const std::string first = argv[1];
    bool known = first == "-h" || first == "--help" || first == "--version";
    std::string names;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known = known || sub->get_name() == first;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::fprintf(stderr, "softcheck: error: unknown %s '%s' (commands: %s)\nRun 'softcheck --help'.\n",
                   first.rfind('-', 0) == 0 ? "option" : "command", first.c_str(), names.c_str());
      return 2;
    }
  }

  // `eval`'s inputs are its left-over arguments; CLI11 2.1 rejects them after a "--", so eval drops that one
  // "--" (a habit: softcheck eval softmax -- -inf 0).
  std::vector<std::string> eval_argv;
  if (argc > 1 && std::string_view(argv[1]) == "eval") {
    eval_argv.assign(argv + 1, argv + argc);
    if (const auto dd = std::find(eval_argv.begin(), eval_argv.end(), "--"); dd != eval_argv.end()) eval_argv.erase(dd);
    std::reverse(eval_argv.begin(), eval_argv.end());  // CLI11 parses a reversed vector
    app.name(argv[0]);
  }
  try {
    if (eval_argv.empty()) app.parse(argc, argv);
    else app.parse(eval_argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "softcheck: error: %s\nRun 'softcheck --help' (or 'softcheck <command> --help').\n", e.what());
    return 2;
  }

  try {
    if (*list) return cmd_list();
    if (*check) return cmd_check(check_args, argv[0]);
    if (*eval) return cmd_eval(eval_args, eval->remaining());
    if (*report) return cmd_report(report_args, report->get_option("--impl")->count() > 0);
    if (*gate) return cmd_gate(gate_args);
    if (*merge) return cmd_merge(merge_args);
    if (*hunt) return cmd_hunt(hunt_args);
  } catch (const InputError& e) {
    std::fprintf(stderr, "softcheck: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "softcheck: internal error: %s\n", e.what());
    return 3;
  }
  return 2;
}
