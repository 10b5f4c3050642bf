// Property group 8, the backward passes: softmax_backward's outputs sum to ⟨g, y⟩ (1 - Σ y), every
// backward pass scales with its upstream gradient g by powers of two, and log_softmax_vjp(x, -e_k) is the
// class cross-entropy gradient.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "impl/softcheck.hpp"
#include "properties/property.hpp"
#include "properties/regimes.hpp"

namespace softcheck::properties {
namespace {

Vec call_backward(const Kernels& k, std::string_view entry, const Vec& y, const Vec& g) {
  inputs::Input in;
  in.x = y;
  in.target = g;
  functions::EntryOutput out;
  functions::call_entry(k, entry, in, true, out);
  return out.vector;
}

// A power of two 2^e, e in [-60, 60] \ {0}, drawn as e (shrinks toward 1).
rc::Gen<std::size_t> exponent_index() { return rc::gen::inRange<std::size_t>(0, 120); }
int exponent_of(std::size_t i) { return i < 60 ? static_cast<int>(i) + 1 : 59 - static_cast<int>(i); }

// The bound of sum.softmax_backward. Each out_i is within B ulp(v_i) of its exact value v_i, and
// Σ v_i = ⟨g, y⟩ - ⟨g, y⟩ Σ y = R exactly. ulp(v_i) <= 2^-52 |v_i| + 2^-1074 and |v_i| <= |out_i| (1 +
// 2^-40) (B < 2^11), so |Σ out_i - R| <= B (2^-52 (1 + 2^-40) Σ|out_i| + n 2^-1074). R is formed from D
// = ⟨g, y⟩ (TwoProd parts summed exactly, each part's underflow < 2^-1075, then one rounding: 2^-52) and
// E = 1 - Σ y (exact sum, one rounding): D E within 2^-50 |D E| + n 2^-1074 |E| of R. The difference
// Σ out_i - D E is summed exactly and rounded once (the factor 1 + 2^-51).
void check_sum(Ctx& c, const Vec& y, const Vec& g, const Vec& out) {
  const std::size_t n = y.size();
  ExactSum dot, one_minus, total;
  one_minus.add(1.0);
  double abs_out = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const double p = g[j] * y[j];
    dot.add(p);
    dot.add(std::fma(g[j], y[j], -p));
    one_minus.add(-y[j]);
    if (!std::isfinite(out[j]))
      fail("softmax_backward(y, g)[" + std::to_string(j) + "] = " + show(out[j]) + " is not finite");
    total.add(out[j]);
    abs_out += std::fabs(out[j]);
  }
  const double D = dot.value(), E = one_minus.value(), R = D * E;
  total.add(-R);
  const double d = total.value(), N = static_cast<double>(n);
  const double bound = (c.B * (0x1p-52 * (1 + 0x1p-40) * abs_out * (1 + N * 0x1p-52) + N * 0x1p-1074) +
                        0x1p-50 * std::fabs(R) + N * 0x1p-1074 * (std::fabs(E) + 1)) *
                       (1 + 0x1p-51);
  if (!(std::fabs(d) <= bound))
    fail("Σ softmax_backward(y, g)_i - ⟨g, y⟩(1 - Σ y) = " + show(d) + " (summed exactly), |.| > " + show(bound) +
         " (B ULP per component)");
}

}  // namespace

