// `softcheck eval`: parse one input exactly, call one kernel and the oracle, report err per component.
#include "reports/eval.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "oracle/ulp.hpp"
#include "reports/common.hpp"
#include "reports/functions.hpp"
#include "reports/numbers.hpp"

namespace softcheck::reports {
namespace {

std::vector<double> parse_all(const std::vector<std::string>& texts) {
  std::vector<double> v;
  v.reserve(texts.size());
  for (const std::string& s : texts) v.push_back(parse_number(s));
  return v;
}

std::vector<double> parse_list(const std::string& option, const std::string& text) {
  std::vector<double> v;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) throw InputError(fmt::format("{} '{}': an empty item (want t1,t2,...)", option, text));
    v.push_back(parse_number(item));
    if (comma == std::string::npos) return v;
    start = comma + 1;
  }
}

std::size_t parse_class(const std::string& text, std::size_t n) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    throw InputError(fmt::format("--target '{}': cross_entropy wants a class index 0..{}", text, n - 1));
  const auto k = static_cast<std::size_t>(std::stoull(text));
  if (k >= n) throw InputError(fmt::format("--target {}: class index out of range for n = {} (0..{})", k, n, n - 1));
  return k;
}

EvalResult result(std::string name, std::vector<double> output, std::vector<oracle::Ref> refs) {
  EvalResult r{std::move(name), std::move(output), std::move(refs), {}};
  for (std::size_t i = 0; i < r.output.size(); ++i) r.ulp.push_back(oracle::ulp_error(r.output[i], r.oracle[i]));
  return r;
}

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.17g}", v);
}

std::string ulp_text(double u) {
  if (std::isinf(u)) return "inf (a wrong special value, or NaN/inf where a finite value was due)";
  if (u == 0) return "0";
  return fmt::format("{:.4g}", u);
}

nlohmann::ordered_json json_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

nlohmann::ordered_json json_array(const std::vector<double>& v) {
  auto a = nlohmann::ordered_json::array();
  for (double d : v) a.push_back(json_number(d));
  return a;
}

}  // namespace

Evaluation evaluate(const Kernels& k, const EvalRequest& req) {
  const Function* row = find_function(req.function);
  if (!row) {
    std::vector<std::string> names;
    for (std::string_view e : kernel_entries()) names.emplace_back(e);
    throw InputError(fmt::format("unknown function '{}' (one of: {}; or a report row such as cross_entropy_grad)",
                                 req.function, fmt::join(names, ", ")));
  }
  Evaluation e;
  e.function = std::string(row->entry);
  e.impl = req.impl;
  const std::string& f = e.function;
  if (!provides(k, f))
    throw InputError(fmt::format("implementation '{}' does not provide {} (not provided: the plugin does not export "
                                 "softcheck_{})", req.impl, f, f));
  if (req.x.empty()) throw InputError(fmt::format("{}: no input given (softcheck eval {} x1 x2 ...)", f, f));
  e.input = parse_all(req.x);
  const std::vector<double>& x = e.input;
  const std::size_t n = x.size();

  const bool wants_class = f == "cross_entropy", wants_dist = f == "cross_entropy_dist", bce = f == "bce_with_logits";
  // The backward passes: y as the inputs, the upstream gradient g as --targets.
  const bool wants_g = inputs::is_upstream(*row->input);
  if (!wants_class && !wants_dist && !bce && !wants_g && (req.target || req.targets))
    throw InputError(fmt::format("{} takes no target (--target/--targets are for cross_entropy, cross_entropy_dist, "
                                 "bce_with_logits and, as the upstream gradient g, the backward passes)", f));
  if (wants_g) {
    if (req.target) throw InputError(fmt::format("{} takes its upstream gradient as --targets g1,...,gn", f));
    if (!req.targets) throw InputError(fmt::format("{} needs --targets g1,...,g{} (n = {})", f, n, n));
    e.targets = parse_list("--targets", *req.targets);
    if (e.targets->size() != n)
      throw InputError(fmt::format("--targets: {} values for n = {} outputs y (want one g per y)", e.targets->size(), n));
  }
  if (wants_class) {
    if (req.targets)
      throw InputError("cross_entropy takes a class index --target K; for a target distribution use "
                       "cross_entropy_dist --targets t1,...,tn");
    if (!req.target) throw InputError(fmt::format("cross_entropy needs --target K, a class index 0..{}", n - 1));
    e.class_index = parse_class(*req.target, n);
  }
  if (wants_dist) {
    if (req.target) throw InputError("cross_entropy_dist takes --targets t1,...,tn (for a class index: cross_entropy)");
    if (!req.targets) throw InputError(fmt::format("cross_entropy_dist needs --targets t1,...,t{} (n = {})", n, n));
    e.targets = parse_list("--targets", *req.targets);
    if (e.targets->size() != n)
      throw InputError(fmt::format("--targets: {} values for n = {} inputs (want one per input)", e.targets->size(), n));
    for (std::size_t i = 0; i < n; ++i)
      if (!std::isfinite((*e.targets)[i]) || (*e.targets)[i] < 0)
        throw InputError(fmt::format("--targets: t[{}] = {} (each target must be finite and >= 0)", i,
                                     number_text((*e.targets)[i])));
  }
  double t = 0;
  if (bce) {
    if (n != 1) throw InputError(fmt::format("bce_with_logits takes one x (got {})", n));
    if (req.target && req.targets) throw InputError("bce_with_logits: give --target t or --targets t, not both");
    if (!req.target && !req.targets) throw InputError("bce_with_logits needs --target t (t in [0, 1])");
    if (req.target) {
      t = parse_number(*req.target);
      e.bce_target = t;
    } else {
      e.targets = parse_list("--targets", *req.targets);
      if (e.targets->size() != 1)
        throw InputError(fmt::format("--targets: {} values; bce_with_logits takes one target", e.targets->size()));
      t = e.targets->front();
    }
    if (!(t >= 0 && t <= 1)) throw InputError(fmt::format("bce_with_logits: target {} is not in [0, 1]", number_text(t)));
  }

  // One call of the entry (its gradient asked for), the oracle once, then every row of the entry.
  Input in;
  in.x = x;
  if (e.class_index) in.target_class = *e.class_index;
  if (wants_dist || wants_g) in.target = *e.targets;
  if (bce) in.bce_target = t;
  functions::EntryOutput call;
  functions::call_entry(k, f, in, true, call);
  functions::Reference ref;
  ref.assign(in);
  for (const Function& r : functions()) {
    if (r.entry != f || !r.own_properties) continue;
    std::vector<oracle::Ref> refs;
    std::vector<double> kappa, out;
    r.reference(ref, refs, kappa);
    functions::graded_outputs(r, in, call, out);
    const std::string name = !functions::vector_is_optional(f) ? f : r.part == functions::Part::kValue ? "loss" : "grad";
    e.results.push_back(result(name, out, refs));
  }
  return e;
}

