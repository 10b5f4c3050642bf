// The reference variants: comparison subjects that are expected to fail some checks.
//   naive    — the textbook formulas as the seed writes them: exp(x)/sum(exp(x)), 1/(1+exp(-x)),
//              log(softmax), softmax - onehot.
//   standard — the usual max-shift formulas, as PyTorch's and SciPy's double kernels compute them.
// Same signatures and argument checks as the accurate functions in softcheck.hpp.
#pragma once

#include <cstddef>
#include <span>

namespace softcheck::naive {
#include "impl/api.inc"  // IWYU pragma: export
}  // namespace softcheck::naive

namespace softcheck::standard {
#include "impl/api.inc"  // IWYU pragma: export
}  // namespace softcheck::standard
