// Internal to the oracle: the vector functions (logsumexp, softmax, log-softmax, both cross-entropies).
#include "oracle/engine.hpp"

#include <bit>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace softcheck::oracle::detail {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

[[noreturn]] void invalid(const std::string& what) {
  throw std::invalid_argument("softcheck::oracle::" + what);
}

std::string show(double v) {
  std::ostringstream os;
  os << std::setprecision(17) << v;
  return os.str();
}

}  // namespace

// One Ziv level: p-bit element values, q-bit sums and component enclosures, q = p + 64 so that the
// n < 2^60 directed roundings of a sum widen it by at most n 2^(1-q) <= 2^(-p-3) relative (and the
// sums cost no extra limb: 128 + 64 bits is 3 limbs, as 128 + log2 n + 4 would be).
struct Engine::Level {
  explicit Level(int precision) : p(precision), q(precision + 64) {
    for (Real* r : {&e_lo, &e_hi, &d}) *r = make_real(p);
    for (Real* r : {&s_lo, &s_hi, &S_lo, &S_hi, &inv_lo, &inv_hi, &L1_lo, &L1_hi, &eps_lo, &eps_hi,
                    &lo, &hi, &u, &v, &N_lo, &N_hi})
      *r = make_real(q);
  }
  int p;
  mpfr_prec_t q;
  bool ready = false;
  Real e_lo, e_hi, d;                                          // p bits
  Real s_lo, s_hi, S_lo, S_hi, inv_lo, inv_hi, L1_lo, L1_hi;  // q bits: s, S, 1/S, log1p(s)
  Real eps_lo, eps_hi;                                         // q bits: sum of e_i over x_i < m
  Real lo, hi, u, v;                                           // q bits: one component
  Real N_lo, N_hi;          // q bits: softmax_vjp's Σ_j (g_j - g_a) e_j for the current g
  bool N_ready = false;
};

Engine::Engine() : big_(make_real(kExactDoublePrecision)), tsum_(make_real(64)), tsum2_(make_real(64)) {
  levels_.resize(kLevels);
}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

void Engine::assign(std::span<const double> x) {
  x_.assign(x.begin(), x.end());
  nan_ = posinf_ = posinf_at_ = finite_ = a_ = ties_ = 0;
  m_ = -kInf;
  for (std::size_t i = 0; i < x_.size(); ++i) {
    const double xi = x_[i];
    if (std::isnan(xi)) {
      ++nan_;
    } else if (xi == kInf) {
      if (posinf_++ == 0) posinf_at_ = i;
    } else if (xi != -kInf) {
      if (finite_++ == 0 || xi > m_) m_ = xi, a_ = i, ties_ = 0;
      if (xi == m_) ++ties_;
    }
  }
  for (auto& L : levels_)
    if (L) L->ready = false;
  e0_ready_ = false;
}

// Exact x_i - m style difference of two finite doubles: at p bits when it fits (ternary 0), else in
// big_, which holds any such difference exactly (2099 bits at most). The result is used at once.
mpfr_srcptr Engine::difference(Level& L, double a, double b) {
  // Fast path: a - b exact in double, checked by TwoSum (error term 0; additions only, so FMA
  // contraction cannot interfere; needs IEEE semantics, i.e. no -ffast-math).
  const double d = a - b, bb = d - a, err = (a - (d - bb)) + (-b - bb);
  if (err == 0 && std::isfinite(d)) {
    mpfr_set_d(ptr(L.d), d, MPFR_RNDN);
    return ptr(L.d);
  }
  mpfr_set_d(ptr(L.d), a, MPFR_RNDN);  // exact: p >= 53
  if (mpfr_sub_d(ptr(L.d), ptr(L.d), b, MPFR_RNDN) == 0) return ptr(L.d);
  mpfr_set_d(ptr(big_), a, MPFR_RNDN);
  mpfr_sub_d(ptr(big_), ptr(big_), b, MPFR_RNDN);  // exact
  return ptr(big_);
}

// Lower bound of e_i = e^(x_i - m) rounded toward -inf from the exact difference; returns whether it is
// inexact, in which case e_i < nextabove(out) (RNDD is less than one ulp below). MPFR's widened exponent
// range makes an underflow (x_i - m below about -3.2e18) give out = 0, inexact: e_i in (0, 2^emin).
bool Engine::compute_element(Level& L, std::size_t i, mpfr_ptr out) {
  const double xi = x_[i];
  if (xi == -kInf) {
    mpfr_set_zero(out, 1);
    return false;
  }
  if (xi == m_) {
    mpfr_set_ui(out, 1, MPFR_RNDN);
    return false;
  }
  return mpfr_exp(out, difference(L, xi, m_), MPFR_RNDD) != 0;
}

mpfr_srcptr Engine::element(Level& L, std::size_t i, bool& inexact) {
  if (L.p == kStartPrecision && e0_ready_) {
    inexact = e0_inexact_[i] != 0;
    return ptr(e0_[i]);
  }
  inexact = compute_element(L, i, ptr(L.e_lo));
  return ptr(L.e_lo);
}

