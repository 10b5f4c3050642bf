// softcheck's accurate double implementations: the public API in one include.
//
// Every function follows docs/definitions.md: the exact definitions, the special-value rule (the limit of
// the exact function where it exists, NaN where it does not; NaN in, NaN out) and the decisions for the
// cases that rule leaves open, listed in README.md ("Special values and invalid input").
// Invalid arguments (mismatched lengths, a class index out of range, an invalid target) throw
// std::invalid_argument whose message names the argument and the value.
//
// Accuracy contract (measured by `softcheck report`, enforced by the gate): every output component is
// within 1 ULP of the exact value for every input, and correctly rounded except where the exact value lies
// within about 2^-100 (relative) of a rounding boundary.
#pragma once

#include <cstddef>
#include <span>

namespace softcheck {

// σ(x) = 1 / (1 + e^-x), and log σ(x) = -log(1 + e^-x).
double sigmoid(double x);
double log_sigmoid(double x);
// Element-wise; y.size() must equal x.size(); y may be x itself (in place), not overlap it at an offset.
void sigmoid(std::span<const double> x, std::span<double> y);
void log_sigmoid(std::span<const double> x, std::span<double> y);

// softmax(x)_i = e^{x_i} / Σ_j e^{x_j};  log_softmax(x)_i = x_i - logsumexp(x).
// y.size() must equal x.size(); y may be x itself (in place), not overlap it at an offset. Empty x: nothing to do.
void softmax(std::span<const double> x, std::span<double> y);
void log_softmax(std::span<const double> x, std::span<double> y);
// log Σ e^{x_i}; empty x gives -inf.
double logsumexp(std::span<const double> x);

// Softmax cross-entropy with a class index k: L = -log_softmax(x)_k, ∂L/∂x = softmax(x) - e_k.
// x must be non-empty and k < x.size(). grad: empty to skip the gradient, else of x.size(); it may be x itself.
double cross_entropy(std::span<const double> x, std::size_t target, std::span<double> grad = {});
// With a target distribution t (t_i ≥ 0 and finite; Σt need not be 1):
// L = -Σ t_i log_softmax(x)_i (terms with t_i = 0 count as 0), ∂L/∂x = (Σt) softmax(x) - t.
double cross_entropy(std::span<const double> x, std::span<const double> target, std::span<double> grad = {});

// Binary cross-entropy with logits, target t ∈ [0, 1]:
// L = -t log σ(x) - (1-t) log(1-σ(x)), ∂L/∂x = σ(x) - t (written to *grad when grad is not null).
double bce_with_logits(double x, double target, double* grad = nullptr);

}  // namespace softcheck
