// The exact tier (see exact.hpp).
#include "impl/exact.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "impl/dd.hpp"
#include "impl/exp_log.hpp"

namespace softcheck::detail::exact {
namespace {

constexpr std::int64_t kFirst = 256, kLast = 16384;

// RN of the value enclosed by v (at p bits), which lies strictly inside it (exact.hpp): true when both
// ends decide the same double; a zero only once the enclosure also proves its sign (-0 and +0 compare
// equal, so ends of either sign below 2^-1075 would otherwise pass), or from 4096 bits on. r is RN(lo).
bool decide(const Iv& v, std::int64_t p, double& r) {
  const double lo = to_double(v.lo, Tie::up), hi = to_double(v.hi, Tie::down);
  r = lo;
  if (lo != hi) return false;
  if (r != 0) return true;
  if (sign(v.lo) >= 0) return r = 0.0, true;   // 0 <= lo < value
  if (sign(v.hi) <= 0) return r = -0.0, true;  // value < hi <= 0
  r = 0.0;                                     // lo < 0 < hi: the sign is not known yet
  return p >= 4096;                            // |value| < 2^-3000 by then: +0 (exact.hpp)
}

// A bound on log y for y >= 1, in direction d, within about 2^(max(0, log2 log y) - p). Newton's
// iteration L <- L + (y e^-L - 1) from the double-double log gives an approximation (its error does
// not matter); the bound is then proved: e^c <= y (that is, y e^-c >= 1 with e^-c rounded down) makes
// c a lower bound, y e^-c <= 1 with e^-c rounded up an upper one.
Dy log_bound(const Dy& y, std::int64_t p, Dir d) {
  if (compare(y, pow2(0)) == 0) return {};
  const double yh = to_double(y), yl = to_double(add(y, neg(from_double(yh))));
  const dd l0 = detail::log(dd{yh, yl});
  Dy L = add(from_double(l0.hi), from_double(l0.lo));
  if (sign(L) < 0) L = {};
  for (std::int64_t bits = 90; bits < p + 16; bits *= 2) {
    const std::int64_t w = std::min(p + 16, 2 * bits + 16);
    const Iv e = exp_nonpositive(neg(L), w);
    L = add(L, add(mul(y, e.lo, w, Dir::down), neg(pow2(0)), w, Dir::down), w + 8, Dir::down);
    if (sign(L) < 0) L = {};
  }
  const std::int64_t scale = is_zero(L) ? 0 : std::max<std::int64_t>(0, L.e + static_cast<std::int64_t>(msb(abs(L.m))));
  Dy step = pow2(scale - p);
  for (int tries = 0; tries < 8; ++tries, step = mul(step, pow2(16))) {
    const Dy c = add(L, d == Dir::down ? neg(step) : step);
    if (d == Dir::down && sign(c) <= 0) return {};  // 0 <= log y
    const Iv e = exp_nonpositive(neg(c), p + 16);
    const int cmp = compare(mul(y, d == Dir::down ? e.lo : e.hi, p + 16, d), pow2(0));
    if (d == Dir::down ? cmp >= 0 : cmp <= 0) return c;
  }
  // Not reached while Newton converges; still a valid bound: 0 <= log y < (top(y) + 1) ln 2 < top(y) + 1.
  return d == Dir::down ? Dy{} : Dy{Int(y.e + static_cast<std::int64_t>(msb(abs(y.m))) + 1), 0};
}

// log S for S = [lo, hi], 1 <= lo: log_bound's absolute 2^-q, or where S - 1 < 2^-64 the series bounds
// u - u^2/2 <= log(1 + u) <= u (u >= 0), relative 2^-65 and better as u shrinks, so that a tiny log S
// is enclosed relative to itself and not to 1.
Iv log_enclosure(const Iv& S, std::int64_t q) {
  const Dy one = pow2(0);
  const Dy ulo = add(S.lo, neg(one)), uhi = add(S.hi, neg(one));
  if (compare(uhi, pow2(-64)) < 0) {
    const Dy half_sq = mul(mul(ulo, ulo, q, Dir::up), pow2(-1));
    Dy lo = add(ulo, neg(half_sq), q, Dir::down);
    if (sign(lo) < 0) lo = {};
    return {lo, round(uhi, q, Dir::up)};
  }
  return {log_bound(S.lo, q, Dir::down), log_bound(S.hi, q, Dir::up)};
}

// A + c log S, S >= 1 from sum(p) at p bits. Where S is exactly 1 the value is A, rounded exactly; else
// c != 0 makes it transcendental (log of a rational other than 1), strictly inside the enclosure.
template <class Sum>
double shifted_log(const Dy& A, const Dy& c, Sum sum, std::int64_t guard) {
  for (std::int64_t p = kFirst;; p *= 2) {
    const Iv S = sum(p);
    if (is_zero(c) || (S.point() && compare(S.lo, pow2(0)) == 0)) return to_double(A);
    const std::int64_t q = p + guard;
    const Iv v = add(point(A), mul(point(c), log_enclosure(S, q), q), q);
    double r;
    if (decide(v, p, r) || p >= kLast) return r;
  }
}

}  // namespace

Terms::Terms(std::span<const double> x)
    : x_(x), m_(-HUGE_VAL), guard_(16 + static_cast<std::int64_t>(std::bit_width(x.size()))) {
  for (double v : x) m_ = std::max(m_, v);
}

Iv Terms::e(std::size_t j, std::int64_t p) const {
  if (x_[j] == -HUGE_VAL) return point({});
  if (x_[j] - m_ < -1e5) return {Dy{}, pow2(-94000)};  // x_j - m < -65536 for certain
  return exp_nonpositive(add(from_double(x_[j]), neg(from_double(m_))), p);
}

const Iv& Terms::sum(std::int64_t p) {
  for (const auto& [level, s] : sums_)
    if (level == p) return s;
  Iv s = point({});
  for (std::size_t j = 0; j < x_.size(); ++j) s = add(s, e(j, p + guard_), p + guard_);
  sums_.emplace_back(p, std::move(s));
  return sums_.back().second;
}

// m + log S, S = sum e_j >= 1 (e_m = 1): cancels where m ~ -log S.
double logsumexp(std::span<const double> x) {
  Terms terms(x);
  const Dy m = from_double(terms.max());
  for (std::int64_t p = kFirst;; p *= 2) {
    const Iv& S = terms.sum(p);
    if (S.point() && compare(S.lo, pow2(0)) == 0) return terms.max();  // every other term exactly 0
    const std::int64_t q = p + terms.guard();
    const Iv r = add(point(m), Iv{log_bound(S.lo, q, Dir::down), log_bound(S.hi, q, Dir::up)}, q);
    double v;
    if (decide(r, p, v) || p >= kLast) return v;
  }
}

// sigma(x) - t as E/(1+E) - t (x < 0) or (1 - t) - E/(1+E) (x >= 0), E = e^-|x|, 1 - t exact.
double bce_grad(double x, double t) {
  const Dy one = pow2(0), tt = from_double(t);
  if (x == 0) return to_double(add(pow2(-1), neg(tt)));  // 1/2 - t exactly
  for (std::int64_t p = kFirst;; p *= 2) {
    const std::int64_t q = p + 16;
    const Iv E = exp_nonpositive(from_double(-std::fabs(x)), q);
    const Iv small = div(E, add(point(one), E, q), q);  // sigma(-|x|)
    const Iv g = x < 0 ? add(small, point(neg(tt)), q) : add(point(add(one, neg(tt))), neg(small), q);
    double v;
    if (decide(g, p, v) || p >= kLast) return v;
  }
}

double log_softmax(std::span<const double> x, std::size_t i) {
  Terms terms(x);
  const Dy A = add(from_double(x[i]), neg(from_double(terms.max())));
  return shifted_log(A, neg(pow2(0)), [&](std::int64_t p) { return terms.sum(p); }, terms.guard());
}

double cross_entropy_loss(std::span<const double> x, std::size_t k) {
  Terms terms(x);
  const Dy A = add(from_double(terms.max()), neg(from_double(x[k])));
  return shifted_log(A, pow2(0), [&](std::int64_t p) { return terms.sum(p); }, terms.guard());
}

double cross_entropy_loss(std::span<const double> x, std::span<const double> t) {
  Terms terms(x);
  const Dy m = from_double(terms.max());
  Dy A, T;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (t[i] == 0) continue;
    const Dy ti = from_double(t[i]);
    A = add(A, mul(ti, add(m, neg(from_double(x[i])))));
    T = add(T, ti);
  }
  return shifted_log(A, T, [&](std::int64_t p) { return terms.sum(p); }, terms.guard());
}

