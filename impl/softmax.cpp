// Accurate softmax, log-softmax and logsumexp: exact x_i - m, double-double exp, pairwise sum, log1p of
// the other terms, one final rounding, Ziv's test with a multi-double fallback.
#include <algorithm>
#include <cmath>
#include <limits>

#include "impl/check.hpp"
#include "impl/fallback.hpp"
#include "impl/fast.hpp"
#include "impl/softcheck.hpp"
#include "impl/vector_core.hpp"

namespace softcheck {
namespace detail {

Scan scan(std::span<const double> x) {
  Scan s;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double v = x[i];
    if (std::isnan(v)) s.nan = true;
    if (v == std::numeric_limits<double>::infinity()) {
      if (s.posinf++ == 0) s.posinf_at = i;
    }
    if (v != -std::numeric_limits<double>::infinity()) s.all_neginf = false;
    if (v > s.m) s.m = v, s.a = i;
  }
  return s;
}

scaled others_sum(std::span<const double> x, const Scan& sc) {
  PairwiseSum sum;
  for (std::size_t j = 0; j < x.size(); ++j)
    if (j != sc.a) sum.push(term(x[j], sc.m));
  return sum.total();
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
const scaled kOne{{1.0, 0.0}, 0};

}  // namespace

// Tier 1 and beyond of each function (the whole vector), for inputs tier 0 cannot prove (special values
// included).
void softmax_precise(std::span<const double> x, std::span<double> y);
void log_softmax_precise(std::span<const double> x, std::span<double> y);
double logsumexp_precise(std::span<const double> x);

Tier0Max tier0_max(std::span<const double> x) {
  fast::MaxScan ms = fast::max_scan(x.data(), x.size());
  return {!ms.nan && std::isfinite(ms.max) ? ms.max : kNaN, ms.first};
}

Tier0Sum tier0_sum(std::span<const double> x, double m, std::size_t a, std::size_t skip, double* hi, double* lo) {
  fast::Sum s = fast::exp_terms(x.data(), x.size(), m, a, skip, hi, lo);
  Tier0Sum r{s.value, a, HUGE_VAL};
  if (s.value.hi != 0) r.rel_err = s.rel_err + s.dropped / s.value.hi * (1 + 0x1p-50);
  else if (s.dropped == 0) r.rel_err = 0;  // every other term is exactly 0 (x_j = -inf)
  return r;
}

scaled tier0_log1p(dd s, double* rel) {
  if (s.hi >= 0x1p-900) {
    *rel = fast::kLog1pErr;
    return from_dd(fast::log1p(s));
  }
  *rel = 0x1p-97;
  return log1p(from_dd(s));
}

}  // namespace detail

using namespace detail;

// Tier 0 (fast.hpp): s = sum of e^(x_j - m) over j != a to s_err (relative), S = 1 + s to s_err + 3u^2,
// 1/S to 15u^2 more, the product by e^(x_i - m) (kTermErr) 5u^2 more.
void softmax(std::span<const double> x, std::span<double> y) {
  check_output("softmax", "y", x, y);
  if (x.empty()) return;
  if (const auto [m, a] = tier0_max(x); !std::isnan(m)) {
    const std::size_t n = x.size();
    const bool alias = overlaps(x, y);
    double* lo = scratch(n, 1);
    double* hi = !lo ? nullptr : alias ? scratch(n, 0) : y.data();
    Tier0Sum s = tier0_sum(x, m, a, n, hi, lo);
    if (s.rel_err < 0x1p-80) {
      dd R = div(dd{1.0, 0.0}, add(s.value, 1.0));
      double rel = (s.rel_err + fast::kTermErr + 0x1p-100) * (1 + 0x1p-40);
      if (lo) {  // each exponential once: the terms were kept
        if (fast::scale_round(hi, lo, n, R, rel, hi)) {
          if (alias) std::copy(hi, hi + n, y.begin());
          return;
        }
      } else if (!alias || fast::exp_scale_round(x.data(), n, m, R, rel, nullptr)) {
        // Too long to keep the terms: computed again (in place, after a pass that only checks, so that x
        // is intact for the precise tiers if one rounding is not certain).
        if (fast::exp_scale_round(x.data(), n, m, R, rel, y.data())) return;
      }
    }
  }
  softmax_precise(x, y);
}

// Tier 0: L = log1p(s) to s_err + l_err (log1p's condition number is <= 1; l_err its own bound), then
// (x_i - m) - L exactly rounded where Ziv's test allows.
void log_softmax(std::span<const double> x, std::span<double> y) {
  check_output("log_softmax", "y", x, y);
  if (x.empty()) return;
  if (const auto [m, a] = tier0_max(x); !std::isnan(m)) {
    const std::size_t n = x.size();
    Tier0Sum s = tier0_sum(x, m, a, n, nullptr, nullptr);
    double l_err;
    scaled L = tier0_log1p(s.value, &l_err);
    if (s.rel_err < 0x1p-80 && (L.m.hi == 0 || L.k > -900)) {
      const double* xs = x.data();
      const double err = s.rel_err + l_err;
      // In place, x must stay intact until every rounding is proven: into scratch, or (too long for it)
      // a pass that only checks, then the writing one.
      const bool alias = overlaps(x, y);
      double* out = alias ? scratch(n, 0) : y.data();
      if (out) {
        if (fast::shift_round(xs, n, m, to_dd(L), err, out)) {
          if (alias) std::copy(out, out + n, y.begin());
          return;
        }
      } else if (fast::shift_round(xs, n, m, to_dd(L), err, nullptr) &&
                 fast::shift_round(xs, n, m, to_dd(L), err, y.data())) {
        return;
      }
    }
  }
  log_softmax_precise(x, y);
}

