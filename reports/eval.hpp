// `softcheck eval`: one input through one implementation, beside the oracle's correctly rounded value and
// the error in ULPs of every output component (text, or one JSON object).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "impl/kernels.hpp"
#include "oracle/oracle.hpp"

namespace softcheck::reports {

// What the user typed. Numbers are still text: evaluate() parses them with parse_number (exactly).
struct EvalRequest {
  std::string function;                 // a Kernels entry, or a report row that calls one (cross_entropy_grad)
  std::string impl;                     // as given to --impl (shown in the output)
  std::vector<std::string> x;           // the inputs x1 x2 ...
  std::optional<std::string> target;    // --target: a class index (cross_entropy) or t (bce_with_logits)
  std::optional<std::string> targets;   // --targets t1,t2,...: cross_entropy_dist (or one t for bce_with_logits)
};

struct EvalResult {
  std::string name;                 // the function's name, or "loss" / "grad"
  std::vector<double> output;       // the implementation's values
  std::vector<oracle::Ref> oracle;  // the exact values (oracle[i].rounded: correctly rounded)
  std::vector<double> ulp;          // err(output[i], v_i) of docs/definitions.md; +inf where a finite value was due
};

struct Evaluation {
  std::string function;  // the Kernels entry that was called
  std::string impl;
  std::vector<double> input;
  std::optional<std::size_t> class_index;   // cross_entropy
  std::optional<double> bce_target;          // bce_with_logits, given as --target
  std::optional<std::vector<double>> targets;  // cross_entropy_dist (or bce_with_logits given as --targets)
  std::vector<EvalResult> results;
};

// Parses and checks the request, calls the kernel once and the oracle once. Throws InputError (exit 2) for
// an unknown function, a malformed number, a missing, superfluous or invalid target, and for an entry
// `kernels` does not provide.
Evaluation evaluate(const Kernels& kernels, const EvalRequest& request);

// Per result and component: the output, the oracle's RN(v) (17 significant digits and hex) and err.
std::string format_text(const Evaluation& e);
// {"function", "impl", "input", ["target" | "targets"], "results": [{"name", "output", "oracle", "ulp"}]}:
// numbers as JSON numbers (shortest round-trip form), non-finite ones as "nan", "inf", "-inf". One line.
std::string format_json(const Evaluation& e);

}  // namespace softcheck::reports
