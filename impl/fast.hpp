// Tier 0, the vectorized fast path of the accurate functions (fast.cpp, Highway with runtime dispatch:
// one binary runs AVX-512, AVX2+FMA, SSE4 or portable code, whichever the CPU has). It computes each
// result to a relative error of about 2^-83 and rounds it only where Ziv's test proves the rounding; the
// caller sends a vector with any uncertain component to tier 1 (double-double at 2^-95) and beyond, so
// accuracy is that of the precise tiers. At 2^-83 the test fails for about one value in 2^29.
//
// Same bits on every target: the exponentials use only IEEE additions and products, and exact products
// (an FMA where the target has one, Dekker's product elsewhere), so each e_i is bitwise the same on every
// target; sums depend on the lane count, results do not (they are correctly rounded or not returned).
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

// max_i x_i (NaN-free part) and whether some x_i is NaN.
struct MaxScan {
  double max;
  bool nan;
};
MaxScan max_scan(const double* x, std::size_t n);

// For tests and benchmarks: the targets compiled in and supported by this CPU, their names, and forcing
// one (0: back to the best). Not thread-safe: call with no fast-tier work in flight.
std::vector<std::int64_t> targets();
std::string target_name(std::int64_t target);
void force_target(std::int64_t target);

}  // namespace softcheck::detail::fast
