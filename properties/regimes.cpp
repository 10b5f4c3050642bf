// The input regimes of docs/definitions.md as RapidCheck generators (declared in regimes.hpp).
// The building blocks and the shrinks are in doubles.hpp.
#include "properties/regimes.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "oracle/oracle.hpp"
#include "properties/doubles.hpp"

namespace softcheck::regimes {
namespace {

using Vec = std::vector<double>;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr std::array<Regime, 9> kVector{{
    {"unit", "entries in [-1, 1], n 1..16", false},
    {"wide", "entries in [-50, 50], n 1..16", false},
    {"extreme", "±1000, ±1e308, exp thresholds, mixed signs, n 1..16", false},
    {"dominant", "one entry 20..800 above all others, n 2..16", false},
    {"ties", "several maxima within a few ULPs of each other, n 2..16", false},
    {"tail", "probabilities down to the subnormal range (differences to the max of 700..745), n 2..16",
     false},
    {"cancel",
     "logsumexp within a few ULPs of 0 while no entry is: all entries < 0, Σ e^x_i = 1 to ~2^-60 (m + log Σ "
     "e^(x_i - m) cancels), n 2..16",
     false},
    {"long", "n from 10^3 to 10^6, log-uniform (summation error grows with n)", false},
    {"special", "±inf, NaN, -inf masks, ±0, subnormals, n 1..8", false},
}};
constexpr std::array<Regime, 4> kScalar{{
    {"uniform", "uniform on [-750, 40]", true},
    {"loguniform", "log-uniform magnitude over all finite doubles (uniform bit patterns), both signs", true},
    {"thresholds",
     "within 2^20 ULPs of where e^x overflows or underflows, σ rounds to 1, σ becomes subnormal", true},
    {"special", "±inf, NaN, ±0, subnormals, ±DBL_MIN, ±DBL_MAX", true},
}};

rc::Seq<Vec> shrink_vec1(const Vec& v) { return shrink_vector(v, 1); }
rc::Seq<Vec> shrink_same_size(const Vec& v) { return shrink_vector(v, v.size()); }

// n in [lo, lo + (hi - lo)·size/100]: RapidCheck's size grows over a run, so the first cases are short.
std::size_t small_n(rc::Random& r, int size, std::size_t lo, std::size_t hi) {
  const auto s = static_cast<std::size_t>(std::clamp(size, 0, rc::kNominalSize));
  const std::size_t top = lo + (hi - lo) * s / static_cast<std::size_t>(rc::kNominalSize);
  return lo + below(r, top - lo + 1);
}

// Every draw from r is its own full expression (a declaration or statement, or a branch of ?:): C++
// leaves the order of a call's arguments and of an operator's operands unspecified, and GCC and Clang
// choose differently, so sign(r) * ldexp(unit_interval(r), below(r, 60)) would be one input under one
// compiler and another under the other (Regimes.DrawsAreTheSameOnEveryCompiler pins the draws).
double sign(rc::Random& r) { return chance(r, 0.5) ? 1.0 : -1.0; }

// One element of `unit`: mostly uniform, some simple values, some tiny magnitudes.
double unit_element(rc::Random& r) {
  const double u = unit_interval(r);
  if (u < 0.8) return uniform(r, -1, 1);
  if (u < 0.9) {
    static constexpr double simple[] = {0.0, 1.0, -1.0, 0.5, -0.5, 0.25, -0.75, -0.0};
    return simple[below(r, std::size(simple))];
  }
  const double s = sign(r);
  const int e = -1 - static_cast<int>(below(r, 60));
  return s * std::ldexp(1 + unit_interval(r), e);
}

double wide_element(rc::Random& r) {
  const double u = unit_interval(r);
  if (u < 0.8) return uniform(r, -50, 50);
  if (u < 0.9) return static_cast<double>(static_cast<int>(below(r, 101)) - 50);
  const double s = sign(r);
  const int e = static_cast<int>(below(r, 36)) - 30;
  return s * std::min(50.0, std::ldexp(1 + unit_interval(r), e));
}

double extreme_element(rc::Random& r) {
  const double u = unit_interval(r);
  if (u < 0.3) return sign(r) * 1000;
  const double s = u < 0.8 ? sign(r) : 1;
  if (u < 0.45) return s * (chance(r, 0.5) ? 1e308 : DBL_MAX);
  if (u < 0.65) {
    const int e = 9 + static_cast<int>(below(r, 1015));
    return s * std::ldexp(1 + unit_interval(r), e);
  }
  if (u < 0.8) {
    static const double t[] = {std::log(DBL_MAX), -1075 * std::log(2.0), std::log(DBL_MIN), 745.0, 710.0};
    const double toward = chance(r, 0.5) ? kInf : -kInf;
    return s * std::nextafter(t[below(r, std::size(t))], toward);
  }
  return uniform(r, -50, 50);
}

Vec iid(rc::Random& r, std::size_t n, double (*element)(rc::Random&)) {
  Vec v(n);
  for (double& x : v) x = element(r);
  return v;
}

rc::Gen<Vec> pattern(std::function<Vec(rc::Random&, int)> draw) { return make_gen<Vec>(draw, shrink_vec1); }

rc::Gen<Vec> unit_gen() {
  return pattern([](rc::Random& r, int size) { return iid(r, small_n(r, size, 1, 16), unit_element); });
}

rc::Gen<Vec> wide_gen() {
  return pattern([](rc::Random& r, int size) { return iid(r, small_n(r, size, 1, 16), wide_element); });
}

rc::Gen<Vec> extreme_gen() {
  return reshrink<Vec>(
      rc::gen::weightedOneOf<Vec>({
          // elements mixed from ±1000, ±1e308, huge magnitudes, thresholds and ordinary values
          {5, pattern([](rc::Random& r, int size) { return iid(r, small_n(r, size, 1, 16), extreme_element); })},
          // all near one huge value B (±1000, ±1e4, ±1e300, ±1e308): exact results are ordinary numbers
          {3, pattern([](rc::Random& r, int size) {
             static constexpr double bases[] = {1000, 1e4, 1e300, 1e308};
             const double s = sign(r);
             const double b = s * bases[below(r, std::size(bases))];
             Vec v(small_n(r, size, 1, 16));
             for (double& x : v) x = b + (chance(r, 0.3) ? 0.0 : uniform(r, -50, 50));
             return v;
           })},
          // n copies of one value: the sum of exponentials overflows though each term does not
          {2, pattern([](rc::Random& r, int size) {
             static const double c[] = {709.7, std::log(DBL_MAX), 1000, -1000, 1e308, -1e308, -745.0};
             const double value = c[below(r, std::size(c))];
             return Vec(small_n(r, size, 1, 16), value);
           })},
      }),
      shrink_vec1);
}

rc::Gen<Vec> dominant_gen() {
  return pattern([](rc::Random& r, int size) {
    const std::size_t n = small_n(r, size, 2, 16);
    const double offset = chance(r, 0.8) ? uniform(r, -100, 100) : sign(r) * 1000;
    Vec v(n);
    for (double& x : v) x = offset + (chance(r, 0.5) ? uniform(r, -1, 1) : uniform(r, -50, 0));
    const double m = *std::max_element(v.begin(), v.end());
    // gap 20..800: half of the cases in 20..60, where the target-class gradient is still a normal number
    const double gap = chance(r, 0.5) ? uniform(r, 20, 60) : uniform(r, 20, 800);
    v[below(r, n)] = m + gap;
    return v;
  });
}

rc::Gen<Vec> ties_gen() {
  return pattern([](rc::Random& r, int size) {
    const std::size_t n = small_n(r, size, 2, 16);
    double m;
    const double u = unit_interval(r);
    if (u < 0.4) m = uniform(r, -50, 50);
    else if (u < 0.6) m = uniform(r, -1, 1);
    else if (u < 0.8) m = sign(r) * 1000;
    else {
      const double s = sign(r);
      const int e = static_cast<int>(below(r, 60)) - 20;
      m = s * std::ldexp(1 + unit_interval(r), e);
    }
    const std::size_t ties = 2 + below(r, n - 1);  // 2..n entries within a few ULPs of m
    Vec v(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (i < ties) {
        double x = m;
        const auto k = below(r, 9);  // -4..4 ULPs
        for (std::uint64_t j = 0; j < (k > 4 ? k - 4 : 4 - k); ++j) x = std::nextafter(x, k > 4 ? kInf : -kInf);
        v[i] = x;
      } else {
        v[i] = m - (chance(r, 0.5) ? uniform(r, 0, 50) : std::ldexp(1.0, -static_cast<int>(below(r, 50))));
      }
    }
    // shuffle so the ties are not always in front
    for (std::size_t i = n; i > 1; --i) std::swap(v[i - 1], v[below(r, i)]);
    return v;
  });
}

rc::Gen<Vec> tail_gen() {
  return pattern([](rc::Random& r, int size) {
    const std::size_t n = small_n(r, size, 2, 16);
    const double m = chance(r, 0.8) ? uniform(r, -50, 50) : sign(r) * 1000;
    Vec v(n);
    v[0] = m;
    v[1] = m - uniform(r, 700, 745.2);  // at least one probability in or near the subnormal range
    for (std::size_t i = 2; i < n; ++i) {
      const double u = unit_interval(r);
      v[i] = u < 0.5 ? m - uniform(r, 700, 745.2) : u < 0.7 ? m - uniform(r, 745.2, 760) : m - uniform(r, 0, 30);
    }
    for (std::size_t i = n; i > 1; --i) std::swap(v[i - 1], v[below(r, i)]);
    return v;
  });
}

// The cancellation locus of logsumexp: its result m + log Σ e^(x_i - m) is near 0 only for m < 0 with
// log Σ e^(x_i - m) ≈ -m, where the max-shift formula keeps ~|m| 2^-53 of absolute error in a result of
// ~2^-53 |m|: no correct digit. Built as x_1.. with Σ e^x_j = c < 1 (c split by random weights), then the
// max m = log(-expm1(L)) = log(1 - c) from L = log c, the oracle's correctly rounded logsumexp of x_1..
// (portable: no long double): m is within a few 2^-53 (|m| + e^-m c 2^-49) of its exact value, so the
// result is a few ULPs of m (a chosen 0..2 ULPs of m further off); e^m in [e^-25, 1 - 2^-20].
rc::Gen<Vec> cancel_gen() {
  return pattern([](rc::Random& r, int size) {
    const std::size_t n = small_n(r, size, 2, 16);
    double m_aim;
    if (chance(r, 0.5)) {
      const int e = -1 - static_cast<int>(below(r, 19));
      m_aim = -std::ldexp(1 + unit_interval(r), e);
    } else {
      m_aim = -uniform(r, 1, 25);
    }
    const double log_c = std::log(-std::expm1(m_aim));  // c: what the other entries' exponentials sum to
    Vec w(n - 1);
    double wsum = 0;
    for (double& v : w) wsum += v = chance(r, 0.2) ? 1.0 : 0.05 + unit_interval(r);  // some equal entries
    Vec v(n);
    for (std::size_t j = 1; j < n; ++j) v[j] = log_c + std::log(w[j - 1] / wsum);
    const double L = oracle::logsumexp(std::span<const double>(v).subspan(1)).rounded;  // log c, exactly rounded
    double m = std::log(-std::expm1(L));
    for (auto k = below(r, 3); k > 0; --k) m = std::nextafter(m, chance(r, 0.5) ? kInf : -kInf);
    v[0] = m;
    for (std::size_t i = n; i > 1; --i) std::swap(v[i - 1], v[below(r, i)]);
    return v;
  });
}

// n log-uniform in [10^3, 10^(3 + 3·size/100)].
std::size_t long_n(rc::Random& r, int size) {
  const double top = 3.0 * std::clamp(size, 0, rc::kNominalSize) / rc::kNominalSize;
  return static_cast<std::size_t>(std::llround(std::pow(10.0, 3 + uniform(r, 0, top))));
}

rc::Gen<Vec> long_gen() {
  return reshrink<Vec>(
      rc::gen::weightedOneOf<Vec>({
          {3, pattern([](rc::Random& r, int size) { return iid(r, long_n(r, size), unit_element); })},
          {3, pattern([](rc::Random& r, int size) { return iid(r, long_n(r, size), wide_element); })},
          // n copies of one value (the exact softmax is 1/n; 709.7: the sum overflows)
          {1, pattern([](rc::Random& r, int size) {
             static constexpr double c[] = {0.0, 1.0, 709.7, -1000.0, 0.1};
             const double value = c[below(r, std::size(c))];
             return Vec(long_n(r, size), value);
           })},
          // one dominant entry among many: the target-class gradient sums n small terms
          {1, pattern([](rc::Random& r, int size) {
             Vec v = iid(r, long_n(r, size), unit_element);
             v[below(r, v.size())] = uniform(r, 10, 40);
             return v;
           })},
      }),
      shrink_vec1);
}

double special_element(rc::Random& r) {
  switch (below(r, 11)) {
    case 0: return kNaN;
    case 1: return kInf;
    case 2: case 3: return -kInf;
    case 4: return 0.0;
    case 5: return -0.0;
    case 6: {
      const std::uint64_t bits = below(r, std::uint64_t{1} << 52);
      return std::bit_cast<double>(bits | (chance(r, 0.5) ? 1ULL << 63 : 0));
    }
    case 7: return sign(r) * DBL_MIN;
    case 8: return sign(r) * DBL_MAX;
    default: return wide_element(r);
  }
}

rc::Gen<Vec> special_gen() {
  return reshrink<Vec>(
      rc::gen::weightedOneOf<Vec>({
          {4, pattern([](rc::Random& r, int size) { return iid(r, small_n(r, size, 1, 8), special_element); })},
          // a -inf mask: most entries masked, a few finite ones (or none: all -inf has no limit)
          {2, pattern([](rc::Random& r, int size) {
             Vec v(small_n(r, size, 1, 8), -kInf);
             for (double& x : v)
               if (chance(r, 0.3)) x = wide_element(r);
             return v;
           })},
          // one or two +inf among finite entries
          {1, pattern([](rc::Random& r, int size) {
             Vec v = iid(r, small_n(r, size, 1, 8), wide_element);
             v[below(r, v.size())] = kInf;
             if (chance(r, 0.4)) v[below(r, v.size())] = kInf;
             return v;
           })},
          // subnormal and zero inputs only
          {1, pattern([](rc::Random& r, int size) {
             Vec v(small_n(r, size, 1, 8));
             for (double& x : v)
               x = chance(r, 0.2) ? sign(r) * 0.0 : std::bit_cast<double>(below(r, std::uint64_t{1} << 52));
             return v;
           })},
      }),
      shrink_vec1);
}

rc::Gen<double> thresholds_gen() {
  static const double t[] = {std::log(DBL_MAX),  std::log(DBL_MIN),    -1075 * std::log(2.0),
                             -1074 * std::log(2.0), 54 * std::log(2.0), 53 * std::log(2.0),
                             27 * std::log(2.0),  -std::log(DBL_MAX), -54 * std::log(2.0),
                             -53 * std::log(2.0), -std::log(DBL_MIN)};
  rc::Gen<double> g = rc::gen::weightedOneOf<double>({
      {1, near(t[0], 1 << 20)}, {1, near(t[1], 1 << 20)}, {1, near(t[2], 1 << 20)}, {1, near(t[3], 1 << 20)},
      {1, near(t[4], 1 << 20)}, {1, near(t[5], 1 << 20)}, {1, near(t[6], 1 << 20)}, {1, near(t[7], 1 << 20)},
      {1, near(t[8], 1 << 20)}, {1, near(t[9], 1 << 20)}, {1, near(t[10], 1 << 20)}, {3, nasty()},
  });
  return reshrink<double>(g, shrink_double);
}

rc::Gen<double> scalar_special_gen() {
  return make_gen<double>(
      [](rc::Random& r, int) {
        switch (below(r, 8)) {
          case 0: return kNaN;
          case 1: return kInf;
          case 2: return -kInf;
          case 3: return sign(r) * 0.0;
          case 4: {
            const std::uint64_t bits = 1 + below(r, (std::uint64_t{1} << 52) - 1);
            return std::bit_cast<double>(bits | (chance(r, 0.5) ? 1ULL << 63 : 0));
          }
          case 5: return sign(r) * DBL_MIN;
          case 6: return sign(r) * DBL_MAX;
          default: return nasty_values()[below(r, nasty_values().size())];
        }
      },
      shrink_double);
}

std::size_t argmax(const Vec& x) {
  std::size_t k = 0;
  for (std::size_t i = 1; i < x.size(); ++i)
    if (x[i] > x[k] || std::isnan(x[k])) k = i;
  return k;
}

}  // namespace

std::span<const Regime> vector_regimes() { return kVector; }
std::span<const Regime> scalar_regimes() { return kScalar; }

const Regime* find(std::string_view name) {
  for (const Regime& r : kVector)
    if (r.name == name) return &r;
  for (const Regime& r : kScalar)
    if (r.name == name) return &r;
  return nullptr;
}

rc::Gen<std::vector<double>> vector(std::string_view regime) {
  if (regime == "unit") return unit_gen();
  if (regime == "wide") return wide_gen();
  if (regime == "extreme") return extreme_gen();
  if (regime == "dominant") return dominant_gen();
  if (regime == "ties") return ties_gen();
  if (regime == "tail") return tail_gen();
  if (regime == "cancel") return cancel_gen();
  if (regime == "long") return long_gen();
  if (regime == "special") return special_gen();
  throw std::invalid_argument("unknown vector regime '" + std::string(regime) +
                              "' (unit, wide, extreme, dominant, ties, tail, cancel, long, special)");
}

rc::Gen<double> scalar(std::string_view regime) {
  if (regime == "uniform") return real(-750, 40);
  if (regime == "loguniform") return finite_bits();
  if (regime == "thresholds") return thresholds_gen();
  if (regime == "special") return scalar_special_gen();
  throw std::invalid_argument("unknown scalar regime '" + std::string(regime) +
                              "' (uniform, loguniform, thresholds, special)");
}

rc::Gen<std::size_t> class_index(const std::vector<double>& x) {
  const std::size_t n = std::max<std::size_t>(x.size(), 1);
  const std::size_t top = argmax(x);
  return make_gen<std::size_t>(
      [n, top](rc::Random& r, int) { return chance(r, 0.5) ? top : below(r, n); },
      [](const std::size_t& k) { return rc::shrink::towards<std::size_t>(k, 0); });
}

rc::Gen<std::vector<double>> distribution(const std::vector<double>& x) {
  const std::size_t n = x.size();
  auto draw = [x, n](rc::Random& r, int) {
    Vec t(n, 0.0);
    if (n == 0) return t;
    const double u = unit_interval(r);
    if (u < 0.2) {  // one-hot (at the argmax half of the time)
      t[chance(r, 0.5) ? argmax(x) : below(r, n)] = 1;
    } else if (u < 0.3) {  // one-hot with weight != 1: Σt need not be 1
      static constexpr double w[] = {2, 0.5, 3, 0.125};
      t[below(r, n)] = w[below(r, std::size(w))];
    } else if (u < 0.5) {  // random weights, some zero, Σt anywhere in [0, n]
      for (double& v : t) v = chance(r, 0.3) ? 0.0 : unit_interval(r);
    } else if (u < 0.7) {  // a normalized random distribution (Σt = 1 up to rounding)
      double s = 0;
      for (double& v : t) s += (v = unit_interval(r));
      if (s > 0)
        for (double& v : t) v /= s;
      else
        t[0] = 1;
    } else {  // t = rounded softmax(x) (the gradient cancels), or a multiple of it
      const auto p = oracle::softmax(x);
      const double scale = chance(r, 0.7) ? 1.0 : 4.0;
      for (std::size_t i = 0; i < n; ++i) t[i] = std::isfinite(p[i].rounded) ? scale * p[i].rounded : 0.0;
    }
    return t;
  };
  return make_gen<Vec>(draw, shrink_same_size);
}

rc::Gen<std::vector<double>> upstream(const std::vector<double>& y) {
  const std::size_t n = y.size();
  auto draw = [y, n](rc::Random& r, int) {
    Vec g(n, 0.0);
    if (n == 0) return g;
    const double u = unit_interval(r);
    if (u < 0.3) {  // one-hot or signed one-hot, at the argmax half of the time
      g[chance(r, 0.5) ? argmax(y) : below(r, n)] = chance(r, 0.5) ? 1.0 : -1.0;
    } else if (u < 0.55) {  // dense in [-1, 1]
      for (double& v : g) v = 2 * unit_interval(r) - 1;
    } else if (u < 0.8) {  // nearly constant: c moved by a few ULPs per entry
      const double s = sign(r);
      const double c = s * (0.25 + 2 * unit_interval(r));
      for (double& v : g) {
        v = c;
        for (auto k = below(r, 4); k > 0; --k) v = std::nextafter(v, chance(r, 0.5) ? HUGE_VAL : -HUGE_VAL);
      }
    } else {  // mixed magnitudes over every binade, zeros and subnormals among them
      for (double& v : g) {
        const double w = unit_interval(r);
        if (w < 0.1) {
          v = 0.0;
        } else {
          const double s = sign(r);
          const int e = -1074 + static_cast<int>(below(r, 2098));
          v = s * std::ldexp(1 + unit_interval(r), e);
        }
      }
    }
    return g;
  };
  return make_gen<Vec>(draw, shrink_same_size);
}

rc::Gen<double> bce_target(double x) {
  auto draw = [x](rc::Random& r, int) {
    const double u = unit_interval(r);
    if (u < 0.15) return 0.0;
    if (u < 0.3) return 1.0;
    if (u < 0.4) return 0.5;
    if (u < 0.65) return unit_interval(r);
    const double s = oracle::sigmoid(x).rounded;  // σ(x): the gradient cancels
    if (std::isnan(s)) return 0.5;
    if (u < 0.85) return s;
    double t = s;
    for (auto k = below(r, 5); k > 0; --k) t = std::nextafter(t, chance(r, 0.5) ? 2.0 : -1.0);
    return std::clamp(t, 0.0, 1.0);
  };
  return make_gen<double>(draw, [](const double& t) {
    std::vector<double> c;
    for (double v : shrink_candidates(t))
      if (v >= 0 && v <= 1) c.push_back(v);
    return rc::seq::fromContainer(std::move(c));
  });
}

}  // namespace softcheck::regimes
