// The near-tie family of the distribution cross-entropy gradient (T softmax - t), graded component by
// component against the oracle: ties of 1..8 entries at every scale from 2^-1074 to 2^1023, the other
// entries at gaps from 0 (and a few ULPs) past e^-745 to -DBL_MAX and -inf, targets mixing DBL_MAX-scale,
// ordinary, tiny and subnormal masses and t_i = RN(T0 p_i) (where every component cancels). Every
// component must be the oracle's correctly rounded value (where the oracle is certain; within 1 ULP
// otherwise), and the loss within 1 ULP. Deterministic: case k is the k-th draw of a fixed-seed
// mt19937_64 (its output sequence is fixed by the C++ standard); a failure prints the case in hex.
// SOFTCHECK_PROPERTY_SCALE multiplies the case count (nightly).
#include <gtest/gtest.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "impl/softcheck.hpp"
#include "oracle/oracle.hpp"
#include "oracle/ulp.hpp"

namespace {

constexpr double kMax = 1.7976931348623157e308;
constexpr int kCases = 3000;

class Draw {
 public:
  explicit Draw(std::uint64_t seed) : g_(seed) {}
  std::uint64_t bits() { return g_(); }
  unsigned pick(unsigned n) { return static_cast<unsigned>(g_() % n); }
  double unit() { return static_cast<double>(g_() >> 11) * 0x1p-53; }  // [0, 1)
  double mantissa() { return 1 + unit(); }                          // [1, 2)
  int between(int lo, int hi) { return lo + static_cast<int>(pick(static_cast<unsigned>(hi - lo + 1))); }

