// Teeth: the suite must find the known failures of the reference variants and of mutated accurate kernels.
// Naive and standard, and mutants (a flipped sign, a missing Σt, the wrong class, ...), with small shrunk
// counterexamples. Every (variant, property) pair runs and prints its verdict; the known failures assert.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "impl/kernels.hpp"
#include "impl/softcheck.hpp"
#include "properties/suite.hpp"

namespace {

namespace sp = softcheck::properties;

// A failure the suite must find: the property fails, its counterexample shrinks to at most max_n
// elements, and (when given) the failure's kind contains `kind`.
struct Known {
  std::string impl, property;
  int max_n;
  std::string kind;
  std::string why;
};

const std::vector<Known>& known_failures() {
  static const std::vector<Known> k = {
      // naive: exp overflows at +1000 (inf/inf = NaN) and underflows at -1000 (0/0 = NaN)
      {"naive", "finite.softmax", 2, "special", "NaN at ±1000"},
      {"naive", "finite.log_softmax", 2, "special", "NaN at ±1000"},
      {"naive", "finite.logsumexp", 2, "special", "inf at +1000"},
      {"naive", "finite.cross_entropy", 2, "special", "NaN at ±1000"},
      {"naive", "finite.cross_entropy_dist", 2, "special", "NaN at ±1000"},
      {"naive", "agreement.softmax.extreme", 2, "special", "NaN at ±1000"},
      // naive: log(softmax) and softmax - onehot lose every digit on dominant inputs
      {"naive", "agreement.log_softmax.dominant", 2, "log_softmax(x) | digits lost", "log(1 - tiny) = 0"},
      {"naive", "agreement.cross_entropy_grad.dominant", 2, "gradient (target class) | digits lost", "p_k - 1 cancels"},
      // standard: x_i - max rounded: ULP breaches on wide, dominant and tail inputs
      {"standard", "agreement.softmax.wide", 2, "softmax(x) | over budget", "exp(x_i - m) after rounding x_i - m"},
      {"standard", "agreement.softmax.dominant", 2, "softmax(x)", "exp(x_i - m) after rounding x_i - m"},
      {"standard", "agreement.softmax.tail", 2, "softmax(x)", "exp(x_i - m) after rounding x_i - m"},
      {"standard", "agreement.log_softmax.wide", 2, "log_softmax(x)", "x - m - log(s) rounds twice"},
      {"standard", "agreement.log_softmax.tail", 2, "log_softmax(x)", "x - m - log(s) rounds twice"},
      // standard: the dominant log-softmax and the target-class gradient lose every digit
      {"standard", "agreement.log_softmax.dominant", 2, "log_softmax(x) | digits lost", "-log(1 + tiny) = 0"},
      {"standard", "agreement.cross_entropy_grad.dominant", 2, "gradient (target class) | digits lost",
       "exp(log_softmax_k) - 1 cancels"},
      {"standard", "gradsum.cross_entropy", 2, "", "the target-class gradient does not balance the others"},
      // standard: m + log(S) near 0 (the cancel regime) keeps ~2^-53 |m| of error in a ~2^-53 |m| result
      {"standard", "agreement.logsumexp.cancel", 2, "logsumexp(x) | digits lost", "m + log(S) cancels"},
      // sigmoid's derivative: PyTorch's y (1 - y) is 0 once y = RN(σ(x)) is 1 (x > 36.7); the textbook
      // e^-x / (1 + e^-x)^2 is inf/inf = NaN below x = -709.8
      {"standard", "agreement.sigmoid_derivative.thresholds", 1, "sigmoid_derivative(x) | digits lost",
       "y (1 - y) with y = RN(σ(x)) = 1"},
      {"naive", "agreement.sigmoid_derivative.special", 1, "sigmoid_derivative(x) | special",
       "e^-x / (1 + e^-x)^2: inf/inf"},
      // sigmoid's backward pass: two roundings, and g (1 - y) or g y through the subnormals before the
      // last factor scales it back up
      {"standard", "agreement.sigmoid_backward.ties", 2, "sigmoid_backward(y, g) | over budget",
       "g (1 - y) y: two roundings, an intermediate underflow"},
      {"naive", "agreement.sigmoid_backward.wide", 1, "sigmoid_backward(y, g) | over budget",
       "g y (1 - y): two roundings, an intermediate underflow"},
      // softmax's and log-softmax's backward passes: g - Σ g y cancels where g is nearly constant on y's
      // support; 1 - e^{y_k} where p_k ~ 1 and g is one-hot at k (the confident cross-entropy)
      {"standard", "agreement.softmax_backward.cancel", 2, "softmax_backward(y, g)", "y (g - Σ g y) cancels"},
      {"naive", "agreement.softmax_backward.dominant", 2, "softmax_backward(y, g)", "y g - y Σ g y cancels"},
      {"standard", "agreement.log_softmax_backward.extreme", 2, "log_softmax_backward(y, g)",
       "g - exp(y) Σg: 1 - e^{y_k} cancels"},
      {"naive", "agreement.log_softmax_backward.tail", 2, "log_softmax_backward(y, g)", "g - exp(y) Σg cancels"},
      // the input form through the rounded forward output (what autograd computes): 1 - exp(RN(log p_k))
      {"standard", "agreement.softmax_vjp.unit", 2, "softmax_vjp(x, g)", "RN(p) (g - ⟨g, RN(p)⟩) cancels"},
      {"standard", "agreement.log_softmax_vjp.dominant", 2, "log_softmax_vjp(x, g) | digits lost",
       "g - exp(RN(log_softmax(x))) Σg: 1 - p_k for a confident p_k"},
      // the two forms of one backward pass drift apart by more than the forward's rounding: the input form
      // goes through the variant's own forward (its rounding of x_i - m, its log(s)), or overflows
      {"standard", "forms.softmax_backward", 2, "", "the input form through exp(RN(x_i - m))"},
      {"standard", "forms.log_softmax_backward", 2, "", "the input form through exp(RN(x - m - log s))"},
      {"naive", "forms.softmax_backward", 1, "", "NaN: e^x overflows in the input form"},
      {"naive", "forms.log_softmax_backward", 1, "", "NaN: e^x overflows in the input form"},
  };
  return k;
}

// --- Mutants of the accurate kernels: one wrong gradient each --------------------------------------

double ce_flipped_sign(const double* x, std::size_t n, std::size_t k, double* g) {
  const double loss = softcheck::bundled_kernels("accurate").cross_entropy(x, n, k, g);
  if (g)
    for (std::size_t i = 0; i < n; ++i) g[i] = -g[i];
  return loss;
}
double ce_wrong_class(const double* x, std::size_t n, std::size_t k, double* g) {
  const auto& acc = softcheck::bundled_kernels("accurate");
  const double loss = acc.cross_entropy(x, n, k, nullptr);
  if (g) acc.cross_entropy(x, n, (k + 1) % n, g);
  return loss;
}
double ce_dist_missing_sum(const double* x, const double* t, std::size_t n, double* g) {
  const auto& acc = softcheck::bundled_kernels("accurate");
  const double loss = acc.cross_entropy_dist(x, t, n, nullptr);
  if (g) {
    acc.softmax(x, n, g);  // softmax - t: the factor Σt is missing
    for (std::size_t i = 0; i < n; ++i) g[i] -= t[i];
  }
  return loss;
}
double ce_dist_flipped_sign(const double* x, const double* t, std::size_t n, double* g) {
  const double loss = softcheck::bundled_kernels("accurate").cross_entropy_dist(x, t, n, g);
  if (g)
    for (std::size_t i = 0; i < n; ++i) g[i] = -g[i];
  return loss;
}
double bce_flipped_sign(double x, double t, double* g) {
  const double loss = softcheck::bundled_kernels("accurate").bce_with_logits(x, t, g);
  if (g) *g = -*g;
  return loss;
}
void softmax_rotated(const double* x, std::size_t n, double* y) {  // every probability at the wrong class
  softcheck::bundled_kernels("accurate").softmax(x, n, y);
  std::rotate(y, y + (n > 1 ? 1 : 0), y + n);
}
void sigmoid_steeper(const double* x, std::size_t n, double* y) {  // σ(1.25x): σ(1 - σ) is no longer σ'
  for (std::size_t i = 0; i < n; ++i) y[i] = softcheck::sigmoid(1.25 * x[i]);
}
void log_sigmoid_wrong_sign(const double* x, std::size_t n, double* y) {  // log σ(-x)
  for (std::size_t i = 0; i < n; ++i) y[i] = softcheck::log_sigmoid(-x[i]);
}
void sigmoid_jitter(const double* x, std::size_t n, double* y) {  // +1 ULP where x's last bit is set
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = softcheck::sigmoid(x[i]);
    if (std::bit_cast<std::uint64_t>(x[i]) & 1) y[i] = std::nextafter(y[i], 2.0);
  }
}

