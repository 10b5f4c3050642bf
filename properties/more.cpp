// Property group 6: permutation, two-class softmax = sigmoid, consistency, bounds, symmetry and more.
// Also monotonicity, the index-target gradient sum, BCE = two-class cross-entropy and docs/definitions.md's
// special-value table.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "properties/doubles.hpp"
#include "properties/property.hpp"
#include "properties/regimes.hpp"

namespace softcheck::properties {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kCases = 2000;

rc::Gen<Vec> shrink1(rc::Gen<Vec> g) {
  return regimes::reshrink<Vec>(g, [](const Vec& v) { return regimes::shrink_vector(v, 1); });
}

// Ordinary inputs plus special values (NaN in, NaN out must survive a permutation too).
rc::Gen<Vec> with_special() {
  return shrink1(rc::gen::weightedOneOf<Vec>({{6, ordinary_vectors()}, {1, regimes::vector("special")}}));
}
// Ordinary inputs plus long ones, for the oracle-free checks.
rc::Gen<Vec> with_long() {
  return shrink1(rc::gen::weightedOneOf<Vec>({{12, ordinary_vectors()}, {1, regimes::vector("long")}}));
}
// Scalars of every finite regime.
rc::Gen<double> finite_scalars() {
  return regimes::reshrink<double>(rc::gen::weightedOneOf<double>({{2, regimes::scalar("uniform")},
                                                                   {1, regimes::scalar("loguniform")},
                                                                   {2, regimes::scalar("thresholds")},
                                                                   {2, regimes::real(-40, 40)}}),
                                   regimes::shrink_double);
}

// A permutation of 0..n-1 as doubles (so the record prints it); shrinks to the identity.
rc::Gen<Vec> permutation(std::size_t n) {
  return regimes::make_gen<Vec>(
      [n](rc::Random& r, int) {
        Vec p(n);
        for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<double>(i);
        for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[regimes::below(r, i)]);
        return p;
      },
      [](const Vec& p) {
        Vec id(p.size());
        for (std::size_t i = 0; i < p.size(); ++i) id[i] = static_cast<double>(i);
        return p == id ? rc::Seq<Vec>() : rc::seq::just(id);
      });
}
std::size_t at(const Vec& perm, std::size_t i) { return static_cast<std::size_t>(perm[i]); }
Vec permuted(const Vec& x, const Vec& perm) {  // (πx)_i = x_π(i)
  Vec y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[at(perm, i)];
  return y;
}

std::string idx(std::string_view s, std::size_t i) { return std::string(s) + "[" + std::to_string(i) + "]"; }

