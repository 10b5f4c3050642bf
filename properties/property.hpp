// The internals shared by the property definitions: case context, kernel calls, exact arithmetic.
// Also the drawn-input record (counterexamples, shrink budget) and budget-derived tolerances.
#pragma once

#include <rapidcheck.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "impl/kernels.hpp"
#include "oracle/oracle.hpp"
#include "oracle/ulp.hpp"
#include "properties/functions.hpp"
#include "properties/inputs.hpp"
#include "properties/suite.hpp"

namespace softcheck::properties {

using Vec = std::vector<double>;

// The drawn inputs of one case, for the counterexample, and the shrink budget (see suite.cpp).
class Recorder {
 public:
  struct Item {
    std::string name;
    Vec values;
    bool is_vector;
    bool is_index;
  };
  struct Budget {  // lives in the runner, shared by all cases of one property
    bool failed = false;
    int evaluations_after_failure = 0;
    int max_evaluations = 0;
    std::uint64_t work_after_failure = 0;  // elements drawn after the first failure
    std::uint64_t max_work = 0;
    std::vector<std::vector<std::uint64_t>> failing;  // prefix hashes of every failing case
    std::string signature;                             // of the first failure; shrinking keeps it
  };

  explicit Recorder(Budget* budget) : budget_(budget) {}
  void add(std::string name, const Vec& v);
  void add(std::string name, double x);
  void add_index(std::string name, std::size_t k);

  const std::vector<Item>& items() const { return items_; }
  const std::vector<std::uint64_t>& hashes() const { return hashes_; }
  int n() const;                  // the first vector's size, else the number of scalars
  std::string format() const;     // "x = [..] (n = 3); k = 1", every double as %.17g

 private:
  void after_draw(const Vec& bits_source);
  Budget* budget_;
  std::vector<Item> items_;
  std::vector<std::uint64_t> hashes_;
};

struct Ctx {
  const Kernels& k;
  double B;  // the budget in ULPs
  oracle::Vector& ov;
  functions::Reference& ref;  // the rows' oracle values (grade)
  Recorder& rec;

  template <class T>
  T draw(const char* name, const rc::Gen<T>& gen) {
    T v = *gen;
    if constexpr (std::is_same_v<T, std::size_t>)
      rec.add_index(name, v);
    else
      rec.add(name, v);
    return v;
  }
};

// A failure with a signature: while shrinking, a candidate counts as failing only when it fails with the
// signature of the original failure (checks that need no distinction all use ""), so a catastrophic
// failure does not shrink into an unrelated 1-ULP one.
struct PropertyFailure : rc::detail::CaseResult {
  PropertyFailure(std::string message, std::string sig)
      : rc::detail::CaseResult(rc::detail::CaseResult::Type::Failure, std::move(message)), signature(std::move(sig)) {}
  std::string signature;
};
[[noreturn]] void fail(const std::string& message, const std::string& signature = "");
[[noreturn]] void discard(const std::string& why);

struct Property {
  PropertyInfo info;
  std::function<void(Ctx&)> body;
};

// Registration, one function per group (agreement.cpp, sum.cpp, shift.cpp, gradients.cpp, finite.cpp,
// relations.cpp, special.cpp, backward.cpp).
void add_agreement(std::vector<Property>& out);
void add_sum(std::vector<Property>& out);
void add_shift(std::vector<Property>& out);
void add_gradient(std::vector<Property>& out);
void add_finite(std::vector<Property>& out);
void add_relations(std::vector<Property>& out);
void add_special(std::vector<Property>& out);
void add_backward(std::vector<Property>& out);
const std::vector<Property>& all_properties();

// --- Kernel calls on vectors ------------------------------------------------------------------------
Vec call_softmax(const Kernels& k, const Vec& x);
Vec call_log_softmax(const Kernels& k, const Vec& x);
double call_logsumexp(const Kernels& k, const Vec& x);
Vec call_sigmoid(const Kernels& k, const Vec& x);
Vec call_log_sigmoid(const Kernels& k, const Vec& x);
double call_sigmoid(const Kernels& k, double x);
double call_log_sigmoid(const Kernels& k, double x);

// --- Formatting ------------------------------------------------------------------------------------
std::string show(double v);                 // %.17g
std::string show(const Vec& v);             // [a, b, ...] with %.17g (first and last 32 of a long vector)
std::string show_ref(const oracle::Ref& r);  // "0.1234 (+0.31 ULP)"

// --- Checks ---------------------------------------------------------------------------------------
// Grades results against the oracle (docs/definitions.md's err) and fails with the worst one, so a case with one
// catastrophic component reports that component. The failure's signature is the result's kind (`kind`,
// e.g. "gradient (target class)"; default `what`) and its class: a wrong special value (NaN or ±inf where
// a number was due, or the reverse), all digits lost (>= 2^20 ULP), or a budget breach. `what` must
// outlive the grader (a literal). Index kNoIndex: a scalar result.
inline constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
class Grader {
 public:
  explicit Grader(const Ctx& c) : c_(c) {}
  void add(const char* what, std::size_t index, double y, const oracle::Ref& ref, const char* kind = nullptr) {
    const double e = oracle::ulp_error(y, ref);
    if (!(e > worst_)) return;
    worst_ = e;
    what_ = what;
    kind_ = kind ? kind : what;
    index_ = index;
    y_ = y;
    ref_ = ref;
  }
  // Fails when the worst error exceeds the budget.
  void finish() const;