mpfr_srcptr Engine::upper(Level& L, mpfr_srcptr lower, bool inexact) {
  if (!inexact) return lower;
  mpfr_set(ptr(L.e_hi), lower, MPFR_RNDN);  // same precision: exact
  mpfr_nextabove(ptr(L.e_hi));
  return ptr(L.e_hi);
}

Engine::Level& Engine::level(int j) {
  auto& L = levels_[static_cast<std::size_t>(j)];
  if (!L) L = std::make_unique<Level>(level_precision(j));
  if (!L->ready) prepare(*L);
  return *L;
}

// s = sum_{i != a} e_i in [s_lo, s_hi]: lower bounds added with RNDD, upper bounds with RNDU.
// S = 1 + s, 1/S (decreasing: 1/S_hi rounded down is the lower bound), log1p(s) by log1p_bounds.
void Engine::prepare(Level& L) {
  const std::size_t n = x_.size();
  if (L.p == kStartPrecision && !e0_ready_) {
    e0_.reserve(n);
    while (e0_.size() < n) e0_.push_back(make_real(kStartPrecision));
    e0_inexact_.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      e0_inexact_[i] = (std::isnan(x_[i]) || x_[i] == kInf) ? 0 : compute_element(L, i, ptr(e0_[i]));
    e0_ready_ = true;
  }
  // eps: the entries below the maximum; s = eps + (ties - 1) exactly.
  mpfr_set_zero(ptr(L.eps_lo), 1);
  mpfr_set_zero(ptr(L.eps_hi), 1);
  for (std::size_t i = 0; i < n; ++i) {
    if (!(x_[i] > -kInf) || x_[i] >= m_) continue;
    bool inexact = false;
    const mpfr_srcptr lo = element(L, i, inexact);
    mpfr_add(ptr(L.eps_lo), ptr(L.eps_lo), lo, MPFR_RNDD);
    mpfr_add(ptr(L.eps_hi), ptr(L.eps_hi), upper(L, lo, inexact), MPFR_RNDU);
  }
  const auto others = static_cast<unsigned long>(ties_ - 1);
  mpfr_add_ui(ptr(L.s_lo), ptr(L.eps_lo), others, MPFR_RNDD);
  mpfr_add_ui(ptr(L.s_hi), ptr(L.eps_hi), others, MPFR_RNDU);
  mpfr_add_ui(ptr(L.S_lo), ptr(L.s_lo), 1, MPFR_RNDD);
  mpfr_add_ui(ptr(L.S_hi), ptr(L.s_hi), 1, MPFR_RNDU);
  mpfr_ui_div(ptr(L.inv_lo), 1, ptr(L.S_hi), MPFR_RNDD);
  mpfr_ui_div(ptr(L.inv_hi), 1, ptr(L.S_lo), MPFR_RNDU);
  log1p_bounds(ptr(L.L1_lo), ptr(L.L1_hi), ptr(L.s_lo), ptr(L.s_hi), ptr(L.u), ptr(L.v));
  L.ready = true;
}

template <class Enclose>
Ref Engine::ziv(bool open, Enclose&& enclose) {
  Ref r;
  Level* L = nullptr;
  for (int j = 0; j < kLevels; ++j) {
    L = &level(j);
    enclose(*L);
    if (settler_.settle(ptr(L->lo), ptr(L->hi), L->p, r, open)) return r;
  }
  settler_.give_up(ptr(L->lo), ptr(L->hi), r);
  return r;
}

// softmax_i = e_i / S = e_i * (1/S): product of nonnegative enclosures. e_i and S are each within
// 2^(1-p) relative (one directed exp per element; the q-bit sums add <= 2^(-p-3)), 1/S and the product
// add 2^(1-q) each: relative width <= 2^(3-p), so p = 128 decides all but ~2^-70 of the cases.
void Engine::enclose_softmax(Level& L, std::size_t i) {
  bool inexact = false;
  const mpfr_srcptr lo = element(L, i, inexact);
  const mpfr_srcptr hi = upper(L, lo, inexact);
  mpfr_mul(ptr(L.lo), lo, ptr(L.inv_lo), MPFR_RNDD);
  mpfr_mul(ptr(L.hi), hi, ptr(L.inv_hi), MPFR_RNDU);
}

// log_softmax_i = (x_i - m) - log1p(s): x_i - m <= 0 exact and -log1p(s) <= 0, no cancellation;
// for the argmax it is -log1p(s), which keeps s = e^-700 (log(1 + s) would round it away).
void Engine::enclose_log_softmax(Level& L, std::size_t i) {
  const mpfr_srcptr d = difference(L, x_[i], m_);
  mpfr_sub(ptr(L.lo), d, ptr(L.L1_hi), MPFR_RNDD);
  mpfr_sub(ptr(L.hi), d, ptr(L.L1_lo), MPFR_RNDU);
}

