// Dyadic numbers and intervals with directed rounding (see interval.hpp).
#include "impl/interval.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace softcheck::detail::exact {
namespace {

namespace bmp = boost::multiprecision;

std::int64_t bits(const Int& mag) {  // mag > 0
  return static_cast<std::int64_t>(bmp::msb(mag)) + 1;
}
std::int64_t top(const Dy& a) {  // floor(log2 |a|), a != 0
  return bits(bmp::abs(a.m)) - 1 + a.e;
}
Int shl(const Int& v, std::int64_t n) { return v << static_cast<std::size_t>(n); }

}  // namespace

Dy from_double(double x) {
  if (x == 0) return {};
  int e = 0;
  double f = std::frexp(x, &e);  // x = f 2^e, |f| in [1/2, 1), exact for subnormals too
  return {Int(static_cast<long long>(std::ldexp(f, 53))), static_cast<std::int64_t>(e) - 53};
}

Dy neg(Dy a) {
  a.m = -a.m;
  return a;
}

Dy pow2(std::int64_t k) { return {Int(1), k}; }

Dy add(const Dy& a, const Dy& b) {
  if (is_zero(a)) return b;
  if (is_zero(b)) return a;
  if (a.e >= b.e) return {shl(a.m, a.e - b.e) + b.m, b.e};
  return {a.m + shl(b.m, b.e - a.e), a.e};
}

Dy mul(const Dy& a, const Dy& b) {
  if (is_zero(a) || is_zero(b)) return {};
  return {a.m * b.m, a.e + b.e};
}

int compare(const Dy& a, const Dy& b) {
  const int sa = sign(a), sb = sign(b);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  const std::int64_t ta = top(a), tb = top(b);
  if (ta != tb) return (ta < tb) == (sa > 0) ? -1 : 1;  // same sign: the larger magnitude decides
  return sign(add(a, neg(b)));                            // exponents within the operands' own widths
}

Dy round(const Dy& a, std::int64_t p, Dir d) {
  if (is_zero(a)) return a;
  const Int mag = bmp::abs(a.m);
  const std::int64_t nb = bits(mag);
  if (nb <= p) return a;
  const std::int64_t sh = nb - p;
  Int q = mag >> static_cast<std::size_t>(sh);
  const bool inexact = static_cast<std::int64_t>(bmp::lsb(mag)) < sh;
  if (inexact && ((a.m > 0) == (d == Dir::up))) q += 1;  // away from zero on the direction's side
  return {a.m < 0 ? Int(-q) : q, a.e + sh};
}

// An operand whose top bit lies more than p + 3 bits below the other's cannot move the p-bit result
// by more than one step in the rounding direction: it is replaced by 0 or by +-2^(top(big) - p - 3)
// (larger in magnitude than it), whichever errs toward d. The result is a valid bound, at most one
// p-bit step looser than the exact rounding.
Dy add(const Dy& a, const Dy& b, std::int64_t p, Dir d) {
  if (is_zero(a)) return round(b, p, d);
  if (is_zero(b)) return round(a, p, d);
  const bool a_big = top(a) >= top(b);
  const Dy& big = a_big ? a : b;
  const Dy& small = a_big ? b : a;
  const std::int64_t floor_bit = top(big) - p - 3;
  if (top(small) < floor_bit) {
    const bool matters = (sign(small) > 0) == (d == Dir::up);
    if (!matters) return round(big, p, d);
    return round(add(big, Dy{Int(sign(small)), floor_bit}), p, d);
  }
  return round(add(a, b), p, d);
}

Dy mul(const Dy& a, const Dy& b, std::int64_t p, Dir d) { return round(mul(a, b), p, d); }

// q = floor(A 2^sh / B) with at least p + 1 bits and a sticky bit below it: 2q + [remainder != 0]
// lies in the same open p-bit rounding cell as the exact quotient, so one rounding of it is exact.
Dy div(const Dy& a, const Dy& b, std::int64_t p, Dir d) {
  if (is_zero(a)) return {};
  const Int A = bmp::abs(a.m), B = bmp::abs(b.m);
  const std::int64_t sh = std::max<std::int64_t>(0, p + 2 + bits(B) - bits(A));
  Int q, r;
  bmp::divide_qr(shl(A, sh), B, q, r);
  q = 2 * q + (r != 0 ? 1 : 0);
  const bool negative = (a.m < 0) != (b.m < 0);
  return round(Dy{negative ? Int(-q) : q, a.e - sh - b.e - 1}, p, d);
}

double to_double(const Dy& a, Tie tie) {
  if (is_zero(a)) return 0.0;
  const bool negative = a.m < 0;
  const Int mag = bmp::abs(a.m);
  const std::int64_t nb = bits(mag), t = nb - 1 + a.e;
  const double inf = HUGE_VAL;
  if (t > 1023) return negative ? -inf : inf;
  // Bits kept at the result's grid: 53 for a normal result, fewer into the subnormals (lsb 2^-1074).
  const std::int64_t prec = t >= -1022 ? 53 : t + 1075;
  Int q;
  std::int64_t qe;  // the result is q 2^qe before the rounding step below
  int cmp;          // remainder against half a unit of q: -1 below, 0 exactly half, 1 above
  if (prec <= 0) {  // |a| < 2^-1074: the candidates are 0 and 2^-1074, halfway is 2^-1075
    q = 0;
    qe = -1074;
    cmp = t < -1075 ? -1 : (mag == shl(Int(1), nb - 1) ? 0 : 1);
  } else if (nb <= prec) {
    return negative ? -std::ldexp(static_cast<double>(static_cast<std::uint64_t>(mag)), static_cast<int>(a.e))
                    : std::ldexp(static_cast<double>(static_cast<std::uint64_t>(mag)), static_cast<int>(a.e));
  } else {
    const std::int64_t sh = nb - prec;
    q = mag >> static_cast<std::size_t>(sh);
    qe = a.e + sh;
    const Int rem = mag - shl(q, sh), half = shl(Int(1), sh - 1);
    cmp = rem < half ? -1 : rem == half ? 0 : 1;
  }
  bool up = cmp > 0;  // in magnitude
  if (cmp == 0) {
    switch (tie) {
      case Tie::even: up = bmp::bit_test(q, 0); break;
      case Tie::up: up = !negative; break;
      case Tie::down: up = negative; break;
    }
  }
  if (up) q += 1;
  const double r = std::ldexp(static_cast<double>(static_cast<std::uint64_t>(q)), static_cast<int>(qe));
  return negative ? -r : r;  // q <= 2^53: exact; ldexp overflows to inf exactly when RN does
}

