// The reference variants: comparison subjects that are expected to fail some checks.
//   naive    — the textbook formulas as the seed writes them: exp(x)/sum(exp(x)), 1/(1+exp(-x)),
//              log(softmax), softmax - onehot.
//   standard — the usual max-shift formulas, as PyTorch's and SciPy's double kernels compute them.
// Same signatures and argument checks as the accurate functions in softcheck.hpp.
#pragma once

#include <cstddef>
#include <span>

#define SOFTCHECK_DECLARE_VARIANT(ns)                                                                  \
  namespace ns {                                                                                     \
  double sigmoid(double x);                                                                          \
  double log_sigmoid(double x);                                                                      \
  void sigmoid(std::span<const double> x, std::span<double> y);                                      \
  void log_sigmoid(std::span<const double> x, std::span<double> y);                                  \
  void softmax(std::span<const double> x, std::span<double> y);                                      \
  void log_softmax(std::span<const double> x, std::span<double> y);                                  \
  double logsumexp(std::span<const double> x);                                                       \
  double cross_entropy(std::span<const double> x, std::size_t target, std::span<double> grad = {});  \
  double cross_entropy(std::span<const double> x, std::span<const double> target,                    \
                       std::span<double> grad = {});                                                 \
  double bce_with_logits(double x, double target, double* grad = nullptr);                           \
  }

namespace softcheck {
SOFTCHECK_DECLARE_VARIANT(naive)
SOFTCHECK_DECLARE_VARIANT(standard)
}  // namespace softcheck

#undef SOFTCHECK_DECLARE_VARIANT
