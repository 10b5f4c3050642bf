// Internal to the oracle: the vector engine behind Vector (one exponential per element per Ziv level).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "oracle/mp.hpp"

namespace softcheck::oracle::detail {

// Every vector function is written with m = x_a = max_i x_i (a: first finite maximum),
// e_i = e^(x_i - m) in (0, 1] (e_a = 1, e_i = 0 for x_i = -inf), s = sum_{i != a} e_i, S = 1 + s:
//   logsumexp = m + log1p(s)              softmax_i = e_i / S
//   log_softmax_i = (x_i - m) - log1p(s)  (x_i - m exact, so -log1p(s) survives for the argmax)
// Each is evaluated as an interval [lo, hi] with directed rounding (lower bound with every operation
// rounded toward -inf on monotone compositions, upper toward +inf): the enclosure is rigorous without
// any error analysis, and Settler's result-relative test raises the precision where a formula cancels.
class Engine {
 public:
  Engine();
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  void assign(std::span<const double> x);
  std::size_t size() const { return x_.size(); }

  Ref logsumexp();
  void softmax(std::span<Ref> out);
  void log_softmax(std::span<Ref> out);
  Ref cross_entropy(std::size_t target, std::span<Ref> grad);
  Ref cross_entropy(std::span<const double> target, std::span<Ref> grad);
  void log_softmax_vjp(std::span<const double> g, std::span<Ref> out);
  void softmax_vjp(std::span<const double> g, std::span<Ref> out);

  // Test hooks: the enclosure of one component at one Ziv level (finite, non-special inputs only).
  enum class Kind { kSoftmax, kLogSoftmax, kLogsumexp };
  void bounds(Kind kind, std::size_t i, int level, Real& lo, Real& hi);

 private:
  struct Level;

  Level& level(int j);
  void prepare(Level& L);
  bool compute_element(Level& L, std::size_t i, mpfr_ptr out);
  mpfr_srcptr element(Level& L, std::size_t i, bool& inexact);
  mpfr_srcptr upper(Level& L, mpfr_srcptr lower, bool inexact);
  mpfr_srcptr difference(Level& L, double a, double b);
  void exact_target_sum(std::span<const double> t);
  bool general() const { return nan_ == 0 && posinf_ == 0 && finite_ > 0; }

  void enclose_softmax(Level& L, std::size_t i);
  void enclose_log_softmax(Level& L, std::size_t i);
  void enclose_logsumexp(Level& L);
  void enclose_ce_loss(Level& L, std::size_t k);
  void enclose_ce_grad_target(Level& L, std::size_t k);
  void enclose_dist_loss(Level& L, std::span<const double> t);
  void enclose_dist_grad(Level& L, std::span<const double> t, std::size_t i);
  void enclose_log_softmax_vjp(Level& L, std::span<const double> g, std::size_t i);
  void enclose_softmax_vjp(Level& L, std::span<const double> g, std::size_t i);
  template <class Enclose>
  Ref ziv(bool open, Enclose&& enclose);
  // Where the functions are irrational (Lindemann-Weierstrass, see Settler): every log form needs s > 0,
  // i.e. a finite entry besides the argmax; softmax and the gradients need some finite x_i below m
  // (otherwise p_i = 1/c); the distribution forms also need T > 0.
  bool s_positive() const { return finite_ >= 2; }
  bool uniform() const { return ties_ == finite_; }

  std::vector<double> x_;
  std::size_t nan_ = 0, posinf_ = 0, posinf_at_ = 0, finite_ = 0;
  std::size_t a_ = 0;      // first finite maximum
  std::size_t ties_ = 0;   // number of i with x_i == m
  double m_ = 0;

  std::vector<std::unique_ptr<Level>> levels_;
  std::vector<Real> e0_;                 // level 0: lower bounds of e_i (kStartPrecision bits)
  std::vector<unsigned char> e0_inexact_;
  bool e0_ready_ = false;
  Real big_;                             // exact differences of doubles (kExactDoublePrecision bits)
  Real tsum_, tsum2_;                    // exact sum of targets, and a copy for T - t_j
  Settler settler_;
};

}  // namespace softcheck::oracle::detail
