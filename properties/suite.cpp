// The suite's runner: each property through rc::detail::checkProperty, its outcome and replay line.
// Our own parameters (seed, case count, reproduce map) and a quiet listener.
#include "properties/suite.hpp"

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "properties/property.hpp"

namespace softcheck::properties {
namespace {

// RapidCheck's global listener prints a replay line for every failure at exit; the teeth tests expect
// failures, and the outcome carries the replay line instead.
class QuietListener : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

bool glob(std::string_view s, std::string_view p) {
  if (p.empty()) return s.empty();
  if (p[0] == '*') return glob(s, p.substr(1)) || (!s.empty() && glob(s.substr(1), p));
  return !s.empty() && (p[0] == '?' || p[0] == s[0]) && glob(s.substr(1), p.substr(1));
}

std::unordered_map<std::string, rc::detail::Reproduce> reproduce_map(const std::string& reproduce) {
  if (reproduce.empty()) return {};
  try {
    return rc::detail::configFromString("reproduce=" + reproduce).reproduce;
  } catch (const std::exception& e) {
    throw std::invalid_argument("malformed reproduce string: " + std::string(e.what()));
  }
}

PropertyOutcome run_one(const Kernels& k, const Property& p, const SuiteOptions& o) {
  PropertyOutcome out;
  out.property = p.info.id;
  out.seed = o.seed;
  for (const std::string& fn : p.info.needs)
    if (!provides(k, fn)) {
      out.passed = out.skipped = true;
      out.message = "skipped: the kernels do not provide " + fn;
      return out;
    }

  struct State {
    Recorder::Budget budget;
    std::string counterexample, message;
    int n = 0;
  } st;
  st.budget.max_evaluations = o.max_shrink_evaluations;
  st.budget.max_work = o.max_shrink_work;
  oracle::Vector ov;
  functions::Reference ref;

  auto testable = [&] {
    if (st.budget.failed) ++st.budget.evaluations_after_failure;
    Recorder rec(&st.budget);
    Ctx c{k, o.budget_ulps, ov, ref, rec};
    // The last failing evaluation is the shrunk counterexample: each accepted shrink fails, and
    // RapidCheck evaluates the final one again to describe it.
    auto record = [&](const std::string& message) {
      st.budget.failed = true;
      st.budget.failing.push_back(rec.hashes());
      st.counterexample = rec.format();
      st.n = rec.n();
      st.message = message;
    };
    // A failure counts while shrinking only with the first failure's signature (see PropertyFailure).
    auto same_failure = [&](const std::string& signature) {
      if (!st.budget.failed) st.budget.signature = signature;
      return signature == st.budget.signature;
    };
    try {
      p.body(c);
    } catch (const PropertyFailure& f) {
      if (!same_failure(f.signature)) return;
      record(f.description);
      throw;
    } catch (const rc::detail::CaseResult& r) {
      if (r.type == rc::detail::CaseResult::Type::Failure) {
        if (!same_failure("")) return;
        record(r.description);
      }
      throw;
    } catch (const rc::GenerationFailure&) {
      throw;
    } catch (const std::exception& e) {
      if (!same_failure("exception")) return;
      record(std::string("exception: ") + e.what());
      throw;
    }
  };

  rc::detail::TestParams params;
  params.seed = o.seed;
  params.maxSuccess = std::max(1, static_cast<int>(std::llround(p.info.cases * o.scale)));
  params.maxSize = rc::kNominalSize;
  params.maxDiscardRatio = 10;
  params.disableShrinking = !o.shrink;
  rc::detail::TestMetadata md;
  md.id = k.name + "/" + p.info.id;
  md.description = p.info.id;
  QuietListener listener;
  const auto map = reproduce_map(o.reproduce);
  const rc::detail::TestResult result =
      rc::detail::checkProperty(rc::detail::toProperty(testable), md, params, listener, map);

  if (result.is<rc::detail::SuccessResult>()) {
    out.passed = true;
    out.cases = result.get<rc::detail::SuccessResult>().numSuccess;
    if (!map.empty() && !map.count(md.id)) {
      out.skipped = true;
      out.message = "skipped: not in the reproduce map";
    }
  } else if (result.is<rc::detail::FailureResult>()) {
    const auto& f = result.get<rc::detail::FailureResult>();
    out.cases = f.numSuccess;
    out.message = st.message.empty() ? f.description : st.message;
    out.counterexample = st.counterexample;
    out.shrunk_n = st.n;
    out.kind = st.budget.signature;
    rc::detail::Configuration cfg;
    cfg.testParams.seed = o.seed;
    cfg.reproduce[md.id] = f.reproduce;
    out.replay = "RC_PARAMS=\"" + rc::detail::configToMinimalString(cfg) + "\"";
  } else if (result.is<rc::detail::GaveUpResult>()) {
    const auto& g = result.get<rc::detail::GaveUpResult>();
    out.cases = g.numSuccess;
    out.message = "gave up after " + std::to_string(g.numSuccess) + " cases: " + g.description;
  } else {
    out.message = "error: " + result.get<rc::detail::Error>().description;
  }
  return out;
}

}  // namespace

const std::vector<Property>& all_properties() {
  static const std::vector<Property> all = [] {
    std::vector<Property> out;
    add_agreement(out);
    add_sum(out);
    add_shift(out);
    add_gradient(out);
    add_finite(out);
    add_relations(out);
    add_special(out);
    add_backward(out);
    return out;
  }();
  return all;
}

const std::vector<PropertyInfo>& catalog() {
  static const std::vector<PropertyInfo> infos = [] {
    std::vector<PropertyInfo> out;
    for (const Property& p : all_properties()) out.push_back(p.info);
    return out;
  }();
  return infos;
}

bool matches(std::string_view id, std::string_view filter) {
  if (filter.empty()) return true;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = filter.find(':', start);
    const std::string_view pat = filter.substr(start, end == std::string_view::npos ? end : end - start);
    if (glob(id, pat)) return true;
    if (end == std::string_view::npos) return false;
    start = end + 1;
  }
}

