// The oracle against the textbook definitions evaluated naively at 4000 bits, cancelling inputs included.
//
// No reformulation on this side; the targets t = RN(σ(x)) and t = RN(softmax) make the gradients cancel.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "oracle/oracle.hpp"
#include "support.hpp"

namespace so = softcheck::oracle;
using oracle_test::Mp;

namespace {

constexpr mpfr_prec_t kP = 4000;

// The Ref must be RN(v), with frac = (v - RN(v))/ulp(v) to 1e-9 (4000 bits leave v exact to far below).
void expect_matches(const so::Ref& r, mpfr_srcptr v, const std::string& what) {
  const double rounded = mpfr_get_d(v, MPFR_RNDN);
  EXPECT_EQ(r.rounded, rounded) << what;
  EXPECT_TRUE(r.certain) << what;
  if (!std::isfinite(rounded)) return;
  Mp d(kP);
  long e = mpfr_zero_p(v) ? -1074 : static_cast<long>(mpfr_get_exp(v)) - 1;
  e = std::max(e, -1022L) - 52;
  mpfr_sub_d(d.v, v, rounded, MPFR_RNDN);
  mpfr_mul_2si(d.v, d.v, -e, MPFR_RNDN);
  EXPECT_NEAR(r.frac, mpfr_get_d(d.v, MPFR_RNDN), 1e-9) << what;
}

std::string show(const std::vector<double>& x) {
  std::string s = "[";
  char buf[40];
  for (double v : x) std::snprintf(buf, sizeof buf, "%a ", v), s += buf;
  return s + "]";
}

void sigma(mpfr_ptr out, double x) {  // 1 / (1 + e^-x)
  mpfr_set_d(out, -x, MPFR_RNDN);
  mpfr_exp(out, out, MPFR_RNDN);
  mpfr_add_ui(out, out, 1, MPFR_RNDN);
  mpfr_ui_div(out, 1, out, MPFR_RNDN);
}

}  // namespace

TEST(CrossCheck, Scalars) {
  oracle_test::wide_exponents();
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<double> u(-750, 40), unit(0, 1);
  std::vector<double> xs = {0x1p-1074, -0x1p-1074, 1e-20, -1e-20, 36.7368005696771, 37.42994775023704,
                            -708.3964185322641, -709.782712893384, -744.4400719213812, -745.1332191019411,
                            -745.1332191019412, 709.782712893384};
  for (int k = 0; k < 300; ++k) xs.push_back(u(rng));
  Mp s(kP), v(kP), w(kP);
  for (const double x : xs) {
    const std::string at = "x = " + std::to_string(x);
    sigma(s.v, x);
    expect_matches(so::sigmoid(x), s.v, "sigmoid " + at);
    mpfr_log(v.v, s.v, MPFR_RNDN);
    expect_matches(so::log_sigmoid(x), v.v, "log_sigmoid " + at);
    // t random, t tiny, and t = RN(σ(x)): σ(x) - t then cancels down to frac ulp.
    for (const double t : {unit(rng), 0x1p-60, mpfr_get_d(s.v, MPFR_RNDN)}) {
      so::Ref g;
      const so::Ref L = so::bce_with_logits(x, t, &g);
      mpfr_sub_d(v.v, s.v, t, MPFR_RNDN);
      expect_matches(g, v.v, "bce grad " + at + " t = " + std::to_string(t));
      // -t log σ - (1 - t) log(1 - σ)
      mpfr_log(v.v, s.v, MPFR_RNDN);
      mpfr_mul_d(v.v, v.v, -t, MPFR_RNDN);
      mpfr_ui_sub(w.v, 1, s.v, MPFR_RNDN);
      mpfr_log(w.v, w.v, MPFR_RNDN);
      Mp c(kP);  // 1 - t, exact
      mpfr_set_ui(c.v, 1, MPFR_RNDN);
      mpfr_sub_d(c.v, c.v, t, MPFR_RNDN);
      mpfr_mul(w.v, w.v, c.v, MPFR_RNDN);
      mpfr_sub(v.v, v.v, w.v, MPFR_RNDN);
      expect_matches(L, v.v, "bce loss " + at + " t = " + std::to_string(t));
    }
  }
}