std::string format_text(const Evaluation& e) {
  auto list = [](const std::vector<double>& v) {
    std::vector<std::string> s;
    for (double d : v) s.push_back(number_text(d));
    return fmt::format("[{}]", fmt::join(s, ", "));
  };
  const functions::Row* row = functions::find_row(e.function);
  const bool backward = row && inputs::is_upstream(*row->input);  // the upstream gradient g
  const bool y_form = backward && row->input->line_format().starts_with("y");  // and y, not x
  std::string out = fmt::format("{} with implementation '{}'\n  {} = {} (n = {})\n", e.function, e.impl,
                                y_form ? "y" : "x", list(e.input), e.input.size());
  if (e.class_index) out += fmt::format("  target class k = {}\n", *e.class_index);
  if (e.bce_target) out += fmt::format("  target t = {}\n", number_text(*e.bce_target));
  if (e.targets) out += fmt::format("  {} = {}\n", backward ? "upstream gradient g" : "targets t", list(*e.targets));
  for (const EvalResult& r : e.results) {
    out += fmt::format("{}:\n", r.name);
    for (std::size_t i = 0; i < r.output.size(); ++i) {
      const oracle::Ref& v = r.oracle[i];
      const std::string idx = r.output.size() > 1 ? fmt::format("[{}] ", i) : "";
      out += fmt::format("  {}output {:<24} {}\n", idx, number_text(r.output[i]), hex(r.output[i]));
      out += fmt::format("  {}oracle {:<24} {}{}{}\n", std::string(idx.size(), ' '), number_text(v.rounded),
                         hex(v.rounded), v.exact ? "  (exact)" : "  (correctly rounded)",
                         v.certain ? "" : "  (rounding NOT certain at the oracle's precision ceiling)");
      const bool same = oracle::ulp_distance(r.output[i], v.rounded) == 0;
      out += fmt::format("  {}err    {} ULP{}\n", std::string(idx.size(), ' '), ulp_text(r.ulp[i]),
                         same ? " (= the correctly rounded value)" : "");
    }
  }
  return out;
}

std::string format_json(const Evaluation& e) {
  nlohmann::ordered_json j;
  j["function"] = e.function;
  j["impl"] = e.impl;
  j["input"] = json_array(e.input);
  if (e.class_index) j["target"] = *e.class_index;
  if (e.bce_target) j["target"] = json_number(*e.bce_target);
  if (e.targets) j["targets"] = json_array(*e.targets);
  auto results = nlohmann::ordered_json::array();
  for (const EvalResult& r : e.results) {
    std::vector<double> rounded;
    for (const oracle::Ref& v : r.oracle) rounded.push_back(v.rounded);
    nlohmann::ordered_json o;
    o["name"] = r.name;
    o["output"] = json_array(r.output);
    o["oracle"] = json_array(rounded);
    o["ulp"] = json_array(r.ulp);
    results.push_back(std::move(o));
  }
  j["results"] = std::move(results);
  return j.dump() + "\n";
}

}  // namespace softcheck::reports
