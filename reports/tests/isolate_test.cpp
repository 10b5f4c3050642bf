// Isolation (reports/isolate.hpp): a call that crashes, aborts, hangs or exits in the child is a Failure
// naming that call; the calls before it delivered their results; the next call gets a fresh child; and the
// sweep built on it records crashes without losing a sample and without changing any other byte.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "reports/functions.hpp"
#include "reports/gate.hpp"
#include "reports/isolate.hpp"
#include "reports/json.hpp"
#include "reports/sweep.hpp"

namespace sr = softcheck::reports;
namespace iso = softcheck::reports::isolate;

namespace {

// The request: memory[0] says what call 2 (of calls 0..3) does; each call writes its number + 100 into
// memory[1 + call].
enum Action : std::uint64_t { kFine, kSegfault, kAbort, kHang, kExit };

void four_calls(std::span<std::byte> mem, iso::Calls& calls) {
  auto* w = reinterpret_cast<std::uint64_t*>(mem.data());
  for (std::uint64_t c = 0; c < 4; ++c) {
    calls.begin(c, "call" + std::to_string(c));
    if (c == 2) {
      switch (w[0]) {
        case kSegfault: {
          volatile int* volatile nowhere = nullptr;
          *nowhere = 1;
          break;
        }
        case kAbort: std::abort();
        case kHang:
          for (volatile int spin = 0; spin == 0;) {  // a volatile read each turn: a side effect, no UB
          }
          break;
        case kExit: std::_Exit(7);
        default: break;
      }
    }
    w[1 + c] = 100 + c;
    calls.end();
  }
}

std::uint64_t word(iso::Sandbox& box, std::size_t i) {
  return reinterpret_cast<const std::uint64_t*>(box.memory().data())[i];
}
void set_action(iso::Sandbox& box, Action a) {
  auto* w = reinterpret_cast<std::uint64_t*>(box.memory().data());
  std::memset(w, 0, 5 * sizeof *w);
  w[0] = a;
}

}  // namespace

TEST(Isolate, AnsweringChildDeliversEveryResult) {
  iso::Sandbox box(four_calls, {.timeout_s = 10});
  set_action(box, kFine);
  EXPECT_FALSE(box.call());
  for (std::size_t c = 0; c < 4; ++c) EXPECT_EQ(word(box, 1 + c), 100 + c);
  EXPECT_NE(box.pid(), 0);
  EXPECT_NE(box.pid(), ::getpid());
}

TEST(Isolate, SegfaultNamesTheCallAndKeepsEarlierResults) {
  iso::Sandbox box(four_calls, {.timeout_s = 10});
  set_action(box, kSegfault);
  const auto f = box.call();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, iso::Failure::Kind::kSignal);
  EXPECT_EQ(f->signal, SIGSEGV);
  EXPECT_TRUE(f->in_call);
  EXPECT_EQ(f->unit, 2u);
  EXPECT_EQ(std::string_view(f->label), "call2");
  EXPECT_EQ(f->calls_ended, 2u);
  EXPECT_EQ(word(box, 1), 100u);  // calls 0 and 1 delivered before the crash
  EXPECT_EQ(word(box, 2), 101u);
  EXPECT_EQ(word(box, 3), 0u);
  EXPECT_EQ(f->describe(), "crashed: killed by signal 11 (SIGSEGV: Segmentation fault)");
  EXPECT_EQ(box.pid(), 0);
  // The next call starts a fresh child.
  set_action(box, kFine);
  EXPECT_FALSE(box.call());
  EXPECT_EQ(word(box, 4), 103u);
}

TEST(Isolate, AbortAndExitAreFailuresToo) {
  iso::Sandbox box(four_calls, {.timeout_s = 10});
  set_action(box, kAbort);
  auto f = box.call();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, iso::Failure::Kind::kSignal);
  EXPECT_EQ(f->signal, SIGABRT);
  EXPECT_EQ(f->unit, 2u);
  set_action(box, kExit);
  f = box.call();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, iso::Failure::Kind::kExit);
  EXPECT_EQ(f->status, 7);
  EXPECT_TRUE(f->in_call);
  EXPECT_EQ(f->describe(), "exited with status 7");
}

TEST(Isolate, HangIsKilledAfterTheTimeout) {
  iso::Sandbox box(four_calls, {.timeout_s = 1});
  set_action(box, kHang);
  const auto t0 = std::chrono::steady_clock::now();
  const auto f = box.call();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, iso::Failure::Kind::kTimeout);
  EXPECT_TRUE(f->in_call);
  EXPECT_EQ(f->unit, 2u);
  EXPECT_EQ(std::string_view(f->label), "call2");
  EXPECT_EQ(word(box, 2), 101u);
  EXPECT_GE(s, 1.0);
  EXPECT_LT(s, 10.0);
  EXPECT_EQ(f->describe(), "hung: no progress within 1 s (killed)");
}

