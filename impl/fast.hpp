// Tier 0, the vectorized fast path of the accurate functions (fast.cpp, Highway with runtime dispatch:
// one binary runs AVX-512, AVX2+FMA, SSE4 or portable code, whichever the CPU has). It computes each
// result to a relative error of about 2^-83 and rounds it only where Ziv's test proves the rounding; the
// caller sends a vector with any uncertain component to tier 1 (double-double at 2^-95) and beyond, so
// accuracy is that of the precise tiers. At 2^-83 the test fails for about one value in 2^29.
//
// Same bits on every target: the exponentials use only IEEE additions and products, and exact products
// (an FMA where the target has one, Dekker's product elsewhere), and 2^(j/512) is the same product of two
// table entries whether formed in registers (AVX-512) or read from a table of the products (elsewhere), so
// each e_i is bitwise the same on every target. Sums depend on the lane count, and log1p on the target (two
// register-table levels and fused multiply-adds on AVX-512, one gathered level elsewhere; each within its
// bound); results do not (they are correctly rounded or not returned).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "impl/dd.hpp"

namespace softcheck::detail::fast {

// Relative error bound of one term e^(x_i - m) (derivation at ExpDD in fast.cpp).
inline constexpr double kTermErr = 0x1.6a09e667f3bcdp-85;  // 2^-84.5

struct Sum {
  dd value;            // sum of e^(x_i - m) over i not skipped, normalized
  double rel_err = 0;  // bound on |value - exact| / exact from the terms' and the summation's errors
  double dropped = 0;  // bound on the (omitted) terms below e^-600: absolute, add it to the error
};

// e^(x_i - m) for every i (x_i <= m; no NaN or +inf: the callers handle those first) as hi[i] + lo[i]:
//   x_i - m >= -600:          relative error < kTermErr;
//   x_i - m < -746 or -inf:   (0, 0)   (e^(x_i - m) < 2^-1076: a quotient by S >= 1 rounds to +0);
//   in between:               (0, NaN) (the fast tier keeps no bits there: every test on it fails).
// Returns the sum over i != skip_a, skip_b (pass n to skip none). hi may be x itself; lo may not; both
// null: the sum only.
Sum exp_terms(const double* x, std::size_t n, double m, std::size_t skip_a, std::size_t skip_b, double* hi,
              double* lo);

// The distribution cross-entropy's sums, for x with maximum m (finite; no NaN, no +inf) and t >= 0 finite:
// a = sum over t_i > 0 of t_i (m - x_i), within a_err relative plus a_abs absolute (products lost to
// underflow), and t = sum t_i within t_err. ok = false (nothing to use) where some t_i > 0 has x_i = -inf,
// where m - x_i or t_i reaches 2^995, or where a sum overflows.
struct DistLoss {
  dd a, t;
  double a_err = 0, t_err = 0, a_abs = 0;
  bool ok = false;
};
DistLoss dist_loss(const double* x, const double* t, std::size_t n, double m);

// out_i = RN((hi_i + lo_i) (r.hi + r.lo)) for every i, where the product's relative error is below
// rel_err. Returns false as soon as a rounding is not certain (out is then partly written). out may be hi.
bool scale_round(const double* hi, const double* lo, std::size_t n, dd r, double rel_err, double* out);
// The same with the terms computed again from x (as exp_terms does), for vectors too long to keep them;
// out null: only the check, nothing written. out may be x.
bool exp_scale_round(const double* x, std::size_t n, double m, dd r, double rel_err, double* out);

// out_i = RN((x_i - m) - L) for x_i <= m, L >= 0 known to relative error l_err (x_i - m is exact as a
// double-double). -inf where x_i = -inf. Returns false as soon as a rounding is not certain. out may be x;
// null: only the check.
bool shift_round(const double* x, std::size_t n, double m, dd L, double l_err, double* out);

// y_i = σ(x_i); a component whose rounding the fast tier cannot prove is precise(x_i). y may be x.
void sigmoid(const double* x, std::size_t n, double* y, double (*precise)(double));

// y_i = log σ(x_i), likewise.
void log_sigmoid(const double* x, std::size_t n, double* y, double (*precise)(double));

// log1p(s) for s = s.hi + s.lo >= 2^-900, normalized: relative error < kLog1pErr.
inline constexpr double kLog1pErr = 0x1p-85;
dd log1p(dd s);

// Binary cross-entropy with logits and its gradient (grad may be null) for |x| < 600, t in [0, 1]; true
// when both roundings are proven (then written), false otherwise (nothing to trust in *loss, *grad).
bool bce(double x, double t, double* loss, double* grad);
// The same element-wise over n values (grad may be null); an element not proven is precise(x_i, t_i,
// &loss_i, grad_i or null). loss and grad may be x or t themselves (each vector is read before it is
// written), not each other.
void bce(const double* x, const double* t, std::size_t n, double* loss, double* grad,
         void (*precise)(double, double, double*, double*));

// Triple-double (fast_dist.cpp), for the distribution cross-entropy's gradient T e_i / S - t_i, which
// cancels by ~53 bits when t = RN(T softmax(x)).
// Relative error bound of one term e^(x_i - m) as three doubles (derivation at ExpTD).
inline constexpr double kTdTermErr = 0x1p-138;
// Bound on the relative error that summing n nonnegative triple-doubles adds: 2^-140.5 + n 2^-159
// (derivation at Acc3).
inline double td_sum_err(std::size_t n) { return 0x1.6a09e667f3bcdp-141 + static_cast<double>(n) * 0x1p-159; }

struct DistSums {
  double s[3];         // sum of e^(x_j - m), j != a, x_j - m >= -600: three doubles, decreasing
  double r[3];         // sum of t_j, j != a, likewise
  double dropped = 0;  // the count of omitted terms 0 < e^(x_j - m) < e^-600 (each < 2^-865)
};
// For x without NaN or +inf, x_a = m = max x, t >= 0 finite. s is within kTdTermErr + td_sum_err(n) +
// 2^-155 of its exact sum (the last for the three doubles kept), r within td_sum_err(n) + 2^-155.
DistSums dist_sums(const double* x, const double* t, std::size_t n, double m, std::size_t a);

// out_i = RN(ts e^(x_i - m) - t_i) and ok_i = 1 where the rounding is proven, given ts = ts[0] + ts[1] +
// ts[2] (normalized, 2^-900 < ts < 2^900) and rel, a bound on the relative error of ts plus kTdTermErr;
// ok_i = 0 elsewhere (out_i is then to be ignored).
void dist_grad(const double* x, const double* t, std::size_t n, double m, const double ts[3], double rel, double* out,
               unsigned char* ok);

// For tests: e^(x_i - m) as three doubles, x_i - m >= -600.
void exp_terms_td(const double* x, std::size_t n, double m, double* e0, double* e1, double* e2);

// Backward passes in framework form (fast_backward.cpp).
// out_i = RN(g_i y_i (1 - y_i)), or precise(y_i, g_i) where the fast tier does not prove it (or
// 2^-300 <= |g_i|, |y_i|, |1 - y_i| <= 2^300 fails). out may be y or g.
void sigmoid_backward(const double* y, const double* g, std::size_t n, double* out, double (*precise)(double, double));

// Σ a_j b_j (Σ a_j for b null) as s + c (a real) within err of the exact sum; ok = false (nothing to use) where an operand
// is NaN, infinite or at least 2^995, where a sum overflows, or where n is too large for the bound
// (about 2^22). Three levels of compensation (derivation at DotT): err is below about
// (M u^2 + 2 M^2 u^3) Σ|a_j b_j| for M ~ 2n, u = 2^-53, where impl/dot.hpp's two-level dot_bound has
// 2 M^2 u^2.
struct DotSum {
  double s = 0, c = 0, err = 0;
  double abs = 0;  // at least Σ|a_j b_j| (Σ|a_j| for b null)
  bool ok = false;
};
DotSum dot(const double* a, const double* b, std::size_t n);

// out_i = RN(y_i (g_i - S)) and ok_i = 1 where proven, for S = Σ g_j y_j from dot(g, y, n) (ok); ok_i = 0
// elsewhere (out_i is then to be ignored). out may not be y or g.
void softmax_backward(const double* y, const double* g, std::size_t n, const DotSum& S, double* out,
                      unsigned char* ok);

// out_i = RN(g_i - e^{x_i - m} R) and ok_i = 1 where proven (only for -600 <= x_i - m <= 0), for R a
// normalized double-double within rel_r of its value relative, 0 < |R.hi| < 2^995; ok_i = 0 elsewhere.
// out may not be x or g. log_softmax_backward: x = y, m = 0, R = Σ g_j (from dot(g, null, n));
// log_softmax_vjp: R = Σ g_j / Σ e^{x_j - m}.
void sub_terms(const double* x, const double* g, std::size_t n, double m, dd R, double rel_r, double* out,
               unsigned char* ok);

// out_i = RN((eh_i + el_i) R (g_i - Q)) and ok_i = 1 where proven, for eh + el from exp_terms (within
// kTermErr of e^{x_i - m}; eh_i = 0 is never proven), R normalized within rel_r relative (0 < R <= 1),
// Q normalized within err_q absolute (|Q.hi| < 2^995); ok_i = 0 elsewhere. out may be eh.
// softmax_vjp: R = 1/Σ e^{x_j - m}, Q = Σ g_j e^{x_j - m} R.
void scale_diff(const double* eh, const double* el, const double* g, std::size_t n, dd R, double rel_r, dd Q,
                double err_q, double* out, unsigned char* ok);

// max_i x_i (NaN-free part), the first i where it is, and whether some x_i is NaN.
struct MaxScan {
  double max;
  std::size_t first;  // n for n = 0 or every x_i NaN
  bool nan;
};
MaxScan max_scan(const double* x, std::size_t n);

// For tests and benchmarks: the targets compiled in and supported by this CPU, their names, and forcing
// one (0: back to the best). Not thread-safe: call with no fast-tier work in flight.
std::vector<std::int64_t> targets();
std::string target_name(std::int64_t target);
void force_target(std::int64_t target);

}  // namespace softcheck::detail::fast