double quotient_to_double(const Dy& a, const Dy& b) {
  if (is_zero(a)) return 0.0;
  // At least 56 bits and a sticky bit: the rounding to <= 53 bits sees the exact quotient's side of
  // every midpoint, and the sticky quotient is never itself a midpoint unless the quotient is exact.
  const Int A = bmp::abs(a.m), B = bmp::abs(b.m);
  const std::int64_t sh = std::max<std::int64_t>(0, 56 + bits(B) - bits(A));
  Int q, r;
  bmp::divide_qr(shl(A, sh), B, q, r);
  q = 2 * q + (r != 0 ? 1 : 0);
  const bool negative = (a.m < 0) != (b.m < 0);
  return to_double(Dy{negative ? Int(-q) : q, a.e - sh - b.e - 1});
}

Iv add(const Iv& a, const Iv& b, std::int64_t p) {
  return {add(a.lo, b.lo, p, Dir::down), add(a.hi, b.hi, p, Dir::up)};
}

Iv mul(const Iv& a, const Iv& b, std::int64_t p) {
  if (sign(a.lo) >= 0 && sign(b.lo) >= 0) return {mul(a.lo, b.lo, p, Dir::down), mul(a.hi, b.hi, p, Dir::up)};
  const Dy* ends[2][2] = {{&a.lo, &a.hi}, {&b.lo, &b.hi}};
  Dy lo, hi;
  bool first = true;
  for (const Dy* x : ends[0])
    for (const Dy* y : ends[1]) {
      Dy l = mul(*x, *y, p, Dir::down), h = mul(*x, *y, p, Dir::up);
      if (first || compare(l, lo) < 0) lo = l;
      if (first || compare(h, hi) > 0) hi = h;
      first = false;
    }
  return {lo, hi};
}

Iv div(const Iv& a, const Iv& b, std::int64_t p) {
  if (sign(a.lo) >= 0) return {div(a.lo, b.hi, p, Dir::down), div(a.hi, b.lo, p, Dir::up)};
  if (sign(a.hi) <= 0) return {div(a.lo, b.lo, p, Dir::down), div(a.hi, b.hi, p, Dir::up)};
  return {div(a.lo, b.lo, p, Dir::down), div(a.hi, b.lo, p, Dir::up)};
}

namespace {

// e^a for an exact a > 0: b = a 2^-s < 2^-hb (hb >= sqrt(p)/2), the Taylor sum of e^b to N terms
// (all terms > 0: rounding each down gives a lower bound; up, plus the tail
// sum_{k>N} b^k/k! < 2 b^(N+1) < 2^(1 - hb(N+1)), an upper one), then s squarings (monotone on
// positives). Working precision q = p + s + 16 absorbs the 2^s growth of the relative error.
Iv exp_positive(const Dy& a, std::int64_t p) {
  const std::int64_t h = std::max<std::int64_t>(8, static_cast<std::int64_t>(std::ceil(std::sqrt(double(p)) / 2)));
  const std::int64_t ta = top(a);
  const std::int64_t s = std::max<std::int64_t>(0, ta + 1 + h);
  const std::int64_t hb = s - ta - 1;  // b < 2^(ta + 1 - s) = 2^-hb
  const std::int64_t q = p + s + 16;
  const std::int64_t n = (q + hb - 1) / hb;
  const Dy scaled{a.m, a.e - s};
  Iv r;
  for (Dir d : {Dir::down, Dir::up}) {
    const Dy b = round(scaled, q, d);
    Dy sum = pow2(0), term = pow2(0);
    for (std::int64_t k = 1; k <= n; ++k) {
      term = div(mul(term, b, q, d), Dy{Int(k), 0}, q, d);
      sum = add(sum, term, q, d);
    }
    if (d == Dir::up) sum = add(sum, pow2(1 - hb * (n + 1)), q, d);
    for (std::int64_t i = 0; i < s; ++i) sum = mul(sum, sum, q, d);
    (d == Dir::down ? r.lo : r.hi) = round(sum, p, d);
  }
  return r;
}

}  // namespace

Iv exp_nonpositive(const Dy& d, std::int64_t p) {
  if (is_zero(d)) return point(pow2(0));
  if (top(d) >= 16) return {Dy{}, pow2(-94000)};  // d <= -65536: e^d < 2^-94548
  const Iv e = exp_positive(neg(d), p + 8);        // e^-d >= 1
  return {div(pow2(0), e.hi, p, Dir::down), div(pow2(0), e.lo, p, Dir::up)};
}

}  // namespace softcheck::detail::exact
