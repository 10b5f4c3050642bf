// The precise tier of the accurate functions: multi-double exp, expm1 and log1p, and each function
// re-evaluated at increasing precision until its rounding is certain.
#include "impl/fallback.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "impl/exp_log.hpp"
#include "impl/exact.hpp"
#include "impl/fast.hpp"
#include "impl/multi_double.hpp"

namespace softcheck::detail::fallback {
namespace {

// ln 2 to 18 doubles (about 990 bits), each the rounding of what remains (from `bc -l`, scale = 520).
constexpr double kLn2[18] = {
    0x1.62e42fefa39efp-1,   0x1.abc9e3b39803fp-56,  0x1.7b57a079a1934p-111, -0x1.ace93a4ebe5d1p-165,
    -0x1.23a2a82ea0c24p-219, 0x1.d881b7aeb2615p-274, 0x1.9552fb4afa1b1p-328,  0x1.da5d5c6b82704p-385,
    0x1.4427573b29117p-440, -0x1.91f6b05a4d7a7p-494, -0x1.db5173ae53426p-548, 0x1.1317c387eb9ebp-604,
    -0x1.90f13b267f137p-658, 0x1.6fa0ec7657f75p-712, -0x1.234c5e1398a6bp-766, 0x1.195ebbf4d7a70p-821,
    0x1.8192432afd0c4p-875, -0x1.a1be38ba4ba4dp-929};

constexpr int kHalvings = 16;

template <int K>
double approx(const Md<K>& a) {  // a as a double (may over/underflow; for decisions only)
  return std::ldexp(a.c[0] + (K > 1 ? a.c[1] : 0.0), a.k);
}

template <int K>
Md<K> abs(Md<K> a) {
  return a.c[0] < 0 ? neg(a) : a;
}

// e^x - 1 for |x| <= 0.35 * 2^-16: expm1(r)/r = 1 + r/2 (1 + r/3 (...)), N terms until r^N/(N+1)! is
// below 2^-(53K+4) relative.
template <int K>
Md<K> expm1_small(const Md<K>& r) {
  double a = std::fabs(approx(r));
  int n = 1;
  for (double t = 1; t > std::ldexp(1.0, -(53 * K + 4)) && n < 200; ++n) t *= a / (n + 1);
  Md<K> one = Md<K>::from(1.0);
  Md<K> q = one;
  for (int j = n; j >= 2; --j) q = add(one, div(mul(r, q), j));
  return mul(r, q);
}

// r = x - k ln2 (exact but for the ln 2 truncation after K + 2 doubles), u = expm1(r / 2^16) squared back
// in expm1 form, u <- u (u + 2): the relative error of u is not amplified.
template <int K>
Md<K> expm1_reduced(const Md<K>& x, double kf) {
  Md<K> r = x;  // kf = 0: no reduction (and no underflow of a tiny x's low components)
  if (kf != 0) {
    ExactSum s;
    for (double v : x.c) s.add(std::ldexp(v, x.k));
    for (int j = 0; j < K + 2 && j < 18; ++j) s.add(-two_prod(kf, kLn2[j]));
    r = Md<K>::from(s, 0);
  }
  Md<K> u = expm1_small(ldexp(r, -kHalvings));
  for (int i = 0; i < kHalvings; ++i) u = add(mul(u, u), ldexp(u, 1));
  return u;
}

template <int K>
Md<K> exp(const Md<K>& x) {
  if (x.zero()) return Md<K>::from(1.0);
  double ax = approx(x);
  if (ax < -1e6) return Md<K>{};                                               // below any double's scale
  if (ax > 1e6) return Md<K>::from(std::numeric_limits<double>::infinity());  // callers never ask
  double kf = std::nearbyint(ax / kLn2[0]);
  Md<K> e = add(Md<K>::from(1.0), expm1_reduced(x, kf));
  e.k += static_cast<int>(kf);
  return e;
}

template <int K>
Md<K> expm1(const Md<K>& x) {
  if (x.zero()) return x;
  double kf = std::nearbyint(approx(x) / kLn2[0]);
  Md<K> u = expm1_reduced(x, kf);
  if (kf == 0) return u;
  Md<K> e = add(Md<K>::from(1.0), u);
  e.k += static_cast<int>(kf);
  return sub(e, Md<K>::from(1.0));
}

// log(1 + s), s > -0.5. Tiny s: the alternating series s - s^2/2 + ... (Horner with exact divisions).
// Else y from the double-double log1p (2^-97), then y <- y + g - g^2/2 with g = (1+s)e^-y - 1, each step
// tripling the bits: 97 -> 291 -> 873.
template <int K>
Md<K> log1p(const Md<K>& s) {
  if (s.zero()) return s;
  Md<K> one = Md<K>::from(1.0);
  if (s.k < -60) {
    int n = (53 * K + 8) / 59 + 2;
    Md<K> q = div(one, n);
    for (int j = n - 1; j >= 1; --j) q = sub(div(one, j), mul(s, q));
    return mul(s, q);
  }
  dd sh = ldexp(s.head(), s.k);
  Md<K> y = Md<K>::from(detail::log1p(sh), 0);
  for (int bits = 97; bits < 53 * K + 8; bits *= 3) {
    Md<K> g;
    if (std::fabs(approx(y)) < 0.3) {
      Md<K> u = expm1(neg(y));
      g = add(add(s, u), mul(s, u));
    } else {
      g = sub(mul(add(one, s), exp(neg(y))), one);
    }
    y = add(y, sub(g, ldexp(mul(g, g), -1)));
  }
  return y;
}

template <int K>
double rel_bound() {
  return std::ldexp(1.0, -50 * K);
}

// Evaluates f at K = 4, 8, 16 until the rounding is certain. At K = 16 a function without cancellation
// (every one here but logsumexp and the BCE gradient) has relative error < 2^-790, so its uncertain
// result is still within 0.5 + 2^-730 ULP. The two cancelling ones, and the A + c log S ones (whose value
// can sit on a midpoint to within far less than that), read `certain` and go on to the exact tier
// (exact.hpp). (The distribution gradient has its own tiers.)
template <class F>
double ziv(F f, bool& certain) {
  certain = false;
  double r = f(std::integral_constant<int, 4>{}, certain);
  if (certain) return r;
  r = f(std::integral_constant<int, 8>{}, certain);
  if (certain) return r;
  return f(std::integral_constant<int, 16>{}, certain);
}
template <class F>
double ziv(F f) {
  bool certain = false;
  return ziv(f, certain);
}

// A + sign log S (A exact) when A is exactly the midpoint of two adjacent doubles and 0 < log S < |A.lo|
// (half their distance): the value lies strictly between the midpoint and the neighbour on the side of
// sign, so that neighbour is its correct rounding, whatever log S is (and no finite precision could tell
// which side a value within 2^-800 of the midpoint is on). log S > 0: A != 0 is finite, so some x_j with
// j != a is finite. log S <= s = sum_{j != a} e^(x_j - m), summed in double: a term is nonzero only
// for |x_j - m| < 746 (argument rounding and libm exp within a factor 1 + 2^-43), the sum within n u;
// terms below 2^-1074 add at most n 2^-1074. Here A = x_i - m (sign -1: log-softmax) or m - x_i (sign
// +1: the class loss). Returns NaN where the rule does not apply.
double midpoint_side(double xi, std::span<const double> x, int sign) {
  double m = -HUGE_VAL;
  std::size_t a = 0;
  for (std::size_t j = 0; j < x.size(); ++j)
    if (x[j] > m) m = x[j], a = j;
  const dd A = sign < 0 ? two_sum(xi, -m) : two_sum(m, -xi);
  if (A.lo == 0 || !std::isfinite(A.hi)) return NAN;
  const double next = std::nextafter(A.hi, A.lo > 0 ? HUGE_VAL : -HUGE_VAL);
  if (next - A.hi != 2 * A.lo) return NAN;  // not a midpoint
  double s = 0;
  for (std::size_t j = 0; j < x.size(); ++j)
    if (j != a) s += std::exp(x[j] - m);
  const double n = static_cast<double>(x.size());
  const double bound = s * (1 + 0x1p-40 + n * 0x1p-52) + n * 0x1p-1074;
  if (!(bound < std::fabs(A.lo) * (1 - 0x1p-50))) return NAN;
  return sign < 0 ? std::min(A.hi, next) : std::max(A.hi, next);
}

template <int K>
double ratio(const Md<K>& mag, const Md<K>& v) {  // |mag| / |v| without overflow for moderate ratios
  if (v.zero()) return HUGE_VAL;
  return std::ldexp(std::fabs(mag.c[0]) / std::fabs(v.c[0]), mag.k - v.k) * 2;
}

template <int K>
Md<K> md_diff(double a, double b) {  // a - b exactly (halved and rescaled where it exceeds DBL_MAX)
  if (!std::isfinite(a - b) && std::isfinite(a) && std::isfinite(b)) return ldexp(md_diff<K>(0.5 * a, 0.5 * b), 1);
  ExactSum s;
  s.add(a);
  s.add(-b);
  return Md<K>::from(s, 0);
}

// Shared state of a vector: m = max, a = its first index, e_i = e^(x_i - m) (zero for x_i - m < -2000).
template <int K>
struct Vec {
  std::span<const double> x;
  double m = 0;
  std::size_t a = 0;
  explicit Vec(std::span<const double> xs) : x(xs) {
    m = -HUGE_VAL;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i] > m) m = x[i], a = i;
  }
  Md<K> e(std::size_t i) const {
    if (i == a) return Md<K>::from(1.0);
    if (!std::isfinite(x[i] - m)) return Md<K>{};  // x_i - m beyond -DBL_MAX (or x_i = -inf)
    Md<K> d = md_diff<K>(x[i], m);
    if (d.zero()) return Md<K>::from(1.0);
    if (approx(d) < -2000) return Md<K>{};
    return exp(d);
  }
  // sum of e_j over j not in {a, skip}
  Md<K> others(std::size_t skip) const {
    Md<K> s;
    for (std::size_t j = 0; j < x.size(); ++j)
      if (j != a && j != skip) s = add(s, e(j));
    return s;
  }
};

}  // namespace

