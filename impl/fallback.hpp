// The precise tier of the accurate functions: multi-double evaluation at 4, 8 and 16 doubles (about 200,
// 400 and 800 bits), tried in turn until the rounding is certain (Ziv's strategy). Called only when the
// double-double result cannot be rounded with certainty (cancellation, or a value within 2^-95 of a
// midpoint). Arguments are ordinary (the special values are handled by the callers).
//
// Level 16 undecided: logsumexp, log_softmax, both cross-entropy losses, both BCE functions and the
// distribution gradient go on to the exact tier (exact.hpp), since their values can be rational or sit
// within 2^-2000 of a midpoint by construction (a sum A + c log S whose second term is below the
// expansion's range). Before any level, log_softmax and the class loss settle the commonest such case
// directly: A exactly a midpoint and 0 < log S < half the spacing (the value is then on log S's side).
// sigmoid, log_sigmoid, sigmoid_derivative, softmax and the class gradient return the level-16 candidate:
// faithful (within 0.5 + 2^-730 ULP), and not structurally near a midpoint (their values are
// transcendental quotients near no dyadic), but not proven correctly rounded.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>

namespace softcheck::detail::exact {
class DistGrad;
}

namespace softcheck::detail::fallback {

double sigmoid(double x);
double log_sigmoid(double x);
double sigmoid_derivative(double a);  // σ'(a) for 0 <= a <= 800
double logsumexp(std::span<const double> x);
double softmax(std::span<const double> x, std::size_t i);
double log_softmax(std::span<const double> x, std::size_t i);
double cross_entropy_loss(std::span<const double> x, std::size_t k);
double cross_entropy_grad(std::span<const double> x, std::size_t k, std::size_t i);
double cross_entropy_loss(std::span<const double> x, std::span<const double> t);
// The distribution gradient behind the double-double tier: first tier 0's triple-double lanes (T/S to
// ~2^-118 once, O(n), then the components in vector chunks: fast.hpp), then a shared state (T/S to ~2^-132 from a
// table-driven 3-double exp: O(n) once), then O(1) per component; a component still uncertain goes to a
// precise 3-/4-double state (O(n), built on first need), then to the exact tier: interval arithmetic on
// exact dyadics (impl/interval.hpp) at 256 to 16384 bits, which proves its rounding (O(n) per level,
// shared by the components). Targets t = rounded T softmax make every component cancel by ~53 bits, so
// without the shared states a long vector would cost O(n^2). t may have negative entries (log_softmax_vjp's
// g): the lane tier is then skipped, the others hold for any finite t.
class DistGrad {
 public:
  DistGrad(std::span<const double> x, std::span<const double> t);
  ~DistGrad();
  DistGrad(const DistGrad&) = delete;
  DistGrad& operator=(const DistGrad&) = delete;
  double operator()(std::size_t i);
  // Tier 0's value of component i where it proves the rounding (true), without the other tiers.
  bool tier0(std::size_t i, double& r);

 private:
  struct Tier0;
  struct State;
  struct Precise;
  std::span<const double> x_, t_;
  std::unique_ptr<Tier0> t0_;
  std::unique_ptr<State> s_;
  std::unique_ptr<Precise> p_;
  std::unique_ptr<exact::DistGrad> e_;
};
// g - e^y G, log-softmax's backward pass, for y in [-2000, 1510] and one G != 0 given as the 16 leading
// components of its exact expansion (ExactSum::top: relative truncation below 2^-840). certain = false
// when level 16 did not decide (the caller goes on to the exact tier: g can sit near e^y G). Each level's
// e^y G is kept for the last y: the log-softmax of tied logits repeats one y on every component, and a
// nearly constant g cancels on each, so a long vector forms one product per level instead of n.
class LogSoftmaxBackward {
 public:
  explicit LogSoftmaxBackward(const std::array<double, 16>& G);
  ~LogSoftmaxBackward();
  LogSoftmaxBackward(const LogSoftmaxBackward&) = delete;
  LogSoftmaxBackward& operator=(const LogSoftmaxBackward&) = delete;
  double operator()(double y, double g, bool& certain);

 private:
  struct Cache;
  std::unique_ptr<Cache> c_;
};
double bce_loss(double x, double t);
double bce_grad(double x, double t);

}  // namespace softcheck::detail::fallback
