// Property group 6, relations between outputs: permutation, two-class softmax = sigmoid, consistency,
// bounds, symmetry, monotonicity, the index-target gradient sum, BCE = two-class cross-entropy.
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
    out.push_back({{std::string("permutation.") + name, "relations",
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
  out.push_back({{"permutation.logsumexp", "relations", "logsumexp(πx) = logsumexp(x) within 2B ULPs", kCases,
                  {"logsumexp"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec perm = c.draw("perm", permutation(x.size()));
                   check_same_value(c, "logsumexp(πx) vs logsumexp(x)", call_logsumexp(c.k, permuted(x, perm)),
                                    call_logsumexp(c.k, x));
                 }});
  out.push_back({{"permutation.cross_entropy", "relations",
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
  out.push_back({{"permutation.cross_entropy_dist", "relations",
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

void add_identities(std::vector<Property>& out) {
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
  out.push_back({{"two_class.softmax_is_sigmoid", "relations",
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
  out.push_back({{"consistency.log_softmax", "relations",
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
  out.push_back({{"bounds.softmax", "relations", "0 <= softmax(x)_i <= 1", kCases, {"softmax"}}, [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec p = call_softmax(c.k, x);
                   for (std::size_t i = 0; i < x.size(); ++i)
                     if (!(p[i] >= 0 && p[i] <= 1)) fail(idx("softmax(x)", i) + " = " + show(p[i]) + " is outside [0, 1]");
                 }});
  out.push_back({{"bounds.log_softmax", "relations", "log_softmax(x)_i <= 0", kCases, {"log_softmax"}}, [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec l = call_log_softmax(c.k, x);
                   for (std::size_t i = 0; i < x.size(); ++i)
                     if (!(l[i] <= 0)) fail(idx("log_softmax(x)", i) + " = " + show(l[i]) + " is not <= 0");
                 }});
  out.push_back({{"bounds.logsumexp", "relations", "max(x) <= logsumexp(x) <= max(x) + log n", kCases, {"logsumexp"}},
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
  out.push_back({{"symmetry.sigmoid", "relations", "sigmoid(-x) = 1 - sigmoid(x) within the budget, against the oracle",
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
    out.push_back({{std::string("monotone.") + name, "relations", std::string(name) + " is non-decreasing", kCases, {name}},
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
  out.push_back({{"gradsum.cross_entropy", "relations",
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
  out.push_back({{"bce_is_two_class_ce", "relations",
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

}  // namespace

void add_relations(std::vector<Property>& out) {
  add_permutation(out);
  add_identities(out);
}

}  // namespace softcheck::properties