double sigmoid(double x) {
  return ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Md<K> one = Md<K>::from(1.0);
    Md<K> v = x >= 0 ? div(one, add(one, exp(Md<K>::from(-x))))
                     : [&] { Md<K> e = exp(Md<K>::from(x)); return div(e, add(one, e)); }();
    return round_md(v, 4 * rel_bound<K>(), certain);
  });
}

double log_sigmoid(double x) {
  return ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Md<K> v = x >= 0 ? neg(log1p(exp(Md<K>::from(-x)))) : sub(Md<K>::from(x), log1p(exp(Md<K>::from(x))));
    return round_md(v, 4 * rel_bound<K>(), certain);
  });
}

double sigmoid_derivative(double a) {
  return ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Md<K> one = Md<K>::from(1.0), e = exp(Md<K>::from(-a)), s = add(one, e);
    return round_md(div(e, mul(s, s)), 8 * rel_bound<K>(), certain);
  });
}

struct LogSoftmaxBackward::Cache {
  std::array<double, 16> G;
  // Per level, G to K components (formed on the level's first use), the last y whose P = e^y G was
  // formed (NaN: none yet) and P.
  template <int K>
  struct Level {
    Md<K> G, P;
    double y = NAN;
    bool have_G = false;
  };
  Level<4> l4;
  Level<8> l8;
  Level<16> l16;

