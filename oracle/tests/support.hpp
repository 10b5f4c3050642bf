// Shared by the oracle's tests: high-precision reconstruction of v from a Ref, and input regimes.
#pragma once

#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "oracle/oracle.hpp"

namespace oracle_test {

// Per-thread MPFR exponent range as wide as the oracle's.
inline void wide_exponents() {
  mpfr_set_emin(mpfr_get_emin_min());
  mpfr_set_emax(mpfr_get_emax_max());
}

// RAII mpfr_t.
struct Mp {
  explicit Mp(mpfr_prec_t p = 400) { mpfr_init2(v, p); }
  ~Mp() { mpfr_clear(v); }
  Mp(const Mp&) = delete;
  Mp& operator=(const Mp&) = delete;
  mpfr_t v;
};

// v = rounded + frac ulp(v) (docs/definitions.md's ulp of v: halved just below a power of two), into out.
// Accurate to 2^-62 ulp (frac's guarantee) plus frac's own rounding (2^-54 |frac| ulp).
inline void reconstruct(const softcheck::oracle::Ref& r, mpfr_ptr out) {
  mpfr_set_d(out, r.rounded, MPFR_RNDN);
  if (r.frac == 0 || !std::isfinite(r.rounded)) return;
  int e = r.rounded == 0 ? -1074 : std::max(std::ilogb(r.rounded), -1022) - 52;
  const double a = std::fabs(r.rounded);
  if (a >= 0x1p-1021 && std::ldexp(1.0, std::ilogb(a)) == a && r.frac * r.rounded < 0) --e;
  Mp f(64);
  mpfr_set_d(f.v, r.frac, MPFR_RNDN);
  mpfr_mul_2si(f.v, f.v, e, MPFR_RNDN);
  mpfr_add(out, out, f.v, MPFR_RNDN);
}

// Reproducible input vectors from docs/definitions.md's regimes (finite entries only).
inline std::vector<std::vector<double>> regimes(unsigned seed, int per_regime) {
  std::mt19937_64 rng(seed);
  auto uni = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto size = [&](std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(rng);
  };
  std::vector<std::vector<double>> out;
  for (int k = 0; k < per_regime; ++k) {
    std::vector<double> unit(size(1, 16)), wide(size(1, 16)), tail(size(2, 8)), dominant(size(2, 8)),
        ties(size(2, 8));
    for (double& x : unit) x = uni(-1, 1);
    for (double& x : wide) x = uni(-50, 50);
    const double m = uni(-5, 5);
    for (double& x : tail) x = m - uni(700, 745);
    tail[0] = m;
    for (double& x : dominant) x = uni(-3, 3);
    dominant[size(0, dominant.size() - 1)] += uni(20, 800);
    const double t = uni(-3, 3);
    for (double& x : ties) {
      x = t;
      for (std::size_t s = size(0, 3); s > 0; --s) x = std::nextafter(x, 10.0);
    }
    out.insert(out.end(), {unit, wide, tail, dominant, ties});
  }
  return out;
}

}  // namespace oracle_test
