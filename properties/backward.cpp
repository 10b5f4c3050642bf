// Property group 8, the backward passes: softmax_backward's outputs sum to ⟨g, y⟩ (1 - Σ y), every
// backward pass scales with its upstream gradient g by powers of two, log_softmax_vjp(x, -e_k) is the
// class cross-entropy gradient, and the framework form at y = forward(x) agrees with the input form
// within what the forward's rounding explains.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "impl/softcheck.hpp"
#include "oracle/ulp.hpp"
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

// ⟨g, y⟩: each g_j y_j as its TwoProd parts (each within 2^-1075 where it underflows), summed exactly and
// rounded once (2^-52 relative).
double dot_rounded_once(const Vec& g, const Vec& y) {
  ExactSum dot;
  for (std::size_t j = 0; j < y.size(); ++j) {
    const double p = g[j] * y[j];
    dot.add(p);
    dot.add(std::fma(g[j], y[j], -p));
  }
  return dot.value();
}

// The bound of sum.softmax_backward. Each out_i is within B ulp(v_i) of its exact value v_i, and
// Σ v_i = ⟨g, y⟩ - ⟨g, y⟩ Σ y = R exactly. ulp(v_i) <= 2^-52 |v_i| + 2^-1074 and |v_i| <= |out_i| (1 +
// 2^-40) (B < 2^11), so |Σ out_i - R| <= B (2^-52 (1 + 2^-40) Σ|out_i| + n 2^-1074). R is formed from D
// = ⟨g, y⟩ (TwoProd parts summed exactly, each part's underflow < 2^-1075, then one rounding: 2^-52) and
// E = 1 - Σ y (exact sum, one rounding): D E within 2^-50 |D E| + n 2^-1074 |E| of R. The difference
// Σ out_i - D E is summed exactly and rounded once (the factor 1 + 2^-51).
void check_sum(Ctx& c, const Vec& y, const Vec& g, const Vec& out) {
  const std::size_t n = y.size();
  ExactSum one_minus, total;
  one_minus.add(1.0);
  double abs_out = 0;
  for (std::size_t j = 0; j < n; ++j) {
    one_minus.add(-y[j]);
    if (!std::isfinite(out[j]))
      fail("softmax_backward(y, g)[" + std::to_string(j) + "] = " + show(out[j]) + " is not finite");
    total.add(out[j]);
    abs_out += std::fabs(out[j]);
  }
  const double D = dot_rounded_once(g, y), E = one_minus.value(), R = D * E;
  total.add(-R);
  const double d = total.value(), N = static_cast<double>(n);
  const double bound = (c.B * (0x1p-52 * (1 + 0x1p-40) * abs_out * (1 + N * 0x1p-52) + N * 0x1p-1074) +
                        0x1p-50 * std::fabs(R) + N * 0x1p-1074 * (std::fabs(E) + 1)) *
                       (1 + 0x1p-51);
  if (!(std::fabs(d) <= bound))
    fail("Σ softmax_backward(y, g)_i - ⟨g, y⟩(1 - Σ y) = " + show(d) + " (summed exactly), |.| > " + show(bound) +
         " (B ULP per component)");
}

// A bound on ulp(v) for the exact value v behind a result r within B ULPs of it: 2^-52 |v| + 2^-1074,
// with |v| <= |r| (1 + 2^-40) (B < 2^11).
double ulp_bound(double r) { return 0x1p-52 * (1 + 0x1p-40) * std::fabs(r) + 0x1p-1074; }

// The two forms of one backward pass, framework a_i = out(y, g) at the forward's output y = RN(f(x)) and
// input b_i = vjp(x, g): each within B ulp of its exact value, whose difference F_i comes from y - f(x)
// alone, so |a_i - b_i| <= B (ulp(v_a) + ulp(v_b)) + F_i. The double arithmetic forming the bound is
// covered by the factor 1 + 2^-40 (n <= 2^20 terms, each rounding 2^-53).
void check_forms(Ctx& c, const std::string& what, const Vec& a, const Vec& b, const Vec& F) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string at = what + "[" + std::to_string(i) + "]";
    if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
      fail(at + ": framework form " + show(a[i]) + ", input form " + show(b[i]) + " (a finite value is due)");
    const double allowed = (c.B * (ulp_bound(a[i]) + ulp_bound(b[i])) + F[i]) * (1 + 0x1p-40);
    if (!(std::fabs(a[i] - b[i]) <= allowed))
      fail(at + ": framework form " + show(a[i]) + ", input form " + show(b[i]) + ", |difference| " +
           show(std::fabs(a[i] - b[i])) + " > " + show(allowed) + " (B ULP each plus the forward's rounding " +
           show(F[i]) + ")");
  }
}

// half_ulp(y) >= ulp(y)/2, the largest |RN(v) - v| of a v rounded to y (ulp(y)/2 = 2^-1075 is not a double:
// 2^-1074 there).
double half_ulp(double y) { return std::max(oracle::ulp_of(y) / 2, 0x1p-1074); }

