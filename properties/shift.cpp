// Property group 3: shift invariance of softmax, log_softmax and logsumexp under exact shifts x + c.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "properties/doubles.hpp"
#include "properties/property.hpp"

namespace softcheck::properties {
namespace {

constexpr int kCases = 4000;

// Exponent of the lowest set bit of x (x finite, nonzero).
int lsb_exponent(double x) { return std::ilogb(x) - regimes::significant_bits(x) + 1; }

// A shift c != 0 with x_i + c exact for every i, or 0 where none was found (e.g. x = [1e308, 1000]: no
// nonzero double shifts both exactly). Every x_i is a multiple of 2^g (g the lowest set bit over x), so a
// multiple c of 2^g keeps x_i + c exact while |x_i + c| < 2^(g+53); candidates: a uniform c in that range,
// c = -x_j (moves x_j to 0), and ±2^e. Each is verified; shrinks keep only exact shifts.
rc::Gen<double> shift_for(const Vec& x) {
  auto exact = [x](double c) { return c != 0 && shift_is_exact(x, c); };
  auto draw = [x, exact](rc::Random& r, int) {
    int g = 1023;
    double lo = DBL_MAX, hi = -DBL_MAX;
    for (double v : x) {
      if (v != 0) g = std::min(g, lsb_exponent(v));
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (g == 1023) g = -20;  // all zeros: any shift on a 2^-20 grid
    const double L = g + 53 > 1023 ? DBL_MAX : std::scalbn(1.0, g + 53);
    for (int attempt = 0; attempt < 8; ++attempt) {
      double c = 0;
      const double u = regimes::unit_interval(r);
      if (u < 0.5) {
        const double a = -L - lo, b = L - hi;  // x_i + c within (-L, L)
        if (!(a < b)) continue;
        const double v = regimes::uniform(r, a, b);
        c = std::scalbn(std::nearbyint(std::scalbn(v, -g)), g);
      } else if (u < 0.75) {
        c = -x[regimes::below(r, x.size())];
      } else {
        const int e = g + static_cast<int>(regimes::below(r, 53));
        c = (regimes::chance(r, 0.5) ? 1 : -1) * std::scalbn(1.0, std::min(e, 1023));
      }
      if (exact(c)) return c;
    }
    return 0.0;
  };
  auto shrink = [exact](const double& c) {
    std::vector<double> out;
    for (double v : regimes::shrink_candidates(c))
      if (exact(v)) out.push_back(v);
    return rc::seq::fromContainer(std::move(out));
  };
  return regimes::make_gen<double>(draw, shrink);
}

Vec shifted(const Vec& x, double c) {
  Vec y(x);
  for (double& v : y) v += c;
  return y;
}

// x and an exact shift c; discards the case when x admits none.
std::pair<Vec, double> draw_case(Ctx& c, const rc::Gen<Vec>& xs) {
  const Vec x = c.draw("x", xs);
  const double shift = c.draw("c", shift_for(x));
  if (shift == 0 || !shift_is_exact(x, shift)) discard("no exact shift for this x");
  return {x, shift};
}

}  // namespace

void add_shift(std::vector<Property>& out) {
  const rc::Gen<Vec> xs = ordinary_vectors();
  out.push_back({{"shift.softmax", "shift", "softmax(x + c) = softmax(x) within 2B ULPs, x + c exact", kCases,
                  {"softmax"}},
                 [xs](Ctx& c) {
                   const auto [x, s] = draw_case(c, xs);
                   const Vec a = call_softmax(c.k, x), b = call_softmax(c.k, shifted(x, s));
                   for (std::size_t i = 0; i < x.size(); ++i)
                     check_same_value(c, "softmax(x)[" + std::to_string(i) + "] vs softmax(x + c)", a[i], b[i]);
                 }});
  out.push_back({{"shift.log_softmax", "shift", "log_softmax(x + c) = log_softmax(x) within 2B ULPs, x + c exact",
                  kCases, {"log_softmax"}},
                 [xs](Ctx& c) {
                   const auto [x, s] = draw_case(c, xs);
                   const Vec a = call_log_softmax(c.k, x), b = call_log_softmax(c.k, shifted(x, s));
                   for (std::size_t i = 0; i < x.size(); ++i)
                     check_same_value(c, "log_softmax(x)[" + std::to_string(i) + "] vs log_softmax(x + c)", a[i],
                                      b[i]);
                 }});
  // logsumexp(x) + c is formed exactly (TwoSum) and compared with logsumexp(x + c); the two results carry
  // B·ulp(V) and B·ulp(V + c) (V = logsumexp(x)), and forming the difference adds at most ulp(difference).
  out.push_back({{"shift.logsumexp", "shift",
                  "logsumexp(x + c) = logsumexp(x) + c within B·(ulp(V) + ulp(V + c)), x + c exact", kCases,
                  {"logsumexp"}},
                 [xs](Ctx& c) {
                   const auto [x, s] = draw_case(c, xs);
                   const double l1 = call_logsumexp(c.k, x), l2 = call_logsumexp(c.k, shifted(x, s));
                   if (!std::isfinite(l1) || !std::isfinite(l2))
                     fail("logsumexp(x) = " + show(l1) + ", logsumexp(x + c) = " + show(l2) + ": not finite");
                   const TwoSum t = two_sum(l1, s);
                   const double d = (l2 - t.s) - t.e;
                   const double tol = c.B * (ulp_near(l1, l1, c.B) + ulp_near(l2, l2, c.B)) + oracle::ulp_of(d);
                   if (std::fabs(d) > tol)
                     fail("logsumexp(x + c) = " + show(l2) + " but logsumexp(x) + c = " + show(l1) + " + " + show(s) +
                          ": they differ by " + show(d) + " > " + show(tol));
                 }});
}

}  // namespace softcheck::properties