 private:
  std::mt19937_64 g_;
};

// The tied maximum: zero, subnormal, or any binade from 2^-1022 to 2^1023, either sign.
double tie_value(Draw& d) {
  double v;
  switch (d.pick(5)) {
    case 0: v = 0; break;
    case 1: v = static_cast<double>(d.bits() & ((1ULL << 52) - 1)) * 0x1p-1074; break;  // subnormal
    case 2: v = std::ldexp(d.mantissa(), d.between(1016, 1023)); break;                 // DBL_MAX scale
    case 3: v = std::ldexp(d.mantissa(), d.between(-8, 9)); break;                      // ordinary
    default: v = std::ldexp(d.mantissa(), d.between(-1022, 1023)); break;
  }
  return d.pick(2) ? -v : v;
}

// An entry below the maximum m at one of the gaps where the formulas change regime.
double other_value(Draw& d, double m) {
  switch (d.pick(8)) {
    case 0: {  // a few ULPs (the near tie)
      double x = m;
      for (int k = d.between(1, 3); k > 0; --k) x = std::nextafter(x, -HUGE_VAL);
      return x;
    }
    case 1: return m - d.unit();                         // a gap below 1
    case 2: return m - d.between(700, 760) - d.unit();   // e^gap around the subnormal threshold
    case 3: return m - d.between(745, 800) - d.unit();   // e^gap below 2^-1074
    case 4: return m - std::ldexp(d.mantissa(), d.between(10, 1023));
    case 5: return -kMax;
    case 6: return -HUGE_VAL;
    default: return std::nextafter(m, -HUGE_VAL) - std::ldexp(d.unit(), d.between(-1074, 0));
  }
}

double target_value(Draw& d, double rounded_p) {
  switch (d.pick(8)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return std::ldexp(d.mantissa(), d.between(1010, 1023));                     // DBL_MAX scale
    case 3: return d.unit();                                                          // ordinary
    case 4: return static_cast<double>(d.bits() & ((1ULL << 52) - 1)) * 0x1p-1074;   // subnormal
    case 5: return std::ldexp(d.mantissa(), d.between(-1022, -960));                  // tiny normal
    default: {  // RN(T0 p_i), T0 from tiny to huge: the component cancels by ~53 bits
      const double t0[] = {1, 3, 0x1p1000, 0x1p-1000, 1e300, 0x1p-1022};
      double t = std::fabs(t0[d.pick(6)] * rounded_p);
      return std::isfinite(t) ? t : kMax;
    }
  }
}

struct Case {
  std::vector<double> x, t;
};

Case make_case(Draw& d) {
  Case c;
  const double m = tie_value(d);
  const int ties = d.between(1, 8), others = d.between(0, 4);
  for (int k = 0; k < ties; ++k) {
    double x = m;
    if (d.pick(3) == 0) x = std::nextafter(x, -HUGE_VAL);  // within an ULP or two of each other
    if (d.pick(6) == 0) x = std::nextafter(x, -HUGE_VAL);
    c.x.push_back(x);
  }
  for (int k = 0; k < others; ++k) c.x.push_back(other_value(d, m));
  for (std::size_t k = c.x.size(); k > 1; --k) std::swap(c.x[k - 1], c.x[d.pick(static_cast<unsigned>(k))]);
  const std::vector<softcheck::oracle::Ref> p = softcheck::oracle::softmax(c.x);
  const bool matched = d.pick(4) == 0;  // every target RN(T0 p_i), some nudged by an ULP
  for (std::size_t i = 0; i < c.x.size(); ++i) {
    double t = matched ? std::fabs(3 * p[i].rounded) : target_value(d, p[i].rounded);
    if (matched && d.pick(3) == 0) t = std::nextafter(t, HUGE_VAL);
    c.t.push_back(t);
  }
  return c;
}

std::string show(const Case& c) {
  std::string s = "x = [";
  char buf[64];
  for (std::size_t i = 0; i < c.x.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%a", i ? ", " : "", c.x[i]);
    s += buf;
  }
  s += "], t = [";
  for (std::size_t i = 0; i < c.t.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%a", i ? ", " : "", c.t[i]);
    s += buf;
  }
  return s + "]";
}

int scale() {
  const char* s = std::getenv("SOFTCHECK_PROPERTY_SCALE");
  int v = s ? std::atoi(s) : 1;
  return v > 0 ? v : 1;
}

TEST(DistGradFamily, EveryComponentCorrectlyRounded) {
  Draw d(20261201);
  const int cases = kCases * scale();
  long components = 0, oracle_uncertain = 0;
  int failures = 0;
  for (int k = 0; k < cases && failures < 10; ++k) {
    const Case c = make_case(d);
    std::vector<double> g(c.x.size());
    const double loss = softcheck::cross_entropy(c.x, std::span<const double>(c.t), g);
    softcheck::oracle::Vector ov(c.x);
    std::vector<softcheck::oracle::Ref> r(c.x.size());
    const softcheck::oracle::Ref rl = ov.cross_entropy(std::span<const double>(c.t), r);
    const double el = softcheck::oracle::ulp_error(loss, rl);
    if (!(el <= 1)) {
      ++failures;
      ADD_FAILURE() << "case " << k << ": loss " << loss << " is " << el << " ULP from the oracle's "
                    << rl.rounded << "\n  " << show(c);
    }
    for (std::size_t i = 0; i < g.size(); ++i) {
      ++components;
      const bool same = g[i] == r[i].rounded || (std::isnan(g[i]) && std::isnan(r[i].rounded));
      if (!r[i].certain) ++oracle_uncertain;
      const double e = softcheck::oracle::ulp_error(g[i], r[i]);
      if (r[i].certain ? !same : !(e <= 1)) {
        ++failures;
        char buf[160];
        std::snprintf(buf, sizeof buf, "case %d: grad[%zu] = %a, the oracle's correctly rounded value is %a (%g ULP)",
                      k, i, g[i], r[i].rounded, e);
        ADD_FAILURE() << buf << "\n  " << show(c);
      }
    }
  }
  std::printf("%d cases, %ld gradient components graded, %ld where the oracle was not certain\n", cases,
              components, oracle_uncertain);
}

}  // namespace