  template <int K>
  const Md<K>& product(double y) {
    auto& l = [&]() -> auto& {
      if constexpr (K == 4) return l4;
      else if constexpr (K == 8) return l8;
      else return l16;
    }();
    if (!l.have_G) {
      ExactSum s;
      for (int j = 0; j < K; ++j) s.add(G[static_cast<std::size_t>(j)]);
      l.G = Md<K>::from(s, 0);
      l.have_G = true;
    }
    if (!(l.y == y)) {
      l.P = mul(exp(Md<K>::from(y)), l.G);
      l.y = y;
    }
    return l.P;
  }
};

LogSoftmaxBackward::LogSoftmaxBackward(const std::array<double, 16>& G) : c_(std::make_unique<Cache>()) { c_->G = G; }
LogSoftmaxBackward::~LogSoftmaxBackward() = default;

// P = e^y G: exp's 2^-50K, G's truncation to K components (2^(3-53K)) and the product's 2^(3-53K) are
// within 2 rel_bound; v = g - P then within 2 rel_bound (|g| + |P|)/|v| relative (ratio doubles it once
// more for its own two-component estimate). P depends on y alone, so it is the same value for a repeated y.
double LogSoftmaxBackward::operator()(double y, double g, bool& certain) {
  return ziv([&](auto KK, bool& ok) {
    constexpr int K = decltype(KK)::value;
    const Md<K>& P = c_->template product<K>(y);
    const Md<K> a = Md<K>::from(g), v = sub(a, P);
    return round_md(v, 2 * rel_bound<K>() * ratio(add(abs(a), abs(P)), v), ok);
  }, certain);
}

double logsumexp(std::span<const double> x) {
  bool settled = false;
  const double r = ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Vec<K> V(x);
    Md<K> L = log1p(V.others(x.size()));
    Md<K> M = Md<K>::from(V.m);
    Md<K> v = add(M, L);  // cancels when m ~ -L: the bound is relative to |m| + L
    Md<K> mag = add(Md<K>::from(std::fabs(V.m)), L);
    return round_md(v, 4 * rel_bound<K>() * ratio(mag, v), certain);
  }, settled);
  return settled ? r : exact::logsumexp(x);  // cancelled by more than ~790 bits
}