TEST(Isolate, WithoutIsolationServeRunsInThisProcess) {
  iso::Sandbox box(
      [](std::span<std::byte> mem, iso::Calls& calls) {
        calls.begin(0, "pid");
        const pid_t me = ::getpid();
        std::memcpy(mem.data(), &me, sizeof me);
        calls.end();
      },
      {.timeout_s = 10, .isolate = false});
  EXPECT_FALSE(box.call());
  pid_t seen;
  std::memcpy(&seen, box.memory().data(), sizeof seen);
  EXPECT_EQ(seen, ::getpid());
  EXPECT_EQ(box.pid(), 0);
}

TEST(Isolate, ReserveGrowsTheSharedMemory) {
  iso::Sandbox box(
      [](std::span<std::byte> mem, iso::Calls&) { mem[mem.size() - 1] = std::byte{42}; }, {.timeout_s = 10}, 4096);
  EXPECT_FALSE(box.call());
  box.reserve(3 << 20);
  ASSERT_GE(box.memory().size(), std::size_t{3} << 20);
  EXPECT_FALSE(box.call());
  EXPECT_EQ(box.memory()[box.memory().size() - 1], std::byte{42});
}

TEST(Isolate, RunIsolatedProbes) {
  EXPECT_FALSE(iso::run_isolated([](iso::Calls&) {}));
  const auto f = iso::run_isolated([](iso::Calls& c) {
    c.begin(5, "probe");
    std::abort();
  });
  ASSERT_TRUE(f);
  EXPECT_EQ(f->signal, SIGABRT);
  EXPECT_EQ(std::string_view(f->label), "probe");
}

// ---- the sweep, isolated ----

namespace {

// sigmoid that crashes for x > 700 (a few `uniform`/`thresholds` inputs), accurate elsewhere.
void crashing_sigmoid(const double* x, std::size_t n, double* y) {
  if (n == 1 && x[0] > 700) std::abort();
  softcheck::bundled_kernels("accurate").sigmoid(x, n, y);
}

sr::SweepOptions scalar_run(const softcheck::Kernels& k) {
  sr::SweepOptions o;
  o.seed = 7;
  o.samples = 400;
  o.long_samples = 0;
  o.threads = 2;
  o.functions = {"sigmoid"};
  o.implementations = {k};
  o.implementation_info = {{"crashing", "test", {}}};
  o.call_timeout_s = 20;
  return o;
}

}  // namespace

TEST(IsolatedSweep, ACrashFailsThatSampleOnlyAndEveryOtherResultIsKept) {
  softcheck::Kernels k = softcheck::bundled_kernels("accurate");
  k.sigmoid = crashing_sigmoid;
  std::vector<sr::KernelFailure> seen;
  sr::SweepOptions o = scalar_run(k);
  o.max_crashes = 0;  // never give up: every crash is recorded
  o.on_failure = [&](const sr::KernelFailure& f) { seen.push_back(f); };
  const sr::Report r = sr::run_sweep(o);
  std::uint64_t samples = 0, values = 0, crashes = 0, errors = 0;
  for (const sr::Cell& c : r.cells) {
    samples += c.samples, values += c.values, crashes += c.crashes, errors += c.errors;
    EXPECT_EQ(c.skipped, 0u);
  }
  ASSERT_GT(crashes, 0u);
  EXPECT_EQ(errors, crashes);
  EXPECT_EQ(samples, 400u);                  // 4 scalar regimes × 100: none lost
  EXPECT_EQ(values + crashes, samples);      // one value per sample that did not crash
  EXPECT_EQ(r.failures.size(), crashes);
  EXPECT_EQ(seen.size(), crashes);
  for (const sr::KernelFailure& f : r.failures) {
    ASSERT_TRUE(f.input);
    EXPECT_GT(f.input->x[0], 700) << "a crash attributed to an input the kernel does not crash on";
    EXPECT_EQ(f.entry, "sigmoid");
    EXPECT_EQ(f.what, "crashed: killed by signal 6 (SIGABRT: Aborted)");
  }
  // Deterministic: failures in (implementation, entry, regime, index) order, the JSON the same for 1 thread.
  o.threads = 1;
  o.on_failure = nullptr;
  EXPECT_EQ(sr::report_to_json(sr::run_sweep(o)).text, sr::report_to_json(r).text);
}

TEST(IsolatedSweep, IsolationChangesNoByteOfTheReport) {
  sr::SweepOptions o;
  o.seed = 3;
  o.samples = 140;
  o.long_samples = 0;
  o.threads = 2;
  const std::string isolated = sr::report_to_json(sr::run_sweep(o)).text;
  o.isolate = false;
  EXPECT_EQ(sr::report_to_json(sr::run_sweep(o)).text, isolated);
}
