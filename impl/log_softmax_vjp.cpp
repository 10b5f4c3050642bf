// Log-softmax's backward pass in input form, g - softmax(x) Σ_j g_j (the exact vector-Jacobian product
// at x): the accurate function (one rounding of the exact value) and the reference variants, what
// autograd computes (the framework kernel on the rounded forward output) as standard, and g - p Σg with
// the textbook p = exp(x) / Σ exp(x) as naive.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "impl/check.hpp"
#include "impl/dot.hpp"
#include "impl/exact.hpp"
#include "impl/exp_log.hpp"
#include "impl/fallback.hpp"
#include "impl/fast.hpp"
#include "impl/softcheck.hpp"
#include "impl/variants.hpp"
#include "impl/vector_core.hpp"

namespace softcheck {

namespace {
// Special operands (README, "Special values"): p = softmax(x) by its rule (NaN for a NaN, all -inf or
// two +inf; one-hot at a single +inf; 0 at -inf), G = Σ g_j exact (NaN for a NaN or both infinities,
// else the infinity). Then g_i - p_i G with p_i G exact where G is finite, IEEE rules where it is not
// (a p_i > 0 times an infinite G is that infinity; an exact p_i = 0 times it is NaN).
void special(std::span<const double> x, std::span<const double> g, const detail::Scan& sc, std::span<double> out) {
  const std::size_t n = x.size();
  const double Gs = detail::special_dot(g.data(), nullptr, n);
  const bool g_finite = Gs == 0;
  const bool p_nan = sc.nan || sc.all_neginf || sc.posinf > 1;
  for (std::size_t i = 0; i < n; ++i) {
    // p_i: NaN, exactly 0, exactly 1 (the single +inf), or a positive real (1 stands for it below).
    const double p = p_nan ? NAN : sc.posinf ? (i == sc.posinf_at ? 1.0 : 0.0) : x[i] == -HUGE_VAL ? 0.0 : 1.0;
    if (!g_finite) {
      out[i] = g[i] - p * Gs;
    } else if (std::isnan(p)) {
      out[i] = NAN;
    } else if (p == 0) {
      out[i] = g[i];
    } else {  // the one-hot entry: g_i - G exactly
      const detail::exact::Dy G = detail::dot_exact(g.data(), nullptr, n);
      out[i] = detail::exact::to_double(detail::exact::add(detail::exact::from_double(g[i]), detail::exact::neg(G)));
    }
  }
}
}  // namespace

// x with a finite maximum m = x_a, g finite. Tier 0 first (below). What it leaves: e_i = e^(x_i - m) (x_i - m exact, 2^-99), R = Σ_{j≠a} e_j
// pairwise (2^-98.2), S = 1 + R (2^-98); G = Σ g_j as s + c within E_G (impl/dot.hpp), G~ = s + c.
// i ≠ a: p_i = e_i/S (15u^2 more: 2^-97.3), P = p_i G~ within 2^-97 + E_G/|G~| relative, v = g_i - P
// within (2^-97 + E_G/|G~|)(|g_i| + |P|)/|v| + 2^-103 of itself. i = a: g_a - p_a G = (g_a - G) +
// (R/S) G, so a confident p_a ~ 1 does not cancel against 1: g_a - G known within E_D (as in
// log_softmax_backward), R/S G~ within 2^-96.5 + E_G/|G~|; the larger relative error times the
// cancellation ratio. A term e_i below e^-2000 (or x_i = -inf): |p_i G| < 2^-1800, so RN is g_i, or a
// zero where g_i = 0. Where Ziv's test fails, G p_i - g_i by the distribution gradient's precise tiers
// with the target g (fallback::DistGrad: 3-double states shared by the components, then interval
// arithmetic on exact dyadics; its lane tier needs t >= 0 and is skipped for a g with a negative entry),
// negated.
void log_softmax_vjp(std::span<const double> x, std::span<const double> g, std::span<double> out) {
  using namespace detail;
  detail::check_backward("log_softmax_vjp", x, g, out);
  const std::size_t n = x.size();
  if (n == 0) return;
  const fast::MaxScan ms = fast::max_scan(x.data(), n);
  if (ms.nan || std::isinf(ms.max) || !std::all_of(g.begin(), g.end(), [](double v) { return std::isfinite(v); })) {
    std::vector<double> xc(x.begin(), x.end()), gc(g.begin(), g.end());  // out may alias either
    special(xc, gc, scan(x), out);
    return;
  }
  std::vector<double> copy;  // the exact tier reads all of x and g
  detach(x, g, out, copy);
  const double m = ms.max;
  // The scalar tiers' state, formed on first need (tier 0 usually leaves nothing to them).
  bool have_scalar = false;
  Scan sc;
  scaled R, S, G;
  DotBound B;
  dd Gd;
  double rel_G = HUGE_VAL;
  std::unique_ptr<fallback::DistGrad> precise;
  auto component = [&](std::size_t i) -> double {
    if (x[i] == -HUGE_VAL && g[i] != 0) return g[i];  // p_i = 0 exactly (a masked logit): no state needed
    if (!have_scalar) {
      have_scalar = true;
      sc = scan(x);
      R = others_sum(x, sc), S = add(scaled{{1.0, 0.0}, 0}, R);
      B = dot_bound(g.data(), nullptr, n);
      Gd = B.ok ? two_sum(B.s, B.c) : dd{};
      G = from_dd(Gd);
      rel_G = Gd.hi != 0 ? B.err / std::fabs(Gd.hi) * (1 + 0x1p-50) : HUGE_VAL;
    }
    const double gi = g[i];
    if (B.ok && rel_G < 0x1p-60) {
      if (i == sc.a) {
        const auto [D, E_D] = minus_sum(gi, B);
        const scaled A = from_dd(D), P = mul(div(R, S), G), v = add(A, P);
        const double rel_A = D.hi != 0 ? E_D / std::fabs(D.hi) * (1 + 0x1p-50) : E_D == 0 ? 0.0 : HUGE_VAL;
        const double rel = std::max(rel_A, 0x1.6a09e667f3bcdp-97 + rel_G) * cancellation_ratio(A, P, v) + 0x1p-103;
        if (v.m.hi != 0 && rel < 0x1p-60 && rounding_certain(v, rel)) return round(v);
      } else {
        const scaled e = term(x[i], m);
        if (e.m.hi == 0) return gi != 0 ? gi : (Gd.hi > 0 ? -0.0 : 0.0);
        const scaled P = mul(div(e, S), G), A = from_double(gi), v = add(A, neg(P));
        const double rel = (0x1p-97 + rel_G) * cancellation_ratio(A, P, v) + 0x1p-103;
        if (v.m.hi != 0 && rounding_certain(v, rel)) return round(v);
      }
    }
    if (!precise) precise = std::make_unique<fallback::DistGrad>(x, g);
    return -(*precise)(i);
  };
  // Tier 0 (impl/fast.hpp): S = Σ e^{x_j - m} (exp_terms) and G = Σ g_j (dot) in vector lanes, R = G/S
  // (div, 15u^2 + 56u^3 < 2^-102), then g_i - e^{x_i - m} R for each component with x_i - m >= -600
  // (sub_terms), a chunk at a time; what it does not prove, component(i).
  const fast::DotSum G0 = fast::dot(g.data(), nullptr, n);
  const dd Gt = two_sum(G0.s, G0.c);
  const double rel_g = Gt.hi != 0 ? G0.err / std::fabs(Gt.hi) * (1 + 0x1p-50) : HUGE_VAL;
  if (G0.ok && rel_g < 0x1p-60 && std::fabs(Gt.hi) >= 0x1p-900 && std::fabs(Gt.hi) < 0x1p990) {
    const fast::Sum S0 = fast::exp_terms(x.data(), n, m, n, n, nullptr, nullptr);  // S0 >= 1: the term at m
    const double rel_s = S0.rel_err + S0.dropped / S0.value.hi;
    const dd Rt = div(Gt, S0.value);
    const double rel_r = (rel_g + rel_s + 0x1p-102) * (1 + 0x1p-40);
    constexpr std::size_t kChunk = 4096;
    unsigned char ok[kChunk];
    for (std::size_t c = 0; c < n; c += kChunk) {
      const std::size_t len = std::min(kChunk, n - c);
      fast::sub_terms(x.data() + c, g.data() + c, len, m, Rt, rel_r, out.data() + c, ok);
      for (std::size_t k = 0; k < len; ++k)
        if (!ok[k]) out[c + k] = component(c + k);
    }
    return;
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = component(i);
}

namespace standard {
// What autograd computes for log_softmax: the framework kernel g - exp(y) Σg on y = RN(log_softmax(x)),
// the max-shift forward (standard::log_softmax) included.
void log_softmax_vjp(std::span<const double> x, std::span<const double> g, std::span<double> out) {
  detail::check_backward("standard::log_softmax_vjp", x, g, out);
  std::vector<double> y(x.size());
  log_softmax(x, y);
  log_softmax_backward(y, g, out);
}
}  // namespace standard

namespace naive {
// The textbook product with the Jacobian diag(1) - p 1^T: g - p Σg, p = exp(x) / Σ exp(x) (no shift).
void log_softmax_vjp(std::span<const double> x, std::span<const double> g, std::span<double> out) {
  detail::check_backward("naive::log_softmax_vjp", x, g, out);
  std::vector<double> p(x.size());
  softmax(x, p);
  double G = 0;
  for (double v : g) G += v;
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = g[i] - p[i] * G;
}
}  // namespace naive

}  // namespace softcheck
