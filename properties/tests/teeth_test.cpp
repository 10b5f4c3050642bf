// Teeth: the suite must find the known failures of the reference variants and of mutated accurate kernels.
// Naive and standard, and mutants (a flipped sign, a missing Σt, the wrong class, ...), with small shrunk
// counterexamples. Every (variant, property) pair runs and prints its verdict; the known failures assert.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
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