// t softplus(-x) + (1 - t) softplus(x) = A + log(1 + E), E = e^-|x|, A = (1 - t) x (x > 0) or -t x.
double bce_loss(double x, double t) {
  const Dy xx = from_double(x), tt = from_double(t);
  const Dy A = x > 0 ? mul(add(pow2(0), neg(tt)), xx) : neg(mul(tt, xx));
  const Dy d = from_double(-std::fabs(x));
  return shifted_log(
      A, pow2(0),
      [&](std::int64_t p) { return add(point(pow2(0)), exp_nonpositive(d, p + 16), p + 16); }, 16);
}

double log_softmax_backward(double y, double g, const Dy& G) {
  if (y == 0) return to_double(add(from_double(g), neg(G)));
  const Dy yy = from_double(y), gg = from_double(g);
  for (std::int64_t p = kFirst;; p *= 2) {
    const std::int64_t q = p + 16;
    const Iv e = y < 0 ? exp_nonpositive(yy, q) : div(point(pow2(0)), exp_nonpositive(neg(yy), q), q);
    const Iv v = add(point(gg), neg(mul(e, point(G), q)), q);
    double r;
    if (decide(v, p, r) || p >= kLast) return r;
  }
}

SoftmaxVjp::SoftmaxVjp(std::span<const double> x, std::span<const double> g) : terms_(x), x_(x), g_(g) {
  std::size_t a = 0;
  for (std::size_t j = 0; j < x.size(); ++j)
    if (x[j] == terms_.max()) {
      a = j;
      break;
    }
  c_ = from_double(g[a]);
}