// logsumexp = m + log1p(s): cancels when m ~ -log1p(s) (e.g. [-0.6931, -0.6932] gives 4.7e-5); the
// enclosure's absolute width is ~2^-p |m|, and Settler's result-relative test raises p until it decides.
void Engine::enclose_logsumexp(Level& L) {
  mpfr_add_d(ptr(L.lo), ptr(L.L1_lo), m_, MPFR_RNDD);
  mpfr_add_d(ptr(L.hi), ptr(L.L1_hi), m_, MPFR_RNDU);
}

// -log_softmax_k = (m - x_k) + log1p(s): both terms >= 0, no cancellation.
void Engine::enclose_ce_loss(Level& L, std::size_t k) {
  const mpfr_srcptr d = difference(L, m_, x_[k]);
  mpfr_add(ptr(L.lo), d, ptr(L.L1_lo), MPFR_RNDD);
  mpfr_add(ptr(L.hi), d, ptr(L.L1_hi), MPFR_RNDU);
}

// softmax_k - 1 = -(sum_{j != k} e_j) / S, the others' share: a sum of positive terms, never p_k - 1
// (which loses everything when p_k ~ 1). For k = a the sum is s itself.
void Engine::enclose_ce_grad_target(Level& L, std::size_t k) {
  mpfr_srcptr o_lo = ptr(L.s_lo), o_hi = ptr(L.s_hi);
  if (k != a_) {
    mpfr_set_ui(ptr(L.u), 1, MPFR_RNDN);  // e_a
    mpfr_set_ui(ptr(L.v), 1, MPFR_RNDN);
    for (std::size_t j = 0; j < x_.size(); ++j) {
      if (j == k || j == a_ || x_[j] == -kInf) continue;
      bool inexact = false;
      const mpfr_srcptr lo = element(L, j, inexact);
      mpfr_add(ptr(L.u), ptr(L.u), lo, MPFR_RNDD);
      mpfr_add(ptr(L.v), ptr(L.v), upper(L, lo, inexact), MPFR_RNDU);
    }
    o_lo = ptr(L.u);
    o_hi = ptr(L.v);
  }
  mpfr_mul(ptr(L.lo), o_hi, ptr(L.inv_hi), MPFR_RNDU);
  mpfr_mul(ptr(L.hi), o_lo, ptr(L.inv_lo), MPFR_RNDD);
  mpfr_neg(ptr(L.lo), ptr(L.lo), MPFR_RNDN);
  mpfr_neg(ptr(L.hi), ptr(L.hi), MPFR_RNDN);
}

// L = sum_{t_i > 0} t_i (m - x_i) + T log1p(s), T = sum t_i exact: every term >= 0, no cancellation.
void Engine::enclose_dist_loss(Level& L, std::span<const double> t) {
  mpfr_set_zero(ptr(L.lo), 1);
  mpfr_set_zero(ptr(L.hi), 1);
  for (std::size_t i = 0; i < x_.size(); ++i) {
    if (!(t[i] > 0) || x_[i] == m_) continue;
    const mpfr_srcptr d = difference(L, m_, x_[i]);
    mpfr_mul_d(ptr(L.u), d, t[i], MPFR_RNDD);
    mpfr_add(ptr(L.lo), ptr(L.lo), ptr(L.u), MPFR_RNDD);
    mpfr_mul_d(ptr(L.u), d, t[i], MPFR_RNDU);
    mpfr_add(ptr(L.hi), ptr(L.hi), ptr(L.u), MPFR_RNDU);
  }
  mpfr_mul(ptr(L.u), ptr(tsum_), ptr(L.L1_lo), MPFR_RNDD);
  mpfr_add(ptr(L.lo), ptr(L.lo), ptr(L.u), MPFR_RNDD);
  mpfr_mul(ptr(L.u), ptr(tsum_), ptr(L.L1_hi), MPFR_RNDU);
  mpfr_add(ptr(L.hi), ptr(L.hi), ptr(L.u), MPFR_RNDU);
}

