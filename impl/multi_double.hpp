// Multi-double expansions: the slow, precise tier behind Ziv's rounding test in impl/.
//
// Md<K> holds 2^k * (c[0] + ... + c[K-1]), components of decreasing magnitude produced by Shewchuk's
// exact expansion arithmetic (grow-expansion, then Compress), truncated to the K largest. Compress leaves
// consecutive components ulp-nonoverlapping, so K components carry about 53K bits; every operation below
// keeps a relative error below 2^(3 - 53K) except where stated, and the functions built on them (exp,
// log1p) below 2^-(50K) (measured against MPFR by the report; no table, no long double, no MPFR here).
// Used only when the double-double result cannot be rounded with certainty: speed is secondary.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "impl/dd.hpp"

namespace softcheck::detail {

// Exact sum of doubles as a nonoverlapping expansion (increasing magnitude), zero-eliminating.
class ExactSum {
 public:
  void add(double b) {
    if (b == 0) return;
    double q = b;
    std::size_t m = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      dd s = two_sum(q, e_[i]);
      q = s.hi;
      if (s.lo != 0) e_[m++] = s.lo;
    }
    if (m == kCap) {  // drop the smallest component (relative effect < 2^-1000 at this length)
      for (std::size_t i = 1; i < m; ++i) e_[i - 1] = e_[i];
      --m;
    }
    if (q != 0) e_[m++] = q;
    n_ = m;
  }
  void add(dd v) {
    add(v.hi);
    add(v.lo);
  }
  bool is_zero() const { return n_ == 0; }  // zero-eliminating: the exact sum is 0
  // Shewchuk's Compress, then the components by decreasing magnitude into out; returns their count.
  template <std::size_t K>
  std::size_t top(std::array<double, K>& out) const {
    double g[kCap];
    if (n_ == 0) return 0;
    std::size_t bottom = n_ - 1;
    double q = e_[n_ - 1];
    for (std::size_t i = n_ - 1; i-- > 0;) {
      dd s = fast_two_sum(q, e_[i]);
      if (s.lo != 0) {
        g[bottom--] = s.hi;
        q = s.lo;
      } else {
        q = s.hi;
      }
    }
    g[bottom] = q;
    double h[kCap];
    std::size_t t = 0;
    for (std::size_t i = bottom + 1; i < n_; ++i) {
      dd s = fast_two_sum(g[i], q);
      q = s.hi;
      if (s.lo != 0) h[t++] = s.lo;
    }
    h[t++] = q;
    std::size_t c = 0;
    for (std::size_t i = t; i-- > 0 && c < K;) out[c++] = h[i];
    for (std::size_t i = c; i < K; ++i) out[i] = 0;
    return c;
  }

 private:
  static constexpr std::size_t kCap = 96;
  double e_[kCap];
  std::size_t n_ = 0;
};

template <int K>
struct Md {
  std::array<double, K> c{};
  int k = 0;  // value = 2^k * sum(c), with |c[0]| in [1, 2) or the value zero

  bool zero() const { return c[0] == 0; }
  static Md from(const ExactSum& s, int k) {
    Md r;
    r.k = k;
    s.top(r.c);
    r.normalize();
    return r;
  }
  static Md from(double x) {
    Md r;
    if (x == 0 || !std::isfinite(x)) {
      r.c[0] = x;
      return r;
    }
    int e = std::ilogb(x);
    r.c[0] = std::ldexp(x, -e);
    r.k = e;
    return r;
  }
  static Md from(dd x, int k = 0) {
    ExactSum s;
    s.add(x);
    return from(s, k);
  }
  void normalize() {
    if (c[0] == 0) {
      k = 0;
      return;
    }
    if (!std::isfinite(c[0])) return;  // an overflow upstream: the caller's range checks see it
    int e = std::ilogb(c[0]);
    if (e == 0) return;
    for (auto& v : c) v = std::ldexp(v, -e);
    k += e;
  }
  dd head() const {  // the top components as a normalized dd (unscaled)
    dd s = fast_two_sum(c[0], K > 1 ? c[1] : 0.0);
    return K > 2 ? add(s, c[2]) : s;
  }
};

template <int K>
Md<K> neg(Md<K> a) {
  for (auto& v : a.c) v = -v;
  return a;
}
template <int K>
Md<K> ldexp(Md<K> a, int e) {
  a.k += e;
  return a;
}

