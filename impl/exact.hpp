// The exact tier: logsumexp, the BCE gradient and the distribution cross-entropy gradient (which can
// cancel without limit), and the functions of the form A + c log S (log-softmax, the two cross-entropy
// losses, the BCE loss: A exact, c >= 0 or c = -1), whose value can lie closer to a midpoint than the
// multi-double tier resolves: A exactly a midpoint and c log S below 2^-2000 relative (S = 1 + e^-1700,
// say) is a plain input there, not a rare accident. Evaluated by interval arithmetic on exact dyadics (interval.hpp) at
// p = 256, 512, ..., 16384 bits until the rounding of the enclosure is decided. Reached only where the
// multi-double tier (fallback.hpp) could not decide: a cancellation deeper than it holds.
//
// Why it cannot certify a wrong value: every input (x_j - m, T = sum t, t_i, 1 - t) is taken exactly;
// every e^(x_j - m) is enclosed, none dropped (those below 2^-94548 as [0, 2^-94000]); each operation
// rounds its lower end down and its upper end up. RN is monotone, so RN(lo) = RN(hi) proves RN of the
// exact value, with no error bound composed by hand. Where every enclosure is a point the value is
// rational and rounded exactly (ties to even: it may be 0 or a midpoint). Otherwise it is transcendental
// (Hermite: e^r is irrational for rational r != 0; log of a rational other than 1 likewise) and lies
// strictly inside (lo, hi), so an end that is exactly a midpoint rounds inward.
//
// Where it does not settle by 16384 bits: each end is then within 2^-15000 of the exact value relative
// to the terms (at most 2^1100 here), far below the subnormal quantum 2^-1074, so the returned RN(lo)
// is within 0.5 + 2^-13900 ULP: faithful, never a guess.
//
// A result that rounds to zero gets the sign the enclosure proves, climbing for it up to 4096 bits;
// a value still straddling zero there is below 2^-3000 in magnitude and is returned as +0 (the
// contract counts -0 and +0 equal; proving the sign of a 2^-94000 value would cost the whole ladder).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "impl/interval.hpp"

namespace softcheck::detail::exact {

// log(sum e^x_j) for finite m = max x_j (x_j = -inf allowed) and n >= 2 live terms.
double logsumexp(std::span<const double> x);
// sigma(x) - t for finite x, t in [0, 1].
double bce_grad(double x, double t);
// (x_i - m) - log S, for finite x_i - m.
double log_softmax(std::span<const double> x, std::size_t i);
// (m - x_k) + log S, and sum t_i (m - x_i) + (sum t) log S, for finite m - x_k and x_i (t_i > 0).
double cross_entropy_loss(std::span<const double> x, std::size_t k);
double cross_entropy_loss(std::span<const double> x, std::span<const double> t);
// max(x, 0) - x t + log(1 + e^-|x|) for finite x, t in [0, 1].
double bce_loss(double x, double t);

// g - e^y G, log-softmax's backward pass, for finite y in [-2000, 1510] and G != 0 (the exact sum of
// the upstream gradient). At y = 0, g - G exactly; elsewhere e^y is irrational (Hermite), so the value
// is too and lies strictly inside its enclosure.
double log_softmax_backward(double y, double g, const Dy& G);

// e_j = e^(x_j - m) and S = sum e_j of one vector, at one precision level at a time.
class Terms {
 public:
  explicit Terms(std::span<const double> x);
  double max() const { return m_; }
  Iv e(std::size_t j, std::int64_t p) const;
  const Iv& sum(std::int64_t p);  // S at p bits, computed once per p (the components of a call share it)
  std::int64_t guard() const { return guard_; }  // extra bits for sums of x.size() terms

 private:
  std::span<const double> x_;
  double m_;
  std::int64_t guard_;
  std::vector<std::pair<std::int64_t, Iv>> sums_;
};

// T softmax(x)_i - t_i, component by component; S shared between the components of one call.
class DistGrad {
 public:
  DistGrad(std::span<const double> x, std::span<const double> t);
  double operator()(std::size_t i);

 private:
  Terms terms_;
  std::span<const double> x_, t_;
  Dy T_;
};

// p_i (g_i - ⟨g, p⟩) (softmax's backward pass at x), shifted by c = g_a: e_i (h_i - N/S)/S with
// h_j = g_j - c exact and N = Σ h_j e_j, which one level shares between the components.
class SoftmaxVjp {
 public:
  SoftmaxVjp(std::span<const double> x, std::span<const double> g);
  double operator()(std::size_t i);

 private:
  const Iv& N(std::int64_t p);  // at p + guard bits
  Terms terms_;
  std::span<const double> x_, g_;
  Dy c_;
  std::vector<std::pair<std::int64_t, Iv>> N_;
};

}  // namespace softcheck::detail::exact
