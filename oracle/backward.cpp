// The oracle's backward passes of softmax and log-softmax in framework form (y the forward's output, g
// the upstream gradient; any doubles): y_i (g_i - Σ_j g_j y_j) and g_i - e^{y_i} Σ_j g_j.
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "oracle/mp.hpp"
#include "oracle/oracle.hpp"

namespace softcheck::oracle {
namespace {

using detail::ptr;
using detail::Real;
constexpr double kInf = std::numeric_limits<double>::infinity();

void check(const char* fn, std::span<const double> y, std::span<const double> g, std::span<Ref> out) {
  if (g.size() != y.size() || out.size() != y.size())
    throw std::invalid_argument(std::string("softcheck::oracle::") + fn + ": y, g and out need one length (" +
                                std::to_string(y.size()) + ", " + std::to_string(g.size()) + ", " +
                                std::to_string(out.size()) + ")");
}

Ref ieee_ref(double v) { return std::isnan(v) ? detail::nan_ref() : detail::exact_ref(v); }

// Per-thread scratch: exact sums and one variable set per Ziv level; log_softmax_backward's enclosure of
// e^y G per level, kept for the last y (cache_y, NaN: none) within one call.
struct Work {
  Real sum, d, e_lo, e_hi, lo, hi;
  Real P_lo[detail::kLevels], P_hi[detail::kLevels];
  double cache_y[detail::kLevels];
  detail::Settler settler;
};
Work& work() {
  detail::widen_exponent_range();
  thread_local Work w;
  return w;
}

}  // namespace

void softmax_backward(std::span<const double> y, std::span<const double> g, std::span<Ref> out) {
  check("softmax_backward", y, g, out);
  const std::size_t n = y.size();
  bool finite = true;
  for (std::size_t j = 0; j < n; ++j) finite = finite && std::isfinite(y[j]) && std::isfinite(g[j]);
  if (!finite) {
    // S is NaN (a NaN operand, 0 · ∞, infinite products of both signs) or the infinite products'
    // infinity (a product of finite operands is finite); then y_i (g_i - S) by IEEE rules.
    bool pos = false, neg = false, nan = false;
    for (std::size_t j = 0; j < n; ++j) {
      if (std::isnan(y[j]) || std::isnan(g[j])) nan = true;
      else if (std::isinf(y[j]) || std::isinf(g[j])) {
        if (y[j] == 0 || g[j] == 0) nan = true;
        else (std::signbit(y[j]) != std::signbit(g[j]) ? neg : pos) = true;
      }
    }
    const double S = nan || (pos && neg) ? std::nan("") : pos ? kInf : -kInf;
    for (std::size_t i = 0; i < n; ++i) out[i] = ieee_ref(y[i] * (g[i] - S));
    return;
  }
  // Exact throughout: each g_j y_j has at most 106 significant bits between 2^-2148 and 2^2048, so S
  // needs at most 4197 + log2 n bits, g_i - S one more, and the product with y_i 53 more: 4400 + bits(n)
  // holds every step without rounding (ternary 0), and the one rounding is the Settler's.
  const auto P = static_cast<mpfr_prec_t>(4400 + std::bit_width(n));
  Work& w = work();
  detail::set_precision(w.sum, P);
  detail::set_precision(w.d, P);
  mpfr_set_zero(ptr(w.sum), 1);
  for (std::size_t j = 0; j < n; ++j) {
    mpfr_set_d(ptr(w.d), g[j], MPFR_RNDN);
    mpfr_mul_d(ptr(w.d), ptr(w.d), y[j], MPFR_RNDN);
    mpfr_add(ptr(w.sum), ptr(w.sum), ptr(w.d), MPFR_RNDN);
  }
  for (std::size_t i = 0; i < n; ++i) {
    mpfr_d_sub(ptr(w.d), g[i], ptr(w.sum), MPFR_RNDN);
    mpfr_mul_d(ptr(w.d), ptr(w.d), y[i], MPFR_RNDN);
    w.settler.settle(ptr(w.d), ptr(w.d), static_cast<int>(P), out[i]);
  }
}

void log_softmax_backward(std::span<const double> y, std::span<const double> g, std::span<Ref> out) {
  check("log_softmax_backward", y, g, out);
  const std::size_t n = y.size();
  bool finite = true;
  for (double v : g) finite = finite && std::isfinite(v);
  if (!finite) {
    // G = Σ g_j: NaN (a NaN, both infinities) or the infinity; e^{y_i} a positive real for finite y_i.
    bool pos = false, neg = false, nan = false;
    for (double v : g) {
      if (std::isnan(v)) nan = true;
      else if (std::isinf(v)) (v > 0 ? pos : neg) = true;
    }
    const double G = nan || (pos && neg) ? std::nan("") : pos ? kInf : -kInf;
    for (std::size_t i = 0; i < n; ++i) out[i] = ieee_ref(g[i] - (std::isfinite(y[i]) ? 1.0 : std::exp(y[i])) * G);
    return;
  }
  // G exactly: doubles between 2^-1074 and 2^1024, n of them: 2200 + bits(n).
  Work& w = work();
  const auto PG = static_cast<mpfr_prec_t>(2200 + std::bit_width(n));
  detail::set_precision(w.sum, PG);
  mpfr_set_zero(ptr(w.sum), 1);
  for (double v : g) mpfr_add_d(ptr(w.sum), ptr(w.sum), v, MPFR_RNDN);
  const int sG = mpfr_sgn(ptr(w.sum));
  for (double& c : w.cache_y) c = std::nan("");  // a new G
  for (std::size_t i = 0; i < n; ++i) {
    const double yi = y[i], gi = g[i];
    if (std::isnan(yi)) {
      out[i] = detail::nan_ref();
    } else if (yi == -kInf || sG == 0) {  // e^{y_i} G = 0 (at y_i = +∞ with G = 0 too: G is exactly 0)
      out[i] = detail::exact_ref(gi);
    } else if (yi == kInf) {
      out[i] = detail::exact_ref(sG > 0 ? -kInf : kInf);
    } else if (yi > 1510) {
      // |e^{y_i} G| >= e^1510 2^-1074 > 2^1100 while |g_i| < 2^1024: beyond the overflow threshold. A
      // stand-in of that sign past it settles the same (rounded ±inf, frac 0), without e^{y_i} (which
      // leaves MPFR's range above y ~ 3e18).
      detail::set_precision(w.d, 64);
      mpfr_set_si_2exp(ptr(w.d), sG > 0 ? -1 : 1, 1100, MPFR_RNDN);
      w.settler.settle(ptr(w.d), ptr(w.d), 64, out[i]);
    } else if (yi == 0) {  // e^0 = 1: g_i - G exactly
      detail::set_precision(w.d, PG + 1);
      mpfr_d_sub(ptr(w.d), gi, ptr(w.sum), MPFR_RNDN);
      w.settler.settle(ptr(w.d), ptr(w.d), static_cast<int>(PG + 1), out[i]);
    } else {
      // e^{y_i} in [E_lo, E_hi] (RNDD, RNDU; below MPFR's range E_lo = 0 and E_hi its least positive
      // number, still an enclosure), times the exact G, subtracted from g_i, every step rounded outward.
      // e^{y_i} is transcendental (y_i != 0 rational) and G != 0: the value is irrational (open).
      // The enclosure of P = e^{y_i} G depends on y_i alone: tied logits give one y on every component,
      // each formed once per level.
      bool settled = false;
      for (int j = 0; j < detail::kLevels && !settled; ++j) {
        const int p = detail::level_precision(j);
        for (Real* r : {&w.e_lo, &w.e_hi, &w.lo, &w.hi, &w.P_lo[j], &w.P_hi[j]}) detail::set_precision(*r, p);
        if (!(w.cache_y[j] == yi)) {
          mpfr_set_d(ptr(w.lo), yi, MPFR_RNDN);  // exact at p >= 53
          mpfr_exp(ptr(w.e_lo), ptr(w.lo), MPFR_RNDD);
          mpfr_exp(ptr(w.e_hi), ptr(w.lo), MPFR_RNDU);
          // P = e G in [P_lo, P_hi]: with G > 0 from (E_lo, E_hi), with G < 0 from (E_hi, E_lo).
          mpfr_mul(ptr(w.P_lo[j]), sG > 0 ? ptr(w.e_lo) : ptr(w.e_hi), ptr(w.sum), MPFR_RNDD);
          mpfr_mul(ptr(w.P_hi[j]), sG > 0 ? ptr(w.e_hi) : ptr(w.e_lo), ptr(w.sum), MPFR_RNDU);
          w.cache_y[j] = yi;
        }
        // g_i - P in [g_i - P_hi, g_i - P_lo].
        mpfr_d_sub(ptr(w.e_lo), gi, ptr(w.P_hi[j]), MPFR_RNDD);
        mpfr_d_sub(ptr(w.e_hi), gi, ptr(w.P_lo[j]), MPFR_RNDU);
        settled = w.settler.settle(ptr(w.e_lo), ptr(w.e_hi), p, out[i], /*open=*/true);
        if (!settled && j == detail::kLevels - 1) w.settler.give_up(ptr(w.e_lo), ptr(w.e_hi), out[i]);
      }
    }
  }
}

}  // namespace softcheck::oracle