 private:
  const Ctx& c_;
  double worst_ = 0;
  const char* what_ = nullptr;
  const char* kind_ = nullptr;
  std::size_t index_ = kNoIndex;
  double y_ = 0;
  oracle::Ref ref_;
};
// The oracle comparison that the agreement and finite groups share (each draws its own inputs): every
// graded component of the rows (of one kernel entry) on the input, from one call of the entry, graded
// and finished (fails on the worst one). A row of the entry's return value is graded from the call with
// the optional vector asked for and from one without it: both must agree with the oracle.
void grade(Ctx& c, std::span<const functions::Row* const> rows, const inputs::Input& in);
// The rows of one entry that have their own properties (not the target-class subset).
std::vector<const functions::Row*> rows_of(std::string_view entry);
// A case's input of `kind`: x from xs (recorded "x"), then its target (recorded "k" or "t").
inputs::Input draw_input(Ctx& c, const inputs::Kind& kind, const rc::Gen<Vec>& xs);
inputs::Input draw_input(Ctx& c, const inputs::Kind& kind, const rc::Gen<double>& x1);
// ulp(v) of the exact value behind a Ref (half of ulp(rounded) when v lies just below a power of two).
double ulp_exact(const oracle::Ref& r);
// The largest ulp(v) of an exact value v within B ULPs of both a and b: ulp_of(max(|a|, |b|)), doubled
// where that maximum is within 2B ULPs below a power of two (v may sit in the binade above).
double ulp_near(double a, double b, double B);
// Two results of one exact value v, each within B·ulp(v): |a - b| <= 2B·ulp(v). NaN and ±inf must agree.
void check_same_value(const Ctx& c, const std::string& what, double a, double b);

// --- Exact arithmetic -------------------------------------------------------------------------------
// a + b = s + e exactly (Knuth's TwoSum; s = fl(a + b)).
struct TwoSum {
  double s, e;
};
TwoSum two_sum(double a, double b);
// x + c exact (and finite) for every x_i.
bool shift_is_exact(const Vec& x, double c);

// The exact sum of finite doubles (a fixed-point accumulator with lsb 2^-1074), rounded once at the end
// (relative error <= 2^-52).
class ExactSum {
 public:
  void add(double x);
  double value() const;

 private:
  static constexpr int kLimbs = 36;  // 2304 bits: 2^-1074 .. 2^1229, room for 2^200 terms of DBL_MAX
  std::uint64_t limb_[kLimbs] = {};
};

// --- Generators shared by several groups ---------------------------------------------------------
// The vector regimes except `special` and `long`, mixed (unit, wide, extreme, dominant, ties, tail).
rc::Gen<Vec> ordinary_vectors();
// 1..8 scalars from a scalar regime (the kernels are element-wise).
rc::Gen<Vec> scalars(std::string_view regime);

}  // namespace softcheck::properties
