// σ'(x) = σ(x) σ(-x), the exact derivative of sigmoid (the backward pass in input form): the accurate
// function and the two reference variants. PyTorch's autograd forms it from the rounded forward output,
// y (1 - y) with y = RN(σ(x)), which is 0 once y rounds to 1 (x > 36.7) although σ'(x) = e^-x there.
#include <cmath>

#include "impl/check.hpp"
#include "impl/exp_log.hpp"
#include "impl/fallback.hpp"
#include "impl/softcheck.hpp"
#include "impl/variants.hpp"

namespace softcheck {

// σ'(x) = e / (1 + e)^2, e = e^-|x| (σ' is even): e to 2^-99 (exp_scaled; its error is damped by
// (1 - e)/(1 + e) <= 1 in the quotient), 1 + e 2u^2, the square 5u^2 (twice 1 + e's), the quotient 15u^2:
// relative error < 2^-99 + 24u^2 < 2^-98.6, within kRelErr = 2^-95. |x| > 800: σ' < 2^-1154, RN = +0.
double sigmoid_derivative(double x) {
  using namespace detail;
  if (std::isnan(x)) return x;
  const double a = std::fabs(x);
  if (a > 800) return 0.0;
  const scaled one{{1.0, 0.0}, 0};
  const scaled e = exp_scaled(dd{-a, 0.0});
  const scaled s = add(one, e);
  const scaled v = div(e, mul(s, s));
  if (rounding_certain(v, kRelErr)) return round(v);
  return fallback::sigmoid_derivative(a);
}

void sigmoid_derivative(std::span<const double> x, std::span<double> y) {
  detail::check_output("sigmoid_derivative", "y", x, y);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = sigmoid_derivative(x[i]);
}

namespace standard {
// PyTorch's autograd: sigmoid's backward from the forward output, y (1 - y) with y = 1 / (1 + exp(-x)).
double sigmoid_derivative(double x) {
  const double y = sigmoid(x);
  return (1.0 - y) * y;
}
void sigmoid_derivative(std::span<const double> x, std::span<double> y) {
  detail::check_output("standard::sigmoid_derivative", "y", x, y);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = sigmoid_derivative(x[i]);
}
}  // namespace standard

namespace naive {
// The textbook formula e^-x / (1 + e^-x)^2: NaN once e^-x overflows (x < -709.8).
double sigmoid_derivative(double x) {
  const double e = std::exp(-x);
  return e / ((1.0 + e) * (1.0 + e));
}
void sigmoid_derivative(std::span<const double> x, std::span<double> y) {
  detail::check_output("naive::sigmoid_derivative", "y", x, y);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = sigmoid_derivative(x[i]);
}
}  // namespace naive

}  // namespace softcheck
