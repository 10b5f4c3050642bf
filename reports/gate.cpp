// The gate: every cell of a report against its budget; breaches named with their witness input, budgets
// that were not checked named as failures, loose budgets flagged for tightening.
#include "reports/junit.hpp"
#include "reports/gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "properties/regimes.hpp"
#include "reports/common.hpp"
#include "reports/functions.hpp"
#include "reports/render.hpp"

namespace softcheck::reports {
namespace {

using json = nlohmann::json;

Budget parse_value(const json& v, const std::string& where) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (!(d >= 0) || !std::isfinite(d)) throw InputError(fmt::format("{}: a budget must be a number ≥ 0 or \"inf\"", where));
    return {d, false};
  }
  if (v.is_string() && v.get<std::string>() == "inf") return {0, true};
  throw InputError(fmt::format("{}: a budget must be a number ≥ 0 or \"inf\", not {}", where, v.dump()));
}

// A budget of n ULP, rounded up to 1, 2 or 5 × 10^k.
double nice_ceiling(double v) {
  if (v <= 1) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

std::string budget_text(const Budget& b) { return b.unbounded ? "inf" : format_ulp(b.max_ulp); }

// Whether any budget entry (any regime) covers impl × fn.
bool budgeted(const Budgets& b, const std::string& impl, const std::string& fn) {
  const auto i = b.table.find(impl);
  if (i == b.table.end()) return false;
  return i->second.count(fn) || i->second.count("*");
}

}  // namespace

const Budget* Budgets::find(const std::string& impl, const std::string& function, const std::string& regime) const {
  const auto i = table.find(impl);
  if (i == table.end()) return nullptr;
  auto f = i->second.find(function);
  if (f == i->second.end()) f = i->second.find("*");
  if (f == i->second.end()) return nullptr;
  auto r = f->second.find(regime);
  if (r == f->second.end()) r = f->second.find("*");
  return r == f->second.end() ? nullptr : &r->second;
}

Budgets parse_budgets(const std::string& text, const std::string& origin) {
  check_json_nesting(text, origin);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999 (fuzzer)
    throw InputError(fmt::format("{}: not valid JSON ({})", origin, e.what()));
  }
  if (!j.is_object()) throw InputError(fmt::format("{}: expected a JSON object", origin));
  if (!j.contains("schema") || j["schema"] != kBudgetSchema)
    throw InputError(fmt::format("{}: \"schema\" must be \"{}\"", origin, kBudgetSchema));
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "schema" && it.key() != "budgets" && it.key() != "loose_factor" && it.key() != "about")
      throw InputError(fmt::format("{}: unknown key \"{}\" (known: schema, about, loose_factor, budgets)", origin, it.key()));
  Budgets b;
  if (j.contains("loose_factor")) {
    if (!j["loose_factor"].is_number() || !(j["loose_factor"].get<double>() > 1))
      throw InputError(fmt::format("{}: \"loose_factor\" must be a number > 1", origin));
    b.loose_factor = j["loose_factor"].get<double>();
  }
  if (!j.contains("budgets") || !j["budgets"].is_object() || j["budgets"].empty())
    throw InputError(fmt::format("{}: \"budgets\" must be a non-empty object (implementation → budgets)", origin));
  std::set<std::string> regimes{"*", "worst"};
  for (const auto& r : regimes::scalar_regimes()) regimes.emplace(r.name);
  for (const auto& r : regimes::vector_regimes()) regimes.emplace(r.name);
  std::string known_fns;
  for (const Function& f : functions()) known_fns += (known_fns.empty() ? "" : ", ") + std::string(f.name);
  for (auto impl = j["budgets"].begin(); impl != j["budgets"].end(); ++impl) {
    const std::string iw = fmt::format("{}: budgets.{}", origin, impl.key());
    if (!impl.value().is_object() || impl.value().empty())
      throw InputError(fmt::format("{}: expected an object (function or \"*\" → budget)", iw));
    auto& fmap = b.table[impl.key()];
    for (auto fn = impl.value().begin(); fn != impl.value().end(); ++fn) {
      if (fn.key() != "*" && !find_function(fn.key()))
        throw InputError(fmt::format("{}: unknown function \"{}\" (known: {}, or \"*\")", iw, fn.key(), known_fns));
      const std::string fw = iw + "." + fn.key();
      auto& rmap = fmap[fn.key()];
      if (fn.value().is_object()) {
        for (auto r = fn.value().begin(); r != fn.value().end(); ++r) {
          if (!regimes.count(r.key())) {
            std::string list;
            for (const auto& k : regimes) list += (list.empty() ? "" : ", ") + k;
            throw InputError(fmt::format("{}: unknown regime \"{}\" (known: {})", fw, r.key(), list));
          }
          rmap[r.key()] = parse_value(r.value(), fw + "." + r.key());
        }
        if (rmap.empty()) throw InputError(fmt::format("{}: empty object", fw));
      } else {
        rmap["*"] = parse_value(fn.value(), fw);
      }
    }
  }
  return b;
}