void log_sigmoid_jitter(const double* x, std::size_t n, double* y) {  // +1 ULP where x's last bit is set
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = softcheck::log_sigmoid(x[i]);
    if (std::bit_cast<std::uint64_t>(x[i]) & 1) y[i] = std::nextafter(y[i], 1.0);
  }
}
void log_softmax_minus_lse(const double* x, std::size_t n, double* y) {  // x_i - RN(logsumexp(x)): 2 roundings
  const double l = softcheck::bundled_kernels("accurate").logsumexp(x, n);
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] - l;
}
// m + log1p(s) with log1p(s) = -log_softmax(x)_argmax correctly rounded, then one more rounding: about
// 1 ULP where the result is not much smaller than its terms, no correct digit where m ≈ -log1p(s).
double logsumexp_cancelling(const double* x, std::size_t n) {
  if (n == 0) return -HUGE_VAL;
  std::vector<double> ls(n);
  softcheck::bundled_kernels("accurate").log_softmax(x, n, ls.data());
  const std::size_t a = static_cast<std::size_t>(std::max_element(x, x + n) - x);
  if (!std::isfinite(x[a])) return softcheck::bundled_kernels("accurate").logsumexp(x, n);
  return x[a] - ls[a];
}
// The accurate logsumexp, but a result below 2^-40 |m| (m the max) is taken for cancellation noise and
// flushed to 0: correct everywhere except in the `cancel` regime's locus (the kernel, which
// passed the whole suite before that regime).
double logsumexp_flushes_cancelled(const double* x, std::size_t n) {
  const double r = softcheck::bundled_kernels("accurate").logsumexp(x, n);
  const double m = n ? *std::max_element(x, x + n) : 0.0;
  return std::isfinite(m) && std::fabs(r) < std::ldexp(std::fabs(m), -40) ? 0.0 : r;
}
// --- Mutants of the mutation score: the bugs kernel authors actually ship ---------------------------