void add_permutation(std::vector<Property>& out) {
  const rc::Gen<Vec> xs = with_special();
  auto vector_fn = [&](const char* name, Vec (*call)(const Kernels&, const Vec&)) {
    out.push_back({{std::string("permutation.") + name, "more",
                    std::string(name) + "(πx) = π " + name + "(x) within 2B ULPs", kCases, {name}},
                   [xs, call, name](Ctx& c) {
                     const Vec x = c.draw("x", xs);
                     const Vec perm = c.draw("perm", permutation(x.size()));
                     const Vec a = call(c.k, x), b = call(c.k, permuted(x, perm));
                     for (std::size_t i = 0; i < x.size(); ++i)
                       check_same_value(c, idx(std::string(name) + "(πx)", i) + " vs " + idx(name, at(perm, i)) + "(x)",
                                        b[i], a[at(perm, i)]);
                   }});
  };
  vector_fn("softmax", call_softmax);
  vector_fn("log_softmax", call_log_softmax);
  out.push_back({{"permutation.logsumexp", "more", "logsumexp(πx) = logsumexp(x) within 2B ULPs", kCases,
                  {"logsumexp"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec perm = c.draw("perm", permutation(x.size()));
                   check_same_value(c, "logsumexp(πx) vs logsumexp(x)", call_logsumexp(c.k, permuted(x, perm)),
                                    call_logsumexp(c.k, x));
                 }});
  out.push_back({{"permutation.cross_entropy", "more",
                  "CE(πx, π⁻¹k) = CE(x, k) and its gradient permutes, within 2B ULPs", kCases, {"cross_entropy"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const std::size_t k = c.draw("k", regimes::class_index(x));
                   const Vec perm = c.draw("perm", permutation(x.size()));
                   const std::size_t n = x.size();
                   std::size_t kp = 0;
                   while (at(perm, kp) != k) ++kp;
                   const Vec px = permuted(x, perm);
                   Vec g(n), gp(n);
                   const double l = c.k.cross_entropy(x.data(), n, k, g.data());
                   const double lp = c.k.cross_entropy(px.data(), n, kp, gp.data());
                   check_same_value(c, "CE(πx, π⁻¹k) vs CE(x, k)", lp, l);
                   for (std::size_t i = 0; i < n; ++i)
                     check_same_value(c, idx("gradient(πx)", i) + " vs " + idx("gradient(x)", at(perm, i)), gp[i],
                                      g[at(perm, i)]);
                 }});
  out.push_back({{"permutation.cross_entropy_dist", "more",
                  "CE(πx, πt) = CE(x, t) and its gradient permutes, within 2B ULPs", kCases, {"cross_entropy_dist"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec t = c.draw("t", regimes::distribution(x));
                   const Vec perm = c.draw("perm", permutation(x.size()));
                   const std::size_t n = x.size();
                   const Vec px = permuted(x, perm), pt = permuted(t, perm);
                   Vec g(n), gp(n);
                   const double l = c.k.cross_entropy_dist(x.data(), t.data(), n, g.data());
                   const double lp = c.k.cross_entropy_dist(px.data(), pt.data(), n, gp.data());
                   check_same_value(c, "CE(πx, πt) vs CE(x, t)", lp, l);
                   for (std::size_t i = 0; i < n; ++i)
                     check_same_value(c, idx("gradient(πx)", i) + " vs " + idx("gradient(x)", at(perm, i)), gp[i],
                                      g[at(perm, i)]);
                 }});
}

void add_relations(std::vector<Property>& out) {
  // softmax([a, b])_0 = σ(a - b) exactly; tested where a - b is exact (TwoSum error 0), as 2B ULPs
  // between two approximations of one exact value.
  const rc::Gen<double> as = regimes::reshrink<double>(
      rc::gen::weightedOneOf<double>({{3, regimes::real(-50, 50)}, {1, regimes::real(-1000, 1000)},
                                      {1, regimes::near(1000, 1 << 10)}, {1, regimes::near(-1000, 1 << 10)},
                                      {1, regimes::log_uniform(-30, 1023)}}),
      regimes::shrink_double);
  const rc::Gen<double> ds = regimes::reshrink<double>(
      rc::gen::weightedOneOf<double>({{3, regimes::real(-40, 40)}, {1, regimes::real(-800, 800)},
                                      {1, regimes::log_uniform(-60, 9)}}),
      regimes::shrink_double);
  out.push_back({{"two_class.softmax_is_sigmoid", "more",
                  "softmax([a, b]) = [σ(a - b), σ(b - a)] within 2B ULPs where a - b is exact", kCases,
                  {"softmax", "sigmoid"}},
                 [as, ds](Ctx& c) {
                   const double a = c.draw("a", as);
                   const double d = c.draw("d", ds);
                   const double b = a - d;  // the pair is [a, b]; its difference a - b must be exact
                   const TwoSum diff = two_sum(a, -b);
                   if (diff.e != 0 || !std::isfinite(diff.s)) discard("a - b is not exact");
                   const Vec p = call_softmax(c.k, {a, b});
                   check_same_value(c, "softmax([a, a - d])[0] vs sigmoid(a - b)", p[0], call_sigmoid(c.k, diff.s));
                   check_same_value(c, "softmax([a, a - d])[1] vs sigmoid(b - a)", p[1], call_sigmoid(c.k, -diff.s));
                 }});

  // log p̂_i against ℓ̂_i where p̂_i is normal: p̂_i = p_i(1 + δ), |δ| <= B·2^-52, so log p̂_i is within
  // B·2^-52·(1 + 2^-50) of log p_i = ℓ_i; std::log adds <= 1 ULP of its result, ℓ̂_i carries B·ulp(ℓ_i).
  out.push_back({{"consistency.log_softmax", "more",
                  "log_softmax(x)_i = log(softmax(x)_i) where softmax is normal, within the propagated budget",
                  kCases, {"softmax", "log_softmax"}},
                 [](Ctx& c) {
                   const Vec x = c.draw("x", ordinary_vectors());
                   const Vec p = call_softmax(c.k, x), l = call_log_softmax(c.k, x);
                   for (std::size_t i = 0; i < x.size(); ++i) {
                     if (!(p[i] >= DBL_MIN)) continue;
                     const double lp = std::log(p[i]);
                     const double tol = c.B * 0x1p-52 * (1 + 0x1p-50) + oracle::ulp_of(lp) + c.B * ulp_near(l[i], l[i], c.B);
                     if (!(std::fabs(lp - l[i]) <= tol))
                       fail(idx("log(softmax(x))", i) + " = " + show(lp) + " but " + idx("log_softmax(x)", i) + " = " +
                            show(l[i]) + ": differ by " + show(std::fabs(lp - l[i])) + " > " + show(tol));
                   }
                 }});

  // Faithful rounding (error < 1 ULP) preserves an inequality against a double, so these hold exactly:
  // 0 <= softmax <= 1, log_softmax <= 0, max <= logsumexp. For logsumexp <= max + log n the bound is
  // rounded up: log n from std::log is within 1 ULP below nextup(log n), and nextup(RN(m + that)) >= m + log n.
  const rc::Gen<Vec> xs = with_long();
  out.push_back({{"bounds.softmax", "more", "0 <= softmax(x)_i <= 1", kCases, {"softmax"}}, [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec p = call_softmax(c.k, x);
                   for (std::size_t i = 0; i < x.size(); ++i)
                     if (!(p[i] >= 0 && p[i] <= 1)) fail(idx("softmax(x)", i) + " = " + show(p[i]) + " is outside [0, 1]");
                 }});
  out.push_back({{"bounds.log_softmax", "more", "log_softmax(x)_i <= 0", kCases, {"log_softmax"}}, [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec l = call_log_softmax(c.k, x);
                   for (std::size_t i = 0; i < x.size(); ++i)
                     if (!(l[i] <= 0)) fail(idx("log_softmax(x)", i) + " = " + show(l[i]) + " is not <= 0");
                 }});
  out.push_back({{"bounds.logsumexp", "more", "max(x) <= logsumexp(x) <= max(x) + log n", kCases, {"logsumexp"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const double m = *std::max_element(x.begin(), x.end());
                   const double l = call_logsumexp(c.k, x);
                   const double logn = std::nextafter(std::log(static_cast<double>(x.size())), kInf);
                   const double upper = std::nextafter(m + logn, kInf);
                   if (!(l >= m && l <= upper))
                     fail("logsumexp(x) = " + show(l) + " is outside [max, max + log n] = [" + show(m) + ", " +
                          show(upper) + "]");
                 }});

  // σ(-a) = 1 - σ(a) (a = |x|). 1 - σ̂(a) is exact (σ̂(a) ∈ [1/2, 1], Sterbenz), so the identity holds
  // within B·(ulp(σ(a)) + ulp(σ(-a))), the ulps of the exact values taken from the oracle.
  const rc::Gen<double> ss = finite_scalars();
  out.push_back({{"symmetry.sigmoid", "more", "sigmoid(-x) = 1 - sigmoid(x) within the budget, against the oracle",
                  kCases, {"sigmoid"}},
                 [ss](Ctx& c) {
                   const double x = c.draw("x", ss);
                   const double a = std::fabs(x);
                   const double sp = call_sigmoid(c.k, a), sn = call_sigmoid(c.k, -a);
                   if (!(sp >= 0.5 && sp <= 1)) fail("sigmoid(|x|) = " + show(sp) + " is outside [1/2, 1]");
                   const double tol = c.B * (ulp_exact(oracle::sigmoid(a)) + ulp_exact(oracle::sigmoid(-a)));
                   if (!(std::fabs(sn - (1 - sp)) <= tol))
                     fail("sigmoid(-|x|) = " + show(sn) + " but 1 - sigmoid(|x|) = " + show(1 - sp) + ": differ by " +
                          show(std::fabs(sn - (1 - sp))) + " > " + show(tol));
                 }});

  // Monotonicity, exactly: correctly rounded results are monotone; a faithful one could swap two results
  // within one ULP, which the accurate implementations (correctly rounded) must not do either.
  auto monotone = [&](const char* name, double (*call)(const Kernels&, double)) {
    out.push_back({{std::string("monotone.") + name, "more", std::string(name) + " is non-decreasing", kCases, {name}},
                   [ss, call, name](Ctx& c) {
                     const double x = c.draw("x", ss);
                     const double y = c.draw("y", rc::gen::weightedOneOf<double>({{3, regimes::near(x, 1 << 20)}, {1, ss}}));
                     const double lo = std::min(x, y), hi = std::max(x, y);
                     const double flo = call(c.k, lo), fhi = call(c.k, hi);
                     if (!(flo <= fhi))
                       fail(std::string(name) + "(" + show(lo) + ") = " + show(flo) + " > " + name + "(" + show(hi) +
                            ") = " + show(fhi));
                   }});
  };
  monotone("sigmoid", call_sigmoid);
  monotone("log_sigmoid", call_log_sigmoid);

  // Σ_i ∂CE/∂x_i = Σ p_i - 1 = 0. Each ĝ_i within B·ulp(g_i): for i != k, ulp(p_i) <= 2^-52·p_i (or 2^-1074
  // when subnormal), and ulp(g_k) <= 2^-52·(1 - p_k) with Σ_{i≠k} p_i = 1 - p_k <= |ĝ_k|/(1 - B·2^-52).
  // So |Σ ĝ_i| <= B·(2^-51·|ĝ_k|/(1 - B·2^-52) + n·2^-1074), the sum formed exactly (ExactSum).
  out.push_back({{"gradsum.cross_entropy", "more",
                  "the class-index gradient sums to 0 within B·(2^-51·|g_k| + n·2^-1074)", kCases, {"cross_entropy"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const std::size_t k = c.draw("k", regimes::class_index(x));
                   Vec g(x.size());
                   c.k.cross_entropy(x.data(), x.size(), k, g.data());
                   ExactSum s;
                   for (std::size_t i = 0; i < g.size(); ++i) {
                     if (!std::isfinite(g[i])) fail(idx("gradient", i) + " = " + show(g[i]) + " is not finite");
                     s.add(g[i]);
                   }
                   const double sum = s.value();
                   const double bound = c.B *
                                        (0x1p-51 * std::fabs(g[k]) / (1 - c.B * 0x1p-52) +
                                         static_cast<double>(x.size()) * 0x1p-1074) *
                                        (1 + 0x1p-51);
                   if (!(std::fabs(sum) <= bound))
                     fail("Σ gradient_i = " + show(sum) + " (exactly summed; gradient[k] = " + show(g[k]) + ") exceeds " +
                          show(bound));
                 }});

  // BCE(x, t) = CE([x, 0], [t, 1 - t]) and σ(x) - t = gradient_0 = -gradient_1, where 1 - t is exact.
  out.push_back({{"bce_is_two_class_ce", "more",
                  "BCE(x, t) and its gradient equal two-class CE on [x, 0] with targets [t, 1 - t], within 2B ULPs",
                  kCases, {"bce_with_logits", "cross_entropy_dist"}},
                 [ss](Ctx& c) {
                   const double x = c.draw("x", ss);
                   const double t = c.draw("t", regimes::bce_target(x));
                   const TwoSum u = two_sum(1.0, -t);
                   if (u.e != 0) discard("1 - t is not exact");
                   double gb = 0;
                   const double lb = c.k.bce_with_logits(x, t, &gb);
                   const Vec xx{x, 0.0}, tt{t, u.s};
                   Vec g(2);
                   const double lc = c.k.cross_entropy_dist(xx.data(), tt.data(), 2, g.data());
                   check_same_value(c, "BCE(x, t) vs CE([x, 0], [t, 1 - t])", lb, lc);
                   check_same_value(c, "BCE gradient vs CE gradient[0]", gb, g[0]);
                   check_same_value(c, "-BCE gradient vs CE gradient[1]", -gb, g[1]);
                 }});
}

// --- docs/definitions.md's special-value table (and README's decisions for empty inputs) --------------------

// want NaN: got must be NaN; otherwise got == want (signed zeros equal unless `sign`).
void expect(const std::string& what, double got, double want, bool sign = false) {
  const bool ok = std::isnan(want) ? std::isnan(got)
                                   : (got == want && (!sign || std::signbit(got) == std::signbit(want)));
  if (!ok) fail(what + " = " + show(got) + ", docs/definitions.md's table wants " + (sign && want == 0 && !std::signbit(want) ? "+0" : show(want)));
}
std::string call_str(const char* fn, const Vec& x) { return std::string(fn) + "(" + show(x) + ")"; }
const double kAny = 12345.678;  // a component the table does not fix (checked by agreement.*.special)

void add_special(std::vector<Property>& out) {
  out.push_back({{"special.sigmoid", "more", "sigmoid: docs/definitions.md's special values", 1, {"sigmoid"}}, [](Ctx& c) {
                   const std::pair<double, double> table[] = {{kInf, 1}, {-kInf, 0}, {kNaN, kNaN}, {0.0, 0.5}, {-0.0, 0.5}};
                   for (auto [x, want] : table)
                     expect("sigmoid(" + show(x) + ")", call_sigmoid(c.k, x), want, true);
                 }});
  out.push_back({{"special.log_sigmoid", "more", "log_sigmoid: docs/definitions.md's special values", 1, {"log_sigmoid"}},
                 [](Ctx& c) {
                   const std::pair<double, double> table[] = {{kInf, 0}, {-kInf, -kInf}, {kNaN, kNaN}};
                   for (auto [x, want] : table) expect("log_sigmoid(" + show(x) + ")", call_log_sigmoid(c.k, x), want);
                 }});

  struct VecCase {
    Vec x, want;
  };
  auto vector_table = [&](const char* name, Vec (*call)(const Kernels&, const Vec&), std::vector<VecCase> table) {
    out.push_back({{std::string("special.") + name, "more", std::string(name) + ": docs/definitions.md's special values; empty is a no-op",
                    1, {name}},
                   [call, name, table](Ctx& c) {
                     for (const VecCase& e : table) {
                       const Vec y = call(c.k, e.x);
                       for (std::size_t i = 0; i < y.size(); ++i)
                         if (e.want[i] != kAny) expect(idx(call_str(name, e.x), i), y[i], e.want[i]);
                     }
                     // Empty input: nothing is written.
                     const double x0 = 1.0;
                     double y0 = 42.0;
                     (std::string(name) == "softmax" ? c.k.softmax : c.k.log_softmax)(&x0, 0, &y0);
                     if (y0 != 42.0) fail(std::string(name) + " of an empty vector wrote to its output");
                   }});
  };
  vector_table("softmax", call_softmax,
               {{{-kInf, 0.0}, {0, 1}},
                {{-kInf, -kInf}, {kNaN, kNaN}},
                {{-kInf}, {kNaN}},
                {{kInf, 3.0, -kInf}, {1, 0, 0}},
                {{kInf, -kInf}, {1, 0}},
                {{kInf, kInf, 1.0}, {kNaN, kNaN, kNaN}},
                {{1.0, kNaN, 2.0}, {kNaN, kNaN, kNaN}},
                {{kNaN, kInf}, {kNaN, kNaN}},
                {{-kInf, 1.0, kNaN}, {kNaN, kNaN, kNaN}}});
  vector_table("log_softmax", call_log_softmax,
               {{{-kInf, 0.0}, {-kInf, 0}},
                {{-kInf, -kInf}, {kNaN, kNaN}},
                {{kInf, 3.0}, {0, -kInf}},
                {{kInf, kInf}, {kNaN, kNaN}},
                {{kNaN, 0.0}, {kNaN, kNaN}},
                {{1e308, -1e308}, {0, -kInf}}});

  out.push_back({{"special.logsumexp", "more", "logsumexp: docs/definitions.md's special values; empty gives -inf", 1,
                  {"logsumexp"}},
                 [](Ctx& c) {
                   const std::pair<Vec, double> table[] = {{{}, -kInf},          {{-kInf, -kInf}, -kInf},
                                                           {{-kInf}, -kInf},     {{kInf, 1.0}, kInf},
                                                           {{kInf, -kInf}, kInf}, {{kInf, kNaN}, kNaN},
                                                           {{kNaN}, kNaN},       {{-kInf, 2.0}, 2.0}};
                   const double dummy = 0;
                   for (const auto& [x, want] : table)
                     expect(call_str("logsumexp", x), c.k.logsumexp(x.empty() ? &dummy : x.data(), x.size()), want);
                 }});

  out.push_back({{"special.cross_entropy", "more", "cross-entropy (index): docs/definitions.md's special values", 1,
                  {"cross_entropy"}},
                 [](Ctx& c) {
                   struct E {
                     Vec x;
                     std::size_t k;
                     double loss;
                     Vec grad;
                   };
                   const E table[] = {{{-kInf, 0.0, 1.0}, 0, kInf, {-1, kAny, kAny}},
                                      {{kInf, 0.0, 1.0}, 0, 0, {0, 0, 0}},
                                      {{kInf, 0.0, 1.0}, 1, kInf, {1, -1, 0}},
                                      {{kInf, kInf, 1.0}, 1, kNaN, {kNaN, kNaN, kNaN}},
                                      {{kNaN, 0.0, 1.0}, 1, kNaN, {kNaN, kNaN, kNaN}},
                                      {{-kInf, -kInf}, 0, kNaN, {kNaN, kNaN}}};
                   for (const E& e : table) {
                     Vec g(e.x.size());
                     const std::string what = "cross_entropy(" + show(e.x) + ", " + std::to_string(e.k) + ")";
                     expect(what, c.k.cross_entropy(e.x.data(), e.x.size(), e.k, g.data()), e.loss);
                     for (std::size_t i = 0; i < g.size(); ++i)
                       if (e.grad[i] != kAny) expect(idx(what + " gradient", i), g[i], e.grad[i]);
                   }
                 }});

  out.push_back({{"special.cross_entropy_dist", "more",
                  "cross-entropy (distribution): docs/definitions.md's special values; t_i = 0 terms count 0", 1,
                  {"cross_entropy_dist"}},
                 [](Ctx& c) {
                   struct E {
                     Vec x, t;
                     double loss;
                     Vec grad;
                   };
                   const E table[] = {{{-kInf, 0.0}, {0, 1}, 0, {0, 0}},
                                      {{-kInf, 0.0}, {0.5, 0.5}, kInf, {-0.5, 0.5}},
                                      {{kInf, 0.0}, {1, 0}, 0, {0, 0}},
                                      {{kInf, 0.0}, {0.25, 0.75}, kInf, {0.75, -0.75}},
                                      {{kInf, kInf}, {0.5, 0.5}, kNaN, {kNaN, kNaN}},
                                      {{kNaN, 0.0}, {0.5, 0.5}, kNaN, {kNaN, kNaN}}};
                   for (const E& e : table) {
                     Vec g(e.x.size());
                     const std::string what = "cross_entropy(" + show(e.x) + ", t = " + show(e.t) + ")";
                     expect(what, c.k.cross_entropy_dist(e.x.data(), e.t.data(), e.x.size(), g.data()), e.loss);
                     for (std::size_t i = 0; i < g.size(); ++i)
                       if (e.grad[i] != kAny) expect(idx(what + " gradient", i), g[i], e.grad[i]);
                   }
                 }});

  out.push_back({{"special.bce_with_logits", "more", "BCE with logits: docs/definitions.md's special values", 1,
                  {"bce_with_logits"}},
                 [](Ctx& c) {
                   struct E {
                     double x, t, loss, grad;
                   };
                   const E table[] = {{kInf, 1, 0, 0},      {kInf, 0.5, kInf, 0.5},  {kInf, 0, kInf, 1},
                                      {-kInf, 0, 0, 0},     {-kInf, 1, kInf, -1},    {-kInf, 0.5, kInf, -0.5},
                                      {kNaN, 0.5, kNaN, kNaN}};
                   for (const E& e : table) {
                     double g = 0;
                     const std::string what = "bce_with_logits(" + show(e.x) + ", " + show(e.t) + ")";
                     expect(what, c.k.bce_with_logits(e.x, e.t, &g), e.loss);
                     expect(what + " gradient", g, e.grad);
                   }
                 }});
}

}  // namespace

void add_more(std::vector<Property>& out) {
  add_permutation(out);
  add_relations(out);
  add_special(out);
}

}  // namespace softcheck::properties