GateResult run_gate(const Report& rep, const Budgets& budgets, const std::string& name) {
  GateResult g;
  std::vector<std::string> breach, unchecked, loose, scope;
  // Loose check per budget entry: the largest error measured under it.
  struct Use {
    const Budget* budget;
    double measured = 0;
    bool any = false;
    std::string label;
  };
  std::map<const Budget*, Use> uses;
  std::set<const Cell*> breached;

  for (const std::string& impl : rep.run.implementations) {
    for (const std::string& fn : rep.run.functions) {
      std::vector<const Cell*> cells;
      for (const Cell& c : rep.cells)
        if (c.function == fn && c.implementation == impl) cells.push_back(&c);
      const std::string who = fmt::format("{} × {}", fn, impl);
      const Function* f = find_function(fn);
      // What this function × implementation adds to the findings, however the body below ends.
      struct Record {
        GateResult& g;
        const std::vector<std::string>& breach;
        const std::vector<std::string>& unchecked;
        GateCase c;
        std::size_t b0, u0;
        int checked0;
        ~Record() {
          c.breaches.assign(breach.begin() + static_cast<std::ptrdiff_t>(b0), breach.end());
          c.not_checked.assign(unchecked.begin() + static_cast<std::ptrdiff_t>(u0), unchecked.end());
          c.cells = g.checked - checked0;
          g.cases.push_back(std::move(c));
        }
      } record{g, breach, unchecked, {fn, impl, 0, {}, {}}, breach.size(), unchecked.size(), g.checked};
      if (cells.empty()) {
        if (budgeted(budgets, impl, fn))
          unchecked.push_back(fmt::format("{}: budgeted, but the report has no cell for it (no regime of its kind "
                                          "selected, or an incomplete report)",
                                          who));
        continue;
      }
      bool any_budget = false;
      for (const Cell* c : cells) any_budget = any_budget || budgets.find(impl, fn, c->regime);
      if (!any_budget) {
        unchecked.push_back(fmt::format("{}: no budget in {} (add one for implementation \"{}\")", who, name, impl));
        continue;
      }
      if (!cells.front()->provided) {
        unchecked.push_back(fmt::format("{}: budgeted, but the implementation does not provide `{}`", who,
                                        f ? f->entry : std::string_view("?")));
        continue;
      }
      // Every regime of the run that serves this function must have its cell (a report cut or edited by hand
      // must not pass for the part that is gone).
      for (const RegimeInfo& r : rep.regimes) {
        const bool serves = r.name == kWorstRegime
                                ? std::any_of(rep.run.worst.begin(), rep.run.worst.end(),
                                              [&](const WorstFileInfo& w) { return w.function == fn; })
                                : f && r.scalar == f->scalar;
        if (serves && budgets.find(impl, fn, r.name) &&
            std::none_of(cells.begin(), cells.end(), [&](const Cell* c) { return c->regime == r.name; }))
          unchecked.push_back(fmt::format("{} [{}]: budgeted, but the report has no cell for it", who, r.name));
      }
      for (const Cell* c : cells) {
        const std::string where = fmt::format("{} [{}]", who, c->regime);
        const Budget* b = budgets.find(impl, fn, c->regime);
        if (!b) {
          unchecked.push_back(fmt::format("{}: no budget for regime {}", where, c->regime));
          continue;
        }
        if (c->skipped)
          unchecked.push_back(fmt::format("{}: {} sample(s) not evaluated: the kernel had crashed or hung too often "
                                          "(--max-crashes)",
                                          where, c->skipped));
        if (c->samples == 0) {
          if (!c->skipped) unchecked.push_back(fmt::format("{}: no samples", where));
          continue;
        }
        ++g.checked;
        const std::size_t before = breach.size();
        if (c->errors)
          breach.push_back(fmt::format("{}: {} kernel call(s) failed{}; first: {}", where, c->errors,
                                       c->crashes ? fmt::format(" ({} crashed or hung)", c->crashes) : "",
                                       c->first_error ? format_witness(*c->first_error, fn, 64) : "?"));
        Use& u = uses[b];
        u.budget = b;
        if (u.label.empty()) u.label = fmt::format("{} × {}{}", fn, impl, c->regime == "*" ? "" : "");
        if (b->unbounded) {
          if (breach.size() > before) breached.insert(c);
          continue;
        }
        if (c->nonfinite + c->special_mismatch)
          breach.push_back(fmt::format("{}: {} NaN/inf or wrong special value(s) (budget {} ULP); first: {}", where,
                                       c->nonfinite + c->special_mismatch, budget_text(*b),
                                       c->first_nonfinite ? format_witness(*c->first_nonfinite, fn, 64) : "?"));
        if (c->max_ulp.value) {
          u.measured = std::max(u.measured, *c->max_ulp.value);
          u.any = true;
          if (*c->max_ulp.value > b->max_ulp)
            breach.push_back(fmt::format("{}: max {} ULP > budget {} ULP; witness: {}", where,
                                         format_ulp(*c->max_ulp.value), budget_text(*b),
                                         format_witness(c->max_ulp.witness, fn, 64)));
        }
        if (breach.size() > before) breached.insert(c);
      }
    }
  }
  // Budgets for what this run did not cover: named, not failures (the run's selection excluded them).
  for (const auto& [impl, fmap] : budgets.table) {
    if (std::find(rep.run.implementations.begin(), rep.run.implementations.end(), impl) == rep.run.implementations.end()) {
      scope.push_back(fmt::format("implementation {}: not in this run (--impl)", impl));
      continue;
    }
    for (const auto& [fn, rmap] : fmap)
      if (fn != "*" && std::find(rep.run.functions.begin(), rep.run.functions.end(), fn) == rep.run.functions.end())
        scope.push_back(fmt::format("{} × {}: not in this run (--function)", fn, impl));
  }
  std::set<std::string> canon;
  for (const auto& r : regimes::scalar_regimes()) canon.emplace(r.name);
  for (const auto& r : regimes::vector_regimes()) canon.emplace(r.name);
  for (const std::string& r : canon)
    if (std::find(rep.run.regimes.begin(), rep.run.regimes.end(), r) == rep.run.regimes.end())
      scope.push_back(fmt::format("regime {}: not in this run (--regime, or a sample count of 0)", r));
  for (const auto& [b, u] : uses) {
    if (b->unbounded || !u.any || b->max_ulp <= 1) continue;
    if (b->max_ulp > budgets.loose_factor * std::max(u.measured, 0.5)) {
      // Find a label: which entry of the file this is.
      std::string entry;
      for (const auto& [impl, fmap] : budgets.table)
        for (const auto& [fn, rmap] : fmap)
          for (const auto& [regime, budget] : rmap)
            if (&budget == b) entry = fmt::format("budgets.{}.{}{}", impl, fn, regime == "*" && fn != "*" ? "" : "." + regime);
      loose.push_back(fmt::format("{}: budget {} ULP, measured at most {} ULP (×{:.0f} looser): tighten to {}?", entry,
                                  budget_text(*b), format_ulp(u.measured), b->max_ulp / std::max(u.measured, 0.5),
                                  format_ulp(nice_ceiling(2 * std::max(u.measured, 0.5)))));
    }
  }

  g.breaches = static_cast<int>(breach.size());
  g.not_checked = static_cast<int>(unchecked.size());
  g.loose = static_cast<int>(loose.size());
  g.out_of_scope = static_cast<int>(scope.size());
  g.pass = breach.empty() && unchecked.empty() && g.checked > 0;
  if (g.checked == 0 && unchecked.empty()) unchecked.push_back("nothing was checked: no cell of this run has a budget");
  g.not_checked = static_cast<int>(unchecked.size());

  for (const auto& s : breach) g.text += "BREACH       " + s + "\n";
  for (const auto& s : unchecked) g.text += "NOT CHECKED  " + s + "  (fails the gate)\n";
  for (const auto& s : loose) g.text += "LOOSE        " + s + "\n";
  for (const auto& s : scope) g.text += "not in scope " + s + "\n";
  const std::string verdict =
      g.pass ? fmt::format("PASS: {} cells within budget ({}){}", g.checked, name,
                           g.out_of_scope ? fmt::format("; {} budget entries not in this run's scope", g.out_of_scope) : "")
             : fmt::format("FAIL: {} breach(es) in {} cell(s), {} budget(s) not checked, {} cells within budget ({})",
                           g.breaches, breached.size(), g.not_checked, g.checked - static_cast<int>(breached.size()), name);
  g.text += "gate: " + verdict + "\n";

  g.markdown = fmt::format("## Gate: {}\n\n", g.pass ? "✅ pass" : "❌ FAIL");
  g.markdown += fmt::format("Budgets `{}` · {}\n\n", name, verdict);
  auto section = [&](const char* title, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    g.markdown += fmt::format("**{}**\n\n", title);
    for (const auto& s : lines) g.markdown += "- " + s + "\n";
    g.markdown += "\n";
  };
  section("Breaches", breach);
  section("Not checked (fails the gate)", unchecked);
  section("Loose budgets (time to tighten)", loose);
  section("Not in this run's scope", scope);
  return g;
}

