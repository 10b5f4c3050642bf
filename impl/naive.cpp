// The naive reference variant: the textbook formulas exactly as the seed writes them. A comparison
// subject, expected to fail: exp overflows at x > 709.78 (NaN at +1000), underflows to 0/0 at -1000,
// log(softmax) and softmax - onehot lose every digit on dominant inputs.
#include <cmath>
#include <vector>

#include "impl/check.hpp"
#include "impl/variants.hpp"

namespace softcheck::naive {

using detail::check_output;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double log_sigmoid(double x) { return std::log(sigmoid(x)); }

void sigmoid(std::span<const double> x, std::span<double> y) {
  check_output("naive::sigmoid", "y", x, y);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = sigmoid(x[i]);
}
void log_sigmoid(std::span<const double> x, std::span<double> y) {
  check_output("naive::log_sigmoid", "y", x, y);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = log_sigmoid(x[i]);
}

void softmax(std::span<const double> x, std::span<double> y) {
  check_output("naive::softmax", "y", x, y);
  double sum = 0;
  for (double v : x) sum += std::exp(v);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = std::exp(x[i]) / sum;
}
void log_softmax(std::span<const double> x, std::span<double> y) {
  softmax(x, y);
  for (double& v : y) v = std::log(v);
}
double logsumexp(std::span<const double> x) {
  double sum = 0;
  for (double v : x) sum += std::exp(v);
  return std::log(sum);
}

double cross_entropy(std::span<const double> x, std::size_t target, std::span<double> grad) {
  detail::check_class_index("naive::cross_entropy", x.size(), target);
  bool want = detail::check_grad("naive::cross_entropy", x, grad);
  std::vector<double> p(x.size());
  softmax(x, p);
  double loss = -std::log(p[target]);
  if (want) {
    for (std::size_t i = 0; i < p.size(); ++i) grad[i] = p[i];
    grad[target] -= 1.0;
  }
  return loss;
}
double cross_entropy(std::span<const double> x, std::span<const double> t, std::span<double> grad) {
  detail::check_distribution("naive::cross_entropy", x, t);
  bool want = detail::check_grad("naive::cross_entropy", x, grad);
  std::vector<double> p(x.size()), tc(t.begin(), t.end());
  softmax(x, p);
  double loss = 0, T = 0;
  for (std::size_t i = 0; i < p.size(); ++i) loss -= tc[i] * std::log(p[i]), T += tc[i];
  if (want)
    for (std::size_t i = 0; i < p.size(); ++i) grad[i] = T * p[i] - tc[i];
  return loss;
}

double bce_with_logits(double x, double t, double* grad) {
  detail::check_bce_target("naive::bce_with_logits", t);
  double s = sigmoid(x);
  if (grad) *grad = s - t;
  return -t * std::log(s) - (1 - t) * std::log(1 - s);
}

void bce_with_logits(std::span<const double> x, std::span<const double> target, std::span<double> loss,
                     std::span<double> grad) {
  const bool want_grad = detail::check_bce_span("naive::bce_with_logits", x, target, loss, grad);
  for (std::size_t i = 0; i < x.size(); ++i) {
    double g;
    loss[i] = bce_with_logits(x[i], target[i], want_grad ? &g : nullptr);
    if (want_grad) grad[i] = g;
  }
}

}  // namespace softcheck::naive