const softcheck::Kernels& acc() { return softcheck::bundled_kernels("accurate"); }

void softmax_no_max_shift(const double* x, std::size_t n, double* y) {  // e^1000 = inf
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += std::exp(x[i]);
  for (std::size_t i = 0; i < n; ++i) y[i] = std::exp(x[i]) / s;
}
void softmax_float_sum(const double* x, std::size_t n, double* y) {  // the sum accumulated in binary32
  const double m = n ? *std::max_element(x, x + n) : 0.0;
  float s = 0;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<float>(std::exp(x[i] - m));
  for (std::size_t i = 0; i < n; ++i) y[i] = std::exp(x[i] - m) / static_cast<double>(s);
}
void softmax_skips_last(const double* x, std::size_t n, double* y) {  // off by one: the sum misses x[n-1]
  const double m = n ? *std::max_element(x, x + n) : 0.0;
  double s = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) s += std::exp(x[i] - m);
  for (std::size_t i = 0; i < n; ++i) y[i] = std::exp(x[i] - m) / s;
}
void sigmoid_flush_to_zero(const double* x, std::size_t n, double* y) {  // an FTZ build: no subnormal σ
  acc().sigmoid(x, n, y);
  for (std::size_t i = 0; i < n; ++i)
    if (std::fabs(y[i]) < DBL_MIN) y[i] = 0;
}
void sigmoid_zero_below_709(const double* x, std::size_t n, double* y) {  // "e^x underflows there anyway"
  acc().sigmoid(x, n, y);
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] < -709.78) y[i] = 0;
}
void sigmoid_via_tanh(const double* x, std::size_t n, double* y) {  // (1 + tanh(x/2))/2 cancels for x < 0
  for (std::size_t i = 0; i < n; ++i) y[i] = 0.5 * (1 + std::tanh(0.5 * x[i]));
}
void sigmoid_bad_window(const double* x, std::size_t n, double* y) {  // 4 ULPs off in a 2^16-ULP window
  acc().sigmoid(x, n, y);                                              // where σ becomes subnormal
  const double edge = std::log(DBL_MIN);                               // σ(x) ≈ e^x = DBL_MIN
  for (std::size_t i = 0; i < n; ++i)
    if (std::fabs(x[i] - edge) < 0x1p16 * 0x1p-43 && y[i] != 0)
      for (int k = 0; k < 4; ++k) y[i] = std::nextafter(y[i], 1.0);
}
void log_sigmoid_unguarded(const double* x, std::size_t n, double* y) {  // -log1p(e^-x): -inf below -709
  for (std::size_t i = 0; i < n; ++i) y[i] = -std::log1p(std::exp(-x[i]));
}
double logsumexp_no_max_shift(const double* x, std::size_t n) {  // log Σ e^x: inf at 1000
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += std::exp(x[i]);
  return std::log(s);
}
double logsumexp_skips_last(const double* x, std::size_t n) {  // off by one
  return acc().logsumexp(x, n > 1 ? n - 1 : n);
}
void log_softmax_as_log_of_softmax(const double* x, std::size_t n, double* y) {  // log(1 - tiny) = 0
  acc().softmax(x, n, y);
  for (std::size_t i = 0; i < n; ++i) y[i] = std::log(y[i]);
}
double ce_loss_as_minus_log_p(const double* x, std::size_t n, std::size_t k, double* g) {  // -log(RN(p_k))
  const double loss = acc().cross_entropy(x, n, k, g);
  std::vector<double> p(n);
  acc().softmax(x, n, p.data());
  return k < n ? -std::log(p[k]) : loss;
}
double ce_grad_p_minus_onehot(const double* x, std::size_t n, std::size_t k, double* g) {  // RN(p_k) - 1
  const double loss = acc().cross_entropy(x, n, k, nullptr);
  if (g) {
    acc().softmax(x, n, g);
    if (k < n) g[k] -= 1;
  }
  return loss;
}
double ce_loss_averaged(const double* x, std::size_t n, std::size_t k, double* g) {  // "mean" over classes
  return acc().cross_entropy(x, n, k, g) / static_cast<double>(n ? n : 1);
}
double ce_dist_grad_rounded_p(const double* x, const double* t, std::size_t n, double* g) {  // T RN(p_i) - t_i
  const double loss = acc().cross_entropy_dist(x, t, n, nullptr);
  if (g) {
    double T = 0;
    for (std::size_t i = 0; i < n; ++i) T += t[i];
    acc().softmax(x, n, g);
    for (std::size_t i = 0; i < n; ++i) g[i] = T * g[i] - t[i];
  }
  return loss;
}
double bce_textbook(double x, double t, double* g) {  // -t log σ - (1-t) log(1 - σ): log 0 beyond ±37
  const double s = softcheck::sigmoid(x);
  if (g) *g = s - t;
  return -t * std::log(s) - (1 - t) * std::log(1 - s);
}
double bce_targets_swapped(double x, double t, double* g) {  // the loss of 1 - t
  double unused;
  acc().bce_with_logits(x, t, g);
  return acc().bce_with_logits(x, 1 - t, &unused);
}
double bce_grad_rounded_sigma(double x, double t, double* g) {  // RN(σ(x)) - t cancels when t ≈ σ(x)
  const double loss = acc().bce_with_logits(x, t, nullptr);
  if (g) *g = softcheck::sigmoid(x) - t;
  return loss;
}