PropertyOutcome run_property(const Kernels& kernels, std::string_view id, const SuiteOptions& options) {
  for (const Property& p : all_properties())
    if (p.info.id == id) return run_one(kernels, p, options);
  throw std::invalid_argument("unknown property '" + std::string(id) + "'");
}

std::vector<PropertyOutcome> run_suite(const Kernels& kernels, const SuiteOptions& options) {
  std::vector<PropertyOutcome> out;
  for (const Property& p : all_properties())
    if (matches(p.info.id, options.filter)) out.push_back(run_one(kernels, p, options));
  return out;
}

SuiteOptions options_from_environment() {
  SuiteOptions o;
  if (const char* s = std::getenv("SOFTCHECK_PROPERTY_SCALE"); s && *s) {
    char* end = nullptr;
    const double v = std::strtod(s, &end);
    if (*end != '\0' || !(v > 0) || !std::isfinite(v))
      throw std::invalid_argument("SOFTCHECK_PROPERTY_SCALE='" + std::string(s) + "' is not a number > 0");
    o.scale = v;
  }
  if (const char* p = std::getenv("RC_PARAMS"); p && *p) {
    rc::detail::Configuration defaults;
    defaults.testParams.seed = o.seed;
    rc::detail::Configuration cfg;
    try {
      cfg = rc::detail::configFromString(p, defaults);
    } catch (const std::exception& e) {
      throw std::invalid_argument("RC_PARAMS: " + std::string(e.what()));
    }
    o.seed = cfg.testParams.seed;
    o.shrink = !cfg.testParams.disableShrinking;
    std::istringstream in(p);
    for (std::string word; in >> word;)
      if (word.rfind("reproduce=", 0) == 0) o.reproduce = word.substr(10);
  }
  return o;
}

std::string describe(const PropertyOutcome& r, std::string_view kernels_name, std::string_view command) {
  std::ostringstream s;
  if (r.skipped) {
    s << "SKIPPED " << kernels_name << " " << r.property << ": " << r.message << "\n";
    return s.str();
  }
  if (r.passed) {
    s << "passed  " << kernels_name << " " << r.property << " (" << r.cases << " cases, seed " << r.seed << ")\n";
    return s.str();
  }
  s << "FAILED  " << kernels_name << " " << r.property << " after " << r.cases << " passing cases (seed "
    << r.seed << ")\n"
    << "  " << r.message << "\n";
  if (!r.counterexample.empty())
    s << "  counterexample (shrunk to n = " << r.shrunk_n << "): " << r.counterexample << "\n";
  if (!r.kind.empty()) s << "  kind: " << r.kind << " (shrinking kept it)\n";
  if (!r.replay.empty()) s << "  replay: " << r.replay << (command.empty() ? "" : " ") << command << "\n";
  return s.str();
}

}  // namespace softcheck::properties
