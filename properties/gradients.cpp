// Property group 4: gradients match central finite differences of the loss, within a derived tolerance.
// Cross-entropy (index and distribution targets), BCE with logits, logsumexp (gradient softmax), sigmoid
// (σ(1-σ)) and log-sigmoid (1-σ); the step and the tolerance come from truncation and rounding error.
//
// Central difference D = (f(x + h) - f(x - h)) / 2h along one coordinate, with x on a 2^-16 grid and h a
// power of two >= 2^-16, so x ± h is exact.
//   truncation:  |D - f'(x)| <= h²/6 · M,   M >= |f'''| on [x - h, x + h];
//   rounding:    each f(x ± h) is within B·ulp of the exact loss, so D carries
//                B·(ulp(f(x+h)) + ulp(f(x-h))) / 2h; the subtraction adds <= ulp(D) (2h is a power of two);
//   the gradient itself is allowed B·ulp(g) (plus the rounding of the formula for σ(1-σ) and 1-σ).
// M: for L = CE along x_j, f''' = T·p_j(1-p_j)(1-2p_j) with T = Σt (1 for a class index), and
// max |p(1-p)(1-2p)| = 1/(6√3) < 0.0963; the same bound holds for logsumexp, BCE (σ'' = σ(1-σ)(1-2σ)) and
// log σ; for σ itself f''' = σ(1-σ)(1-6σ+6σ²), |.| <= 1/8.
// h minimizes h²M/6 + B·ulp(f)/h: h = (3B·ulp(f)/M)^(1/3), rounded to a power of two in [2^-16, 2^-6]
// (about 2^-13 for |f| ~ 10: the tolerance is then ~1e-10 absolute, far below the 2|g|, |Σt - 1|·p_j and
// 1 that a flipped sign, a missing Σt or a wrong class cost).
#include <algorithm>
#include <cmath>

#include "properties/doubles.hpp"
#include "properties/property.hpp"
#include "properties/regimes.hpp"