void sigmoid_derivative_from_rounded_sigma(const double* x, std::size_t n, double* y) {  // RN(σ)(1 - RN(σ))
  for (std::size_t i = 0; i < n; ++i) {
    const double s = softcheck::sigmoid(x[i]);
    y[i] = s * (1 - s);
  }
}
void sigmoid_derivative_flush_to_zero(const double* x, std::size_t n, double* y) {  // no subnormal σ'
  softcheck::bundled_kernels("accurate").sigmoid_derivative(x, n, y);
  for (std::size_t i = 0; i < n; ++i)
    if (std::fabs(y[i]) < DBL_MIN) y[i] = 0;
}
void sigmoid_backward_without_g(const double* y, const double* g, std::size_t n, double* out) {  // y (1 - y)
  (void)g;
  softcheck::Kernels k = softcheck::bundled_kernels("accurate");
  std::vector<double> ones(n, 1.0);
  k.sigmoid_backward(y, ones.data(), n, out);
}
void softmax_backward_without_dot(const double* y, const double* g, std::size_t n, double* out) {  // y g
  for (std::size_t i = 0; i < n; ++i) out[i] = y[i] * g[i];
}
void log_softmax_backward_diagonal(const double* y, const double* g, std::size_t n, double* out) {  // g - e^y g
  for (std::size_t i = 0; i < n; ++i) out[i] = g[i] - std::exp(y[i]) * g[i];
}
void softmax_backward_flush_to_zero(const double* y, const double* g, std::size_t n, double* out) {
  softcheck::bundled_kernels("accurate").softmax_backward(y, g, n, out);
  for (std::size_t i = 0; i < n; ++i)
    if (std::fabs(out[i]) < 0x1p-900) out[i] = 0;  // an absolute threshold: "negligible" outputs dropped
}
void log_softmax_vjp_from_rounded_p(const double* x, const double* g, std::size_t n, double* out) {
  std::vector<double> p(n);  // g - RN(p) Σg: p correctly rounded, then the product and difference rounded
  softcheck::softmax({x, n}, p);
  double G = 0;
  for (std::size_t j = 0; j < n; ++j) G += g[j];
  for (std::size_t i = 0; i < n; ++i) out[i] = g[i] - p[i] * G;
}
void softmax_vjp_from_rounded_p(const double* x, const double* g, std::size_t n, double* out) {
  std::vector<double> p(n);  // RN(p) (g - ⟨g, RN(p)⟩): p correctly rounded, the rest in plain double
  softcheck::softmax({x, n}, p);
  double dot = 0;
  for (std::size_t j = 0; j < n; ++j) dot += g[j] * p[j];
  for (std::size_t i = 0; i < n; ++i) out[i] = p[i] * (g[i] - dot);
}
void sigmoid_as_ratio(const double* x, std::size_t n, double* y) {  // e^x / (1 + e^x): inf/inf at +inf
  for (std::size_t i = 0; i < n; ++i) y[i] = std::exp(x[i]) / (1 + std::exp(x[i]));
}
void log_sigmoid_as_x_minus_softplus(const double* x, std::size_t n, double* y) {  // inf - inf at +inf
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] - std::log1p(std::exp(x[i]));
}