double softmax(std::span<const double> x, std::size_t i) {
  return ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Vec<K> V(x);
    Md<K> S = add(Md<K>::from(1.0), V.others(x.size()));
    return round_md(div(V.e(i), S), 4 * rel_bound<K>(), certain);
  });
}

// A + c log S (log-softmax, the losses): A exactly a midpoint with c log S below the expansions' range
// leaves level 16 undecided (fallback.hpp); midpoint_side settles the commonest such case for
// log-softmax and the class loss, the exact tier every other.
double log_softmax(std::span<const double> x, std::size_t i) {
  const double side = midpoint_side(x[i], x, -1);
  if (!std::isnan(side)) return side;
  bool settled = false;
  const double r = ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Vec<K> V(x);
    Md<K> L = log1p(V.others(x.size()));
    return round_md(sub(md_diff<K>(x[i], V.m), L), 4 * rel_bound<K>(), certain);  // both terms <= 0
  }, settled);
  return settled ? r : exact::log_softmax(x, i);
}

double cross_entropy_loss(std::span<const double> x, std::size_t k) {
  const double side = midpoint_side(x[k], x, +1);
  if (!std::isnan(side)) return side;
  bool settled = false;
  const double r = ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Vec<K> V(x);
    Md<K> L = log1p(V.others(x.size()));
    return round_md(add(md_diff<K>(V.m, x[k]), L), 4 * rel_bound<K>(), certain);  // both terms >= 0
  }, settled);
  return settled ? r : exact::cross_entropy_loss(x, k);
}

double cross_entropy_grad(std::span<const double> x, std::size_t k, std::size_t i) {
  return ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Vec<K> V(x);
    Md<K> S = add(Md<K>::from(1.0), V.others(x.size()));
    if (i != k) return round_md(div(V.e(i), S), 4 * rel_bound<K>(), certain);
    // softmax_k - 1 = -(sum of the other classes' terms) / S: no subtraction of 1.
    Md<K> rest = V.others(k);
    if (k != V.a) rest = add(rest, Md<K>::from(1.0));
    return round_md(neg(div(rest, S)), 4 * rel_bound<K>(), certain);
  });
}

double cross_entropy_loss(std::span<const double> x, std::span<const double> t) {
  bool settled = false;
  const double r = ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Vec<K> V(x);
    Md<K> L = log1p(V.others(x.size()));
    Md<K> acc;
    Md<K> T;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (t[i] == 0) continue;
      acc = add(acc, mul(md_diff<K>(V.m, x[i]), t[i]));  // every term >= 0
      T = add(T, Md<K>::from(t[i]));
    }
    return round_md(add(acc, mul(T, L)), 8 * rel_bound<K>(), certain);
  }, settled);
  return settled ? r : exact::cross_entropy_loss(x, t);
}

