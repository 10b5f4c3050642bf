// softcheck's accurate double implementations: the public API in one include.
//
// Every function follows docs/definitions.md: the exact definitions, the special-value rule (the limit of
// the exact function where it exists, NaN where it does not; NaN in, NaN out) and the decisions for the
// cases that rule leaves open, listed in README.md ("Special values and invalid input").
// Invalid arguments (mismatched lengths, a class index out of range, an invalid target) throw
// std::invalid_argument whose message names the argument and the value.
//
// Accuracy contract (measured by `softcheck report`, enforced by the gate): every output component is
// within 1 ULP of the exact value for every input, and correctly rounded wherever a tier's rounding test
// decides, which is every sample measured; the cases it leaves open and their bounds: impl/README.md.
//
// The declarations and their documentation are in impl/api.inc (shared with the variants).
#pragma once

#include <cstddef>
#include <span>

namespace softcheck {

#include "impl/api.inc"  // IWYU pragma: export

}  // namespace softcheck
