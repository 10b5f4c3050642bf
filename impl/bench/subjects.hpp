// The benchmark cases of impl_bench, shared by our variants' rows (impl_bench.cpp) and PyTorch's
// (torch_subject.cpp): the same inputs, names "<case>/<subject>/<n>", and ns per element.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace softcheck::bench {

// The forward functions, then the backward passes: framework form (from the forward's output y and the
// upstream gradient g) and input form (the vector-Jacobian product at x).
enum class Case {
  kSoftmax, kLogSoftmax, kLogsumexp, kCrossEntropy, kCrossEntropyDist, kSigmoid, kLogSigmoid, kBce,
  kSigmoidBackward, kSoftmaxBackward, kLogSoftmaxBackward, kSoftmaxVjp, kLogSoftmaxVjp,
  kSoftmaxVjpMasked, kLogSoftmaxVjpMasked  // the input forms with the last half of x at -inf (a causal mask)
};
inline constexpr Case kCases[] = {Case::kSoftmax,          Case::kLogSoftmax,      Case::kLogsumexp,
                                  Case::kCrossEntropy,     Case::kCrossEntropyDist, Case::kSigmoid,
                                  Case::kLogSigmoid,       Case::kBce,             Case::kSigmoidBackward,
                                  Case::kSoftmaxBackward,  Case::kLogSoftmaxBackward, Case::kSoftmaxVjp,
                                  Case::kLogSoftmaxVjp,    Case::kSoftmaxVjpMasked, Case::kLogSoftmaxVjpMasked};

struct Data {
  std::vector<double> x, t;  // t: the distribution targets, or the BCE targets
  std::vector<double> y, g;  // backward passes: the (accurate) forward's output at x, the upstream gradient
  std::size_t k = 0;         // the class index
};

std::span<const std::size_t> sizes(Case c);  // the n measured
const char* label(Case c);                    // for the ratio table
std::string name(Case c, const char* subject, std::size_t n);
Data data(Case c, std::size_t n);  // the same seeded inputs for every subject
std::vector<double> inputs(std::size_t n, double lo, double hi, unsigned seed);
void per_element(benchmark::State& state, std::size_t n);  // items processed and the time/el counter

// Registers PyTorch's rows; defined by torch_subject.cpp when built with libtorch, else a no-op.
void register_torch();

}  // namespace softcheck::bench