// (Σt) p_i - t_i, written as a difference of two nonnegative terms as small as possible (what
// cancellation remains is inherent; the enclosure's width is ~2^-p times the terms and Settler's
// result-relative test raises p):
//  - x_i < m: (e_i (T - t_i) - t_i O_i) / S, T - t_i exact, O_i = S - e_i >= 1 (at most log2 S bits
//    lost). Each term is that of T e_i - t_i S less t_i e_i: never more cancellation than the textbook.
//  - x_i = m (the argmax and its ties): (T - c t_i)/c - T eps/(c (c + eps)), see below. For a dominant
//    class with t ~ RN(p), T p_a - t_a cancels against 1 down to ~2^-1000; here both terms are ~eps.
//  - x_i = -inf: exactly -t_i.
void Engine::enclose_dist_grad(Level& L, std::span<const double> t, std::size_t i) {
  if (x_[i] == -kInf) {
    mpfr_set_d(ptr(L.lo), -t[i], MPFR_RNDN);
    mpfr_set(ptr(L.hi), ptr(L.lo), MPFR_RNDN);
    return;
  }
  if (x_[i] == m_) {
    // Tied with the maximum (e_i = 1, c = ties, eps = sum over x_j < m, S = c + eps):
    // T / S - t_i = (T - c t_i)/c - T eps / (c (c + eps)), an exact anchor less a positive term. With
    // eps = 0 (every finite x_j equal) the enclosure is the anchor alone, a point wherever the value is
    // a double or a midpoint (T exact, c t_i has at most 53 + 64 bits); with tiny eps the anchor stays
    // an exact end of the enclosure, for the Settler's open-interval rule.
    const auto c = static_cast<unsigned long>(ties_);
    mpfr_set_d(ptr(L.u), t[i], MPFR_RNDN);
    mpfr_mul_ui(ptr(L.u), ptr(L.u), c, MPFR_RNDN);  // exact: q >= 128
    mpfr_sub(ptr(L.lo), ptr(tsum_), ptr(L.u), MPFR_RNDD);
    mpfr_sub(ptr(L.hi), ptr(tsum_), ptr(L.u), MPFR_RNDU);
    mpfr_div_ui(ptr(L.lo), ptr(L.lo), c, MPFR_RNDD);
    mpfr_div_ui(ptr(L.hi), ptr(L.hi), c, MPFR_RNDU);
    if (mpfr_zero_p(ptr(L.eps_hi))) return;
    // T eps / (c (c + eps)): increasing in eps (derivative T / (c + eps)^2 > 0).
    mpfr_add_ui(ptr(L.v), ptr(L.eps_hi), c, MPFR_RNDD);  // c + eps_hi (only to divide eps_hi by)
    mpfr_mul(ptr(L.u), ptr(tsum_), ptr(L.eps_hi), MPFR_RNDU);
    mpfr_div(ptr(L.u), ptr(L.u), ptr(L.v), MPFR_RNDU);
    mpfr_div_ui(ptr(L.u), ptr(L.u), c, MPFR_RNDU);
    mpfr_sub(ptr(L.lo), ptr(L.lo), ptr(L.u), MPFR_RNDD);
    mpfr_add_ui(ptr(L.v), ptr(L.eps_lo), c, MPFR_RNDU);
    mpfr_mul(ptr(L.u), ptr(tsum_), ptr(L.eps_lo), MPFR_RNDD);
    mpfr_div(ptr(L.u), ptr(L.u), ptr(L.v), MPFR_RNDD);
    mpfr_div_ui(ptr(L.u), ptr(L.u), c, MPFR_RNDD);
    mpfr_sub(ptr(L.hi), ptr(L.hi), ptr(L.u), MPFR_RNDU);
    return;
  }
  bool inexact = false;
  const mpfr_srcptr e_lo = element(L, i, inexact);
  const mpfr_srcptr e_hi = upper(L, e_lo, inexact);
  mpfr_sub_d(ptr(tsum2_), ptr(tsum_), t[i], MPFR_RNDN);  // exact: T's precision holds any partial sum
  mpfr_sub(ptr(L.u), ptr(L.S_lo), e_hi, MPFR_RNDD);  // O_i
  mpfr_sub(ptr(L.v), ptr(L.S_hi), e_lo, MPFR_RNDU);
  // numerator: e_i (T - t_i) - t_i O_i, lower bound into L.lo, upper into L.hi.
  mpfr_mul_d(ptr(L.v), ptr(L.v), t[i], MPFR_RNDU);  // t_i O_hi
  mpfr_mul(ptr(L.lo), e_lo, ptr(tsum2_), MPFR_RNDD);
  mpfr_sub(ptr(L.lo), ptr(L.lo), ptr(L.v), MPFR_RNDD);
  mpfr_mul_d(ptr(L.u), ptr(L.u), t[i], MPFR_RNDD);  // t_i O_lo
  mpfr_mul(ptr(L.hi), e_hi, ptr(tsum2_), MPFR_RNDU);
  mpfr_sub(ptr(L.hi), ptr(L.hi), ptr(L.u), MPFR_RNDU);
  // times 1/S in [inv_lo, inv_hi]: each end uses the factor that moves it outward.
  mpfr_mul(ptr(L.lo), ptr(L.lo), mpfr_sgn(ptr(L.lo)) >= 0 ? ptr(L.inv_lo) : ptr(L.inv_hi), MPFR_RNDD);
  mpfr_mul(ptr(L.hi), ptr(L.hi), mpfr_sgn(ptr(L.hi)) >= 0 ? ptr(L.inv_hi) : ptr(L.inv_lo), MPFR_RNDU);
}

// T = sum t_i exactly: the precision covers every bit from the largest exponent down to the lowest
// significant bit, plus carries.
void Engine::exact_target_sum(std::span<const double> t) {
  int top = std::numeric_limits<int>::min(), bottom = std::numeric_limits<int>::max();
  for (const double ti : t) {
    if (ti == 0) continue;
    const int e = std::ilogb(ti);
    top = std::max(top, e);
    bottom = std::min(bottom, std::max(e - 52, -1074));
  }
  const mpfr_prec_t bits =
      top < bottom ? 64 : static_cast<mpfr_prec_t>(top - bottom + 2 + std::bit_width(t.size()));
  set_precision(tsum_, std::max<mpfr_prec_t>(bits, 64));
  set_precision(tsum2_, mpfr_get_prec(ptr(tsum_)));
  mpfr_set_zero(ptr(tsum_), 1);
  for (const double ti : t) mpfr_add_d(ptr(tsum_), ptr(tsum_), ti, MPFR_RNDN);  // exact
}

