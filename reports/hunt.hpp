// Hunting worst cases: maximise the error of one function × implementation over a regime by random
// restarts, then local refinement of the worst inputs (nextafter steps, perturbing one element, near-ties,
// spreads of 700, longer n). The results become lines of reports/worst/<function>.wc.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "impl/kernels.hpp"
#include "reports/functions.hpp"
#include "reports/worst.hpp"

namespace softcheck::reports {

struct HuntOptions {
  const Function* function = nullptr;
  Kernels implementation;
  std::vector<std::string> regimes;  // empty: every regime of the function's shape
  std::uint64_t seed = 1;
  std::uint64_t restarts = 4000;     // random samples drawn (over all regimes)
  std::uint64_t steps = 3000;        // refinement steps per candidate
  std::size_t candidates = 8;        // worst random samples refined
  std::size_t keep = 4;              // distinct results returned
  std::size_t max_n = 64;            // refinement never grows x beyond this (keeps .wc lines readable)
  unsigned threads = 0;
  double seconds = 0;                // wall-clock limit of the refinement (0: none)
  std::function<void(const std::string&)> log;
};

struct HuntFinding {
  WorstCase found;    // the input and a note (implementation, error, regime, how found)
  double err = 0;     // max err over the graded components (+inf: NaN/inf where finite was due)
  std::string regime;
};

struct HuntResult {
  std::vector<HuntFinding> findings;  // worst first
  std::uint64_t evaluations = 0;
};

// Deterministic for a given seed and option set (the thread count does not change the result).
HuntResult hunt(const HuntOptions& options);

// The error of `impl` on one input of `f`: max err over graded components; +inf for NaN/inf results,
// -1 when the implementation does not provide f or throws.
double score(Evaluator& ev, const Function& f, const Kernels& impl, const Input& in);

}  // namespace softcheck::reports
