// `softcheck check`: run the property suite against one Kernels, print verdicts, failures and a summary.
#include "reports/check.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <fmt/format.h>
#include <memory>
#include <optional>
#include <set>

#include "reports/common.hpp"
#include "reports/isolate.hpp"
#include "reports/junit.hpp"
#include "reports/functions.hpp"

namespace softcheck::reports {
namespace {

namespace sp = softcheck::properties;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The entries of `info.needs` that `k` does not provide.
std::vector<std::string> missing(const Kernels& k, const sp::PropertyInfo& info) {
  std::vector<std::string> out;
  for (const std::string& e : info.needs)
    if (!provides(k, e)) out.push_back(e);
  return out;
}

std::string indent(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    out += "      " + line + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// One property in a forked child (reports/isolate.hpp): a kernel that crashes, hangs or exits fails that
// property, naming the kernel entries it calls, and the run goes on with the next. The outcome travels
// back through a shared mapping, its fields NUL-separated; a counterexample too long for it is cut.
// begin() and poll() let one thread run several at once (check -j): no thread forks beside another.
class PropertyChild {
 public:
  PropertyChild(const Kernels& k, const sp::PropertyInfo& info, const CheckOptions& o)
      : k_(k), info_(info), o_(o),
        box_([this](std::span<std::byte> mem, isolate::Calls& calls) { serve(mem, calls); },
             {.timeout_s = o.timeout_s, .isolate = o.isolate}, kBytes) {}
  void begin() {
    box_.memory()[0] = std::byte{0};
    box_.begin();
  }
  // The outcome once the child is done, else nothing.
  std::optional<sp::PropertyOutcome> poll(int wait_ms) {
    const auto done = box_.poll(wait_ms);
    if (!done) return std::nullopt;
    return outcome(*done);
  }

 private:
  static constexpr std::size_t kBytes = std::size_t{16} << 20;

  void serve(std::span<std::byte> mem, isolate::Calls& calls) {
    char* buf = reinterpret_cast<char*>(mem.data());
    calls.begin(0, info_.id);
    const sp::PropertyOutcome r = sp::run_property(k_, info_.id, o_.suite);
    std::string ce = r.counterexample;
    const std::size_t room = kBytes - 4096 - r.message.size() - r.kind.size() - r.replay.size();
    if (ce.size() > room) ce = ce.substr(0, room) + " ... (cut)";
    const std::string fields[] = {"1", r.passed ? "1" : "0", r.skipped ? "1" : "0", std::to_string(r.cases),
                                  std::to_string(r.shrunk_n), std::to_string(r.seed), ce, r.message, r.kind,
                                  r.replay};
    std::size_t at = 0;
    for (const std::string& f : fields) {
      const std::size_t len = std::min(f.size(), kBytes - at - 1);
      std::memcpy(buf + at, f.data(), len);
      at += len;
      buf[at++] = '\0';
      if (at >= kBytes) break;
    }
    calls.end();
  }

  sp::PropertyOutcome outcome(const std::optional<isolate::Failure>& failure) {
    const char* buf = reinterpret_cast<const char*>(box_.memory().data());
    sp::PropertyOutcome r;
    r.property = info_.id;
    if (failure) {
      r.message = fmt::format("the implementation {} while running this property (it calls {})",
                              failure->describe(), fmt::join(info_.needs, ", "));
      r.seed = o_.suite.seed;
    } else if (buf[0] != '1') {
      r.message = "the property's process ended without an outcome";
    } else {
      std::vector<std::string> f;
      for (std::size_t at = 0; f.size() < 10 && at < kBytes;) {
        f.emplace_back(buf + at);
        at += f.back().size() + 1;
      }
      f.resize(10);
      r.passed = f[1] == "1";
      r.skipped = f[2] == "1";
      r.cases = std::atoi(f[3].c_str());
      r.shrunk_n = std::atoi(f[4].c_str());
      r.seed = std::strtoull(f[5].c_str(), nullptr, 10);
      r.counterexample = f[6];
      r.message = f[7];
      r.kind = f[8];
      r.replay = f[9];
    }
    return r;
  }

  const Kernels& k_;
  const sp::PropertyInfo& info_;
  const CheckOptions& o_;
  isolate::Sandbox box_;
};

}  // namespace

int CheckSummary::exit_status() const { return failed.empty() && !passed.empty() ? 0 : 1; }

std::vector<const sp::PropertyInfo*> selected_properties(const CheckOptions& o) {
  std::vector<const sp::PropertyInfo*> out;
  for (const sp::PropertyInfo& p : sp::catalog())
    if (sp::matches(p.id, o.suite.filter) && (o.exclude.empty() || !sp::matches(p.id, o.exclude)))
      out.push_back(&p);
  if (out.empty())
    throw InputError(fmt::format("--property '{}'{}: no property matches (softcheck check --list shows them)",
                                 o.suite.filter,
                                 o.exclude.empty() ? "" : fmt::format(" --exclude '{}'", o.exclude)));
  return out;
}

std::string format_property_list(const Kernels& k, const CheckOptions& o) {
  std::string out;
  for (const sp::PropertyInfo* p : selected_properties(o)) {
    const std::vector<std::string> lacks = missing(k, *p);
    out += fmt::format("{:<44} {:>6} cases  {}{}\n", p->id, p->cases, p->description,
                       lacks.empty() ? "" : fmt::format("  [not provided: {}]", fmt::join(lacks, ", ")));
  }
  return out;
}

std::string check_junit(const CheckSummary& s, const std::string& impl) {
  std::vector<JunitCase> cases;
  for (const CheckSummary::Verdict& v : s.verdicts) {
    JunitCase j;
    j.classname = "softcheck.check." + impl + "." + v.id.substr(0, v.id.find('.'));
    j.name = v.id;
    j.seconds = v.seconds;
    j.status = v.status == CheckSummary::Verdict::Status::kPassed   ? JunitCase::Status::kPassed
               : v.status == CheckSummary::Verdict::Status::kFailed ? JunitCase::Status::kFailed
                                                                   : JunitCase::Status::kSkipped;
    j.message = v.message;
    j.type = v.kind.empty() ? "failure" : v.kind;
    j.text = v.text;
    cases.push_back(std::move(j));
  }
  return junit_xml("softcheck check " + impl, cases, s.seconds);
}

std::string shell_word(std::string_view w) {
  if (!w.empty() && w.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+=,:@%") ==
                        std::string_view::npos)
    return std::string(w);
  std::string q = "'";
  for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CheckSummary run_check(const Kernels& k, const CheckOptions& o, const std::function<void(const std::string&)>& print) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto selected = selected_properties(o);
  CheckSummary s;
  std::set<std::string> missing_entries;
  std::size_t width = 0;
  for (const auto* p : selected) width = std::max(width, p->id.size());

  const unsigned jobs = std::max(1u, o.jobs);
  print(fmt::format("softcheck check: {} properties against '{}' (seed {}, scale {}, budget {} ULP{}{})\n",
                    selected.size(), k.name, o.suite.seed, o.suite.scale, o.suite.budget_ulps,
                    o.suite.reproduce.empty() ? "" : ", only the cases of RC_PARAMS reproduce=",
                    jobs > 1 ? fmt::format(", {} at a time", jobs) : ""));

  // Up to `jobs` properties run at once, each in its child, all driven from this thread; verdicts are
  // printed in catalog order whatever order the children finish in, so the output does not depend on -j.
  struct Done {
    std::vector<std::string> lacks;  // not provided: the missing entries
    sp::PropertyOutcome r;
    double seconds = 0;
  };
  struct Running {
    std::size_t index;
    std::unique_ptr<PropertyChild> child;
    std::chrono::steady_clock::time_point t;
  };
  auto report_one = [&](const sp::PropertyInfo& p, const std::vector<std::string>& lacks, const sp::PropertyOutcome& r,
                        double dt) {
    using Status = CheckSummary::Verdict::Status;
    CheckSummary::Verdict v{p.id, Status::kSkipped, dt, "", "", ""};
    if (!lacks.empty()) {
      s.not_provided.push_back(p.id);
      missing_entries.insert(lacks.begin(), lacks.end());
      v.message = fmt::format("not provided: the implementation lacks {}", fmt::join(lacks, ", "));
      if (o.verbose) print(fmt::format("----  {:<{}}  not provided ({})\n", p.id, width, fmt::join(lacks, ", ")));
    } else if (r.skipped) {  // with a reproduce string: a property it does not name
      s.not_run.push_back(p.id);
      v.message = r.message;
      if (o.verbose) print(fmt::format("----  {:<{}}  {}\n", p.id, width, r.message));
    } else if (r.passed) {
      s.passed.push_back(p.id);
      v.status = Status::kPassed;
      print(fmt::format("PASS  {:<{}}  ({} case{}, {:.1f} s)\n", p.id, width, r.cases, r.cases == 1 ? "" : "s", dt));
    } else {
      s.failed.push_back(p.id);
      print(fmt::format("FAIL  {:<{}}  ({:.1f} s)\n", p.id, width, dt));
      const std::string command = o.replay_command.empty() ? "" : o.replay_command + " --property " + p.id;
      v.status = Status::kFailed;
      v.text = sp::describe(r, k.name, command);
      v.message = r.message.empty() ? "failed" : r.message.substr(0, r.message.find('\n'));
      v.kind = r.kind;
      print(indent(v.text));
    }
    s.verdicts.push_back(std::move(v));
  };
  std::vector<std::optional<Done>> done(selected.size());
  std::vector<Running> running;
  std::size_t next = 0, printed = 0;
  bool stop = false;  // --fail-fast after a failure: start nothing more
  for (;;) {
    while (!stop && running.size() < jobs && next < selected.size()) {
      const sp::PropertyInfo* p = selected[next];
      std::vector<std::string> lacks = missing(k, *p);
      if (!lacks.empty()) {
        done[next++] = Done{std::move(lacks), {}, 0};
        continue;
      }
      if (o.on_start) o.on_start(p->id);
      Running r{next++, std::make_unique<PropertyChild>(k, *p, o), std::chrono::steady_clock::now()};
      r.child->begin();
      running.push_back(std::move(r));
    }
    for (; printed < selected.size() && done[printed]; ++printed)
      report_one(*selected[printed], done[printed]->lacks, done[printed]->r, done[printed]->seconds);
    if (running.empty()) break;
    for (auto it = running.begin(); it != running.end();) {
      auto r = it->child->poll(running.size() > 1 ? 10 : 100);
      if (!r) {
        ++it;
        continue;
      }
      stop = stop || (o.fail_fast && !r->passed && !r->skipped);
      done[it->index] = Done{{}, std::move(*r), seconds_since(it->t)};
      it = running.erase(it);
    }
  }
  for (std::size_t i = printed; i < selected.size(); ++i) {
    s.not_started.push_back(selected[i]->id);
    s.verdicts.push_back({selected[i]->id, CheckSummary::Verdict::Status::kSkipped, 0, "not run (--fail-fast)", "", ""});
  }
  s.missing_entries.assign(missing_entries.begin(), missing_entries.end());
  s.seconds = seconds_since(t0);

  std::string sum = fmt::format("\nsummary: {} passed, {} failed, {} not provided", s.passed.size(), s.failed.size(),
                                s.not_provided.size());
  if (!s.not_run.empty()) sum += fmt::format(", {} not in the reproduce string", s.not_run.size());
  if (!s.not_started.empty()) sum += fmt::format(", {} not run (--fail-fast)", s.not_started.size());
  sum += fmt::format(" ({:.1f} s)\n", s.seconds);
  if (!s.not_provided.empty())
    sum += fmt::format("not provided: '{}' does not provide {} (not a failure; --verbose lists the properties)\n",
                       k.name, fmt::join(s.missing_entries, ", "));
  if (!s.failed.empty()) sum += fmt::format("failed: {}\n", fmt::join(s.failed, " "));
  if (s.passed.empty() && s.failed.empty())
    sum += "check: NOTHING CHECKED: no selected property could run, so nothing was shown correct\n";
  else
    sum += s.failed.empty() ? "check: PASS\n" : "check: FAIL\n";
  print(sum);
  return s;
}

}  // namespace softcheck::reports