namespace softcheck::properties {
namespace {

constexpr double kGrid = 0x1p-16;
constexpr double kM3 = 0.0963;     // >= 1/(6√3)
constexpr double kM3Sigmoid = 0.125;
constexpr int kCases = 2000;

bool on_grid(double v) { return std::isfinite(v) && std::fabs(v) < 0x1p20 && std::nearbyint(v / kGrid) * kGrid == v; }
bool on_grid(const Vec& x) { return std::all_of(x.begin(), x.end(), [](double v) { return on_grid(v); }); }
double to_grid(double v) { return std::nearbyint(v / kGrid) * kGrid; }

rc::Gen<Vec> grid_vectors() {
  auto mixed = rc::gen::weightedOneOf<Vec>({
      {2, regimes::vector("unit")},
      {3, regimes::vector("wide")},
      {2, regimes::vector("dominant")},
      {1, regimes::vector("ties")},
      {1, regimes::vector("tail")},
  });
  auto rounded = rc::gen::map(mixed, [](Vec x) {
    for (double& v : x) v = to_grid(v);
    return x;
  });
  return regimes::reshrink<Vec>(rounded, [](const Vec& v) { return regimes::shrink_vector(v, 1); });
}

rc::Gen<double> grid_scalar() {
  auto mixed = rc::gen::weightedOneOf<double>({{3, regimes::real(-40, 40)}, {1, regimes::scalar("uniform")}});
  return regimes::reshrink<double>(rc::gen::map(mixed, to_grid), regimes::shrink_double);
}

double step(double f, double M, double B) {
  const double u = oracle::ulp_of(f);
  const double h = std::cbrt(3 * B * u / std::max(M, 1e-6));
  return std::scalbn(1.0, std::clamp(static_cast<int>(std::lround(std::log2(h))), -16, -6));
}

// Compares g with the central difference of f along one coordinate (fp, fm: f at x ± h).
void check_derivative(const Ctx& c, const std::string& what, double g, double g_err, double fp, double fm, double h,
                      double M) {
  if (!std::isfinite(fp) || !std::isfinite(fm) || !std::isfinite(g))
    fail(what + ": loss at x ± h = " + show(fp) + ", " + show(fm) + ", gradient " + show(g) + ": not finite");
  const double fd = (fp - fm) / (2 * h);
  const double trunc = h * h / 6 * M;
  const double round = c.B * (ulp_near(fp, fp, c.B) + ulp_near(fm, fm, c.B)) / (2 * h) + oracle::ulp_of(fd);
  const double tol = (trunc + round + g_err) * (1 + 0x1p-40);
  if (std::fabs(g - fd) <= tol) return;
  fail(what + " = " + show(g) + " but the central difference with h = " + show(h) + " is " + show(fd) +
       ": |difference| " + show(std::fabs(g - fd)) + " > " + show(tol) + " (truncation " + show(trunc) +
       ", rounding " + show(round) + ", gradient " + show(g_err) + ")");
}

Vec moved(const Vec& x, std::size_t j, double d) {
  Vec y(x);
  y[j] += d;
  return y;
}

}  // namespace

// The backward passes in input form are gradients of f(x) = ⟨g, forward(x)⟩: f is summed exactly from
// the kernel's forward outputs, so its rounding is Σ_i |g_i| (B ulp(o_i) + ulp(g_i o_i)) (each product
// rounded once) plus ulp(f); along x_j, |f'''| <= Σ_i |g_i| |∂³o_i/∂x_j³| <= Σ_i |g_i| (softmax: |p_i p_j
// (1 - 6p_j + 6p_j^2)| <= p_i for i ≠ j, 1/8 for i = j; log_softmax: |Σ g| 1/(6√3)).
static void add_vjp_gradient(std::vector<Property>& out, const rc::Gen<Vec>& xs, const char* entry, const char* forward) {
  out.push_back(
      {{std::string("gradient.") + entry, "gradient",
        std::string(entry) + "(x, g)_j matches the central difference of ⟨g, " + forward + "(x)⟩", kCases,
        {entry, forward}},
       [xs, entry, forward](Ctx& c) {
         const Vec x = c.draw("x", xs);
         const Vec g = c.draw("g", regimes::upstream(x));
         if (!on_grid(x)) discard("off the 2^-16 grid");
         if (std::any_of(g.begin(), g.end(), [](double v) { return std::fabs(v) > 0x1p500; }))
           discard("g beyond 2^500: the difference quotient's rounding would dominate");
         const std::size_t n = x.size();
         const bool soft = std::string_view(entry) == "softmax_vjp";
         double R = 0;  // the rounding bound of f at the last call
         auto f = [&](const Vec& v) {
           const Vec o = soft ? call_softmax(c.k, v) : call_log_softmax(c.k, v);
           ExactSum s;
           R = 0;
           for (std::size_t i = 0; i < n; ++i) {
             if (g[i] == 0) continue;
             const double t = g[i] * o[i];
             if (!std::isfinite(t)) fail(std::string(forward) + "(x ± h) gives a non-finite term " + show(t));
             s.add(t);
             s.add(std::fma(g[i], o[i], -t));
             R += std::fabs(g[i]) * c.B * ulp_near(o[i], o[i], c.B) + oracle::ulp_of(t);
           }
           const double sum = s.value();
           R = (R + oracle::ulp_of(sum)) * (1 + 0x1p-40);
           return sum;
         };
         inputs::Input in;
         in.x = x;
         in.target = g;
         functions::EntryOutput call;
         functions::call_entry(c.k, entry, in, true, call);
         double G = 0, A = 0;
         for (double v : g) G += v, A += std::fabs(v);
         const double M = (soft ? A : kM3 * (std::fabs(G) + static_cast<double>(n + 1) * 0x1p-52 * A)) * (1 + 0x1p-40);
         f(x);
         const double h0 = std::cbrt(3 * R / std::max(M, 1e-300));
         const double h = std::scalbn(1.0, std::clamp(static_cast<int>(std::lround(std::log2(h0))), -16, -6));
         for (std::size_t j = 0; j < n; ++j) {
           const double fp = f(moved(x, j, h));
           const double Rp = R;
           const double fm = f(moved(x, j, -h));
           const double Rm = R;
           const double gj = call.vector[j];
           const double fd = (fp - fm) / (2 * h);
           const double tol = (h * h / 6 * M + (Rp + Rm) / (2 * h) + oracle::ulp_of(fd) + c.B * ulp_near(gj, gj, c.B)) *
                              (1 + 0x1p-40);
           if (!(std::fabs(gj - fd) <= tol))
             fail(std::string(entry) + "(x, g)[" + std::to_string(j) + "] = " + show(gj) +
                  " but the central difference with h = " + show(h) + " is " + show(fd) + ": |difference| " +
                  show(std::fabs(gj - fd)) + " > " + show(tol));
         }
       }});
}

void add_gradient(std::vector<Property>& out) {
  const rc::Gen<Vec> xs = grid_vectors();
  const rc::Gen<double> x1 = grid_scalar();
  add_vjp_gradient(out, xs, "softmax_vjp", "softmax");
  add_vjp_gradient(out, xs, "log_softmax_vjp", "log_softmax");

  out.push_back({{"gradient.cross_entropy", "gradient",
                  "∂CE(x, k)/∂x_j matches the central difference of the loss", kCases, {"cross_entropy"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const std::size_t k = c.draw("k", regimes::class_index(x));
                   if (!on_grid(x)) discard("off the 2^-16 grid");
                   const std::size_t n = x.size();
                   auto loss = [&](const Vec& v) { return c.k.cross_entropy(v.data(), n, k, nullptr); };
                   Vec g(n);
                   const double L = c.k.cross_entropy(x.data(), n, k, g.data());
                   const double h = step(L, kM3, c.B);
                   for (std::size_t j = 0; j < n; ++j)
                     check_derivative(c, "gradient[" + std::to_string(j) + "]", g[j], c.B * ulp_near(g[j], g[j], c.B),
                                      loss(moved(x, j, h)), loss(moved(x, j, -h)), h, kM3);
                 }});

  out.push_back({{"gradient.cross_entropy_dist", "gradient",
                  "∂CE(x, t)/∂x_j matches the central difference of the loss (Σt need not be 1)", kCases,
                  {"cross_entropy_dist"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   const Vec t = c.draw("t", regimes::distribution(x));
                   if (!on_grid(x)) discard("off the 2^-16 grid");
                   const std::size_t n = x.size();
                   auto loss = [&](const Vec& v) { return c.k.cross_entropy_dist(v.data(), t.data(), n, nullptr); };
                   Vec g(n);
                   const double L = c.k.cross_entropy_dist(x.data(), t.data(), n, g.data());
                   ExactSum ts;
                   for (double v : t) ts.add(v);
                   const double M = kM3 * ts.value() * (1 + 0x1p-50);
                   const double h = step(L, M, c.B);
                   for (std::size_t j = 0; j < n; ++j)
                     check_derivative(c, "gradient[" + std::to_string(j) + "]", g[j], c.B * ulp_near(g[j], g[j], c.B),
                                      loss(moved(x, j, h)), loss(moved(x, j, -h)), h, M);
                 }});

  out.push_back({{"gradient.logsumexp", "gradient", "softmax(x)_j matches the central difference of logsumexp",
                  kCases, {"logsumexp", "softmax"}},
                 [xs](Ctx& c) {
                   const Vec x = c.draw("x", xs);
                   if (!on_grid(x)) discard("off the 2^-16 grid");
                   const Vec p = call_softmax(c.k, x);
                   const double h = step(call_logsumexp(c.k, x), kM3, c.B);
                   for (std::size_t j = 0; j < x.size(); ++j)
                     check_derivative(c, "softmax(x)[" + std::to_string(j) + "] as ∂logsumexp/∂x_j", p[j],
                                      c.B * ulp_near(p[j], p[j], c.B), call_logsumexp(c.k, moved(x, j, h)),
                                      call_logsumexp(c.k, moved(x, j, -h)), h, kM3);
                 }});

  out.push_back({{"gradient.bce_with_logits", "gradient",
                  "∂BCE(x, t)/∂x matches the central difference of the loss", kCases, {"bce_with_logits"}},
                 [x1](Ctx& c) {
                   const double x = c.draw("x", x1);
                   const double t = c.draw("t", regimes::bce_target(x));
                   if (!on_grid(x)) discard("off the 2^-16 grid");
                   double g = 0;
                   const double L = c.k.bce_with_logits(x, t, &g);
                   const double h = step(L, kM3, c.B);
                   check_derivative(c, "gradient", g, c.B * ulp_near(g, g, c.B), c.k.bce_with_logits(x + h, t, nullptr),
                                    c.k.bce_with_logits(x - h, t, nullptr), h, kM3);
                 }});

  // g = s(1 - s) from s = σ̂(x): s carries B·ulp(s), which moves g by |1 - 2s|·B·ulp(s) <= B·ulp(s);
  // forming 1 - s and the product round by <= s·ulp(1 - s)/2 + ulp(g)/2.
  out.push_back({{"gradient.sigmoid", "gradient", "σ(1-σ) matches the central difference of sigmoid", kCases,
                  {"sigmoid"}},
                 [x1](Ctx& c) {
                   const double x = c.draw("x", x1);
                   if (!on_grid(x)) discard("off the 2^-16 grid");
                   const double s = call_sigmoid(c.k, x);
                   const double g = s * (1 - s);
                   const double err = c.B * ulp_near(s, s, c.B) + s * oracle::ulp_of(1 - s) + oracle::ulp_of(g);
                   const double h = step(s, kM3Sigmoid, c.B);
                   check_derivative(c, "σ(x)(1 - σ(x))", g, err, call_sigmoid(c.k, x + h), call_sigmoid(c.k, x - h), h,
                                    kM3Sigmoid);
                 }});

  // g = 1 - s: B·ulp(s) from s, ulp(1 - s)/2 from forming it.
  out.push_back({{"gradient.log_sigmoid", "gradient", "1-σ matches the central difference of log_sigmoid", kCases,
                  {"log_sigmoid", "sigmoid"}},
                 [x1](Ctx& c) {
                   const double x = c.draw("x", x1);
                   if (!on_grid(x)) discard("off the 2^-16 grid");
                   const double s = call_sigmoid(c.k, x);
                   const double g = 1 - s;
                   const double err = c.B * ulp_near(s, s, c.B) + oracle::ulp_of(g);
                   const double f = call_log_sigmoid(c.k, x);
                   const double h = step(f, kM3, c.B);
                   check_derivative(c, "1 - σ(x)", g, err, call_log_sigmoid(c.k, x + h), call_log_sigmoid(c.k, x - h), h,
                                    kM3);
                 }});
}

}  // namespace softcheck::properties