Ref Engine::logsumexp() {
  if (x_.empty()) return exact_ref(-kInf);
  if (nan_ > 0) return nan_ref();
  if (posinf_ > 0) return exact_ref(kInf);
  if (finite_ == 0) return exact_ref(-kInf);
  return ziv(s_positive(), [&](Level& L) { enclose_logsumexp(L); });
}

void Engine::softmax(std::span<Ref> out) {
  if (out.size() != x_.size())
    invalid("softmax: out has size " + std::to_string(out.size()) + ", x has size " +
            std::to_string(x_.size()));
  for (std::size_t i = 0; i < x_.size(); ++i) {
    if (nan_ > 0 || posinf_ > 1 || (posinf_ == 0 && finite_ == 0))
      out[i] = nan_ref();
    else if (posinf_ == 1)
      out[i] = exact_ref(i == posinf_at_ ? 1.0 : 0.0);
    else if (x_[i] == -kInf)
      out[i] = exact_ref(0.0);
    else
      out[i] = ziv(!uniform(), [&](Level& L) { enclose_softmax(L, i); });
  }
}

void Engine::log_softmax(std::span<Ref> out) {
  if (out.size() != x_.size())
    invalid("log_softmax: out has size " + std::to_string(out.size()) + ", x has size " +
            std::to_string(x_.size()));
  for (std::size_t i = 0; i < x_.size(); ++i) {
    if (nan_ > 0 || posinf_ > 1 || (posinf_ == 0 && finite_ == 0))
      out[i] = nan_ref();
    else if (posinf_ == 1)
      out[i] = exact_ref(i == posinf_at_ ? 0.0 : -kInf);
    else if (x_[i] == -kInf)
      out[i] = exact_ref(-kInf);
    else
      out[i] = ziv(s_positive(), [&](Level& L) { enclose_log_softmax(L, i); });
  }
}

Ref Engine::cross_entropy(std::size_t k, std::span<Ref> grad) {
  const std::size_t n = x_.size();
  if (n == 0) invalid("cross_entropy: x is empty");
  if (k >= n)
    invalid("cross_entropy: target class " + std::to_string(k) + " out of range for x of size " +
            std::to_string(n));
  if (!grad.empty() && grad.size() != n)
    invalid("cross_entropy: grad has size " + std::to_string(grad.size()) + ", x has size " +
            std::to_string(n));
  if (nan_ > 0 || posinf_ > 1 || (posinf_ == 0 && finite_ == 0)) {
    for (Ref& g : grad) g = nan_ref();
    return nan_ref();
  }
  if (posinf_ == 1) {  // softmax -> one-hot at j: L -> 0 if j == k else +inf; grad -> e_j - e_k
    for (std::size_t i = 0; i < grad.size(); ++i)
      grad[i] = exact_ref((i == posinf_at_ ? 1.0 : 0.0) - (i == k ? 1.0 : 0.0));
    return exact_ref(posinf_at_ == k ? 0.0 : kInf);
  }
  for (std::size_t i = 0; i < grad.size(); ++i) {
    if (i != k)
      grad[i] = x_[i] == -kInf ? exact_ref(0.0)
                               : ziv(!uniform(), [&](Level& L) { enclose_softmax(L, i); });
    else
      grad[i] = x_[k] == -kInf ? exact_ref(-1.0)
                               : ziv(!uniform(), [&](Level& L) { enclose_ce_grad_target(L, k); });
  }
  if (x_[k] == -kInf) return exact_ref(kInf);
  return ziv(s_positive(), [&](Level& L) { enclose_ce_loss(L, k); });
}

Ref Engine::cross_entropy(std::span<const double> t, std::span<Ref> grad) {
  const std::size_t n = x_.size();
  if (n == 0) invalid("cross_entropy: x is empty");
  if (t.size() != n)
    invalid("cross_entropy: target has size " + std::to_string(t.size()) + ", x has size " +
            std::to_string(n));
  if (!grad.empty() && grad.size() != n)
    invalid("cross_entropy: grad has size " + std::to_string(grad.size()) + ", x has size " +
            std::to_string(n));
  for (std::size_t i = 0; i < n; ++i)
    if (!(t[i] >= 0) || t[i] == kInf)
      invalid("cross_entropy: target[" + std::to_string(i) + "] = " + show(t[i]) +
              " (targets must be finite and >= 0)");
  if (nan_ > 0 || posinf_ > 1 || (posinf_ == 0 && finite_ == 0)) {
    for (Ref& g : grad) g = nan_ref();
    return nan_ref();
  }
  exact_target_sum(t);
  if (posinf_ == 1) {  // softmax -> e_j: L -> +inf if some t_i > 0 (i != j) else 0; grad -> T e_j - t
    const std::size_t j = posinf_at_;
    bool infinite = false;
    for (std::size_t i = 0; i < n; ++i) infinite = infinite || (i != j && t[i] > 0);
    for (std::size_t i = 0; i < grad.size(); ++i) {
      if (i != j) {
        grad[i] = exact_ref(t[i] == 0 ? 0.0 : -t[i]);
      } else {
        mpfr_sub_d(ptr(tsum2_), ptr(tsum_), t[j], MPFR_RNDN);  // exact: a sum of the other t_i
        const auto bits = static_cast<int>(mpfr_get_prec(ptr(tsum2_)));
        settler_.settle(ptr(tsum2_), ptr(tsum2_), bits, grad[i]);
      }
    }
    return exact_ref(infinite ? kInf : 0.0);
  }
  const bool positive_t = mpfr_sgn(ptr(tsum_)) > 0;
  for (std::size_t i = 0; i < grad.size(); ++i) {
    const bool open = positive_t && !uniform() && x_[i] != -kInf;
    grad[i] = ziv(open, [&](Level& L) { enclose_dist_grad(L, t, i); });
  }
  for (std::size_t i = 0; i < n; ++i)
    if (x_[i] == -kInf && t[i] > 0) return exact_ref(kInf);
  return ziv(positive_t && s_positive(), [&](Level& L) { enclose_dist_loss(L, t); });
}

