// The standard reference variant: the max-shift formulas as PyTorch's and SciPy's double CPU kernels
// compute them. A comparison subject: no overflow, but x_i - max is rounded (~65 ULP on wide inputs),
// x - max - log(sum) and softmax - onehot lose every digit for a dominant class, sigmoid flushes to 0
// below -709.78 on the 1/(1+e^-x) side.
#include <algorithm>
#include <cmath>
#include <vector>

#include "impl/check.hpp"
#include "impl/variants.hpp"

namespace softcheck::standard {

using detail::check_output;

// SciPy's expit / PyTorch's CPU sigmoid: 1 / (1 + exp(-x)).
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
// PyTorch's log_sigmoid: min(x, 0) - log1p(exp(-|x|)).
double log_sigmoid(double x) { return std::min(x, 0.0) - std::log1p(std::exp(-std::fabs(x))); }

void sigmoid(std::span<const double> x, std::span<double> y) {
  check_output("standard::sigmoid", "y", x, y);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = sigmoid(x[i]);
}
void log_sigmoid(std::span<const double> x, std::span<double> y) {
  check_output("standard::log_sigmoid", "y", x, y);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = log_sigmoid(x[i]);
}

namespace {
double max_of(std::span<const double> x) {
  double m = -INFINITY;
  for (double v : x) m = std::max(m, v);
  return m;
}
double shifted_sum(std::span<const double> x, double m) {
  double s = 0;
  for (double v : x) s += std::exp(v - m);
  return s;
}
}  // namespace

void softmax(std::span<const double> x, std::span<double> y) {
  check_output("standard::softmax", "y", x, y);
  double m = max_of(x);
  double s = shifted_sum(x, m);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = std::exp(x[i] - m) / s;
}
void log_softmax(std::span<const double> x, std::span<double> y) {
  check_output("standard::log_softmax", "y", x, y);
  double m = max_of(x);
  double ls = std::log(shifted_sum(x, m));
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] - m - ls;
}
double logsumexp(std::span<const double> x) {
  if (x.empty()) return -INFINITY;
  double m = max_of(x);
  if (std::isinf(m)) return m;
  return m + std::log(shifted_sum(x, m));
}

// PyTorch: loss = -log_softmax[k]; grad = softmax - onehot.
double cross_entropy(std::span<const double> x, std::size_t target, std::span<double> grad) {
  detail::check_class_index("standard::cross_entropy", x.size(), target);
  bool want = detail::check_grad("standard::cross_entropy", x, grad);
  std::vector<double> ls(x.size());
  log_softmax(x, ls);
  double loss = -ls[target];
  if (want) {
    for (std::size_t i = 0; i < x.size(); ++i) grad[i] = std::exp(ls[i]);
    grad[target] -= 1.0;
  }
  return loss;
}
double cross_entropy(std::span<const double> x, std::span<const double> t, std::span<double> grad) {
  detail::check_distribution("standard::cross_entropy", x, t);
  bool want = detail::check_grad("standard::cross_entropy", x, grad);
  std::vector<double> ls(x.size()), tc(t.begin(), t.end());
  log_softmax(x, ls);
  double loss = 0, T = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (tc[i] != 0) loss -= tc[i] * ls[i];
    T += tc[i];
  }
  if (want)
    for (std::size_t i = 0; i < x.size(); ++i) grad[i] = T * std::exp(ls[i]) - tc[i];
  return loss;
}

// PyTorch's binary_cross_entropy_with_logits: (1 - t) x - log_sigmoid(x); grad sigmoid(x) - t.
double bce_with_logits(double x, double t, double* grad) {
  detail::check_bce_target("standard::bce_with_logits", t);
  if (grad) *grad = sigmoid(x) - t;
  return (1 - t) * x - log_sigmoid(x);
}

void bce_with_logits(std::span<const double> x, std::span<const double> target, std::span<double> loss,
                     std::span<double> grad) {
  const bool want_grad = detail::check_bce_span("standard::bce_with_logits", x, target, loss, grad);
  for (std::size_t i = 0; i < x.size(); ++i) {
    double g;
    loss[i] = bce_with_logits(x[i], target[i], want_grad ? &g : nullptr);
    if (want_grad) grad[i] = g;
  }
}

}  // namespace softcheck::standard
