// Group 2: softmax sums to one, within a bound derived from n and the budget.
#include <cfloat>
#include <string>

#include "properties/property.hpp"
#include "properties/regimes.hpp"

namespace softcheck::properties {
namespace {

// The bound. Each p̂_i is within B·ulp(p_i) of the exact p_i, and Σ p_i = 1 exactly. For a normal p_i,
// ulp(p_i) <= 2^-52·p_i; for a subnormal one ulp(p_i) = 2^-1074. Hence
//   |Σ p̂_i - 1| <= B·Σ ulp(p_i) <= B·(2^-52·Σ p_i + n·2^-1074) = B·(2^-52 + n·2^-1074).
// The sum Σ p̂_i - 1 is computed exactly (ExactSum) and rounded once (relative error <= 2^-52, hence the
// factor 1 + 2^-51 on the bound), so nothing else enters: no γ_n of a floating-point summation. The bound
// is what the budget implies; it is no looser for long vectors, where summation error in the
// implementation has to stay inside each component's budget.
double sum_bound(std::size_t n, double B) {
  return B * (0x1p-52 + static_cast<double>(n) * 0x1p-1074) * (1 + 0x1p-51);
}

}  // namespace

void add_sum(std::vector<Property>& out) {
  for (const regimes::Regime& r : regimes::vector_regimes()) {
    if (r.name == "special") continue;  // NaN and all -inf have no sum; agreement.*.special covers them
    const rc::Gen<Vec> xs = regimes::vector(r.name);
    // No oracle here: long vectors (n up to 10^6) are affordable.
    const int cases = r.name == "long" ? 20 : 4000;
    out.push_back({{"sum.softmax." + std::string(r.name), "sum",
                    "Σ softmax(x)_i = 1 within B·(2^-52 + n·2^-1074) on `" + std::string(r.name) + "` inputs",
                    cases, {"softmax"}},
                   [xs](Ctx& c) {
                     const Vec x = c.draw("x", xs);
                     const Vec p = call_softmax(c.k, x);
                     ExactSum s;
                     for (std::size_t i = 0; i < p.size(); ++i) {
                       if (!std::isfinite(p[i]))
                         fail("softmax(x)[" + std::to_string(i) + "] = " + show(p[i]) + " is not finite");
                       s.add(p[i]);
                     }
                     s.add(-1.0);
                     const double d = s.value();
                     const double bound = sum_bound(x.size(), c.B);
                     if (std::fabs(d) > bound)
                       fail("Σ softmax(x)_i - 1 = " + show(d) + " (exactly summed), |.| > B·(2^-52 + n·2^-1074) = " +
                            show(bound));
                   }});
  }
}

}  // namespace softcheck::properties
