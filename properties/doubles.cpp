// Double generators and floating-point-aware shrinks for RapidCheck (see doubles.hpp).
#include "properties/doubles.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <tuple>

namespace softcheck::regimes {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The order of doubles.hpp: smaller is simpler.
auto complexity(double x) {
  const bool special = !std::isfinite(x);
  const int bits = significant_bits(x);
  const int e = (x == 0 || special) ? 0 : std::ilogb(x);
  return std::make_tuple(special, bits, std::abs(e), std::fabs(x), std::signbit(x));
}

}  // namespace

int significant_bits(double x) {
  if (!std::isfinite(x)) return 54;
  if (x == 0) return 0;
  const std::uint64_t m = std::bit_cast<std::uint64_t>(std::fabs(x));
  const std::uint64_t exp_field = m >> 52;
  std::uint64_t mant = m & ((std::uint64_t{1} << 52) - 1);
  if (exp_field != 0) mant |= std::uint64_t{1} << 52;  // the implicit bit
  return static_cast<int>(std::bit_width(mant)) - std::countr_zero(mant);
}

double round_to_bits(double x, int bits, int direction) {
  if (!std::isfinite(x) || x == 0) return x;
  const int e = std::ilogb(x);
  // x·2^(bits-1-e) has `bits` integer bits; scalbn is exact here (the result is in [2^(bits-1), 2^bits)).
  const double s = std::scalbn(x, bits - 1 - e);
  const double r = direction == 0 ? std::nearbyint(s) : direction < 0 ? std::trunc(s) : std::copysign(std::ceil(std::fabs(s)), s);
  return std::scalbn(r, e - bits + 1);
}

std::vector<double> shrink_candidates(double x) {
  std::vector<double> c;
  if (std::isnan(x)) {
    c = {0.0, 1.0, kInf};
  } else if (std::isinf(x)) {
    c = {0.0, std::copysign(1.0, x), std::copysign(DBL_MAX, x), -x};
  } else {
    c.push_back(0.0);
    if (std::signbit(x)) c.push_back(-x);
    if (x != 0) {
      const int e = std::ilogb(x);
      if (std::abs(e) >= 2) c.push_back(std::copysign(std::scalbn(1.0, e / 2), x));
      if (std::fabs(x) >= 2) c.push_back(x / 2);
      if (std::fabs(x) < 0.5) c.push_back(x * 2);
      const int bits = significant_bits(x);
      // the two b-bit values around x (toward zero, away from zero), for b = 1, 2, ...
      for (int b = 1; b < bits; ++b) {
        c.push_back(round_to_bits(x, b, -1));
        c.push_back(round_to_bits(x, b, +1));
      }
      c.push_back(std::nextafter(x, 0.0));
    }
  }
  // Keep the strictly simpler candidates, in order, without repeats.
  std::vector<double> out;
  const auto cx = complexity(x);
  for (double v : c) {
    if (!(complexity(v) < cx)) continue;
    const bool seen = std::any_of(out.begin(), out.end(), [v](double w) {
      return std::bit_cast<std::uint64_t>(w) == std::bit_cast<std::uint64_t>(v);
    });
    if (!seen) out.push_back(v);
  }
  return out;
}

rc::Seq<double> shrink_double(const double& x) { return rc::seq::fromContainer(shrink_candidates(x)); }

rc::Seq<std::vector<double>> shrink_vector(const std::vector<double>& v, std::size_t min_n) {
  const std::size_t n = v.size();
  // 1. Remove chunks: halves, then quarters, ..., down to single elements for n <= 64.
  std::vector<std::vector<double>> removals;
  if (n > min_n) {
    for (std::size_t parts = 2;; parts *= 2) {
      const std::size_t chunk = (n + parts - 1) / parts;
      for (std::size_t start = 0; start < n; start += chunk) {
        const std::size_t end = std::min(n, start + chunk);
        if (n - (end - start) < min_n) continue;
        std::vector<double> w;
        w.reserve(n - (end - start));
        w.insert(w.end(), v.begin(), v.begin() + static_cast<std::ptrdiff_t>(start));
        w.insert(w.end(), v.begin() + static_cast<std::ptrdiff_t>(end), v.end());
        removals.push_back(std::move(w));
      }
      if (chunk <= 1 || parts >= 64) break;
    }
  }
  rc::Seq<std::vector<double>> seq = rc::seq::fromContainer(std::move(removals));
  // 2. Each element, for short vectors.
  if (n <= 64) seq = rc::seq::concat(std::move(seq), rc::shrink::eachElement(v, shrink_double));
  // 3. All elements at once rounded to fewer bits (simplifies a long vector without removing elements).
  int max_bits = 0;
  for (double x : v) max_bits = std::max(max_bits, std::isfinite(x) ? significant_bits(x) : 0);
  // (rc::seq::range counts down when start > end: guard it.)
  if (max_bits <= 1) return seq;
  auto rounded = rc::seq::filter(rc::seq::map(rc::seq::range(1, max_bits),
                                              [v](int b) {
                                                std::vector<double> w(v);
                                                for (double& x : w)
                                                  if (std::isfinite(x) && significant_bits(x) > b) x = round_to_bits(x, b);
                                                return w;
                                              }),
                                 [v](const std::vector<double>& w) {  // bitwise: NaN != NaN
                                   return !std::equal(w.begin(), w.end(), v.begin(), [](double a, double b) {
                                     return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
                                   });
                                 });
  return rc::seq::concat(std::move(seq), std::move(rounded));
}

