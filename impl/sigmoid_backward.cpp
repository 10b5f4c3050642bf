// Sigmoid's backward pass in framework form, g y (1 - y) (y the forward's output, g the upstream
// gradient): the accurate function (one rounding of the exact product) and the two reference variants,
// PyTorch's g (1 - y) y and the textbook g y (1 - y), each with two roundings.
#include <cmath>

#include "impl/check.hpp"
#include "impl/exp_log.hpp"
#include "impl/fast.hpp"
#include "impl/interval.hpp"
#include "impl/softcheck.hpp"
#include "impl/variants.hpp"

namespace softcheck {

namespace {
using detail::check_backward;
}  // namespace

// Finite y, g: with y = m_y 2^a, g = m_g 2^b (frexp) and 1 - y = w (exact as two doubles) = m_w 2^c,
// m_g m_y is exact (two_prod of numbers in [1/2, 1): no underflow), its product with m_w a DWTimesDW
// (6u^2), and m_w's low part, scaled by 2^-c, is exact unless it goes below 2^-1074 (y < 2^-1021: then
// < 2^-1073 absolute against a product >= 1/16): relative error < 2^-100 in all, the scale 2^(a+b+c) kept
// apart until one rounding (subnormal and overflowing results included). Where Ziv's test fails, the exact
// product in dyadic arithmetic (impl/interval.hpp), rounded once.
double sigmoid_backward(double y, double g) {
  using namespace detail;
  if (!std::isfinite(y) || !std::isfinite(g) || g == 0 || y == 0 || y == 1) return (g * y) * (1.0 - y);
  int a, b, c;
  const double my = std::frexp(y, &a), mg = std::frexp(g, &b);
  const dd w = two_sum(1.0, -y);
  const double mwh = std::frexp(w.hi, &c), mwl = std::ldexp(w.lo, -c);
  const dd q = mul(two_prod(mg, my), dd{mwh, mwl});
  const scaled v{q, a + b + c};
  if (rounding_certain(v, 0x1p-100)) return round(v);
  const exact::Dy e = exact::mul(exact::mul(exact::from_double(g), exact::from_double(y)),
                                 exact::add(exact::from_double(1.0), exact::from_double(-y)));
  return exact::to_double(e);
}

// Tier 0 (impl/fast.hpp) in vector lanes; what it does not prove, the scalar entry above.
void sigmoid_backward(std::span<const double> y, std::span<const double> g, std::span<double> out) {
  check_backward("sigmoid_backward", y, g, out);
  detail::fast::sigmoid_backward(y.data(), g.data(), y.size(), out.data(),
                                 static_cast<double (*)(double, double)>(&sigmoid_backward));
}

namespace standard {
// PyTorch's CPU kernel (and TensorFlow's, JAX's): grad_output * (1 - output) * output.
double sigmoid_backward(double y, double g) { return g * (1.0 - y) * y; }
void sigmoid_backward(std::span<const double> y, std::span<const double> g, std::span<double> out) {
  check_backward("standard::sigmoid_backward", y, g, out);
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = sigmoid_backward(y[i], g[i]);
}
}  // namespace standard

namespace naive {
// The textbook order, g y (1 - y).
double sigmoid_backward(double y, double g) { return g * y * (1.0 - y); }
void sigmoid_backward(std::span<const double> y, std::span<const double> g, std::span<double> out) {
  check_backward("naive::sigmoid_backward", y, g, out);
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = sigmoid_backward(y[i], g[i]);
}
}  // namespace naive

}  // namespace softcheck
