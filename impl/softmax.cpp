// Accurate softmax, log-softmax and logsumexp: exact x_i - m, double-double exp, pairwise sum, log1p of
// the other terms, one final rounding, Ziv's test with a multi-double fallback.
#include <cmath>
#include <limits>

#include "impl/check.hpp"
#include "impl/fallback.hpp"
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
}  // namespace detail

using namespace detail;

// softmax_i = e^(x_i - m) / (1 + s): term < 2^-99, S < 2^-98.3 (term + pairwise), division 15u^2:
// relative error < 2^-97.4 < kRelErr, subnormal results rounded once from the scaled quotient.
void softmax(std::span<const double> x, std::span<double> y) {
  check_output("softmax", "y", x, y);
  if (x.empty()) return;
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
void log_softmax(std::span<const double> x, std::span<double> y) {
  check_output("log_softmax", "y", x, y);
  if (x.empty()) return;
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
double logsumexp(std::span<const double> x) {
  if (x.empty()) return -kInf;
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

}  // namespace softcheck
