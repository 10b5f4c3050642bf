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
#include <memory>
#include <span>
#include <string_view>
#include <utility>
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

// The oracle's exact values for one input, each computed on first use and shared by every row that
// reads it (one oracle evaluation of x serves softmax, log-softmax, the losses and the gradients; the loss
// and the gradient rows of one call share its oracle call). A value is asked for by the function that
// computes it, which is also its key: a new function's oracle value is a function in functions.cpp, not a
// member here.
class Reference {
 public:
  void assign(const Input& in);  // a new input: every value is recomputed on its next request
  const Input& input() const { return *in_; }
  bool finite() const { return finite_; }  // x and the targets all finite
  // The oracle's evaluation of x, for the vector functions (assigned to x on first use per input).
  oracle::Vector& vector();

  template <class T>
  const T& get(void (*compute)(Reference&, T&)) {
    Slot<T>& s = slot<T>(reinterpret_cast<void (*)()>(compute));
    if (!s.valid) {
      compute(*this, s.value);  // may get() others: slots are stable
      s.valid = true;
    }
    return s.value;
  }

 private:
  struct SlotBase {
    virtual ~SlotBase() = default;
    bool valid = false;
  };
  template <class T>
  struct Slot : SlotBase {
    T value;  // kept across inputs: its buffers are reused
  };
  template <class T>
  Slot<T>& slot(void (*key)()) {
    for (auto& [k, s] : slots_)
      if (k == key) return static_cast<Slot<T>&>(*s);
    slots_.emplace_back(key, std::make_unique<Slot<T>>());
    return static_cast<Slot<T>&>(*slots_.back().second);
  }

  const Input* in_ = nullptr;
  bool finite_ = false;
  bool assigned_ = false;  // vec_ holds x
  oracle::Vector vec_;
  std::vector<std::pair<void (*)(), std::unique_ptr<SlotBase>>> slots_;
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
