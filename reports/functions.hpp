// The report's function rows: what each grades, which Kernels entry it calls, its inputs, its condition
// number, and the evaluation of one sample (oracle once, then every implementation against it).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "impl/kernels.hpp"
#include "properties/inputs.hpp"
#include "oracle/oracle.hpp"
#include "reports/stats.hpp"

namespace softcheck::reports {

enum class Fn {
  kSigmoid, kLogSigmoid, kSoftmax, kLogSoftmax, kLogsumexp,
  kCrossEntropy, kCrossEntropyGrad, kCrossEntropyGradTarget,
  kCrossEntropyDist, kCrossEntropyDistGrad,
  kBceWithLogits, kBceWithLogitsGrad,
};

struct Function {
  Fn id;
  std::string_view name;       // the row's name: also reports/worst/<name>.wc and the budget key
  std::string_view kernel;     // the Kernels entry it calls
  bool scalar;                 // scalar regimes (true) or vector regimes: input->scalar()
  const inputs::Kind* input;   // what it reads (properties/inputs.hpp)
  std::string_view graded;     // one line: which outputs are graded
  std::string_view condition;  // κ, relative condition w.r.t. relative perturbations of every input
};

// All rows, in report order.
std::span<const Function> functions();
// nullptr when unknown.
const Function* find_function(std::string_view name);

// Evaluates samples: the oracle once per sample for the functions asked, then each implementation.
class Evaluator {
 public:
  Evaluator();
  // Oracle references and condition numbers of `fns` (all scalar or all vector) at `input`.
  // Throws what the oracle throws (an invalid input).
  void reference(std::span<const Function* const> fns, const Input& input);
  // References and κ of one function after reference(): one entry per graded component.
  std::span<const oracle::Ref> refs(const Function& f) const;
  std::span<const double> kappas(const Function& f) const;
  // The components of f that are graded (all of them, or the target class for the target-class row).
  std::span<const std::uint64_t> components(const Function& f) const;

  // Runs `k` on the input for every function in fns (one call per kernel entry); outputs(f) then holds
  // one value per graded component. ok(f) is false where the call threw (message in error(f)).
  // Returns the nanoseconds spent in kernel calls, per function, in `ns` (same order as fns).
  void run(const Kernels& k, std::span<const Function* const> fns, const Input& input, std::span<std::int64_t> ns);
  std::span<const double> outputs(const Function& f) const;
  bool ok(const Function& f) const;
  const std::string& error(const Function& f) const;

 private:
  struct Slot {
    std::vector<oracle::Ref> refs;
    std::vector<double> kappa;
    std::vector<std::uint64_t> components;
    std::vector<double> out;
    bool ok = true;
    std::string error;
  };
  Slot& slot(const Function& f) { return slots_[static_cast<std::size_t>(f.id)]; }
  const Slot& slot(const Function& f) const { return slots_[static_cast<std::size_t>(f.id)]; }

  oracle::Vector vec_;
  std::vector<Slot> slots_;
  std::vector<oracle::Ref> softmax_, log_softmax_, grad_, dist_grad_;
  std::vector<double> y1_, y2_;
};

// The condition numbers, exposed for tests: every formula of the report's documentation.
namespace condition {
double sigmoid(double x);
double log_sigmoid(double x, double log_sigma);
// p: softmax(x); returns κ_i of softmax for every i.
std::vector<double> softmax(std::span<const double> x, std::span<const double> p);
}  // namespace condition

}  // namespace softcheck::reports