// g_i - G p_i (G = Σ g exactly, any signs). A maximum: below. Below the maximum: g_i - G p_i with
// p_i = e_i/S as in softmax, G's sign picking the ends of G p_i.
void Engine::enclose_log_softmax_vjp(Level& L, std::span<const double> g, std::size_t i) {
  const int sG = mpfr_sgn(ptr(tsum_));
  if (x_[i] == m_) {
    // Tied with the maximum (c ties, eps the sum below m): g_i - G/(c + eps) = (c g_i - G)/c +
    // G eps/(c (c + eps)), an exact anchor (a point wherever it is dyadic: c g_i - G is exact in the
    // 2200-bit scratch) plus a term of G's sign, increasing in eps. So where the anchor is a midpoint and
    // eps is below every precision (x_j - m ~ -1e308), the anchor stays an exact end of the enclosure,
    // for the Settler's open-interval rule.
    const auto c = static_cast<unsigned long>(ties_);
    mpfr_set_d(ptr(big_), g[i], MPFR_RNDN);
    mpfr_mul_ui(ptr(big_), ptr(big_), c, MPFR_RNDN);
    mpfr_sub(ptr(big_), ptr(big_), ptr(tsum_), MPFR_RNDN);
    mpfr_div_ui(ptr(L.lo), ptr(big_), c, MPFR_RNDD);
    mpfr_div_ui(ptr(L.hi), ptr(big_), c, MPFR_RNDU);
    if (mpfr_zero_p(ptr(L.eps_hi))) return;
    // |G| eps / (c (c + eps)) in [u, v]; L.d (p bits) holds the bound on c + eps.
    mpfr_abs(ptr(tsum2_), ptr(tsum_), MPFR_RNDN);  // exact: same precision
    mpfr_add_ui(ptr(L.d), ptr(L.eps_lo), c, MPFR_RNDU);
    mpfr_mul(ptr(L.u), ptr(tsum2_), ptr(L.eps_lo), MPFR_RNDD);
    mpfr_div(ptr(L.u), ptr(L.u), ptr(L.d), MPFR_RNDD);
    mpfr_div_ui(ptr(L.u), ptr(L.u), c, MPFR_RNDD);
    mpfr_add_ui(ptr(L.d), ptr(L.eps_hi), c, MPFR_RNDD);
    mpfr_mul(ptr(L.v), ptr(tsum2_), ptr(L.eps_hi), MPFR_RNDU);
    mpfr_div(ptr(L.v), ptr(L.v), ptr(L.d), MPFR_RNDU);
    mpfr_div_ui(ptr(L.v), ptr(L.v), c, MPFR_RNDU);
    if (sG > 0) {
      mpfr_add(ptr(L.lo), ptr(L.lo), ptr(L.u), MPFR_RNDD);
      mpfr_add(ptr(L.hi), ptr(L.hi), ptr(L.v), MPFR_RNDU);
    } else {
      mpfr_sub(ptr(L.lo), ptr(L.lo), ptr(L.v), MPFR_RNDD);
      mpfr_sub(ptr(L.hi), ptr(L.hi), ptr(L.u), MPFR_RNDU);
    }
    return;
  }
  bool inexact = false;
  const mpfr_srcptr e_lo = element(L, i, inexact);
  const mpfr_srcptr e_hi = upper(L, e_lo, inexact);
  // p_i in [e_lo/S_hi, e_hi/S_lo]. (G p)_lo takes p's lower end when G > 0 and its upper end when G < 0
  // (each rounded its own way), (G p)_hi the other; then g_i - G p in [g_i - (G p)_hi, g_i - (G p)_lo].
  const bool up = sG > 0;
  mpfr_mul(ptr(L.u), up ? e_lo : e_hi, up ? ptr(L.inv_lo) : ptr(L.inv_hi), up ? MPFR_RNDD : MPFR_RNDU);
  mpfr_mul(ptr(L.v), up ? e_hi : e_lo, up ? ptr(L.inv_hi) : ptr(L.inv_lo), up ? MPFR_RNDU : MPFR_RNDD);
  mpfr_mul(ptr(L.u), ptr(L.u), ptr(tsum_), MPFR_RNDD);
  mpfr_mul(ptr(L.v), ptr(L.v), ptr(tsum_), MPFR_RNDU);
  mpfr_d_sub(ptr(L.lo), g[i], ptr(L.v), MPFR_RNDD);
  mpfr_d_sub(ptr(L.hi), g[i], ptr(L.u), MPFR_RNDU);
}

