// Accurate sigmoid and log-sigmoid: double-double evaluation, one final rounding (subnormals included),
// Ziv's rounding test with a multi-double fallback.
#include <cmath>
#include <limits>

#include "impl/check.hpp"
#include "impl/exp_log.hpp"
#include "impl/fallback.hpp"
#include "impl/fast.hpp"
#include "impl/softcheck.hpp"

namespace softcheck {
namespace detail {

// σ(x) for |x| <= 1500 as a scaled value. x >= 0: 1 / (1 + e^-x); x < 0: e^x / (1 + e^x), so that a
// subnormal σ keeps its bits in the scaled numerator. Errors: e^±x < 2^-99, 1 + e <= 2u^2 (the error of
// e is damped by e/(1+e) <= 1), division <= 15u^2: relative error < 2^-98.5.
scaled sigmoid_scaled(double x) {
  scaled one{{1.0, 0.0}, 0};
  if (x >= 0) {
    scaled e = exp_scaled(dd{-x, 0.0});
    return div(one, add(one, e));
  }
  scaled e = exp_scaled(dd{x, 0.0});
  return div(e, add(one, e));
}

}  // namespace detail

using namespace detail;

namespace {
double sigmoid_precise(double x) {
  if (std::isnan(x)) return x;
  if (x > 800) return 1.0;   // 1 - σ(x) < 2^-1154: RN(σ) = 1
  if (x < -800) return 0.0;  // σ(x) < e^x < 2^-1154 < 2^-1075: RN(σ) = +0
  scaled s = sigmoid_scaled(x);
  if (rounding_certain(s, kRelErr)) return round(s);
  return fallback::sigmoid(x);
}
}  // namespace

// One value through tier 0 (a vector with one lane), the tiers above where it cannot prove the rounding.
double sigmoid(double x) {
  double y;
  fast::sigmoid(&x, 1, &y, sigmoid_precise);
  return y;
}

namespace {
// log σ(x) = -log1p(e^-x) for x >= 0 (scaled, so -e^-x stays exact into the subnormals for x > 708),
// x - log1p(e^x) for x < 0 (two terms of the same sign). Relative error <= 2^-97 + 3u^2.
double log_sigmoid_precise(double x) {
  if (std::isnan(x)) return x;
  if (x == std::numeric_limits<double>::infinity()) return 0.0;
  if (x == -std::numeric_limits<double>::infinity()) return x;
  if (x >= 0) {
    if (x > 1500) return -0.0;  // |log σ| < e^-x < 2^-2164
    scaled r = neg(log1p(exp_scaled(dd{-x, 0.0})));
    if (rounding_certain(r, kRelErr)) return round(r);
    return fallback::log_sigmoid(x);
  }
  if (x < -800) return x;  // log1p(e^x) < 2^-1154, far below ulp(x)/2 >= 2^-44
  dd l = to_dd(log1p(exp_scaled(dd{x, 0.0})));
  dd r = add(dd{x, 0.0}, -l);
  if (rounding_certain(r, kRelErr * std::fabs(r.hi), 0)) return r.hi;
  return fallback::log_sigmoid(x);
}
}  // namespace

double log_sigmoid(double x) {
  double y;
  fast::log_sigmoid(&x, 1, &y, log_sigmoid_precise);
  return y;
}

void sigmoid(std::span<const double> x, std::span<double> y) {
  check_output("sigmoid", "y", x, y);
  // Tier 0 (fast.hpp) where it proves the rounding, the scalar tiers above elsewhere.
  fast::sigmoid(x.data(), x.size(), y.data(), sigmoid_precise);
}

void log_sigmoid(std::span<const double> x, std::span<double> y) {
  check_output("log_sigmoid", "y", x, y);
  fast::log_sigmoid(x.data(), x.size(), y.data(), log_sigmoid_precise);
}

}  // namespace softcheck
