// Property group 1: every output (losses and gradient components too) within B ULPs of the oracle.
// One property per function and input regime.
#include <string>

#include "properties/property.hpp"
#include "properties/regimes.hpp"

namespace softcheck::properties {
namespace {

// Oracle cost is ~1-2 µs per element: `long` (n up to 10^6) gets a handful of cases.
int vector_cases(std::string_view regime) { return regime == "long" ? 4 : 2000; }
constexpr int kScalarCases = 4000;  // 1..8 scalars each

std::string id(std::string_view fn, std::string_view regime) {
  return "agreement." + std::string(fn) + "." + std::string(regime);
}
std::string describe(std::string_view what, std::string_view regime) {
  return std::string(what) + " within B ULPs of the oracle on `" + std::string(regime) + "` inputs";
}

void add_vector(std::vector<Property>& out, std::string_view regime) {
  const rc::Gen<Vec> xs = regimes::vector(regime);
  const int cases = vector_cases(regime);

  out.push_back({{id("softmax", regime), "agreement", describe("softmax", regime), cases, {"softmax"}},
                 [xs](Ctx& c) { grade_softmax(c, c.draw("x", xs)); }});

  out.push_back({{id("log_softmax", regime), "agreement", describe("log_softmax", regime), cases,
                  {"log_softmax"}},
                 [xs](Ctx& c) { grade_log_softmax(c, c.draw("x", xs)); }});

  out.push_back({{id("logsumexp", regime), "agreement", describe("logsumexp", regime), cases, {"logsumexp"}},
                 [xs](Ctx& c) { grade_logsumexp(c, c.draw("x", xs)); }});

  // Cross-entropy: the loss and the gradient are separate properties, so a verdict says which one fails
  // (the loss of a confident prediction and its target-class gradient both cancel).
  auto ce_index = [xs](Ctx& c, bool gradient) {
    const Vec x = c.draw("x", xs);
    grade_cross_entropy(c, x, c.draw("k", regimes::class_index(x)), gradient ? Part::kGradient : Part::kLoss);
  };
  out.push_back({{id("cross_entropy", regime), "agreement", describe("cross-entropy loss, class index", regime),
                  cases, {"cross_entropy"}},
                 [ce_index](Ctx& c) { ce_index(c, false); }});
  out.push_back({{id("cross_entropy_grad", regime), "agreement",
                  describe("every component of the cross-entropy gradient, class index", regime), cases,
                  {"cross_entropy"}},
                 [ce_index](Ctx& c) { ce_index(c, true); }});

  auto ce_dist = [xs](Ctx& c, bool gradient) {
    const Vec x = c.draw("x", xs);
    grade_cross_entropy(c, x, c.draw("t", regimes::distribution(x)), gradient ? Part::kGradient : Part::kLoss);
  };
  out.push_back({{id("cross_entropy_dist", regime), "agreement",
                  describe("cross-entropy loss, target distribution", regime), cases, {"cross_entropy_dist"}},
                 [ce_dist](Ctx& c) { ce_dist(c, false); }});
  out.push_back({{id("cross_entropy_dist_grad", regime), "agreement",
                  describe("every component of the cross-entropy gradient, target distribution", regime), cases,
                  {"cross_entropy_dist"}},
                 [ce_dist](Ctx& c) { ce_dist(c, true); }});
}

void add_scalar(std::vector<Property>& out, std::string_view regime) {
  const rc::Gen<Vec> xs = scalars(regime);
  const rc::Gen<double> x1 = regimes::scalar(regime);

  out.push_back({{id("sigmoid", regime), "agreement", describe("sigmoid", regime), kScalarCases, {"sigmoid"}},
                 [xs](Ctx& c) { grade_sigmoid(c, c.draw("x", xs)); }});

  out.push_back({{id("log_sigmoid", regime), "agreement", describe("log_sigmoid", regime), kScalarCases,
                  {"log_sigmoid"}},
                 [xs](Ctx& c) { grade_log_sigmoid(c, c.draw("x", xs)); }});

  auto bce = [x1](Ctx& c, bool gradient) {
    const double x = c.draw("x", x1);
    grade_bce_with_logits(c, x, c.draw("t", regimes::bce_target(x)), gradient ? Part::kGradient : Part::kLoss);
  };
  out.push_back({{id("bce_with_logits", regime), "agreement", describe("BCE-with-logits loss", regime), kScalarCases,
                  {"bce_with_logits"}},
                 [bce](Ctx& c) { bce(c, false); }});
  out.push_back({{id("bce_with_logits_grad", regime), "agreement", describe("BCE-with-logits gradient", regime),
                  kScalarCases, {"bce_with_logits"}},
                 [bce](Ctx& c) { bce(c, true); }});
}

}  // namespace

void add_agreement(std::vector<Property>& out) {
  for (const regimes::Regime& r : regimes::vector_regimes()) add_vector(out, r.name);
  for (const regimes::Regime& r : regimes::scalar_regimes()) add_scalar(out, r.name);
}

}  // namespace softcheck::properties
