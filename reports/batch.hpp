// A kernel batch: one work item's kernel calls, laid out in the shared memory of an isolated child
// (reports/isolate.hpp). The parent writes the samples and the units (write, and mark or restart after a
// failure); the child runs them (Server::serve) and writes each graded row's outputs, time and error text
// into the unit's slot; the parent reads them back (read_row).
//
// Layout (byte offsets, 8-aligned): Header, SampleDesc[samples], UnitDesc[units], the input doubles, then
// each unit's result slot: per graded row a RowDesc, its outputs, its error text. A unit is one kernel
// call: one sample, one implementation, one Kernels entry (the rows graded from it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "impl/kernels.hpp"
#include "reports/functions.hpp"
#include "reports/isolate.hpp"
#include "reports/stats.hpp"

namespace softcheck::reports::batch {

// One kernel call of the batch.
struct Unit {
  std::uint32_t sample = 0, impl = 0, entry = 0;  // entry: index in kernel_entries()
  std::vector<const Function*> rows;              // graded from this call
  std::uint64_t result = 0;                       // byte offset of its result slot (set by layout)
  bool skip = false;                              // not to be called (its implementation crashed too often)
  std::string failed;                             // how the call crashed or hung, if it did
};

using Samples = std::vector<std::shared_ptr<Input>>;

// Sets every unit's result offset; returns the bytes the batch needs.
std::size_t layout(const Samples& samples, std::vector<Unit>& units);
// Writes the batch (call layout first; mem at least that large). serial tells batches apart.
void write(std::span<std::byte> mem, std::uint64_t serial, const Samples& samples, const std::vector<Unit>& units);
// Rewrites unit u (after its skip flag changed).
void write_unit(std::span<std::byte> mem, std::size_t samples, std::size_t u, const Unit& unit);
// After a failure: the child (a fresh one) serves units [first_unit, units).
void restart_at(std::span<std::byte> mem, std::uint64_t serial, std::size_t samples, std::size_t units,
                std::uint64_t first_unit);

// One graded row's result, read back from unit slot offset `at` (then advance at by slot_bytes).
struct RowResult {
  std::int64_t ns = 0;
  bool ok = true;
  std::string error;  // the exception's message, cut to 256 bytes
};
RowResult read_row(std::span<const std::byte> mem, std::uint64_t at, const Function& f, std::size_t n,
                   std::vector<double>& outputs);
std::size_t slot_bytes(const Function& f, std::size_t n);  // n: the sample's x size

// The child's side: runs the units of the batch in memory, each bracketed for the watchdog, and writes
// each unit's results into its slot. Keeps its evaluator and the last sample between batches.
class Server {
 public:
  explicit Server(const std::vector<Kernels>& impls) : impls_(impls) {}
  void serve(std::span<std::byte> mem, isolate::Calls& calls);

 private:
  const std::vector<Kernels>& impls_;
  std::unique_ptr<Evaluator> ev_;  // made in the child, on its first batch
  Input in_;
  std::pair<std::uint64_t, std::uint64_t> in_key_{~std::uint64_t{0}, 0};  // (serial, sample) of in_
};

}  // namespace softcheck::reports::batch