struct Mutant {
  std::string name, property, why;
  softcheck::Kernels kernels;
  int max_n;
};

std::vector<Mutant> mutants() {
  auto with = [](const char* name, auto edit) {
    softcheck::Kernels k = softcheck::bundled_kernels("accurate");
    k.name = std::string("mutant-") + name;
    edit(k);
    return k;
  };
  return {
      {"ce_flipped_sign", "gradient.cross_entropy", "gradient with a flipped sign",
       with("ce_flipped_sign", [](auto& k) { k.cross_entropy = ce_flipped_sign; }), 2},
      {"ce_wrong_class", "gradient.cross_entropy", "gradient of the wrong class",
       with("ce_wrong_class", [](auto& k) { k.cross_entropy = ce_wrong_class; }), 2},
      {"ce_dist_missing_sum", "gradient.cross_entropy_dist", "softmax - t: the factor Σt missing",
       with("ce_dist_missing_sum", [](auto& k) { k.cross_entropy_dist = ce_dist_missing_sum; }), 2},
      {"ce_dist_flipped_sign", "gradient.cross_entropy_dist", "gradient with a flipped sign",
       with("ce_dist_flipped_sign", [](auto& k) { k.cross_entropy_dist = ce_dist_flipped_sign; }), 2},
      {"bce_flipped_sign", "gradient.bce_with_logits", "t - σ(x) instead of σ(x) - t",
       with("bce_flipped_sign", [](auto& k) { k.bce_with_logits = bce_flipped_sign; }), 2},
      {"softmax_rotated", "gradient.logsumexp", "the softmax of the wrong class",
       with("softmax_rotated", [](auto& k) { k.softmax = softmax_rotated; }), 2},
      {"sigmoid_steeper", "gradient.sigmoid", "σ(1.25x): σ(1-σ) is not its derivative",
       with("sigmoid_steeper", [](auto& k) { k.sigmoid = sigmoid_steeper; }), 1},
      {"log_sigmoid_wrong_sign", "gradient.log_sigmoid", "log σ(-x): 1-σ is not its derivative",
       with("log_sigmoid_wrong_sign", [](auto& k) { k.log_sigmoid = log_sigmoid_wrong_sign; }), 1},
      {"sigmoid_jitter", "monotone.sigmoid", "+1 ULP on odd inputs breaks monotonicity",
       with("sigmoid_jitter", [](auto& k) { k.sigmoid = sigmoid_jitter; }), 2},
      // The properties that no reference variant fails get a mutant each, so their teeth are shown too.
      {"log_sigmoid_jitter", "monotone.log_sigmoid", "+1 ULP on odd inputs breaks monotonicity",
       with("log_sigmoid_jitter", [](auto& k) { k.log_sigmoid = log_sigmoid_jitter; }), 2},
      {"log_softmax_minus_lse", "consistency.log_softmax", "x - logsumexp(x) drifts from log(softmax)",
       with("log_softmax_minus_lse", [](auto& k) { k.log_softmax = log_softmax_minus_lse; }), 2},
      {"logsumexp_cancelling", "agreement.logsumexp.cancel", "m + RN(log1p(s)): cancels where the result is near 0",
       with("logsumexp_cancelling", [](auto& k) { k.logsumexp = logsumexp_cancelling; }), 16},
      {"logsumexp_flushes_cancelled", "agreement.logsumexp.cancel", "a result below 2^-40 |max x_i| flushed to 0",
       with("logsumexp_flushes_cancelled", [](auto& k) { k.logsumexp = logsumexp_flushes_cancelled; }), 16},
      // The mutation score's mutants (MutationScore below runs the whole suite on every mutant).
      {"softmax_no_max_shift", "finite.softmax", "e^x / Σ e^x: inf/inf at 1000",
       with("softmax_no_max_shift", [](auto& k) { k.softmax = softmax_no_max_shift; }), 2},
      {"softmax_float_sum", "agreement.softmax.unit", "Σ accumulated in binary32",
       with("softmax_float_sum", [](auto& k) { k.softmax = softmax_float_sum; }), 16},
      {"softmax_skips_last", "sum.softmax.unit", "the sum over n - 1 terms",
       with("softmax_skips_last", [](auto& k) { k.softmax = softmax_skips_last; }), 2},
      {"sigmoid_flush_to_zero", "agreement.sigmoid.thresholds", "subnormal σ flushed to 0 (an FTZ build)",
       with("sigmoid_flush_to_zero", [](auto& k) { k.sigmoid = sigmoid_flush_to_zero; }), 1},
      {"sigmoid_zero_below_709", "agreement.sigmoid.thresholds", "σ = 0 below x = -709.78",
       with("sigmoid_zero_below_709", [](auto& k) { k.sigmoid = sigmoid_zero_below_709; }), 1},
      {"sigmoid_via_tanh", "agreement.sigmoid.uniform", "(1 + tanh(x/2))/2 cancels for x < 0",
       with("sigmoid_via_tanh", [](auto& k) { k.sigmoid = sigmoid_via_tanh; }), 1},
      {"sigmoid_bad_window", "agreement.sigmoid.thresholds", "4 ULPs off in a window of 2^16 ULPs",
       with("sigmoid_bad_window", [](auto& k) { k.sigmoid = sigmoid_bad_window; }), 1},
      {"log_sigmoid_unguarded", "agreement.log_sigmoid.uniform", "-log1p(e^-x): -inf below x = -709",
       with("log_sigmoid_unguarded", [](auto& k) { k.log_sigmoid = log_sigmoid_unguarded; }), 1},
      {"logsumexp_no_max_shift", "finite.logsumexp", "log Σ e^x: inf at 1000",
       with("logsumexp_no_max_shift", [](auto& k) { k.logsumexp = logsumexp_no_max_shift; }), 2},
      {"logsumexp_skips_last", "agreement.logsumexp.unit", "the sum over n - 1 terms",
       with("logsumexp_skips_last", [](auto& k) { k.logsumexp = logsumexp_skips_last; }), 2},
      {"log_softmax_as_log_of_softmax", "agreement.log_softmax.dominant", "log(RN(softmax)): log(1 - tiny) = 0",
       with("log_softmax_as_log_of_softmax", [](auto& k) { k.log_softmax = log_softmax_as_log_of_softmax; }), 2},
      {"ce_loss_as_minus_log_p", "agreement.cross_entropy.dominant", "-log(RN(p_k))",
       with("ce_loss_as_minus_log_p", [](auto& k) { k.cross_entropy = ce_loss_as_minus_log_p; }), 2},
      {"ce_grad_p_minus_onehot", "agreement.cross_entropy_grad.dominant", "RN(p_k) - 1: no digit left",
       with("ce_grad_p_minus_onehot", [](auto& k) { k.cross_entropy = ce_grad_p_minus_onehot; }), 2},
      {"ce_loss_averaged", "agreement.cross_entropy.unit", "the loss divided by n",
       with("ce_loss_averaged", [](auto& k) { k.cross_entropy = ce_loss_averaged; }), 2},
      {"ce_dist_grad_rounded_p", "agreement.cross_entropy_dist_grad.unit", "T RN(p_i) - t_i cancels",
       with("ce_dist_grad_rounded_p", [](auto& k) { k.cross_entropy_dist = ce_dist_grad_rounded_p; }), 2},
      {"bce_textbook", "finite.bce_with_logits", "-t log σ - (1-t) log(1-σ): log 0",
       with("bce_textbook", [](auto& k) { k.bce_with_logits = bce_textbook; }), 2},
      {"bce_targets_swapped", "agreement.bce_with_logits.uniform", "the loss of 1 - t",
       with("bce_targets_swapped", [](auto& k) { k.bce_with_logits = bce_targets_swapped; }), 2},
      {"bce_grad_rounded_sigma", "agreement.bce_with_logits_grad.uniform", "RN(σ(x)) - t cancels",
       with("bce_grad_rounded_sigma", [](auto& k) { k.bce_with_logits = bce_grad_rounded_sigma; }), 2},
      {"sigmoid_derivative_from_rounded_sigma", "agreement.sigmoid_derivative.uniform",
       "RN(σ)(1 - RN(σ)): 1 - RN(σ) cancels for x > 0",
       with("sigmoid_derivative_from_rounded_sigma",
            [](auto& k) { k.sigmoid_derivative = sigmoid_derivative_from_rounded_sigma; }), 1},
      {"sigmoid_derivative_flush_to_zero", "agreement.sigmoid_derivative.thresholds",
       "subnormal σ' flushed to 0 (an FTZ build)",
       with("sigmoid_derivative_flush_to_zero", [](auto& k) { k.sigmoid_derivative = sigmoid_derivative_flush_to_zero; }),
       1},
      {"sigmoid_backward_without_g", "agreement.sigmoid_backward.unit", "y (1 - y): the upstream gradient ignored",
       with("sigmoid_backward_without_g", [](auto& k) { k.sigmoid_backward = sigmoid_backward_without_g; }), 1},
      {"softmax_backward_without_dot", "agreement.softmax_backward.unit", "y g: the ⟨g, y⟩ term forgotten",
       with("softmax_backward_without_dot", [](auto& k) { k.softmax_backward = softmax_backward_without_dot; }), 2},
      {"log_softmax_backward_diagonal", "agreement.log_softmax_backward.unit",
       "g - e^y g: the Jacobian's diagonal only",
       with("log_softmax_backward_diagonal", [](auto& k) { k.log_softmax_backward = log_softmax_backward_diagonal; }),
       2},
      {"softmax_backward_flush_to_zero", "scaling.softmax_backward", "outputs below 2^-900 dropped",
       with("softmax_backward_flush_to_zero", [](auto& k) { k.softmax_backward = softmax_backward_flush_to_zero; }),
       2},
      {"softmax_vjp_from_rounded_p", "agreement.softmax_vjp.unit", "RN(p) (g - ⟨g, RN(p)⟩)",
       with("softmax_vjp_from_rounded_p", [](auto& k) { k.softmax_vjp = softmax_vjp_from_rounded_p; }), 2},
      {"log_softmax_vjp_from_rounded_p", "agreement.log_softmax_vjp.dominant", "g - RN(softmax(x)) Σg",
       with("log_softmax_vjp_from_rounded_p",
            [](auto& k) { k.log_softmax_vjp = log_softmax_vjp_from_rounded_p; }),
       2},
      {"sigmoid_as_ratio", "special.sigmoid", "e^x / (1 + e^x) is NaN at +inf",
       with("sigmoid_as_ratio", [](auto& k) { k.sigmoid = sigmoid_as_ratio; }), 0},
      {"log_sigmoid_as_x_minus_softplus", "special.log_sigmoid", "x - log1p(e^x) is NaN at +inf",
       with("log_sigmoid_as_x_minus_softplus", [](auto& k) { k.log_sigmoid = log_sigmoid_as_x_minus_softplus; }), 0},
  };
}