void add_backward(std::vector<Property>& out) {
  // Σ_i y_i (g_i - ⟨g, y⟩) = ⟨g, y⟩ (1 - Σ y): zero up to the forward's rounding, with y a softmax output.
  for (const regimes::Regime& r : regimes::vector_regimes()) {
    if (r.name == "special") continue;
    const rc::Gen<Vec> xs = regimes::vector(r.name);
    const int cases = r.name == "long" ? 20 : 2000;
    out.push_back(
        {{"sum.softmax_backward." + std::string(r.name), "sum",
          "Σ softmax_backward(y, g)_i = ⟨g, y⟩(1 - Σ y) within B·(2^-52 Σ|out_i| + n·2^-1074), y = softmax(x) of `" +
              std::string(r.name) + "` inputs",
          cases, {"softmax_backward"}},
         [xs](Ctx& c) {
           Vec y = c.draw("x", xs);
           softcheck::softmax(y, y);  // the forward's output, accurate
           const Vec g = c.draw("g", regimes::upstream(y));
           if (std::any_of(g.begin(), g.end(), [](double v) { return std::fabs(v) > 0x1p1000; }))
             discard("an upstream gradient above 2^1000: the exact output may overflow");
           check_sum(c, y, g, call_backward(c.k, "softmax_backward", y, g));
         }});
  }
  // log_softmax_vjp(x, -e_k) = softmax(x) - e_k, the class-index cross-entropy gradient: two results of
  // one exact value, each within B ULP (bit for bit where both are correctly rounded).
  out.push_back({{"consistency.log_softmax_vjp", "relations",
                  "log_softmax_vjp(x, -e_k) = the cross-entropy gradient of class k, within 2B ULP", 2000,
                  {"log_softmax_vjp", "cross_entropy"}},
                 [](Ctx& c) {
                   const Vec x = c.draw("x", ordinary_vectors());
                   const std::size_t k = c.draw("k", regimes::class_index(x)), n = x.size();
                   Vec g(n, 0.0), grad(n);
                   g[k] = -1.0;
                   const Vec v = call_backward(c.k, "log_softmax_vjp", x, g);
                   c.k.cross_entropy(x.data(), n, k, grad.data());
                   for (std::size_t i = 0; i < n; ++i)
                     check_same_value(c, "log_softmax_vjp(x, -e_k)[" + std::to_string(i) + "] against the gradient",
                                      v[i], grad[i]);
                 }});
  // softmax_vjp(x, g + c 1) = softmax_vjp(x, g) (Σ p = 1 exactly), c = ±2^e with every g_j + c exact.
  out.push_back({{"invariance.softmax_vjp", "relations",
                  "softmax_vjp(x, g + c) = softmax_vjp(x, g) for an exact shift c = ±2^e of g, within 2B ULP", 2000,
                  {"softmax_vjp"}},
                 [](Ctx& c) {
                   const inputs::Input in = draw_input(c, inputs::vector_upstream(inputs::Forward::none), ordinary_vectors());
                   const int e = exponent_of(c.draw("e", exponent_index()));
                   const double shift = (e % 2 ? -1.0 : 1.0) * std::ldexp(1.0, e);
                   if (!shift_is_exact(in.target, shift)) discard("g + c is not exact");
                   Vec g2(in.target);
                   for (double& v : g2) v += shift;
                   const Vec a = call_backward(c.k, "softmax_vjp", in.x, in.target),
                             b = call_backward(c.k, "softmax_vjp", in.x, g2);
                   for (std::size_t i = 0; i < a.size(); ++i)
                     check_same_value(c, "softmax_vjp(x, g + c)[" + std::to_string(i) + "] against softmax_vjp(x, g)",
                                      b[i], a[i]);
                 }});
  // out(y, 2^e g) = 2^e out(y, g): both approximate one exact value, compared where neither is near the
  // subnormal or overflow range (there the rounding differs with the scale).
  for (const functions::Row& row : functions::rows()) {
    if (!inputs::is_upstream(*row.input) || !row.own_properties) continue;
    const std::string entry(row.entry);
    out.push_back({{"scaling." + entry, "scaling",
                    "out(y, 2^e g) = 2^e out(y, g) within 2B ULP (e in [-60, 60]) on every ordinary regime",
                    2000, {entry}},
                   [entry, &row](Ctx& c) {
                     const inputs::Input in = draw_input(c, *row.input, ordinary_vectors());
                     const int e = exponent_of(c.draw("e", exponent_index()));
                     Vec g2(in.target);
                     for (double& v : g2) {
                       const double s = std::ldexp(v, e);
                       if (v != 0 && (!(std::fabs(s) >= DBL_MIN) || !(std::fabs(s) <= 0x1p1000) ||
                                      !(std::fabs(v) >= DBL_MIN) || !(std::fabs(v) <= 0x1p1000)))
                         discard("g 2^e would leave the normal range");
                       v = s;
                     }
                     const Vec a = call_backward(c.k, entry, in.x, in.target), b = call_backward(c.k, entry, in.x, g2);
                     auto ordinary = [](double v) { return v == 0 || (std::fabs(v) >= 0x1p-1000 && std::fabs(v) <= 0x1p1000); };
                     for (std::size_t i = 0; i < a.size(); ++i) {
                       const std::string what = entry + "(y, 2^" + std::to_string(e) + " g)[" + std::to_string(i) +
                                                "] against 2^" + std::to_string(e) + " " + entry + "(y, g)";
                       if (std::isnan(a[i]) || std::isnan(b[i])) {
                         check_same_value(c, what, b[i], std::ldexp(a[i], e));
                         continue;
                       }
                       const double s = std::ldexp(a[i], e);
                       if (ordinary(a[i]) && ordinary(b[i]) && ordinary(s)) check_same_value(c, what, b[i], s);
                     }
                   }});
  }
}

}  // namespace softcheck::properties
