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
#include "impl/fast.hpp"
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

// x with a finite maximum m = x_a, g finite. Tier 0 first (below). What it leaves: shifted by c = g_a,
// g_i - ⟨g, p⟩ = h_i - ⟨h, p⟩ with h_j = g_j - c exact as double-doubles (TwoSum; Σ p = 1 exactly), so
// a g nearly constant on p's support leaves small h and no cancellation against c. e_j = e^(x_j - m)
// (2^-99), S = 1 + Σ_{j≠a} e_j (2^-98), N = Σ_j h_j e_j pairwise: each term within 2^-98.9 of itself,
// each of its <= ceil(log2 n) + 1 additions within 3u^2 of the partial sum, so |N~ - N| <= A (2^-98 +
// (ceil(log2 n) + 1) 3u^2) with A = Σ|h_j e_j| (summed in double: (1 + (n + 2) 2^-52) covers that), plus
// n 2^-1022 where a term was dropped or underflows in A. Q = N/S within E_Q = (|N~ - N| + 2^-97.5 |N~|) /
// S; D_i = h_i - Q (3u^2) within E_Q + 2^-104 |D_i|; out_i = e_i D_i / S, e_i/S within 2^-97.3: relative
// error E_Q/|D_i| + 2^-96 on the scaled value. h_j = 0 for every j (g constant) makes N = 0 and D_i = 0
// exactly: out 0. Where Ziv's test fails, the exact tier (exact.hpp, SoftmaxVjp): interval arithmetic on
// exact dyadics, N shared by the components of one level.
void softmax_vjp(std::span<const double> x, std::span<const double> g, std::span<double> out) {
  using namespace detail;
  check_backward("softmax_vjp", x, g, out);
  const std::size_t n = x.size();
  if (n == 0) return;
  const fast::MaxScan ms = fast::max_scan(x.data(), n);
  const bool finite_g = std::all_of(g.begin(), g.end(), [](double v) { return std::isfinite(v); });
  if (ms.nan || std::isinf(ms.max) || !finite_g) {
    std::vector<double> xc(x.begin(), x.end()), gc(g.begin(), g.end());  // out may alias either
    special(xc, gc, scan(x), out);
    return;
  }
  // g constant: p_i (c - c) = +0 exactly, as the scalar tier returns (h = 0).
  if (std::all_of(g.begin(), g.end(), [&](double v) { return v == g[0]; })) {
    std::fill(out.begin(), out.end(), 0.0);
    return;
  }
  std::vector<double> copy;  // the exact tier reads all of x and g
  detach(x, g, out, copy);
  const double m = ms.max;
  // The scalar tiers' state, formed on first need (tier 0 usually leaves nothing to them).
  bool have_scalar = false;
  bool ok = true;
  Scan sc;
  scaled S, Q;
  double c = 0, E_Q = HUGE_VAL;
  std::unique_ptr<exact::SoftmaxVjp> exact_tier;
  auto scalar_init = [&] {
    have_scalar = true;
    sc = scan(x);
    c = g[sc.a];
    S = add(scaled{{1.0, 0.0}, 0}, others_sum(x, sc));
    PairwiseSum N_sum;
    double A = 0;
    bool tiny = false;  // a term dropped (e_j below e^-2000) or below 2^-1022 in A
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
    const double err_N =
        A * (1 + (nd + 2) * 0x1p-52) * (0x1p-98 + levels * 3 * 0x1p-106) + (tiny ? nd * 0x1p-1022 : 0.0);
    ok = ok && std::isfinite(A);
    // Q = N/S, shared by the components, within E_Q relative to S: (err_N + 2^-97.5 |N|) / S, a double
    // beside the scaled values.
    Q = div(N, S);
    const double NQ = N.m.hi == 0 ? 0.0 : std::ldexp(std::fabs(N.m.hi), N.k) * 0x1.6a09e667f3bcdp-98;
    E_Q = (err_N + NQ) / (std::ldexp(std::fabs(S.m.hi), S.k) * (1 - 0x1p-50));
  };
  auto component = [&](std::size_t i) -> double {
    if (x[i] == -HUGE_VAL) return 0.0;  // p_i = 0 exactly (a masked logit): no state needed
    if (!have_scalar) scalar_init();
    if (ok) {
      const scaled e = term(x[i], m);
      if (e.m.hi == 0) return 0.0;  // below e^-2000: |p_i D_i| < 2^-1800
      const dd h = two_sum(g[i], -c);
      const scaled D = add(from_dd(h), neg(Q));
      const double Dm = D.m.hi == 0 ? 0.0 : std::ldexp(std::fabs(D.m.hi), D.k) * (1 - 0x1p-50);
      if (D.m.hi == 0 && E_Q == 0) return 0.0;  // exactly 0
      const double rel = Dm > 0 ? E_Q / Dm * (1 + 0x1p-50) + 0x1p-96 : HUGE_VAL;
      const scaled v = mul(div(e, S), D);
      if (std::isfinite(E_Q) && v.m.hi != 0 && rel < 0x1p-60 && rounding_certain(v, rel)) return round(v);
    }
    if (!exact_tier) exact_tier = std::make_unique<exact::SoftmaxVjp>(x, g);
    return (*exact_tier)(i);
  };
  // Tier 0 (impl/fast.hpp): e_j = e^{x_j - m} once, into out (high parts) and el (low parts), with
  // S = Σ e_j (exp_terms, within rel_s); terms it does not give (below e^-600) zeroed and bounded:
  // |g_j| 2^-865 each. N = Σ g_j e_j by two lane dots (g eh, g el), each within its err, plus
  // kTermErr (1 + 2^-50) Σ|g_j eh_j| for the terms' own errors; N~ = their dd sum (3u^2 + 13u^3 < 2^-103
  // relative). Q = N~/S~ (div: 2^-102) within E_Q = ((E_N + (|N~| + E_N) rel_s) / S~.hi) (1 + 4 rel_s)
  // + 2^-102 |Q| (|1/S~ - 1/S| <= rel_s / S~), widened by 2^-40, which also covers reading S~ as its
  // high part (S~ >= S~.hi (1 - 2^-53)); R = 1/S~ within rel_s + 2^-102. Then each component's
  // e_i R (g_i - Q) (scale_diff) and Ziv's test; what it does not prove, component(i).
  std::vector<double> el(n);
  const fast::Sum S0 = fast::exp_terms(x.data(), n, m, n, n, out.data(), el.data());  // S0 >= 1
  double gd = 0;  // Σ|g_j| over the terms not given
  for (std::size_t j = 0; j < n; ++j)
    if (out[j] == 0) el[j] = 0, gd += std::fabs(g[j]);
  const fast::DotSum N1 = fast::dot(g.data(), out.data(), n), N2 = fast::dot(g.data(), el.data(), n);
  const double rel_s = (S0.rel_err + S0.dropped / S0.value.hi) * (1 + 0x1p-50);
  if (N1.ok && N2.ok && rel_s < 0x1p-70) {
    const dd Nt = add(two_sum(N1.s, N1.c), two_sum(N2.s, N2.c));
    const double E_N = (N1.err + N2.err + fast::kTermErr * (1 + 0x1p-50) * N1.abs + gd * 0x1p-865 + 0x1p-103 * std::fabs(Nt.hi)) *
                       (1 + 0x1p-40);
    const dd Qt = div(Nt, S0.value), Rt = div(dd{1.0, 0.0}, S0.value);
    const double e_q = (((E_N + (std::fabs(Nt.hi) * (1 + 0x1p-50) + E_N) * rel_s) / S0.value.hi) * (1 + 4 * rel_s) +
                        0x1p-102 * std::fabs(Qt.hi)) *
                       (1 + 0x1p-40);
    if (std::isfinite(e_q) && std::fabs(Qt.hi) < 0x1p995) {
      const double rel_r = (rel_s + 0x1p-102) * (1 + 0x1p-40);
      constexpr std::size_t kChunk = 4096;  // as log_softmax_vjp: the proof flags a chunk at a time
      unsigned char proven[kChunk];
      for (std::size_t at = 0; at < n; at += kChunk) {
        const std::size_t len = std::min(kChunk, n - at);
        fast::scale_diff(out.data() + at, el.data() + at, g.data() + at, len, Rt, rel_r, Qt, e_q, out.data() + at, proven);
        for (std::size_t k = 0; k < len; ++k)
          if (!proven[k]) out[at + k] = component(at + k);
      }
      return;
    }
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = component(i);
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