void print(const sp::PropertyOutcome& r, const std::string& impl) {
  std::cout << sp::describe(r, impl) << "VERDICT " << impl << " " << r.property << " "
            << (r.skipped ? "skip" : r.passed ? "pass" : "FAIL") << " n=" << r.shrunk_n
            << (r.kind.empty() ? "" : " kind=\"" + r.kind + "\"") << "\n";
}

// One (variant, property) pair; asserts when it is a known failure.
class VariantTest : public testing::Test {
 public:
  VariantTest(std::string impl, std::string id, const Known* known)
      : impl_(std::move(impl)), id_(std::move(id)), known_(known) {}
  void TestBody() override {
    const sp::PropertyOutcome r =
        sp::run_property(softcheck::bundled_kernels(impl_), id_, sp::options_from_environment());
    print(r, impl_);
    RecordProperty("shrunk_n", r.shrunk_n);
    if (!known_) return;  // not a known failure: reported, not asserted
    ASSERT_FALSE(r.passed) << "the suite no longer finds " << impl_ << "'s known failure (" << known_->why << ")";
    EXPECT_LE(r.shrunk_n, known_->max_n) << "the counterexample did not shrink: " << r.counterexample;
    EXPECT_NE(r.kind.find(known_->kind), std::string::npos)
        << "expected a failure of kind '" << known_->kind << "' (" << known_->why << "), got '" << r.kind << "'";
  }