// softmax: y = RN(p), |δ_j| = |y_j - p_j| <= h_j = half_ulp(y_j) (correctly rounded, also where p_j rounds
// up to a power of two or down to 0). y_i (g_i - ⟨g, y⟩) - p_i (g_i - ⟨g, p⟩) = δ_i (g_i - ⟨g, y⟩) - p_i ⟨g, δ⟩,
// so F_i = h_i |g_i - ⟨g, y⟩| + (y_i + h_i) Σ_j |g_j| h_j. ⟨g, y⟩ is D (TwoProd parts summed exactly, one
// rounding: 2^-52 |D|, each underflowing part 2^-1075) and |g_i - D| is rounded once.
Vec softmax_forms_bound(const Vec& y, const Vec& g) {
  const std::size_t n = y.size();
  double spread = 0;  // Σ |g_j| h_j, n roundings of non-negative terms
  for (std::size_t j = 0; j < n; ++j) {
    spread += std::fabs(g[j]) * half_ulp(y[j]) + 0x1p-1074;
  }
  const double D = dot_rounded_once(g, y), N = static_cast<double>(n);
  const double dot_err = 0x1p-52 * std::fabs(D) * (1 + 0x1p-50) + N * 0x1p-1074;
  Vec F(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double h = half_ulp(y[i]);
    F[i] = h * (std::fabs(g[i] - D) * (1 + 0x1p-52) + dot_err) + (y[i] + h) * spread + 3 * 0x1p-1074;  // 3 products may underflow
  }
  return F;
}

// log_softmax: y = RN(ℓ), ℓ in [y_i - h_i, y_i + h_i]. (g_i - e^{y_i} G) - (g_i - e^{ℓ_i} G) = (e^{ℓ_i} - e^{y_i}) G,
// |.| <= T_i = |G| e^{y_i} (e^{h_i} - 1), or |G| e^{y_i + h_i} where h_i >= 2^-20 (|y_i| >= 2^32). T_i is formed
// as exp(L) with L = log|G| + y_i + log(expm1(h_i)), so that neither e^{y_i} (below 2^-1074 for y_i < -745)
// nor |G| e^{y_i} underflows or overflows on the way: L's error is below 2^-40 (three logarithms and two
// sums of magnitude < 2^12, each within 2^-52 relative), covered by exp(L + 2^-30) (1 + 2^-50) + 2^-1074.
// G = Σ g is summed exactly and rounded once (|G| (1 + 2^-51)).
Vec log_softmax_forms_bound(const Vec& y, const Vec& g) {
  ExactSum sum;
  for (double v : g) sum.add(v);
  const double logG = std::log(std::fabs(sum.value()) * (1 + 0x1p-51));  // -inf where G = 0: T_i = 0
  Vec F(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    double L = -INFINITY;  // y_i = -inf: ℓ_i < -DBL_MAX, e^{ℓ_i} |G| far below 2^-1074
    if (std::isfinite(y[i])) {
      const double h = half_ulp(y[i]);
      L = logG + y[i] + (h < 0x1p-20 ? std::log(std::expm1(h)) : h);
    }
    F[i] = std::exp(L + 0x1p-30) * (1 + 0x1p-50) + 0x1p-1074;
  }
  return F;
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
  // The framework form at y = forward(x) against the input form at x: apart by the forward's rounding only.
  struct Forms {
    const char *backward, *vjp, *forward;
    void (*f)(std::span<const double>, std::span<double>);
    Vec (*bound)(const Vec&, const Vec&);
  };
  for (const Forms& fm : {Forms{"softmax_backward", "softmax_vjp", "softmax", softcheck::softmax, softmax_forms_bound},
                          Forms{"log_softmax_backward", "log_softmax_vjp", "log_softmax", softcheck::log_softmax,
                                log_softmax_forms_bound}}) {
    out.push_back({{std::string("forms.") + fm.backward, "relations",
                    std::string(fm.backward) + "(y, g) at y = " + fm.forward + "(x) (ours, correctly rounded) against " +
                        fm.vjp + "(x, g): within B ULP each plus what y's rounding explains",
                    2000, {fm.backward, fm.vjp}},
                   [fm](Ctx& c) {
                     const Vec x = c.draw("x", ordinary_vectors());
                     Vec y(x.size());
                     fm.f(x, y);
                     const Vec g = c.draw("g", regimes::upstream(y));
                     if (std::any_of(g.begin(), g.end(), [](double v) { return std::fabs(v) > 0x1p1000; }))
                       discard("an upstream gradient above 2^1000: the exact output may overflow");
                     check_forms(c, std::string(fm.backward) + "(" + fm.forward + "(x), g) against " + fm.vjp + "(x, g)",
                                 call_backward(c.k, fm.backward, y, g), call_backward(c.k, fm.vjp, x, g), fm.bound(y, g));
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
