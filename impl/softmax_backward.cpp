// Softmax's backward pass in framework form, y_i (g_i - Σ_j g_j y_j) (y the forward's output, g the
// upstream gradient): the accurate function (one rounding of the exact value) and the reference
// variants, PyTorch's y (g - Σ g y) with a plain sum as standard and the same in two passes as naive.
#include <algorithm>
#include <cmath>
#include <vector>

#include "impl/check.hpp"
#include "impl/dot.hpp"
#include "impl/exp_log.hpp"
#include "impl/fast.hpp"
#include "impl/softcheck.hpp"
#include "impl/variants.hpp"

namespace softcheck {

namespace {
using detail::check_backward;

bool all_finite(std::span<const double> v) {
  return std::all_of(v.begin(), v.end(), [](double e) { return std::isfinite(e); });
}
}  // namespace

// Every operand finite. Tier 0 first (impl/fast.hpp, fast_backward.cpp: S in vector lanes, each component
// as below without the scaling, on results between 2^-900 and 2^1000). What it leaves: S = Σ g_j y_j as
// s + c within E_S (impl/dot.hpp). Per component, with y_i = m 2^k (frexp, m in [1/2, 1)): D = g_i - S as
// D_h + D_l within E_D (minus_sum); m D by TwoProd on D_h and one FMA for m D_l (error <= u |result|),
// 2^-1070 more for underflow in either. The total, |m| E_D + u |o_l| + 2^-1070, widened by 2^-50 for its
// own three roundings, is Ziv's bound on the value 2^k (o_h + o_l). Where it does not decide (D cancels
// below the bound, a result below 2^-1022 before scaling, any overflow), the exact value: S as a dyadic,
// y_i (g_i - S) rounded once.
void softmax_backward(std::span<const double> y, std::span<const double> g, std::span<double> out) {
  using namespace detail;
  check_backward("softmax_backward", y, g, out);
  const std::size_t n = y.size();
  if (!all_finite(y) || !all_finite(g)) {
    // S = Σ g_j y_j's infinity or NaN (special_dot), then IEEE rules: an infinity or NaN everywhere.
    const double S = special_dot(g.data(), y.data(), n);
    for (std::size_t i = 0; i < n; ++i) out[i] = y[i] * (g[i] - S);
    return;
  }
  std::vector<double> copy;  // component i reads y_i, g_i and S only, but the exact S reads all of y and g
  detach(y, g, out, copy);
  bool have_bound = false, have_exact = false;  // the scalar tiers' S, each formed on first need
  DotBound S;
  exact::Dy S_exact;
  auto precise = [&](std::size_t i) -> double {
    if (y[i] == 0) return 0.0;
    if (!have_bound) S = dot_bound(g.data(), y.data(), n), have_bound = true;
    if (S.ok) {
      const auto [D, E_D] = minus_sum(g[i], S);
      int k;
      const double m = std::frexp(y[i], &k);
      const dd o = two_prod(m, D.hi);
      const double ol = mul_add(m, D.lo, o.lo);
      const dd v = fast_two_sum(o.hi, ol);
      const double err = (std::fabs(m) * E_D + 0x1p-53 * std::fabs(ol) + 0x1p-1070) * (1 + 0x1p-50);
      if (std::isfinite(v.hi) && std::fabs(v.hi) >= 0x1p-1022 && rounding_certain(v, err, k)) return round_scaled(v, k);
    }
    if (!have_exact) S_exact = dot_exact(g.data(), y.data(), n), have_exact = true;
    return exact::to_double(
        exact::mul(exact::from_double(y[i]), exact::add(exact::from_double(g[i]), exact::neg(S_exact))));
  };
  const fast::DotSum S0 = fast::dot(g.data(), y.data(), n);
  if (!S0.ok) {
    for (std::size_t i = 0; i < n; ++i) out[i] = precise(i);
    return;
  }
  constexpr std::size_t kChunk = 4096;  // tier 0's verdicts, a chunk at a time
  unsigned char ok[kChunk];
  for (std::size_t c = 0; c < n; c += kChunk) {
    const std::size_t len = std::min(kChunk, n - c);
    fast::softmax_backward(y.data() + c, g.data() + c, len, S0, out.data() + c, ok);
    for (std::size_t k = 0; k < len; ++k)
      if (!ok[k]) out[c + k] = precise(c + k);
  }
}

namespace standard {
// PyTorch's CPU kernel (host_softmax_backward): the dot product in one plain sum, then y (g - dot).
void softmax_backward(std::span<const double> y, std::span<const double> g, std::span<double> out) {
  check_backward("standard::softmax_backward", y, g, out);
  double dot = 0;
  for (std::size_t j = 0; j < y.size(); ++j) dot += g[j] * y[j];
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = y[i] * (g[i] - dot);
}
}  // namespace standard

namespace naive {
// The textbook form, the Jacobian-vector product y_i g_i - y_i Σ_j y_j g_j (two roundings that cancel).
void softmax_backward(std::span<const double> y, std::span<const double> g, std::span<double> out) {
  check_backward("naive::softmax_backward", y, g, out);
  double dot = 0;
  for (std::size_t j = 0; j < y.size(); ++j) dot += y[j] * g[j];
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = y[i] * g[i] - y[i] * dot;
}
}  // namespace naive

}  // namespace softcheck