// The distribution gradient's middle tier. Targets t = RN(T softmax) cancel each component by ~53 bits,
// so T e_i / S is needed to ~2^-120; a 4-double exp per component (~130 µs) made long vectors take
// minutes. Here e^d costs a handful of 3-double products: d = (64 q + j) ln2/64 + r, |r| < 2^-7.5,
// e^d = 2^q E_j (1 + r + r^2/2 + r^3/6 + (r^4/24) Q(r)), E_j = 2^(j/64) tabulated once from the 4-double
// exp, Q = 1 + (r/5)(1 + (r/6)(...)) in double-double. Relative errors: r 2^-152 (ln 2/64 to 3 doubles,
// k ln2[2] rounded, |k| < 2^17), the r^4 Q term 2^-135.4 (Q and r^4 to ~2^-102.6, the term <= 2^-34.7),
// E_j 2^-158, each 3-double product or sum 2^-153: e^d, and T/S e^d, within 2^-134. A component whose
// rounding that cannot settle goes to the 3-double exp below, then to cross_entropy_grad.
namespace {

Md<3> mul3(const Md<3>& a, const Md<3>& b) {  // the terms of order <= 2 (the rest < 2^-157 relative)
  if (a.zero() || b.zero()) return Md<3>{};
  ExactSum s;
  s.add(two_prod(a.c[0], b.c[0]));
  s.add(two_prod(a.c[0], b.c[1]));
  s.add(two_prod(a.c[1], b.c[0]));
  s.add(a.c[0] * b.c[2]);
  s.add(a.c[2] * b.c[0]);
  s.add(a.c[1] * b.c[1]);
  return Md<3>::from(s, a.k + b.k);
}

const std::array<Md<3>, 64>& exp2_table() {  // E_j = 2^(j/64), truncated from the 4-double exp
  static const std::array<Md<3>, 64> table = [] {
    std::array<Md<3>, 64> t{};
    for (int j = 0; j < 64; ++j) {
      ExactSum a;
      for (int i = 0; i < 6; ++i) a.add(two_prod(j, std::ldexp(kLn2[i], -6)));
      Md<4> e = exp(Md<4>::from(a, 0));
      t[j].c = {e.c[0], e.c[1], e.c[2]};
      t[j].k = e.k;
      t[j].normalize();
    }
    return t;
  }();
  return table;
}

// e^d for d = dh + dl exact, -1000 < dh <= 0; relative error < 2^-134 (above).
Md<3> exp_fast(double dh, double dl) {
  const double kk = std::nearbyint(dh * (64 / kLn2[0]));
  ExactSum rs;
  rs.add(dh);
  rs.add(dl);
  rs.add(-two_prod(kk, std::ldexp(kLn2[0], -6)));
  rs.add(-two_prod(kk, std::ldexp(kLn2[1], -6)));
  rs.add(-(kk * std::ldexp(kLn2[2], -6)));
  Md<3> r = Md<3>::from(rs, 0);
  const int ki = static_cast<int>(kk), j = ((ki % 64) + 64) % 64, q = (ki - j) / 64;
  Md<3> one = Md<3>::from(1.0), er = one;
  if (!r.zero()) {
    Md<3> r2 = mul3(r, r), r3 = mul3(r2, r);
    static const Md<3> inv6 = div(one, 6);
    Md<3> p = add(r, add(ldexp(r2, -1), mul3(r3, inv6)));
    if (r.k > -200) {  // the fourth-order term matters (else below 2^-800 relative)
      dd rd = ldexp(r.head(), r.k), Q{1.0, 0.0};
      for (int n = 14; n >= 5; --n) Q = add(div(mul(rd, Q), static_cast<double>(n)), 1.0);
      dd r4 = mul(ldexp(r2.head(), r2.k), ldexp(r2.head(), r2.k));
      p = add(p, Md<3>::from(div(mul(r4, Q), 24.0), 0));
    }
    er = add(one, p);
  }
  return ldexp(mul3(exp2_table()[static_cast<std::size_t>(j)], er), q);
}

// Fast state: S and T/S from exp_fast (e_j within 2^-134, sums truncated to 3 doubles: S within
// 2^-134 + n 2^-158), so T e_i / S within 2^-132.9 + n 2^-158 (rel_fast). Precise state (built only if a
// component needs it): the 3-double exp and a 4-double S, as before this tier existed.
bool live_int_ok(double live) { return live >= 1 && live < 0x1p30; }

}  // namespace