template <int K>
Md<K> add(const Md<K>& a, const Md<K>& b) {
  if (a.zero()) return b;
  if (b.zero()) return a;
  const Md<K>& big = a.k >= b.k ? a : b;
  const Md<K>& small = a.k >= b.k ? b : a;
  int shift = small.k - big.k;
  if (shift < -1130) return big;  // below 2^-1074 of big even at its lowest component: nothing left to add
  ExactSum s;
  for (double v : big.c) s.add(v);
  for (double v : small.c) s.add(std::ldexp(v, shift));
  return Md<K>::from(s, big.k);
}
template <int K>
Md<K> sub(const Md<K>& a, const Md<K>& b) {
  return add(a, neg(b));
}

// Products c_i d_j with i + j <= K (the rest weigh < 2^-53(K+1) relative), each exact by TwoProd.
template <int K>
Md<K> mul(const Md<K>& a, const Md<K>& b) {
  if (a.zero() || b.zero()) return Md<K>{};
  ExactSum s;
  for (int i = 0; i < K; ++i)
    for (int j = 0; i + j <= K && j < K; ++j) s.add(two_prod(a.c[i], b.c[j]));
  return Md<K>::from(s, a.k + b.k);
}
template <int K>
Md<K> mul(const Md<K>& a, double b) {
  return mul(a, Md<K>::from(b));
}

// a / n for a small positive integer n, by long division: each quotient digit's remainder is exact.
template <int K>
Md<K> div(const Md<K>& a, int n) {
  ExactSum rem;
  for (double v : a.c) rem.add(v);
  ExactSum q;
  double dn = n;
  for (int i = 0; i <= K; ++i) {
    std::array<double, 1> top{};
    if (rem.top(top) == 0) break;
    double qi = top[0] / dn;
    q.add(qi);
    dd p = two_prod(qi, dn);
    rem.add(-p.hi);
    rem.add(-p.lo);
  }
  return Md<K>::from(q, a.k);
}

// a / b: Newton's iteration y <- y + y (1 - b y) for 1/b from a double-double start (106 bits, doubling
// each step), then q = a y corrected once: q + y (a - b q).
template <int K>
Md<K> div(const Md<K>& a, const Md<K>& b) {
  if (a.zero()) return Md<K>{};
  dd bh = b.head();
  Md<K> y = Md<K>::from(div(dd{1.0, 0.0}, bh), -b.k);
  Md<K> one = Md<K>::from(1.0);
  for (int bits = 100; bits < 53 * K + 8; bits *= 2) y = add(y, mul(y, sub(one, mul(b, y))));
  Md<K> q = mul(a, y);
  return add(q, mul(y, sub(a, mul(b, q))));
}

// Round 2^k * sum(c) to double (one rounding, subnormals included), and tell whether the rounding is
// certain given a relative error bound rel on the value: the midpoint next to the candidate is formed
// exactly and compared with the value in full precision (never through a double-double).
double round_scaled(dd v, int k);
template <int K>
double round_md(const Md<K>& v, double rel, bool& certain) {
  certain = true;
  if (v.zero()) {  // all bits cancelled (or the value is below the expansion's range): only exact if rel is 0
    certain = rel == 0;
    return 0.0;
  }
  double r = round_scaled(v.head(), v.k);  // candidate; checked below against the exact midpoints
  if (std::isinf(r)) return r;
  for (int iter = 0; iter < 3; ++iter) {
    Md<K> d0 = sub(v, Md<K>::from(r));
    if (d0.zero()) {  // the computed v is the double r: certain if its error cannot reach a midpoint
      certain = rel < 0x1p-55;
      return r;
    }
    double r2 = std::nextafter(r, d0.c[0] > 0 ? HUGE_VAL : -HUGE_VAL);
    if (std::isinf(r2)) return r;  // beyond DBL_MAX by less than an ulp: handled by the caller's range
    Md<K> mid = add(Md<K>::from(r), Md<K>::from(r2));  // exact
    mid.k -= 1;
    Md<K> dm = sub(v, mid);
    if (dm.zero()) {  // exactly halfway: ties to even
      certain = rel == 0;
      std::uint64_t bits;
      std::memcpy(&bits, &r, sizeof bits);
      return (bits & 1) == 0 ? r : r2;
    }
    if ((dm.c[0] > 0) == (d0.c[0] > 0)) {  // v lies beyond the midpoint: r2 is the nearer double
      r = r2;
      continue;
    }
    // Certain when v is farther from the midpoint than its error bound rel * |v|.
    double ratio = std::ldexp(std::fabs(dm.c[0]) / std::fabs(v.c[0]), dm.k - v.k);
    certain = ratio > 2 * rel;
    return r;
  }
  certain = false;
  return r;
}

}  // namespace softcheck::detail