 private:
  std::string impl_, id_;
  const Known* known_;
};

class MutantTest : public testing::Test {
 public:
  explicit MutantTest(Mutant m) : m_(std::move(m)) {}
  void TestBody() override {
    const sp::PropertyOutcome r = sp::run_property(m_.kernels, m_.property, sp::options_from_environment());
    print(r, m_.kernels.name);
    RecordProperty("shrunk_n", r.shrunk_n);
    ASSERT_FALSE(r.passed) << m_.property << " does not reject a " << m_.why;
    EXPECT_LE(r.shrunk_n, m_.max_n) << "the counterexample did not shrink: " << r.counterexample;
  }

 private:
  Mutant m_;
};

// The locus the `cancel` regime adds: logsumexp_flushes_cancelled passes every other property of the
// suite (as it did before that regime), so only `cancel` shows its failure.
TEST(Cancel, OnlyTheCancelRegimeReachesTheFlushedLogsumexp) {
  softcheck::Kernels k = softcheck::bundled_kernels("accurate");
  k.name = "mutant-logsumexp_flushes_cancelled";
  k.logsumexp = logsumexp_flushes_cancelled;
  for (const sp::PropertyInfo& p : sp::catalog()) {
    if (p.id.find("logsumexp") == std::string::npos || p.id == "agreement.logsumexp.cancel") continue;
    const sp::PropertyOutcome r = sp::run_property(k, p.id, sp::options_from_environment());
    EXPECT_TRUE(r.passed) << p.id << " also reaches it: " << r.counterexample;
  }
}