// Tier 0: m + log1p(s), the error of L as in log_softmax, relative to |m| + L (the terms cancel for m < 0).
double logsumexp(std::span<const double> x) {
  if (x.empty()) return -kInf;
  if (const auto [m, a] = tier0_max(x); !std::isnan(m)) {
    Tier0Sum s = tier0_sum(x, m, a, x.size(), nullptr, nullptr);
    if (s.value.hi == 0 && s.rel_err == 0) return m;
    if (s.rel_err < 0x1p-80) {
      double l_err;
      scaled L = tier0_log1p(s.value, &l_err);
      scaled r = add(from_double(m), L);
      double rel = (s.rel_err + l_err + 0x1p-100) * cancellation_ratio(from_double(m), L, r);
      if (r.m.hi != 0 && rounding_certain(r, rel)) return round(r);
    }
  }
  return logsumexp_precise(x);
}

namespace detail {

// Tier 1: softmax_i = e^(x_i - m) / (1 + s): term < 2^-99, S < 2^-98.3 (term + pairwise), division 15u^2:
// relative error < 2^-97.4 < kRelErr, subnormal results rounded once from the scaled quotient.
void softmax_precise(std::span<const double> x, std::span<double> y) {
  Scan sc = scan(x);
  if (sc.nan || sc.posinf >= 2 || (sc.posinf == 0 && sc.all_neginf)) {
    for (double& v : y) v = kNaN;
    return;
  }
  if (sc.posinf == 1) {
    for (double& v : y) v = 0.0;
    y[sc.posinf_at] = 1.0;
    return;
  }
  scaled S = add(kOne, others_sum(x, sc));
  emit(
      x, y,
      [&](std::size_t i, double xi, bool& certain) {
        scaled p = div(i == sc.a ? kOne : term(xi, sc.m), S);
        certain = p.m.hi == 0 || rounding_certain(p, kRelErr);
        return round(p);
      },
      [](std::span<const double> src, std::size_t i) { return fallback::softmax(src, i); });
}

// log_softmax_i = (x_i - m) - log1p(s): both terms <= 0, so no cancellation; log1p < 2^-97, the exact
// difference x_i - m adds nothing: relative error < 2^-96.9. For the argmax this is -log1p(s), correct
// to the last bit even when s = e^-700 (where x - m - log(S) has no correct digit).
void log_softmax_precise(std::span<const double> x, std::span<double> y) {
  Scan sc = scan(x);
  if (sc.nan || sc.posinf >= 2 || (sc.posinf == 0 && sc.all_neginf)) {
    for (double& v : y) v = kNaN;
    return;
  }
  if (sc.posinf == 1) {
    for (double& v : y) v = -kInf;
    y[sc.posinf_at] = 0.0;
    return;
  }
  scaled L = log1p(others_sum(x, sc));
  emit(
      x, y,
      [&](std::size_t, double xi, bool& certain) {
        dd d = two_sum(xi, -sc.m);
        if (!std::isfinite(d.hi)) return -kInf;  // x_i = -inf, or x_i - m beyond -DBL_MAX
        scaled r = add(from_dd(d), neg(L));
        certain = r.m.hi == 0 || rounding_certain(r, kRelErr);
        return round(r);
      },
      [](std::span<const double> src, std::size_t i) { return fallback::log_softmax(src, i); });
}

// m + log1p(s): no cancellation for m >= 0; for m < 0 the two terms cancel when the result is near 0, so
// the error bound is kRelErr * (|m| + L), absolute, and Ziv's test falls back to the multi-double tier
// (and that, past ~790 bits of cancellation, to the exact tier).
double logsumexp_precise(std::span<const double> x) {
  Scan sc = scan(x);
  if (sc.nan) return kNaN;
  if (sc.posinf) return kInf;
  if (sc.all_neginf) return -kInf;
  scaled L = log1p(others_sum(x, sc));
  if (L.m.hi == 0) return sc.m;  // every other term is 0 (or below e^-2000: m + 2^-2885 rounds to m)
  scaled r = add(from_double(sc.m), L);
  // r = 0 means the dd terms cancelled completely, not that the exact value is 0 (it is not, by
  // Lindemann-Weierstrass): only the precise tier can tell.
  if (r.m.hi != 0 && rounding_certain(r, kRelErr * cancellation_ratio(from_double(sc.m), L, r))) return round(r);
  return fallback::logsumexp(x);
}

}  // namespace detail
}  // namespace softcheck