const Iv& SoftmaxVjp::N(std::int64_t p) {
  for (const auto& [level, v] : N_)
    if (level == p) return v;
  const std::int64_t q = p + terms_.guard();
  Iv s = point({});
  for (std::size_t j = 0; j < x_.size(); ++j) {
    const Dy h = add(from_double(g_[j]), neg(c_));
    if (is_zero(h)) continue;
    s = add(s, mul(point(h), terms_.e(j, q), q), q);
  }
  N_.emplace_back(p, std::move(s));
  return N_.back().second;
}

// e_i (h_i - N/S) / S. Where every e_j is exactly 0 or 1 (ties beside -inf), the value is rational:
// e_i (h_i S - N) / S^2 exactly. Elsewhere, as for the distribution gradient.
double SoftmaxVjp::operator()(std::size_t i) {
  if (x_[i] == -HUGE_VAL) return 0.0;
  const Dy h = add(from_double(g_[i]), neg(c_));
  for (std::int64_t p = kFirst;; p *= 2) {
    const Iv& S = terms_.sum(p);
    const Iv& Nv = N(p);
    const std::int64_t q = p + terms_.guard();
    const Iv ei = terms_.e(i, q);
    if (ei.point() && S.point() && Nv.point())
      return quotient_to_double(mul(ei.lo, add(mul(h, S.lo), neg(Nv.lo))), mul(S.lo, S.lo));
    const Iv v = div(mul(ei, add(point(h), neg(div(Nv, S, q)), q), q), S, q);
    double r;
    if (decide(v, p, r) || p >= kLast) return r;
  }
}

DistGrad::DistGrad(std::span<const double> x, std::span<const double> t) : terms_(x), x_(x), t_(t) {
  for (double v : t) T_ = add(T_, from_double(v));
}

// T e_i / S - t_i. Where every e_j is exactly 0 or 1 (ties beside -inf), (T e_i - t_i S) / S exactly.
double DistGrad::operator()(std::size_t i) {
  if (x_[i] == -HUGE_VAL || is_zero(T_)) return 0.0 - t_[i];  // T e_i / S = 0 exactly
  const Dy ti = from_double(t_[i]);
  for (std::int64_t p = kFirst;; p *= 2) {
    const Iv& S = terms_.sum(p);
    const std::int64_t q = p + terms_.guard();
    const Iv ei = terms_.e(i, q);
    if (ei.point() && S.point()) return quotient_to_double(add(mul(T_, ei.lo), neg(mul(ti, S.lo))), S.lo);
    const Iv g = add(div(mul(point(T_), ei, q), S, q), point(neg(ti)), q);
    double v;
    if (decide(g, p, v) || p >= kLast) return v;
  }
}

}  // namespace softcheck::detail::exact