// The mutation score: every mutant against the whole suite as `softcheck check` runs it (the properties
// that call a mutated entry, in catalog order, up to the first failure). A mutant no property fails
// survives; every one must be killed.
TEST(MutationScore, EveryMutantIsKilled) {
  const softcheck::Kernels& base = softcheck::bundled_kernels("accurate");
  std::size_t killed = 0;
  std::vector<std::string> survivors;
  const std::vector<Mutant> all = mutants();
  for (const Mutant& m : all) {
    std::vector<std::string> changed;  // the entries whose pointer differs from accurate's
#define SOFTCHECK_KERNEL(entry, ret, params, args, call) \
  if (m.kernels.entry != base.entry) changed.emplace_back(#entry);
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL
    ASSERT_FALSE(changed.empty()) << m.name;
    std::string by;
    for (const sp::PropertyInfo& p : sp::catalog()) {
      if (std::none_of(p.needs.begin(), p.needs.end(), [&](const std::string& e) {
            return std::find(changed.begin(), changed.end(), e) != changed.end();
          }))
        continue;
      if (!sp::run_property(m.kernels, p.id, sp::options_from_environment()).passed) {
        by = p.id;
        break;
      }
    }
    std::cout << "mutant " << m.name << ": " << (by.empty() ? "SURVIVED" : "killed by " + by) << "\n";
    if (by.empty()) survivors.push_back(m.name);
    else ++killed;
  }
  std::cout << "mutants killed: " << killed << "/" << all.size() << "\n";
  EXPECT_TRUE(survivors.empty()) << survivors.size() << " mutant(s) survived the whole suite, e.g. " << survivors[0];
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  for (const char* impl : {"naive", "standard"})
    for (const sp::PropertyInfo& p : sp::catalog()) {
      const Known* known = nullptr;
      for (const Known& k : known_failures())
        if (k.impl == impl && k.property == p.id) known = &k;
      testing::RegisterTest(impl, p.id.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [impl = std::string(impl), id = p.id, known]() -> testing::Test* {
                              return new VariantTest(impl, id, known);
                            });
    }
  for (Mutant& m : mutants())
    testing::RegisterTest("mutant", m.name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [m]() -> testing::Test* { return new MutantTest(m); });
  return RUN_ALL_TESTS();
}