std::string gate_junit(const GateResult& g, double seconds) {
  std::vector<JunitCase> cases;
  bool any_failed = false;
  for (const GateCase& c : g.cases) {
    JunitCase j;
    j.classname = "softcheck.gate." + c.implementation;
    j.name = fmt::format("{} × {}", c.function, c.implementation);
    if (!c.breaches.empty() || !c.not_checked.empty()) {
      j.status = JunitCase::Status::kFailed;
      j.type = c.breaches.empty() ? "not checked" : "breach";
      j.message = c.breaches.empty() ? c.not_checked.front() : c.breaches.front();
      for (const auto& s : c.breaches) j.text += "BREACH       " + s + "\n";
      for (const auto& s : c.not_checked) j.text += "NOT CHECKED  " + s + "\n";
      any_failed = true;
    } else if (c.cells == 0) {
      j.status = JunitCase::Status::kSkipped;
      j.message = "no cell of this run to check";
    }
    cases.push_back(std::move(j));
  }
  if (!g.pass && !any_failed) {  // a verdict not tied to one function × implementation (nothing checked)
    JunitCase j;
    j.classname = "softcheck.gate";
    j.name = "gate";
    j.status = JunitCase::Status::kFailed;
    j.type = "not checked";
    j.message = "nothing was checked: no cell of this run has a budget";
    j.text = g.text;
    cases.push_back(std::move(j));
  }
  return junit_xml("softcheck gate", cases, seconds);
}

}  // namespace softcheck::reports