struct DistGrad::State {
  double m = -HUGE_VAL;
  std::size_t a = 0;
  Md<3> s, TS, Ra;
  double rel_fast = 0;
  // Ties: every x_j is m or -inf. Then e_j is 1 or 0 exactly and the gradient T [x_i = m] / n' - t_i is
  // rational: formed exactly (T_exact), it is zero exactly when T = n' t_i, which no approximation can
  // tell (each such component would otherwise reach the O(n) last tier: O(n^2) on a long vector of
  // copies). By Lindemann-Weierstrass the exact gradient is 0 only here or where T = 0.
  // A signed t (log_softmax_vjp's g): T and R_a are running 3-double sums, each step within 2^-156 of
  // its partial sum and 2^-1073 of its larger operand, so within n 2^-154 A of the exact sums (A = Σ|t_j|,
  // kept as rel_T = n 2^-154 A / |T|; t >= 0 has A = T and the bound of rel_fast). A T that sums to 0
  // here leaves signed components to the precise tier.
  bool tied = true, is_signed = false;
  double live = 0, dropped = 0;  // dropped: terms e_j < 2^-1442 left out of s
  double rel_T = 0;
  Md<3> A;
  ExactSum T_exact;
  explicit State(std::span<const double> x, std::span<const double> t) {
    for (std::size_t j = 0; j < x.size(); ++j)
      if (x[j] > m) m = x[j], a = j;
    is_signed = std::any_of(t.begin(), t.end(), [](double v) { return v < 0; });
    Md<3> T;
    for (std::size_t j = 0; j < x.size(); ++j) {
      if (x[j] == m) ++live;
      else if (x[j] != -HUGE_VAL) tied = false;
      T_exact.add(t[j]);
      T = add(T, Md<3>::from(t[j]));
      if (j != a) Ra = add(Ra, Md<3>::from(t[j]));
      if (is_signed) A = add(A, Md<3>::from(std::fabs(t[j])));  // (A = T for t >= 0: not formed)
      if (j == a || x[j] == -HUGE_VAL) continue;
      if (!std::isfinite(x[j] - m)) {
        ++dropped;
        continue;
      }
      dd d = two_sum(x[j], -m);
      if (d.hi > -1000) s = add(s, exp_fast(d.hi, d.lo));
      else ++dropped;  // e_j < 2^-1442: below the relative bounds of S and T e_i / S, not of T s (below)
    }
    TS = div(T, add(Md<3>::from(1.0), s));
    if (is_signed) rel_T = T.zero() ? HUGE_VAL : static_cast<double>(x.size()) * 0x1p-154 * ratio(A, T);
    rel_fast = 0x1p-132 + static_cast<double>(x.size()) * 0x1p-157;
  }
};
struct DistGrad::Precise {
  Vec<3> V;
  Md<3> s, TS;
  double rel_T = 0;
  explicit Precise(std::span<const double> x, std::span<const double> t) : V(x) {
    Vec<4> V4(x);
    Md<4> s4 = V4.others(x.size()), T4;
    for (double tj : t) T4 = add(T4, Md<4>::from(tj));
    Md<4> TS4 = div(T4, add(Md<4>::from(1.0), s4));  // 2^-209: truncated to 3 doubles, 2^-158
    // A signed t: T4 within n (2^-206 + 2^-1073) A of T, as in State.
    if (std::any_of(t.begin(), t.end(), [](double v) { return v < 0; })) {
      Md<4> A4;
      for (double tj : t) A4 = add(A4, Md<4>::from(std::fabs(tj)));
      rel_T = T4.zero() ? HUGE_VAL : static_cast<double>(t.size()) * 0x1p-205 * ratio(A4, T4);
    }
    auto to3 = [](const Md<4>& v) {
      Md<3> r;
      r.c = {v.c[0], v.c[1], v.c[2]};
      r.k = v.k;
      r.normalize();
      return r;
    };
    s = to3(s4);
    TS = to3(TS4);
  }
};

// Tier 0 (fast_dist.cpp): s = sum_{j != a} e_j and R_a = sum_{j != a} t_j from triple-double lanes, T =
// R_a + t_a, S = 1 + s and T/S in 3-double arithmetic (each < 2^-147), the components in chunks as the
// caller asks for them (O(chunk) memory). Relative error bounds (fast.hpp): s within kTdTermErr +
// td_sum_err(n) + 2^-155 + (dropped terms) 2^-865 / s, R_a within td_sum_err(n) + 2^-155 (+ n 2^-270 for
// subnormal t_j, with T >= 2^-800); the argmax with
// p_a > 1/2 as R_a - (T/S) s (its terms are then of the result's own scale) in 3-double arithmetic.
struct DistGrad::Tier0 {
  static constexpr std::size_t kChunk = 4096;
  bool usable = false;
  std::size_t a = 0;
  double m = 0, ts[3] = {}, rel = 0;
  bool complement = false, ga_ok = false;
  double ga = 0;
  std::size_t chunk = SIZE_MAX;
  std::vector<double> out;
  std::vector<unsigned char> ok;

