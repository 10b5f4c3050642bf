// The report's rows are the function rows of properties/functions.hpp; this is their per-sample
// evaluation: the oracle once per sample for every row asked, then each implementation against it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "impl/kernels.hpp"
#include "oracle/oracle.hpp"
#include "properties/functions.hpp"
#include "reports/stats.hpp"

namespace softcheck::reports {

using Function = functions::Row;

// All rows, in report order; nullptr when unknown.
inline std::span<const Function> functions() { return functions::rows(); }
inline const Function* find_function(std::string_view name) { return functions::find_row(name); }

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
  Slot& slot(const Function& f) { return slots_[static_cast<std::size_t>(&f - functions().data())]; }
  const Slot& slot(const Function& f) const { return slots_[static_cast<std::size_t>(&f - functions().data())]; }

  functions::Reference ref_;
  std::vector<Slot> slots_;
  functions::EntryOutput call_;
};

}  // namespace softcheck::reports
