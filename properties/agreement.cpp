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
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec y = call_softmax(c.k, x);
                   std::vector<oracle::Ref> ref(x.size());
                   c.ov.assign(x);
                   c.ov.softmax(ref);
                   Grader grade(c);
                   for (std::size_t i = 0; i < x.size(); ++i) grade.add("softmax(x)", i, y[i], ref[i]);
                   grade.finish();
                 }});

  out.push_back({{id("log_softmax", regime), "agreement", describe("log_softmax", regime), cases,
                  {"log_softmax"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec y = call_log_softmax(c.k, x);
                   std::vector<oracle::Ref> ref(x.size());
                   c.ov.assign(x);
                   c.ov.log_softmax(ref);
                   Grader grade(c);
                   for (std::size_t i = 0; i < x.size(); ++i) grade.add("log_softmax(x)", i, y[i], ref[i]);
                   grade.finish();
                 }});

  out.push_back({{id("logsumexp", regime), "agreement", describe("logsumexp", regime), cases, {"logsumexp"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const double y = call_logsumexp(c.k, x);
                   c.ov.assign(x);
                   Grader grade(c);
                   grade.add("logsumexp(x)", kNoIndex, y, c.ov.logsumexp());
                   grade.finish();
                 }});

  // Cross-entropy: the loss and the gradient are separate properties, so a verdict says which one fails
  // (the loss of a confident prediction and its target-class gradient both cancel).
  auto ce_index = [xs](Ctx& c, bool gradient) {
    const Vec x = c.draw("x", xs);
    const std::size_t k = c.draw("k", regimes::class_index(x));
    Vec g(x.size());
    const double loss = c.k.cross_entropy(x.data(), x.size(), k, g.data());
    std::vector<oracle::Ref> gref(x.size());
    c.ov.assign(x);
    const oracle::Ref lref = c.ov.cross_entropy(k, gref);
    Grader grade(c);
    if (gradient) {
      for (std::size_t i = 0; i < x.size(); ++i)
        grade.add("gradient", i, g[i], gref[i], i == k ? "gradient (target class)" : "gradient");
    } else {
      grade.add("cross_entropy(x, k)", kNoIndex, loss, lref);
      grade.add("cross_entropy(x, k) without gradient", kNoIndex, c.k.cross_entropy(x.data(), x.size(), k, nullptr),
                lref);
    }
    grade.finish();
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
    const Vec t = c.draw("t", regimes::distribution(x));
    Vec g(x.size());
    const double loss = c.k.cross_entropy_dist(x.data(), t.data(), x.size(), g.data());
    std::vector<oracle::Ref> gref(x.size());
    c.ov.assign(x);
    const oracle::Ref lref = c.ov.cross_entropy(t, gref);
    Grader grade(c);
    if (gradient) {
      for (std::size_t i = 0; i < x.size(); ++i) grade.add("gradient", i, g[i], gref[i]);
    } else {
      grade.add("cross_entropy(x, t)", kNoIndex, loss, lref);
      grade.add("cross_entropy(x, t) without gradient", kNoIndex,
                c.k.cross_entropy_dist(x.data(), t.data(), x.size(), nullptr), lref);
    }
    grade.finish();
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
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec y = call_sigmoid(c.k, x);
                   Grader grade(c);
                   for (std::size_t i = 0; i < x.size(); ++i) grade.add("sigmoid(x)", i, y[i], oracle::sigmoid(x[i]));
                   grade.finish();
                 }});

  out.push_back({{id("log_sigmoid", regime), "agreement", describe("log_sigmoid", regime), kScalarCases,
                  {"log_sigmoid"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec y = call_log_sigmoid(c.k, x);
                   Grader grade(c);
                   for (std::size_t i = 0; i < x.size(); ++i)
                     grade.add("log_sigmoid(x)", i, y[i], oracle::log_sigmoid(x[i]));
                   grade.finish();
                 }});

  auto bce = [x1](Ctx& c, bool gradient) {
    const double x = c.draw("x", x1);
    const double t = c.draw("t", regimes::bce_target(x));
    double g = 0;
    const double loss = c.k.bce_with_logits(x, t, &g);
    oracle::Ref gref;
    const oracle::Ref lref = oracle::bce_with_logits(x, t, &gref);
    Grader grade(c);
    if (gradient) {
      grade.add("gradient", kNoIndex, g, gref);
    } else {
      grade.add("bce_with_logits(x, t)", kNoIndex, loss, lref);
      grade.add("bce_with_logits(x, t) without gradient", kNoIndex, c.k.bce_with_logits(x, t, nullptr), lref);
    }
    grade.finish();
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