TEST(CrossCheck, Vectors) {
  oracle_test::wide_exponents();
  auto inputs = oracle_test::regimes(22, 12);
  // logsumexp near zero and other cancellations.
  inputs.push_back({-0.6931471805599453, -0.6931471805599453});
  inputs.push_back({-0.6931, -0.6932});
  inputs.push_back({-1.0986122886681098, -1.0986122886681098, -1.0986122886681098});
  inputs.push_back({0.0, -1e-300});
  inputs.push_back({1e-300, 0.0, -800.0});
  std::mt19937_64 rng(23);
  so::Vector vec;
  for (const auto& x : inputs) {
    const std::size_t n = x.size(), k = rng() % n;
    const std::string at = show(x);
    std::vector<Mp> e(n);
    Mp S(kP), lse(kP), t(kP), T(kP);
    mpfr_set_zero(S.v, 1);
    for (std::size_t i = 0; i < n; ++i) {
      mpfr_set_prec(e[i].v, kP);
      mpfr_set_d(e[i].v, x[i], MPFR_RNDN);
      mpfr_exp(e[i].v, e[i].v, MPFR_RNDN);
      mpfr_add(S.v, S.v, e[i].v, MPFR_RNDN);
    }
    mpfr_log(lse.v, S.v, MPFR_RNDN);
    vec.assign(x);
    expect_matches(vec.logsumexp(), lse.v, "logsumexp " + at);
    std::vector<so::Ref> p(n), ls(n), g(n), gd(n);
    vec.softmax(p);
    vec.log_softmax(ls);
    const so::Ref L = vec.cross_entropy(k, g);
    mpfr_d_sub(t.v, x[k], lse.v, MPFR_RNDN);
    mpfr_neg(t.v, t.v, MPFR_RNDN);
    expect_matches(L, t.v, "CE loss " + at);
    // Targets: RN(softmax) (so (Σt) p_i - t_i cancels) with one entry zeroed, scaled by 3.
    std::vector<double> target(n);
    for (std::size_t i = 0; i < n; ++i) target[i] = 3 * p[i].rounded;
    target[k] = 0;
    mpfr_set_zero(T.v, 1);
    for (double ti : target) mpfr_add_d(T.v, T.v, ti, MPFR_RNDN);
    const so::Ref Ld = vec.cross_entropy(target, gd);
    Mp Lsum(kP);
    mpfr_set_zero(Lsum.v, 1);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string ai = at + " i = " + std::to_string(i);
      Mp q(kP);
      mpfr_div(q.v, e[i].v, S.v, MPFR_RNDN);
      expect_matches(p[i], q.v, "softmax " + ai);
      mpfr_d_sub(t.v, x[i], lse.v, MPFR_RNDN);
      expect_matches(ls[i], t.v, "log_softmax " + ai);
      mpfr_mul_d(t.v, t.v, -target[i], MPFR_RNDN);
      mpfr_add(Lsum.v, Lsum.v, t.v, MPFR_RNDN);
      mpfr_set(t.v, q.v, MPFR_RNDN);
      if (i == k) mpfr_sub_ui(t.v, t.v, 1, MPFR_RNDN);
      expect_matches(g[i], t.v, "CE grad " + ai);
      mpfr_mul(t.v, q.v, T.v, MPFR_RNDN);
      mpfr_sub_d(t.v, t.v, target[i], MPFR_RNDN);
      expect_matches(gd[i], t.v, "dist CE grad " + ai);
    }
    expect_matches(Ld, Lsum.v, "dist CE loss " + at);
  }
}
