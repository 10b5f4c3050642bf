// The report's per-cell statistics (function × regime × implementation), written once for every function
// and mergeable exactly: counts, an exact sum, and maxima with a witness and an index tie-break, so that
// any split of the samples (threads, shards) merges to the same bytes.
#pragma once

#include "properties/inputs.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oracle/oracle.hpp"

namespace softcheck::reports {

// An exact sum of non-negative finite doubles: a fixed-point integer in units of 2^-1152 (below the
// smallest subnormal, 2^-1074, times 2^-53) held in base-2^32 limbs, so addition is associative.
class ExactSum {
 public:
  void add(double v);  // v finite and ≥ 0
  void merge(const ExactSum& other);
  double value() const;            // the sum rounded to a double (deterministic given the exact sum)
  std::string to_string() const;   // "0x<hex digits>p-1152": exact, for the JSON
  static std::optional<ExactSum> parse(std::string_view text);
  bool operator==(const ExactSum& o) const;

 private:
  static constexpr int kBase = -1152;
  static constexpr std::size_t kLimbs = 72;  // up to 2^(32·72 - 1152) = 2^1152: DBL_MAX times 2^127
  void normalize() const;
  mutable std::array<std::uint64_t, kLimbs> limb_{};
  mutable std::uint64_t pending_ = 0;  // additions since the last normalization
};

// The inputs of one sample; which fields count depends on the function's input kind (properties/inputs.hpp).
using Input = inputs::Input;

// The sample and output component that attained a statistic, with everything needed to replay it.
struct Witness {
  std::string regime;
  int rank = 0;               // the regime's position in the report: the tie-break across regimes
  std::uint64_t index = 0;    // sample index within the regime
  std::uint64_t component = 0;
  std::shared_ptr<const Input> input;  // shared by every witness of the sample (long inputs are large)
  double y = 0;               // the implementation's output
  double expected = 0;        // RN(v), the correctly rounded value
  double ulp = 0;             // err(y, v) (docs/definitions.md)
  std::int64_t distance = 0;  // doubles between y and RN(v) (glibc's measure)
  double kappa = 0;           // condition number at this input (NaN where undefined)
  std::string message;        // an exception's message, for errors

  // The order of samples: regime, then index, then component. Ties of a maximum go to the earlier.
  bool before(const Witness& o) const;
};

// A maximum with its witness (first attained, by Witness::before, among equal values).
template <class T>
struct Max {
  std::optional<T> value;
  Witness witness;
};

// Octave histogram of err: zero (exact), then [2^e, 2^(e+1)) for e in [kLowest, kHighest); the first
// bin also holds everything below 2^kLowest and the last everything above.
struct Histogram {
  static constexpr int kLowest = -30, kHighest = 64;
  std::uint64_t zero = 0;
  std::array<std::uint64_t, kHighest - kLowest> octave{};
  void add(double err);
  void merge(const Histogram& o);
};

// Maximum err per bin of x over a fixed axis (scalar functions): the "error against x" plot.
struct XAxis {
  enum class Kind { kLinear, kSignedLog2 } kind = Kind::kSignedLog2;
  double lo = -2100, hi = 2100;  // on the axis' scale (x itself, or sign(x)·(log2|x| + 1075))
  static XAxis for_regime(const std::string& regime);
  double position(double x) const;  // x on the axis scale; NaN for non-finite x
};
struct XBins {
  static constexpr int kBins = 160;
  XAxis axis;
  std::array<double, kBins> max{};             // -1: no finite value in the bin
  std::array<std::uint64_t, kBins> nonfinite{};
  XBins() { max.fill(-1); }
  void add(double x, double err);  // err = +inf for a non-finite result
  void merge(const XBins& o);
};

// One cell of the report.
struct Cell {
  std::string function, regime, implementation;
  int rank = 0;  // the regime's rank (witness order)
  bool provided = true;  // false: the implementation has no kernel for the function ("not provided")

  std::uint64_t samples = 0;             // inputs graded
  std::uint64_t values = 0;              // output components graded
  std::uint64_t correctly_rounded = 0;   // y == RN(v) (ulp distance 0)
  std::uint64_t faithful = 0;            // err < 1
  std::uint64_t nonfinite = 0;           // NaN or ±inf where a finite value was due
  std::uint64_t special_mismatch = 0;    // another wrong special value (finite or wrong inf/NaN where a special was due)
  std::uint64_t errors = 0;              // the kernel threw, crashed or hung (or the oracle rejected the input)
  std::uint64_t crashes = 0;             // of those: the kernel crashed, hung or exited (isolate.hpp)
  std::uint64_t skipped = 0;             // samples not evaluated: the kernel had crashed or hung too often
  std::uint64_t uncertain = 0;           // the oracle could not decide the rounding (never expected)
  std::uint64_t finite = 0;              // values with a finite err (those in ulp_sum and the maxima)
  ExactSum ulp_sum;                      // Σ err over those values
  Max<double> max_ulp;
  Max<std::int64_t> max_distance;
  Max<double> max_condition;             // max err / (κ + 1)
  std::optional<Witness> first_nonfinite;  // earliest non-finite or special mismatch
  std::optional<Witness> first_error;      // earliest exception
  Histogram histogram;
  std::optional<XBins> xbins;            // scalar functions only

  double mean_ulp() const;
  void merge(const Cell& other);  // same function, regime and implementation
};

// How a sample is identified when it becomes a witness.
struct SampleId {
  const std::string* regime;
  int rank;
  std::uint64_t index;
  std::shared_ptr<const Input> input;
};

// THE grading helper: folds one output component y against the oracle's reference into the cell.
// kappa: the condition number of that component at this input (NaN where undefined).
void record(Cell& cell, const SampleId& sample, std::uint64_t component, double y, const oracle::Ref& ref,
            double kappa);
// A kernel call that threw.
void record_error(Cell& cell, const SampleId& sample, const std::string& message);
// A kernel call that crashed, hung or exited in its isolated child: an error (errors, first_error) that
// is also counted in `crashes`. The message starts with isolate::Failure::describe() ("crashed: ...",
// "hung: ...", "exited ...").
void record_crash(Cell& cell, const SampleId& sample, const std::string& message);
// Whether an error message is record_crash's (for wording: "threw" or not).
bool is_crash_message(std::string_view message);

}  // namespace softcheck::reports
