// Log-softmax's backward pass in framework form, g_i - e^{y_i} Σ_j g_j (y the forward's output, g the
// upstream gradient): the accurate function (one rounding of the exact value) and the reference
// variants, PyTorch's g - exp(y) Σg with its sum in vector lanes as standard, one plain sum as naive.
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <vector>

#include "impl/check.hpp"
#include "impl/dot.hpp"
#include "impl/exact.hpp"
#include "impl/exp_log.hpp"
#include "impl/fast.hpp"
#include "impl/fallback.hpp"
#include "impl/multi_double.hpp"
#include "impl/softcheck.hpp"
#include "impl/variants.hpp"

namespace softcheck {

namespace {
using detail::check_backward;

// A non-finite g (README, "Special values"): G = Σ g_j is its infinity or NaN (special_dot). e^{y_i} is
// taken as a positive real for finite y_i (not its IEEE rounding, which is 0 below -745), so
// g_i - e^{y_i} G is an infinity, or NaN (∞ - ∞, 0 · ∞ at y_i = -∞, a NaN y_i).
double special_value(double y, double g, double G) {
  const double e = std::isfinite(y) ? 1.0 : std::exp(y);
  return g - e * G;
}
}  // namespace

// g finite: tier 0 first (impl/fast.hpp, fast_backward.cpp: G in vector lanes, components with y_i in
// [-600, 0] from fast.cpp's exponential to 2^-84.5). What it leaves: G = Σ g_j as s + c within E_G
// (impl/dot.hpp), G~ = s + c normalized. Per component with y_i
// finite in [-2000, 1510]: e^{y_i} to 2^-99 relative (exp_scaled; beyond |y_i| = 1100, its range, the
// square of e^{y_i/2}: 2^-97.9), P = e^{y_i} G~ (DWTimesDW, 5u^2), so P is within 2^-97 + E_G/|G~|
// (1 + 2^-50) of e^{y_i} G relative; v = g_i - P (AccurateDWPlusDW, 3u^2) is then within
// (2^-97 + E_G/|G~|) (|g_i| + |P|)/|v| + 2^-103 of itself, the cancellation ratio taken from the scaled
// values. At y_i = 0 the value is D = g_i - G, known within E_D (impl/dot.hpp, minus_sum). For
// |y_i| < 1 the same value as D - expm1(y_i) G, expm1 to 2^-99 (exp_log.hpp) and its product with G~ as
// P above; the error is the larger relative one times the cancellation ratio (a one-hot g at y_i ~ 0, the
// confident cross-entropy, has D = 0 exactly and no cancellation left). Ziv's test on that; where it
// fails (or G~ = 0), the multi-double tier at 4, 8 and 16 doubles (fallback.hpp; g_i ~ e^{y_i} G
// cancels by ~53 bits on every component where g is nearly constant and y a log-softmax of ties), then
// the exact tier's interval evaluation (exact::log_softmax_backward). Outside the range: y_i < -2000 gives
// |e^{y_i} G| < 2^-2885 n 2^1024, below a quarter of 2^-1074, so RN(g_i - e^{y_i} G) is g_i, or a zero
// of the sign of -G where g_i = 0; y_i > 1510 with G != 0 gives |e^{y_i} G| >= 2^2174 2^-1074 > 2^1025,
// an overflow of the sign of -G. y_i = -∞: g_i exactly; +∞: -G's infinity (NaN where G = 0).
void log_softmax_backward(std::span<const double> y, std::span<const double> g, std::span<double> out) {
  using namespace detail;
  check_backward("log_softmax_backward", y, g, out);
  const std::size_t n = y.size();
  if (!std::all_of(g.begin(), g.end(), [](double v) { return std::isfinite(v); })) {
    const double G = special_dot(g.data(), nullptr, n);
    for (std::size_t i = 0; i < n; ++i) out[i] = special_value(y[i], g[i], G);
    return;
  }
  std::vector<double> copy;  // the precise tiers' G, formed on first need, reads all of g
  detach(y, g, out, copy);
  // The scalar tiers' state, formed on first need (tier 0 usually leaves nothing to them).
  bool have_scalar = false;
  DotBound B;
  scaled Gs = from_dd(dd{});
  double rel_G = HUGE_VAL;
  // The precise tiers' G, each formed on first need: its leading 16 components (multi-double), exactly.
  bool have_exact = false;
  std::array<double, 16> G_top{};
  std::unique_ptr<fallback::LogSoftmaxBackward> precise;
  exact::Dy G;
  auto exact_G = [&]() -> const exact::Dy& {
    if (!have_exact) G = dot_exact(g.data(), nullptr, n), have_exact = true;
    return G;
  };
  auto scalar_init = [&] {
    have_scalar = true;
    B = dot_bound(g.data(), nullptr, n);
    const dd Gd = B.ok ? two_sum(B.s, B.c) : dd{};
    Gs = from_dd(Gd);
    rel_G = Gd.hi != 0 ? B.err / std::fabs(Gd.hi) * (1 + 0x1p-50) : HUGE_VAL;
    if (!B.ok) {
      // The double sum overflowed (g near DBL_MAX): G from its exact value instead, scaled by 2^-t
      // (t = its top bit) into two doubles, hi + lo within 2^-105 of it (lo the rounding of the rest).
      const exact::Dy& Ge = exact_G();
      if (!exact::is_zero(Ge)) {
        const auto t = Ge.e + static_cast<std::int64_t>(boost::multiprecision::msb(boost::multiprecision::abs(Ge.m)));
        const exact::Dy m = exact::mul(Ge, exact::pow2(-t));
        const double hi = exact::to_double(m), lo = exact::to_double(exact::add(m, exact::neg(exact::from_double(hi))));
        Gs = from_dd(two_sum(hi, lo));
        Gs.k += static_cast<int>(t);
        rel_G = 0x1p-104;
      }
    }
  };
  auto component = [&](std::size_t i) -> double {
    const double yi = y[i], gi = g[i];
    if (std::isnan(yi)) return NAN;
    if (yi == -HUGE_VAL) return gi;  // e^{y_i} = 0 exactly (a masked entry): no state needed
    if (!have_scalar) scalar_init();
    if (B.ok && yi == 0) {  // g_i - G
      const auto [D, E_D] = minus_sum(gi, B);
      if (E_D == 0 || (std::fabs(D.hi) >= 0x1p-1022 && rounding_certain(D, E_D, 0))) {
        return D.hi;  // RN(D.hi + D.lo) = D.hi: TwoSum's sum is the rounded one
      }
    } else if (B.ok && std::fabs(yi) < 1) {
      // (g_i - G) - expm1(y_i) G: exact where g_i - G is (a one-hot g at y_i ~ 0, the confident
      // cross-entropy's target class, has no cancellation left).
      const auto [D, E_D] = minus_sum(gi, B);
      const scaled a = from_dd(D), P = mul(from_dd(expm1(dd{yi, 0.0})), Gs), v = add(a, neg(P));
      const double rel_a = D.hi != 0 ? E_D / std::fabs(D.hi) * (1 + 0x1p-50) : E_D == 0 ? 0.0 : HUGE_VAL;
      const double rel = (std::max(rel_a, 0x1p-98 + rel_G)) * cancellation_ratio(a, P, v) + 0x1p-103;
      if (v.m.hi != 0 && rel < 0x1p-60 && rounding_certain(v, rel)) {
        return round(v);
      }
    } else if (Gs.m.hi != 0 && rel_G < 0x1p-60 && yi >= -2000 && yi <= 1510) {
      // Beyond exp_scaled's range |y| <= 1100, e^{y_i} = (e^{y_i/2})^2 (y_i/2 exact): 2^-97.9.
      const scaled e = std::fabs(yi) <= 1100 ? exp_scaled(dd{yi, 0.0}) : [&] {
        const scaled h = exp_scaled(dd{yi / 2, 0.0});
        return mul(h, h);
      }();
      const scaled P = mul(e, Gs);
      const scaled a = from_double(gi), v = add(a, neg(P));
      const double rel = (0x1p-97 + rel_G) * cancellation_ratio(a, P, v) + 0x1p-103;
      if (v.m.hi != 0 && rounding_certain(v, rel)) {
        return round(v);
      }
    }
    if (B.ok && yi != 0 && yi >= -2000 && yi <= 1510) {  // (the multi-double G needs a finite double sum)
      if (!precise) {
        ExactSum s;
        for (double v : g) s.add(v);
        s.top(G_top);
        precise = std::make_unique<fallback::LogSoftmaxBackward>(G_top);
      }
      if (G_top[0] == 0) {  // G = 0 exactly (the sum eliminates zeros): e^{y_i} G = 0
        return gi;
      }
      bool certain = false;
      const double r = (*precise)(yi, gi, certain);
      if (certain) {
        return r;
      }
    }
    const exact::Dy& Ge = exact_G();
    const int sG = exact::sign(Ge);
    if (sG == 0) return gi;  // also at y_i = +∞: e^{y_i} · 0 is 0 here, G being exactly 0 and finite
    if (yi == HUGE_VAL || yi > 1510) return sG > 0 ? -HUGE_VAL : HUGE_VAL;
    if (yi < -2000) return gi != 0 ? gi : (sG > 0 ? -0.0 : 0.0);
    return exact::log_softmax_backward(yi, gi, Ge);
  };
  // Tier 0 (impl/fast.hpp): G in vector lanes, then each component with -600 <= y_i <= 0, a chunk at a
  // time (ok's memory); what it does not prove, component(i).
  const fast::DotSum S0 = fast::dot(g.data(), nullptr, n);
  const dd G0 = two_sum(S0.s, S0.c);
  const double rel0 = G0.hi != 0 ? S0.err / std::fabs(G0.hi) * (1 + 0x1p-50) : HUGE_VAL;
  if (S0.ok && rel0 < 0x1p-60 && std::fabs(G0.hi) < 0x1p995) {
    constexpr std::size_t kChunk = 4096;
    unsigned char ok[kChunk];
    for (std::size_t c = 0; c < n; c += kChunk) {
      const std::size_t len = std::min(kChunk, n - c);
      fast::sub_terms(y.data() + c, g.data() + c, len, 0.0, G0, rel0, out.data() + c, ok);
      for (std::size_t k = 0; k < len; ++k)
        if (!ok[k]) out[c + k] = component(c + k);
    }
    return;
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = component(i);
}

namespace standard {
// PyTorch's CPU kernel (_vec_log_softmax_backward): Σg reduced in vector lanes (here four partial
// sums, as its 256-bit Vectorized<double>), then g - exp(y) Σg.
void log_softmax_backward(std::span<const double> y, std::span<const double> g, std::span<double> out) {
  check_backward("standard::log_softmax_backward", y, g, out);
  std::array<double, 4> lane{};
  for (std::size_t j = 0; j < g.size(); ++j) lane[j % 4] += g[j];
  const double G = (lane[0] + lane[1]) + (lane[2] + lane[3]);
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = g[i] - std::exp(y[i]) * G;
}
}  // namespace standard

namespace naive {
// The textbook order: one plain sum, then g_i - exp(y_i) Σg.
void log_softmax_backward(std::span<const double> y, std::span<const double> g, std::span<double> out) {
  check_backward("naive::log_softmax_backward", y, g, out);
  double G = 0;
  for (double v : g) G += v;
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = g[i] - std::exp(y[i]) * G;
}
}  // namespace naive

}  // namespace softcheck