// p_i (g_i - ⟨g, p⟩) = p_i (h_i - N/S) with h_j = g_j - g_a (exact differences) and N = Σ h_j e_j, so a
// g nearly constant on p's support leaves small h_j and no cancellation against g_a. N is summed once a
// level (each term's ends by h_j's sign), then Q = N/S, D = h_i - Q and p_i D, each end rounded outward
// by the signs of the factors (1/S and p_i are positive).
void Engine::enclose_softmax_vjp(Level& L, std::span<const double> g, std::size_t i) {
  if (!L.N_ready) {
    mpfr_set_zero(ptr(L.N_lo), 1);
    mpfr_set_zero(ptr(L.N_hi), 1);
    for (std::size_t j = 0; j < x_.size(); ++j) {
      if (x_[j] == -kInf) continue;
      bool inexact = false;
      const mpfr_srcptr e_lo = element(L, j, inexact);
      const mpfr_srcptr e_hi = upper(L, e_lo, inexact);
      const mpfr_srcptr h = difference(L, g[j], g[a_]);  // after element(), which also uses difference()
      const int sh = mpfr_sgn(h);
      if (sh == 0) continue;
      mpfr_mul(ptr(L.u), h, sh > 0 ? e_lo : e_hi, MPFR_RNDD);
      mpfr_add(ptr(L.N_lo), ptr(L.N_lo), ptr(L.u), MPFR_RNDD);
      mpfr_mul(ptr(L.v), h, sh > 0 ? e_hi : e_lo, MPFR_RNDU);
      mpfr_add(ptr(L.N_hi), ptr(L.N_hi), ptr(L.v), MPFR_RNDU);
    }
    L.N_ready = true;
  }
  // Q = N/S in [u, v].
  mpfr_mul(ptr(L.u), ptr(L.N_lo), mpfr_sgn(ptr(L.N_lo)) >= 0 ? ptr(L.inv_lo) : ptr(L.inv_hi), MPFR_RNDD);
  mpfr_mul(ptr(L.v), ptr(L.N_hi), mpfr_sgn(ptr(L.N_hi)) >= 0 ? ptr(L.inv_hi) : ptr(L.inv_lo), MPFR_RNDU);
  // D = h_i - Q in [lo, hi].
  const mpfr_srcptr h = difference(L, g[i], g[a_]);
  mpfr_sub(ptr(L.lo), h, ptr(L.v), MPFR_RNDD);
  mpfr_sub(ptr(L.hi), h, ptr(L.u), MPFR_RNDU);
  // p_i in [u, v], then p_i D.
  bool inexact = false;
  const mpfr_srcptr e_lo = element(L, i, inexact);
  const mpfr_srcptr e_hi = upper(L, e_lo, inexact);
  mpfr_mul(ptr(L.u), e_lo, ptr(L.inv_lo), MPFR_RNDD);
  mpfr_mul(ptr(L.v), e_hi, ptr(L.inv_hi), MPFR_RNDU);
  mpfr_mul(ptr(L.lo), ptr(L.lo), mpfr_sgn(ptr(L.lo)) >= 0 ? ptr(L.u) : ptr(L.v), MPFR_RNDD);
  mpfr_mul(ptr(L.hi), ptr(L.hi), mpfr_sgn(ptr(L.hi)) >= 0 ? ptr(L.v) : ptr(L.u), MPFR_RNDU);
}

void Engine::softmax_vjp(std::span<const double> g, std::span<Ref> out) {
  const std::size_t n = x_.size();
  if (g.size() != n || out.size() != n)
    invalid("softmax_vjp: g has size " + std::to_string(g.size()) + " and out " + std::to_string(out.size()) +
            ", x has size " + std::to_string(n));
  const bool p_nan = nan_ > 0 || posinf_ > 1 || (posinf_ == 0 && finite_ == 0);
  bool finite_g = true;
  for (double v : g) finite_g = finite_g && std::isfinite(v);
  if (p_nan || posinf_ == 1 || !finite_g) {
    // p_i NaN, an exact 0 or 1, or a positive real (1 stands for it); ⟨g, p⟩ and p_i (g_i - ⟨g, p⟩) by
    // IEEE rules, a one-hot p with finite g giving ⟨g, p⟩ = g_j exactly (so 0 everywhere).
    bool pos = false, neg = false, nan = p_nan;
    std::vector<double> p(n);
    for (std::size_t j = 0; j < n; ++j) {
      p[j] = p_nan ? std::nan("") : posinf_ ? (j == posinf_at_ ? 1.0 : 0.0) : x_[j] == -kInf ? 0.0 : 1.0;
      if (std::isnan(g[j])) nan = true;
      else if (std::isinf(g[j])) {
        if (p[j] == 0) nan = true;
        else (g[j] > 0 ? pos : neg) = true;
      }
    }
    const double dot = nan || (pos && neg) ? std::nan("") : pos ? kInf : neg ? -kInf : posinf_ ? g[posinf_at_] : 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = p[i] * (g[i] - dot);
      out[i] = std::isnan(v) ? nan_ref() : exact_ref(v);
    }
    return;
  }
  for (auto& L : levels_)
    if (L) L->N_ready = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (x_[i] == -kInf) {
      out[i] = exact_ref(0.0);
      continue;
    }
    // Rational where every finite x_j is equal (p = 1/c): a point wherever the value is dyadic.
    out[i] = ziv(!uniform(), [&](Level& L) { enclose_softmax_vjp(L, g, i); });
  }
}