  Tier0(std::span<const double> x, std::span<const double> t) {
    const std::size_t n = x.size();
    m = -HUGE_VAL;
    for (std::size_t j = 0; j < n; ++j)
      if (x[j] > m) m = x[j], a = j;
    if (!std::isfinite(m)) return;
    // The lanes' bounds are for nonnegative sums: a signed t (log_softmax_vjp's g) skips this tier.
    if (std::any_of(t.begin(), t.end(), [](double v) { return v < 0; })) return;
    fast::DistSums sums = fast::dist_sums(x.data(), t.data(), n, m, a);
    auto md = [](const double c[3]) {
      ExactSum e;
      for (int k = 0; k < 3; ++k) e.add(c[k]);
      return Md<3>::from(e, 0);
    };
    if (!std::isfinite(sums.r[0]) || !std::isfinite(sums.s[0])) return;
    const Md<3> s = md(sums.s), Ra = md(sums.r), one = Md<3>::from(1.0);
    const double rel_s = fast::kTdTermErr + fast::td_sum_err(n) + 0x1p-155 + sums.dropped * 0x1p-865;
    // Subnormal t_j: each of the sum's roundings may then lose up to 2^-1075 absolute (3n of them), below
    // n 2^-270 of a sum >= 2^-800; smaller T are left to the tiers below.
    const double rel_r = fast::td_sum_err(n) + 0x1p-155 + static_cast<double>(n) * 0x1p-270;
    const Md<3> T = add(Ra, Md<3>::from(t[a])), S = add(one, s);
    if (T.zero() || !(approx(T) >= 0x1p-800)) return;
    const Md<3> TS = div(T, S);
    const double rel_ts = (rel_r + 0x1p-150) + (rel_s + 0x1p-150) + 0x1p-147;
    for (int k = 0; k < 3; ++k) ts[k] = std::ldexp(TS.c[k], TS.k);
    if (!(std::fabs(ts[0]) > 0x1p-900 && std::fabs(ts[0]) < 0x1p900)) return;
    rel = (fast::kTdTermErr + rel_ts + 0x1p-150) * (1 + 0x1p-40);
    complement = s.zero() || s.k < 0;
    // The complement's bound is relative to s: only where no term was dropped (a dropped term is an
    // absolute error of up to 2^-865 in s, which can be all of a tiny s; the tiers below take that case).
    if (complement && sums.dropped == 0 && (Ra.zero() || approx(Ra) >= 0x1p-800)) {
      const Md<3> P = mul(TS, s), v = sub(Ra, P);
      // |error| < (rel_ts + rel_s + 2^-147) |P| + (rel_r + 2^-149) R_a (the product and the difference)
      const double e = ((rel_ts + rel_s + 0x1p-147) * ratio(P, v) + (rel_r + 0x1p-149) * ratio(Ra, v)) * (1 + 0x1p-40);
      if (!v.zero() && std::fabs(approx(v)) > 0x1p-900) ga = round_md(v, e, ga_ok);
      ga_ok = ga_ok && !v.zero() && std::isfinite(ga);
    }
    usable = true;
  }
  // The tier's proven value of component i, if any.
  bool get(std::span<const double> x, std::span<const double> t, std::size_t i, double& r) {
    if (!usable) return false;
    if (i == a && complement && ga_ok) return r = ga, true;
    const std::size_t c = i / kChunk * kChunk;
    if (c != chunk) {
      const std::size_t len = std::min(kChunk, x.size() - c);
      out.resize(len), ok.resize(len);
      fast::dist_grad(x.data() + c, t.data() + c, len, m, ts, rel, out.data(), ok.data());
      chunk = c;
    }
    if (!ok[i - c]) return false;
    r = out[i - c];
    return true;
  }
};

DistGrad::DistGrad(std::span<const double> x, std::span<const double> t) : x_(x), t_(t) {}
DistGrad::~DistGrad() = default;

bool DistGrad::tier0(std::size_t i, double& r) {
  if (!t0_) t0_ = std::make_unique<Tier0>(x_, t_);
  return t0_->get(x_, t_, i, r);
}

