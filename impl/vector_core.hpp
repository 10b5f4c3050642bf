// What softmax, log-softmax, logsumexp and cross-entropy share: the scan for special values, the terms
// e^(x_i - m) with x_i - m exact, their pairwise sum, and the write-out that keeps in-place calls safe.
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "impl/exp_log.hpp"

namespace softcheck::detail {

struct Scan {
  bool nan = false;
  std::size_t posinf = 0, posinf_at = 0;
  bool all_neginf = true;
  double m = -std::numeric_limits<double>::infinity();  // the maximum
  std::size_t a = 0;                                     // its first index
};
Scan scan(std::span<const double> x);

// e^(x_i - m) for x_i <= m: x_i - m is exact as a dd (TwoSum), so the rounding of the difference that
// costs the max-shift formula its accuracy never happens. Relative error < 2^-99; zero for x_i = -inf or
// x_i - m < -2000 (e^-2000 < 2^-2885: below any result even after scaling by a finite target).
inline scaled term(double xi, double m) {
  dd d = two_sum(xi, -m);
  if (!(d.hi >= -2000)) return {};
  return exp_scaled(d);
}

// s = sum of e^(x_j - m) over j != a (the argmax), so that S = 1 + s and log S = log1p(s) keeps s's
// bits when s is tiny (a dominant entry): log(1 + s) at any fixed precision would lose them.
scaled others_sum(std::span<const double> x, const Scan& sc);

// Pairwise (cascade) sum of scaled terms >= 0: each term goes through at most ceil(log2 n) + 1 additions,
// so the relative error is <= (ceil(log2 n) + 1) 3u^2 < 2^-99.4 for any n < 2^32, whatever the order.
class PairwiseSum {
 public:
  void push(scaled v) {
    std::size_t level = 0;
    while (!stack_.empty() && stack_.back().level == level) {
      v = add(stack_.back().v, v);
      stack_.pop_back();
      ++level;
    }
    stack_.push_back({v, level});
  }
  scaled total() const {
    scaled s{};
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) s = add(s, it->v);
    return s;
  }

 private:
  struct Entry {
    scaled v;
    std::size_t level;
  };
  std::vector<Entry> stack_;  // at most 64 entries
};

// The maximum m of x and its first index a, where tier 0 can take the vector (no NaN, no +inf, not all
// -inf); m NaN otherwise (then the precise tiers apply the special-value rules).
struct Tier0Max {
  double m;
  std::size_t a;
};
Tier0Max tier0_max(std::span<const double> x);

// Tier 0's sum for a vector with maximum m (finite, no NaN) first at a: s = sum of e^(x_j - m) over j != a
// and j != skip (x.size(): none), rel_err its relative error bound, +inf where the terms below e^-600
// that tier 0 drops could matter; hi/lo receive the terms (fast::exp_terms), or nullptr.
struct Tier0Sum {
  dd value;
  std::size_t a;
  double rel_err;
};
Tier0Sum tier0_sum(std::span<const double> x, double m, std::size_t a, std::size_t skip, double* hi, double* lo);

// log1p(s) for tier 0's s: tier 0's (relative error *rel = 2^-85) where s >= 2^-900, else tier 1's (2^-97).
scaled tier0_log1p(dd s, double* rel);

// Scratch for tier 0: slot 0 or 1 of this thread's buffers, of at least n doubles, kept for the next
// call (so at most 16 MB a thread); null beyond scratch_limit doubles (2^20: 8 MB), where tier 0
// computes its terms again rather than keep them (a long input is never copied: the memory stays O(1),
// impl/tests/big_input_test.cpp). Tests lower the limit to reach the recomputing paths with short vectors.
inline std::size_t scratch_limit = std::size_t{1} << 20;
inline double* scratch(std::size_t n, int slot) {
  thread_local std::vector<double> buffers[2];
  if (n > scratch_limit) return nullptr;
  std::vector<double>& v = buffers[slot];
  if (v.size() < n) v.resize(n);
  return v.data();
}

inline bool overlaps(std::span<const double> a, std::span<const double> b) {
  if (a.empty() || b.empty()) return false;
  const double* a0 = a.data();
  const double* b0 = b.data();
  return a0 < b0 + b.size() && b0 < a0 + a.size();
}

// Writes y_i = fast(i, x_i, certain), or slow(src, i) where the fast tier's rounding is not certain.
// In place (y overlapping x), slow needs the original x: the certainty of every component is checked
// before anything is written, and x is copied only in the (rare) case that some component needs slow.
template <class Fast, class Slow>
void emit(std::span<const double> x, std::span<double> y, Fast&& fast, Slow&& slow) {
  if (overlaps(x, y)) {
    bool all_certain = true;
    for (std::size_t i = 0; i < x.size() && all_certain; ++i) fast(i, x[i], all_certain);
    if (!all_certain) {
      std::vector<double> copy(x.begin(), x.end());
      emit(std::span<const double>(copy), y, fast, slow);
      return;
    }
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    bool certain = true;
    double v = fast(i, x[i], certain);
    y[i] = certain ? v : slow(x, i);
  }
}

}  // namespace softcheck::detail
