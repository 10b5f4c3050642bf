// The property suite as a library: run every property against any Kernels and get the outcomes.
// A Kernels is a bundled variant or a loaded plugin; each failure comes with its shrunk counterexample
// and replay line (for `softcheck check --impl X`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "impl/kernels.hpp"

namespace softcheck::properties {

// The seed of every default run (CI); RC_PARAMS="seed=..." overrides it.
inline constexpr std::uint64_t kDefaultSeed = 20240604;

struct SuiteOptions {
  std::uint64_t seed = kDefaultSeed;
  double scale = 1;                  // multiplies every property's case count (SOFTCHECK_PROPERTY_SCALE)
  double budget_ulps = 1;            // the implementation's error budget; derived bounds use it too
  std::string filter;                // run only properties whose id matches: '*' wildcards, ':' separates
                                     // alternatives (like --gtest_filter); empty: all
  std::string reproduce;             // RapidCheck's reproduce= string: replay those failures only
  bool shrink = true;
  // Shrink budget, counted from the first failure: evaluations, and elements drawn (the oracle costs
  // ~1-2 µs per element). Once either is spent, new candidates are rejected, so shrinking stops.
  int max_shrink_evaluations = 3000;
  std::uint64_t max_shrink_work = 4'000'000;
};

// Defaults, then RC_PARAMS (seed, reproduce, noshrink) and SOFTCHECK_PROPERTY_SCALE (a multiplier > 0).
// Throws std::invalid_argument for a malformed value.
SuiteOptions options_from_environment();

struct PropertyInfo {
  std::string id;           // e.g. "agreement.softmax.wide": group.function[.regime]
  std::string group;        // agreement, sum, shift, gradient, finite, more
  std::string description;  // one line
  int cases;                // at scale 1
  std::vector<std::string> needs;  // the Kernels entries it calls; skipped when one is null
};

// Every property, in a fixed order.
const std::vector<PropertyInfo>& catalog();

struct PropertyOutcome {
  std::string property;
  bool passed = false;
  bool skipped = false;        // the kernels lack a function the property needs (or not in a replay)
  std::string counterexample;  // the shrunk input, %.17g (round-trips exactly)
  std::string message;         // what failed: the component, its value, the exact value, the bound
  std::string kind;            // the failure's signature, e.g. "gradient (target class) | digits lost"
                               // (kept while shrinking; "" for properties with one kind of failure)
  std::string replay;          // RC_PARAMS="seed=... reproduce=..." (empty when passed)
  int shrunk_n = 0;            // elements in the shrunk input (its first vector, or its scalars)
  int cases = 0;               // cases that passed (all of them when passed)
  std::uint64_t seed = 0;
};

// Runs one property (by id) or every property matching options.filter. Throws std::invalid_argument for an
// unknown id.
PropertyOutcome run_property(const Kernels& kernels, std::string_view id, const SuiteOptions& options);
std::vector<PropertyOutcome> run_suite(const Kernels& kernels, const SuiteOptions& options);

// A multi-line account of an outcome: verdict, message, counterexample, seed and replay line (followed by
// `command`, the program that replays it, when given).
std::string describe(const PropertyOutcome& outcome, std::string_view kernels_name, std::string_view command = {});

// Whether id matches a --gtest_filter-like pattern ('*' wildcards, ':'-separated alternatives).
bool matches(std::string_view id, std::string_view filter);

}  // namespace softcheck::properties