double DistGrad::operator()(std::size_t i) {
  if (double r; tier0(i, r)) return r;
  if (!s_) s_ = std::make_unique<State>(x_, t_);
  const State& st = *s_;
  const bool complement = i == st.a && (st.s.zero() || st.s.k < 0);  // p_a > 1/2: R_a - T q_a
  if (st.tied && live_int_ok(st.live)) {
    if (x_[i] != st.m) return 0.0 - t_[i];  // e_i = 0 exactly
    ExactSum num = st.T_exact;            // T - n' t_i, exactly
    num.add(-two_prod(st.live, t_[i]));
    if (num.is_zero()) return 0.0;
    Md<3> v = div(Md<3>::from(num, 0), static_cast<int>(st.live));  // long division: 2^-156
    bool certain = false;
    double r = round_md(v, 0x1p-150, certain);
    if (certain && std::isfinite(r)) return r;
  }
  if (st.rel_T < 0x1p-60) {  // (a signed T summed to 0 or cancelled: the precise tier)
    Md<3> tp, ref;
    bool ok = true;
    if (complement) {
      tp = mul3(st.TS, st.s);
      ref = st.Ra;
    } else if (i == st.a) {
      tp = st.TS;
      ref = Md<3>::from(t_[i]);
    } else {
      dd d = two_sum(x_[i], -st.m);
      ok = std::isfinite(x_[i] - st.m) && d.hi > -1000;
      if (ok) tp = mul3(st.TS, exp_fast(d.hi, d.lo)), ref = Md<3>::from(t_[i]);
    }
    if (ok) {
      Md<3> v = complement ? sub(ref, tp) : sub(tp, ref);
      if (!v.zero()) {
        // tp within rel_fast (+ rel_T for a signed t); the complement R_a - (T/S) s also carries R_a's
        // sum (n 2^-154 A for a signed t) and the dropped terms, |T/S| dropped 2^-1442 absolute (R_a can
        // cancel against a tiny (T/S) s); + reading v as a double-double.
        double rel = (st.rel_fast + st.rel_T) * ratio(tp, v) + 0x1p-103;
        if (complement && st.is_signed) rel += static_cast<double>(x_.size()) * 0x1p-154 * ratio(st.A, v);
        if (complement && st.dropped > 0) rel += st.dropped * ratio(ldexp(abs(st.TS), -1442), v);
        scaled vs{v.head(), v.k};
        if (rounding_certain(vs, rel)) return round(vs);
      }
    }
  }
  if (!p_) p_ = std::make_unique<Precise>(x_, t_);
  const Precise& pr = *p_;
  Md<3> tp, ref, v;
  if (complement) {
    ref = st.Ra;
    tp = mul(pr.TS, pr.s);
    v = sub(ref, tp);
  } else {
    tp = mul(pr.TS, pr.V.e(i));
    ref = Md<3>::from(t_[i]);
    v = sub(tp, ref);
  }
  // The complement also carries the terms Vec drops (e_j < e^-2000 < 2^-2885): |T/S| n 2^-2885 absolute.
  double rel = 8 * rel_bound<3>() * ratio(add(abs(tp), abs(ref)), v) + pr.rel_T * ratio(tp, v);
  if (complement && st.is_signed) rel += static_cast<double>(x_.size()) * 0x1p-154 * ratio(st.A, v);
  if (complement) rel += static_cast<double>(x_.size()) * ratio(ldexp(abs(pr.TS), -2885), v);
  bool certain = false;
  double r = pr.rel_T < 0x1p-60 ? round_md(v, rel, certain) : 0.0;
  if (certain) return r;
  if (!e_) e_ = std::make_unique<exact::DistGrad>(x_, t_);
  return (*e_)(i);
}

// softplus(z) = log1p(e^z), as z + log1p(e^-z) for z >= 0.
template <int K>
Md<K> softplus(double z) {
  if (z > 1500) return Md<K>::from(z);  // e^-z < 2^-2164: below any rounding of z (as in the dd tier)
  if (z >= 0) return add(Md<K>::from(z), log1p(exp(Md<K>::from(-z))));
  if (z < -2000) return Md<K>{};
  return log1p(exp(Md<K>::from(z)));
}

double bce_loss(double x, double t) {
  bool settled = false;
  const double r = ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Md<K> v;
    if (t != 0) v = mul(softplus<K>(-x), t);
    if (t != 1) v = add(v, mul(softplus<K>(x), md_diff<K>(1.0, t)));  // both terms >= 0
    return round_md(v, 8 * rel_bound<K>(), certain);
  }, settled);
  return settled ? r : exact::bce_loss(x, t);
}

double bce_grad(double x, double t) {
  bool settled = false;
  const double r = ziv([&](auto KK, bool& certain) {
    constexpr int K = decltype(KK)::value;
    Md<K> one = Md<K>::from(1.0);
    // The forms of bce_with_logits.cpp: |x| < 1: (σ(x) - 1/2) + (1/2 - t) with σ(x) - 1/2 from expm1;
    // x >= 1: (1 - t) - σ(-x); x <= -1: σ(x) - t. Cancels: bound relative to the sum of magnitudes.
    Md<K> small, ref, v;
    if (std::fabs(x) < 1) {
      Md<K> u = expm1(Md<K>::from(-x));
      small = neg(div(u, ldexp(add(u, Md<K>::from(2.0)), 1)));  // σ(x) - 1/2
      ref = md_diff<K>(0.5, t);
      v = add(small, ref);
    } else {
      Md<K> e = exp(Md<K>::from(-std::fabs(x)));
      small = div(e, add(one, e));  // σ(-|x|)
      ref = x > 0 ? md_diff<K>(1.0, t) : Md<K>::from(t);
      v = x > 0 ? sub(ref, small) : sub(small, ref);
    }
    Md<K> mag = add(abs(small), abs(ref));
    return round_md(v, 8 * rel_bound<K>() * ratio(mag, v), certain);
  }, settled);
  return settled ? r : exact::bce_grad(x, t);
}

}  // namespace softcheck::detail::fallback