void Engine::log_softmax_vjp(std::span<const double> g, std::span<Ref> out) {
  const std::size_t n = x_.size();
  if (g.size() != n || out.size() != n)
    invalid("log_softmax_vjp: g has size " + std::to_string(g.size()) + " and out " + std::to_string(out.size()) +
            ", x has size " + std::to_string(n));
  const bool p_nan = nan_ > 0 || posinf_ > 1 || (posinf_ == 0 && finite_ == 0);
  bool gnan = false, pos = false, neg = false;
  for (double v : g) {
    if (std::isnan(v)) gnan = true;
    else if (std::isinf(v)) (v > 0 ? pos : neg) = true;
  }
  if (gnan || pos || neg) {
    // G is NaN or an infinity; p_i a positive real stands as 1, an exact 0 or 1 as itself (IEEE rules).
    const double Gs = gnan || (pos && neg) ? std::nan("") : pos ? kInf : -kInf;
    for (std::size_t i = 0; i < n; ++i) {
      const double p = p_nan ? std::nan("") : posinf_ ? (i == posinf_at_ ? 1.0 : 0.0) : x_[i] == -kInf ? 0.0 : 1.0;
      const double v = g[i] - p * Gs;
      out[i] = std::isnan(v) ? nan_ref() : exact_ref(v);
    }
    return;
  }
  if (p_nan) {
    for (Ref& r : out) r = nan_ref();
    return;
  }
  exact_target_sum(g);
  for (std::size_t i = 0; i < n; ++i) {
    if (posinf_ == 1 ? i != posinf_at_ : (x_[i] == -kInf || mpfr_zero_p(ptr(tsum_)))) {
      out[i] = exact_ref(g[i]);  // p_i = 0 exactly, or G = 0
    } else if (posinf_ == 1) {  // p_i = 1: g_i - G exactly
      mpfr_d_sub(ptr(tsum2_), g[i], ptr(tsum_), MPFR_RNDN);
      settler_.settle(ptr(tsum2_), ptr(tsum2_), static_cast<int>(mpfr_get_prec(ptr(tsum2_))), out[i]);
    } else if (uniform()) {
      // Every finite x_j equal: p_i = 1/c, the value (c g_i - G)/c is rational; exact numerator, one
      // directed division per end (a point wherever the value is dyadic).
      out[i] = ziv(false, [&](Level& L) {
        // c g_i - G in the 2200-bit scratch: exact (bits from 2^-1074 to 2^1024 n c).
        mpfr_set_d(ptr(big_), g[i], MPFR_RNDN);
        mpfr_mul_ui(ptr(big_), ptr(big_), static_cast<unsigned long>(ties_), MPFR_RNDN);
        mpfr_sub(ptr(big_), ptr(big_), ptr(tsum_), MPFR_RNDN);
        mpfr_div_ui(ptr(L.lo), ptr(big_), static_cast<unsigned long>(ties_), MPFR_RNDD);
        mpfr_div_ui(ptr(L.hi), ptr(big_), static_cast<unsigned long>(ties_), MPFR_RNDU);
      });
    } else {
      // Irrational: p_i is (Lindemann-Weierstrass, as for the distribution gradient) and G != 0.
      out[i] = ziv(true, [&](Level& L) { enclose_log_softmax_vjp(L, g, i); });
    }
  }
}

void Engine::bounds(Kind kind, std::size_t i, int level_index, Real& lo, Real& hi) {
  if (!general() || i >= x_.size() || !std::isfinite(x_[i]))
    invalid("internal bounds: finite, non-special inputs only");
  Level& L = level(level_index);
  if (kind == Kind::kSoftmax) enclose_softmax(L, i);
  if (kind == Kind::kLogSoftmax) enclose_log_softmax(L, i);
  if (kind == Kind::kLogsumexp) enclose_logsumexp(L);
  lo = make_real(L.q);
  hi = make_real(L.q);
  mpfr_set(ptr(lo), ptr(L.lo), MPFR_RNDN);
  mpfr_set(ptr(hi), ptr(L.hi), MPFR_RNDN);
}

}  // namespace softcheck::oracle::detail
