// Double and double-vector generators for RapidCheck, with shrinks that keep a floating-point failure.
// The building blocks of regimes.cpp (RapidCheck's own double generator never yields NaN, ±inf,
// subnormals or -0, and its shrinker only tries 0, -x and trunc(x)).
#pragma once

#include <rapidcheck.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace softcheck::regimes {

// --- Shrinking -------------------------------------------------------------------------------------
// Every candidate is strictly simpler than x in the well-founded order
//   (special before finite is worse, then fewer significant bits, then |binary exponent| closer to 0,
//    then smaller |x|, then + before -),
// so a shrink never cycles. Candidates, simplest first: 0, -x (x < 0), the power of two halfway in
// exponent toward 1, x/2 (|x| >= 2) or 2x (|x| < 1/2), the two doubles of 1, 2, ... significant bits
// around x (a bisection toward x from both sides: it finds the simplest double inside a failing window
// such as "x > 709.78"), and nextafter(x, 0) when that is simpler.
std::vector<double> shrink_candidates(double x);
// Significant bits of x (0 for 0; 54 for NaN and ±inf, worse than any finite value).
int significant_bits(double x);
// x rounded to `bits` significant bits (bits >= 1): to nearest (direction 0), toward zero (-1) or away
// from zero (+1).
double round_to_bits(double x, int bits, int direction = 0);

// Shrinks of a vector that keep at least min_n elements: remove halves, quarters, ... (chunks of at least
// n/64 elements, so a 10^6-element failure shrinks in about 20 accepted steps), then every element by
// shrink_candidates (only for n <= 64), then all elements rounded to 1, 2, ... bits.
rc::Seq<std::vector<double>> shrink_vector(const std::vector<double>& v, std::size_t min_n);

// --- Drawing from rc::Random ----------------------------------------------------------------------
// Helpers for raw generators (no RapidCheck context needed, so the report can draw outside a property).
std::uint64_t bits64(rc::Random& r);
double unit_interval(rc::Random& r);                 // uniform in [0, 1), 53 random bits
double uniform(rc::Random& r, double lo, double hi);  // uniform real in [lo, hi]
std::uint64_t below(rc::Random& r, std::uint64_t n);  // uniform integer in [0, n)
bool chance(rc::Random& r, double p);

// A generator from a raw drawing function and a shrinker: the value is drawn without RapidCheck's
// shrinks, and shrunk by `shrink` recursively.
template <class T>
rc::Gen<T> make_gen(std::function<T(rc::Random&, int)> draw,
                    std::function<rc::Seq<T>(const T&)> shrink) {
  return rc::Gen<T>([draw, shrink](const rc::Random& random, int size) {
    rc::Random r = random;
    return rc::shrinkable::shrinkRecur(draw(r, size), [shrink](const T& v) { return shrink(v); });
  });
}
// Keep gen's values, replace its shrinks by `shrink` (the combinators' shrinks know nothing of floats).
template <class T>
rc::Gen<T> reshrink(rc::Gen<T> gen, std::function<rc::Seq<T>(const T&)> shrink) {
  return rc::Gen<T>([gen, shrink](const rc::Random& random, int size) {
    return rc::shrinkable::shrinkRecur(gen(random, size).value(), [shrink](const T& v) { return shrink(v); });
  });
}

// --- Double generators (all shrink by shrink_candidates) -------------------------------------------
rc::Gen<double> real(double lo, double hi);               // uniform real in [lo, hi]
rc::Gen<double> log_uniform(int min_exp, int max_exp);    // ±2^e·(1+f), e uniform in [min_exp, max_exp]
rc::Gen<double> finite_bits();                            // uniform over the finite bit patterns
// Values near t: t itself, its nextafter neighbours up to max_ulps away, log-distributed.
rc::Gen<double> near(double t, std::uint64_t max_ulps);
// The nasty values: ±0, ±subnormal min/max, ±DBL_MIN, ±1, ±DBL_MAX, the exp/σ thresholds, and their
// nextafter neighbours (up to 4 ULPs).
rc::Gen<double> nasty();
const std::vector<double>& nasty_values();

// A double shrinker as a std::function (for make_gen / reshrink).
rc::Seq<double> shrink_double(const double& x);

}  // namespace softcheck::regimes
