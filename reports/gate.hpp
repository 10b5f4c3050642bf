// The CI gate: budgets (reports/budgets.json, schema softcheck-budgets/1) of max ULP per function ×
// implementation (× regime where it differs), checked against a report. Exit 0 within budget, 1 on any
// breach or budget not checked, 2 on a usage or input error.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "reports/sweep.hpp"

namespace softcheck::reports {

inline constexpr const char* kBudgetSchema = "softcheck-budgets/1";

struct Budget {
  double max_ulp = 0;
  bool unbounded = false;  // "inf": any error, NaN/inf results included, is within budget
};

struct Budgets {
  double loose_factor = 10;  // a finite budget > loose_factor × max(measured, 0.5) and > 1 is "loose"
  // implementation → function (or "*") → regime (or "*") → budget
  std::map<std::string, std::map<std::string, std::map<std::string, Budget>>> table;
  // The budget of one cell, or nullptr.
  const Budget* find(const std::string& impl, const std::string& function, const std::string& regime) const;
};

// Throws InputError naming `origin` and the problem (bad JSON, schema, unknown function or regime, bad value).
Budgets parse_budgets(const std::string& text, const std::string& origin);

// One function × implementation of the gate: what breached its budgets, what could not be checked.
struct GateCase {
  std::string function, implementation;
  int cells = 0;  // cells checked against a budget
  std::vector<std::string> breaches, not_checked;
};

struct GateResult {
  bool pass = false;
  std::vector<GateCase> cases;  // in the report's order (a JUnit testcase each)
  int breaches = 0, not_checked = 0, loose = 0, checked = 0, out_of_scope = 0;
  std::string text;      // for the terminal: one line per finding, then the verdict
  std::string markdown;  // a "## Gate" section for report.md and the step summary
};

GateResult run_gate(const Report& report, const Budgets& budgets, const std::string& budgets_name);

// JUnit XML (reports/junit.hpp): a testcase per function × implementation, failed with every breach (and
// its witness) or budget not checked; skipped where the run had no cell for it.
std::string gate_junit(const GateResult& g, double seconds);

}  // namespace softcheck::reports
