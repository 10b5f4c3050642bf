// Softmax's backward pass in input form, p ⊙ (g - ⟨g, p⟩) with p = softmax(x) (the exact
// vector-Jacobian product at x): the accurate function (one rounding of the exact value) and the
// reference variants, what autograd computes (the framework kernel on the rounded forward output) as
// standard, and the textbook p ⊙ g - p ⟨g, p⟩ with p = exp(x) / Σ exp(x) as naive.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "impl/check.hpp"
#include "impl/dot.hpp"
#include "impl/exact.hpp"
#include "impl/exp_log.hpp"
#include "impl/softcheck.hpp"
#include "impl/variants.hpp"
#include "impl/vector_core.hpp"

namespace softcheck {

namespace {
// Special operands (README, "Special values"): p = softmax(x) by its rule (NaN for a NaN, all -inf or
// two +inf; one-hot at a single +inf; 0 at -inf); ⟨g, p⟩ and p_i (g_i - ⟨g, p⟩) by IEEE rules with a
// p_j > 0 counted as positive (1 stands for it) and an exact 0 or 1 as itself. A one-hot p with g
// finite gives 0 everywhere (⟨g, p⟩ = g_j exactly).
void special(std::span<const double> x, std::span<const double> g, const detail::Scan& sc, std::span<double> out) {
  const std::size_t n = x.size();
  const bool p_nan = sc.nan || sc.all_neginf || sc.posinf > 1;
  std::vector<double> p(n);
  for (std::size_t i = 0; i < n; ++i)
    p[i] = p_nan ? NAN : sc.posinf ? (i == sc.posinf_at ? 1.0 : 0.0) : x[i] == -HUGE_VAL ? 0.0 : 1.0;
  double dot = detail::special_dot(g.data(), p.data(), n);  // NaN or ±inf where g is not finite
  const bool finite_g = std::all_of(g.begin(), g.end(), [](double v) { return std::isfinite(v); });
  if (p_nan) dot = NAN;
  else if (finite_g) dot = sc.posinf ? g[sc.posinf_at] : 0.0;  // here only the one-hot case
  for (std::size_t i = 0; i < n; ++i) out[i] = p[i] * (g[i] - dot);
}
}  // namespace

// x with a finite maximum m = x_a, g finite. Shifted by c = g_a: g_i - ⟨g, p⟩ = h_i - ⟨h, p⟩ with
// h_j = g_j - c exact as double-doubles (TwoSum; Σ p = 1 exactly), so a g nearly constant on p's support
// leaves small h and no cancellation against c. e_j = e^(x_j - m) (2^-99), S = 1 + Σ_{j≠a} e_j (2^-98),
// N = Σ_j h_j e_j pairwise: each term within 2^-98.9 of itself, each of its <= ceil(log2 n) + 1 additions
// within 3u^2 of the partial sum, so |N~ - N| <= A (2^-98 + (ceil(log2 n) + 1) 3u^2) with A = Σ|h_j e_j|
// (summed in double: (1 + (n + 2) 2^-52) covers that), plus n 2^-1022 where a term was dropped or
// underflows in A. Q = N/S within E_Q = (|N~ - N| + 2^-97.5 |N~|) / S; D_i = h_i - Q (3u^2) within
// E_Q + 2^-104 |D_i|; out_i = e_i D_i / S, e_i/S within 2^-97.3: relative error E_Q/|D_i| + 2^-96 on the
// scaled value. h_j = 0 for every j (g constant) makes N = 0 and D_i = 0 exactly: out 0. Where Ziv's test fails, the exact tier (exact.hpp,
// SoftmaxVjp): interval arithmetic on exact dyadics, N shared by the components of one level.
void softmax_vjp(std::span<const double> x, std::span<const double> g, std::span<double> out) {
  using namespace detail;
  check_backward("softmax_vjp", x, g, out);
  const std::size_t n = x.size();
  if (n == 0) return;
  const Scan sc = scan(x);
  const bool finite_g = std::all_of(g.begin(), g.end(), [](double v) { return std::isfinite(v); });
  if (sc.nan || sc.posinf || sc.all_neginf || !finite_g) {
    std::vector<double> xc(x.begin(), x.end()), gc(g.begin(), g.end());  // out may alias either
    special(xc, gc, sc, out);
    return;
  }
  std::vector<double> copy;  // the exact tier reads all of x and g
  detach(x, g, out, copy);
  const double m = sc.m, c = g[sc.a];
  const scaled S = add(scaled{{1.0, 0.0}, 0}, others_sum(x, sc));
  PairwiseSum N_sum;
  double A = 0;
  bool ok = true, tiny = false;  // tiny: a term dropped (e_j below e^-2000) or below 2^-1022 in A
  for (std::size_t j = 0; j < n && ok; ++j) {
    const dd h = two_sum(g[j], -c);
    if (!std::isfinite(h.hi)) ok = false;
    if (h.hi == 0) continue;
    const scaled t = mul(term(x[j], m), from_dd(h));
    if (t.m.hi == 0) {
      tiny = tiny || x[j] != -HUGE_VAL;
      continue;
    }
    N_sum.push(t);
    const double a = std::ldexp(std::fabs(t.m.hi), t.k);  // may overflow: then no fast tier
    tiny = tiny || a < 0x1p-1022;
    A += a;
  }
  const scaled N = N_sum.total();
  const double nd = static_cast<double>(n), levels = std::ceil(std::log2(nd)) + 1;
  // A's own summation (n u) and hi-part reading, and every dropped or underflowed term whole (each
  // below 2^-1022 in magnitude): n 2^-1022 more.
  const double err_N = A * (1 + (nd + 2) * 0x1p-52) * (0x1p-98 + levels * 3 * 0x1p-106) + (tiny ? nd * 0x1p-1022 : 0.0);
  ok = ok && std::isfinite(A);
  // Q = N/S, shared by the components, within E_Q relative to S: (err_N + 2^-97.5 |N|) / S, a double
  // beside the scaled values.
  const scaled Q = div(N, S);
  const double NQ = N.m.hi == 0 ? 0.0 : std::ldexp(std::fabs(N.m.hi), N.k) * 0x1.6a09e667f3bcdp-98;
  const double E_Q = (err_N + NQ) / (std::ldexp(std::fabs(S.m.hi), S.k) * (1 - 0x1p-50));
  std::unique_ptr<exact::SoftmaxVjp> exact_tier;
  for (std::size_t i = 0; i < n; ++i) {
    if (ok) {
      const scaled e = term(x[i], m);
      if (e.m.hi == 0) {  // p_i = 0 exactly (x_i = -inf), or below e^-2000: |p_i D_i| < 2^-1800
        out[i] = 0.0;
        continue;
      }
      const dd h = two_sum(g[i], -c);
      const scaled D = add(from_dd(h), neg(Q));
      const double Dm = D.m.hi == 0 ? 0.0 : std::ldexp(std::fabs(D.m.hi), D.k) * (1 - 0x1p-50);
      if (D.m.hi == 0 && E_Q == 0) {  // exactly 0
        out[i] = 0.0;
        continue;
      }
      const double rel = Dm > 0 ? E_Q / Dm * (1 + 0x1p-50) + 0x1p-96 : HUGE_VAL;
      const scaled v = mul(div(e, S), D);
      if (std::isfinite(E_Q) && v.m.hi != 0 && rel < 0x1p-60 && rounding_certain(v, rel)) {
        out[i] = round(v);
        continue;
      }
    }
    if (!exact_tier) exact_tier = std::make_unique<exact::SoftmaxVjp>(x, g);
    out[i] = (*exact_tier)(i);
  }
}

namespace standard {
// What autograd computes for softmax: the framework kernel y (g - ⟨g, y⟩) on y = RN(softmax(x)), the
// max-shift forward (standard::softmax) included.
void softmax_vjp(std::span<const double> x, std::span<const double> g, std::span<double> out) {
  detail::check_backward("standard::softmax_vjp", x, g, out);
  std::vector<double> y(x.size());
  softmax(x, y);
  softmax_backward(y, g, out);
}
}  // namespace standard

namespace naive {
// The textbook product with the Jacobian diag(p) - p p^T: p_i g_i - p_i ⟨g, p⟩, p = exp(x) / Σ exp(x).
void softmax_vjp(std::span<const double> x, std::span<const double> g, std::span<double> out) {
  detail::check_backward("naive::softmax_vjp", x, g, out);
  std::vector<double> p(x.size());
  softmax(x, p);
  double dot = 0;
  for (std::size_t j = 0; j < x.size(); ++j) dot += g[j] * p[j];
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = p[i] * g[i] - p[i] * dot;
}
}  // namespace naive

}  // namespace softcheck
