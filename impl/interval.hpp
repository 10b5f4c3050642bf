// The last, exact tier of impl/: dyadic numbers m 2^e of any size (Boost.Multiprecision's cpp_int,
// header-only) and intervals of them with directed rounding, so that an enclosure is rigorous by
// construction: every operation rounds its lower end down and its upper end up, and nothing is ever
// dropped without a bound that covers it. No error analysis is needed to trust a result, only to
// choose the precision at which it first settles.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>

namespace softcheck::detail::exact {

using Int = boost::multiprecision::cpp_int;

// The exact value m 2^e (m = 0 is zero, whatever e).
struct Dy {
  Int m;
  std::int64_t e = 0;
};

enum class Dir { down, up };  // toward -inf, toward +inf

Dy from_double(double x);  // exact; x finite
inline bool is_zero(const Dy& a) { return a.m == 0; }
inline int sign(const Dy& a) { return a.m > 0 ? 1 : a.m < 0 ? -1 : 0; }
Dy neg(Dy a);
Dy pow2(std::int64_t k);  // 2^k
int compare(const Dy& a, const Dy& b);  // -1, 0, 1, exactly

// Exact operations (the result has as many bits as it needs).
Dy add(const Dy& a, const Dy& b);
Dy mul(const Dy& a, const Dy& b);

// Directed roundings to at most p significant bits (p >= 2). add() keeps the cost bounded when the
// operands are far apart: an operand wholly below the other's p-bit window is replaced by 0 or by a
// power of two just above it, whichever lies on the side of the rounding direction (a valid bound,
// never a dropped term).
Dy round(const Dy& a, std::int64_t p, Dir d);
Dy add(const Dy& a, const Dy& b, std::int64_t p, Dir d);
Dy mul(const Dy& a, const Dy& b, std::int64_t p, Dir d);
Dy div(const Dy& a, const Dy& b, std::int64_t p, Dir d);  // b != 0

// Round to nearest binary64, subnormals and overflow (to ±inf) included. A value exactly halfway
// between two doubles goes to the even one, or, with tie = Dir::up / Dir::down, to the one above /
// below it (for an end of an open interval, whose value lies strictly inside).
enum class Tie { even, up, down };
double to_double(const Dy& a, Tie tie = Tie::even);
// RN(a / b) exactly, ties to even (b != 0).
double quotient_to_double(const Dy& a, const Dy& b);

// A closed interval [lo, hi] of reals.
struct Iv {
  Dy lo, hi;
  bool point() const { return compare(lo, hi) == 0; }
};
inline Iv point(const Dy& a) { return {a, a}; }
inline Iv neg(const Iv& a) { return {neg(a.hi), neg(a.lo)}; }
Iv add(const Iv& a, const Iv& b, std::int64_t p);
Iv mul(const Iv& a, const Iv& b, std::int64_t p);
Iv div(const Iv& a, const Iv& b, std::int64_t p);  // b.lo > 0

// An enclosure of e^d for an exact d <= 0, each end within about 2^-p relative of e^d. For
// d <= -65536 it is [0, 2^-94000] (e^d < 2^-94548 there): such a term is below every result's
// rounding, and the bound keeps it counted.
Iv exp_nonpositive(const Dy& d, std::int64_t p);

}  // namespace softcheck::detail::exact
