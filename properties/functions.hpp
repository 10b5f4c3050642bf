// The function rows: one row per graded function (a loss, a gradient, a softmax...), with everything
// softcheck knows about it: the kernel entry that computes it, what it reads (its input kind), which
// output of the call it grades, the oracle's exact value and its condition number. The agreement and
// finite properties, `softcheck check`, the report's evaluator, `softcheck eval` and the impl fuzzer
// all iterate this one table; a new function is a row here (plus its kernel, its oracle formula, its
// regimes and its budget).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "impl/kernels.hpp"
#include "oracle/oracle.hpp"
#include "properties/inputs.hpp"

namespace softcheck::functions {

using inputs::Input;

// One call of a kernel entry on an input: its return value (losses, logsumexp) and its output vector
// (y of an element-wise or vector function, or the gradient: asked for only when want_vector).
struct EntryOutput {
  double value = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> vector;
};
// Calls `entry` of k (which must provide it) on `in`; exceptions propagate.
void call_entry(const Kernels& k, std::string_view entry, const Input& in, bool want_vector, EntryOutput& out);
// Whether the entry's vector output is optional (a gradient, asked for by a pointer that may be null).
bool vector_is_optional(std::string_view entry);

// The oracle's exact values for one input, computed on first use and shared by every row that reads
// them (one oracle evaluation of x serves softmax, log-softmax, the losses and the gradients).
class Reference {
 public:
  void assign(const Input& in);  // a new input: forgets everything computed for the last one
  const Input& input() const { return *in_; }
  // Element-wise over x (scalars: one per x_i).
  const std::vector<oracle::Ref>& sigmoid();
  const std::vector<oracle::Ref>& log_sigmoid();
  // Vector functions of x.
  const std::vector<oracle::Ref>& softmax();
  const std::vector<oracle::Ref>& log_softmax();
  const oracle::Ref& logsumexp();
  const oracle::Ref& cross_entropy_class();  // the loss at target_class, and:
  const std::vector<oracle::Ref>& cross_entropy_class_grad();
  const oracle::Ref& cross_entropy_dist();   // the loss at target, and:
  const std::vector<oracle::Ref>& cross_entropy_dist_grad();
  const oracle::Ref& bce();                  // at x[0], bce_target, and:
  const oracle::Ref& bce_grad();
  // For condition numbers: RN(softmax(x)) and κ of softmax per component (NaN-free only for finite input).
  const std::vector<double>& p();
  const std::vector<double>& softmax_kappa();
  bool finite() const { return finite_; }  // x and the targets all finite

 private:
  const Input* in_ = nullptr;
  bool finite_ = false;
  oracle::Vector vec_;
  unsigned have_ = 0;
  std::vector<oracle::Ref> sigmoid_, log_sigmoid_, softmax_, log_softmax_, ce_grad_, dist_grad_;
  oracle::Ref lse_, ce_, dist_, bce_, bce_grad_;
  std::vector<double> p_, d_;
};

// Which output of the entry call a row grades.
enum class Part {
  kValue,        // the return value (one component)
  kVector,       // every component of the output vector
  kTargetClass,  // the output vector's component at the class index only
};

struct Row {
  std::string_view name;       // the report row, budget key, reports/worst/<name>.wc, agreement.<name>.<regime>
  std::string_view entry;      // the kernel entry it calls
  const inputs::Kind* input;   // what it reads
  bool scalar;                 // input->scalar(): scalar regimes (true) or vector ones
  Part part;
  std::string_view graded;     // one line: which outputs are graded (reports)
  std::string_view condition;  // κ, relative condition w.r.t. relative perturbations of every input (reports)
  std::string_view about;      // the properties' name for it: "softmax", "cross-entropy loss, class index"
  std::string_view what;       // a component in messages: "softmax(x)", "gradient", "cross_entropy(x, k)"
  bool own_properties;         // false where another row grades a superset (the target-class component)
  // The oracle's value and κ of each graded component (in the order of components()).
  void (*reference)(Reference& ref, std::vector<oracle::Ref>& refs, std::vector<double>& kappa);
};

std::span<const Row> rows();
const Row* find_row(std::string_view name);  // nullptr when unknown

// The graded components of a row at an input (indices into the entry's vector; {0} for a value).
std::vector<std::uint64_t> components(const Row& row, const Input& in);
// The row's outputs, one per graded component, from the entry call's.
void graded_outputs(const Row& row, const Input& in, const EntryOutput& call, std::vector<double>& out);
// Whether the row reads the call's vector output.
inline bool wants_vector(const Row& row) { return row.part != Part::kValue; }
// A component's index in messages, or none for a row of one value (and for the scalar BCE gradient).
bool indexed(const Row& row);

// The condition numbers, exposed for tests: every formula of the rows' `condition` text.
namespace condition {
double sigmoid(double x);
double log_sigmoid(double x, double log_sigma);
// p: softmax(x); returns κ_i of softmax for every i.
std::vector<double> softmax(std::span<const double> x, std::span<const double> p);
}  // namespace condition

}  // namespace softcheck::functions