std::uint64_t bits64(rc::Random& r) { return r.next(); }
double unit_interval(rc::Random& r) { return static_cast<double>(r.next() >> 11) * 0x1p-53; }
double uniform(rc::Random& r, double lo, double hi) {
  // lo + u·(hi - lo) can round past hi; clamp.
  return std::clamp(lo + unit_interval(r) * (hi - lo), lo, hi);
}
std::uint64_t below(rc::Random& r, std::uint64_t n) { return n == 0 ? 0 : r.next() % n; }
bool chance(rc::Random& r, double p) { return unit_interval(r) < p; }

rc::Gen<double> real(double lo, double hi) {
  return make_gen<double>([lo, hi](rc::Random& r, int) { return uniform(r, lo, hi); }, shrink_double);
}

rc::Gen<double> log_uniform(int min_exp, int max_exp) {
  return make_gen<double>(
      [min_exp, max_exp](rc::Random& r, int) {
        const int e = min_exp + static_cast<int>(below(r, static_cast<std::uint64_t>(max_exp - min_exp + 1)));
        const double m = 1 + unit_interval(r);
        const double v = std::ldexp(m, e);  // rounds (to a subnormal or 0) below 2^-1022, saturates above
        const double s = chance(r, 0.5) ? -1.0 : 1.0;
        return s * std::min(v, DBL_MAX);
      },
      shrink_double);
}

rc::Gen<double> finite_bits() {
  return make_gen<double>(
      [](rc::Random& r, int) {
        for (;;) {
          const double v = std::bit_cast<double>(r.next());
          if (std::isfinite(v)) return v;
        }
      },
      shrink_double);
}

rc::Gen<double> near(double t, std::uint64_t max_ulps) {
  return make_gen<double>(
      [t, max_ulps](rc::Random& r, int) {
        // k log-distributed in [0, max_ulps]: neighbours 0, 1, 2 ULPs are as likely as far ones.
        const auto width = static_cast<int>(std::bit_width(max_ulps));
        const std::uint64_t top = std::uint64_t{1} << below(r, static_cast<std::uint64_t>(width) + 1);
        const std::uint64_t k = std::min<std::uint64_t>(below(r, top), max_ulps);
        double v = t;
        const double dir = chance(r, 0.5) ? kInf : -kInf;
        for (std::uint64_t i = 0; i < k && i < 64; ++i) v = std::nextafter(v, dir);
        if (k > 64) {  // far neighbours: step in the bit pattern (same binade for the sizes used here)
          // In unsigned arithmetic: near a negative t (sign bit set) the signed sum overflowed (UBSan). The
          // checks below reject a step that wrapped past the sign or into inf/NaN.
          const auto b = std::bit_cast<std::uint64_t>(t);
          const auto step = static_cast<std::int64_t>(k) * ((dir > 0) == (t >= 0) ? 1 : -1);
          const double w = std::bit_cast<double>(b + static_cast<std::uint64_t>(step));
          if (std::isfinite(w) && std::signbit(w) == std::signbit(t)) v = w;
        }
        return v;
      },
      shrink_double);
}

const std::vector<double>& nasty_values() {
  static const std::vector<double> values = [] {
    const double base[] = {
        0.0, 1.0, 0.5, 2.0,
        std::numeric_limits<double>::denorm_min(), 0x1.fffffffffffffp-1023,  // smallest/largest subnormal
        DBL_MIN, DBL_MAX, DBL_EPSILON, 1000.0, 1e308,
        std::log(DBL_MAX),            // e^x overflows above (709.78)
        std::log(DBL_MIN),            // e^x and σ(x) subnormal below (-708.40)
        -1075 * std::log(2.0),        // e^x and σ(x) round to 0 below (-745.13)
        54 * std::log(2.0),           // σ(x) rounds to 1 above (37.43)
        53 * std::log(2.0),           // 1 - σ(x) below 2^-53 (36.74)
        27 * std::log(2.0),           // e^-x below √ε (18.71)
        std::log(2.0),
    };
    std::vector<double> out;
    for (double b : base)
      for (double s : {1.0, -1.0}) {
        const double v = s * b;
        out.push_back(v);
        double up = v, down = v;
        for (int k = 0; k < 4; ++k) {
          up = std::nextafter(up, kInf);
          down = std::nextafter(down, -kInf);
          if (std::isfinite(up)) out.push_back(up);
          if (std::isfinite(down)) out.push_back(down);
        }
      }
    return out;
  }();
  return values;
}

rc::Gen<double> nasty() {
  return make_gen<double>(
      [](rc::Random& r, int) {
        const auto& v = nasty_values();
        return v[below(r, v.size())];
      },
      shrink_double);
}

}  // namespace softcheck::regimes
