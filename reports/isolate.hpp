// Isolation of risky calls (an implementation's kernels) in a child process: a crash, a hang or an exit
// inside the callee becomes a Failure that the caller records against that call, never a crash or hang of
// softcheck. POSIX fork and Linux-only details (prctl, MSG_NOSIGNAL); used by the sweep (report, gate).
//
// How it works. A Sandbox owns a shared-memory area (mmap MAP_SHARED | MAP_ANONYMOUS, so a child forked
// from this process sees the same bytes) and, once started, one child process forked from the caller. The
// caller writes a request into memory() and calls call(); the child runs the Serve function given at
// construction on that memory, writes its reply there and answers. Inside Serve, every risky call is
// bracketed by Calls::begin(unit, label) / Calls::end(): the child writes *which* call it is making into a
// shared CallRecord before making it, so when the child dies or hangs the parent knows the culprit (unit is
// the caller's index of the call, e.g. the position of an (input, function) pair in the request; label its
// name), and that every call before it ended (their replies are in memory, not lost).
//
// The watchdog: call() waits for the answer; when the child has made no progress (no begin or end) for
// Options::timeout_s seconds, the call is a hang: the child is killed (SIGKILL) and call() returns a
// Failure of kind kTimeout. A child killed by a signal (SIGSEGV, SIGABRT, ...) is kSignal; a child that
// exits (a kernel calling exit()) is kExit. After a failure the child is gone; the next call() forks a fresh
// one, so the caller resumes after the culprit (the sweep skips that call and continues with the next).
//
// The child is a fork: Serve may use anything the parent had at fork time (function pointers, loaded
// plugins, tables); what changes later must travel through memory(). The child dies with the thread that
// forked it (PR_SET_PDEATHSIG), writes no core file, and exits when its Sandbox is destroyed.
//
// Example (one input, one kernel, a result back):
//
//   isolate::Sandbox box([&](std::span<std::byte> mem, isolate::Calls& calls) {
//     double* io = reinterpret_cast<double*>(mem.data());     // io[0]: x in, io[1]: y out
//     calls.begin(0, "sigmoid");
//     kernels.sigmoid(&io[0], 1, &io[1]);
//     calls.end();
//   }, {.timeout_s = 5});
//   reinterpret_cast<double*>(box.memory().data())[0] = 2.0;
//   if (auto failure = box.call()) report(failure->describe());   // "crashed: killed by signal 11 (SIGSEGV: ...)"
//   else use(reinterpret_cast<const double*>(box.memory().data())[1]);
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace softcheck::reports::isolate {

// What the child says about the call it is making. Lives in shared memory: written by the child (through
// Calls), read by the parent, also after the child died.
struct CallRecord {
  std::atomic<std::uint64_t> begun{0};        // calls begun since call() started
  std::atomic<std::uint64_t> ended{0};        // calls ended since call() started
  std::atomic<std::int64_t> progress_ns{0};   // steady clock (CLOCK_MONOTONIC) of the last begin, end or request
  std::atomic<std::uint64_t> unit{0};         // the caller's index of the call in flight (or last made)
  char label[96] = {};                        // its name, NUL-terminated (cut to fit)
};

// The child's side: brackets each risky call. Not thread-safe (one thread in the child makes the calls).
class Calls {
 public:
  explicit Calls(CallRecord& record) : r_(&record) {}
  // Before the call: it is `unit` (any number the caller can map back to its input) named `label`.
  void begin(std::uint64_t unit, std::string_view label);
  // After the call and after its results are written to memory: they count as delivered.
  void end();

 private:
  CallRecord* r_;
};

// How a child ended when it did not answer.
struct Failure {
  enum class Kind { kSignal, kTimeout, kExit };
  Kind kind = Kind::kSignal;
  int signal = 0;          // kSignal: the signal that killed it
  int status = 0;          // kExit: its exit status
  double timeout_s = 0;    // kTimeout: the limit it exceeded
  // The calls of this call() that began, and that ended (delivering their results) before the failure.
  std::uint64_t calls_begun = 0, calls_ended = 0;
  bool in_call = false;    // a call was in flight (begun, not ended): it is the culprit
  std::uint64_t unit = 0;  // the unit and label of the last call begun (in flight when in_call); valid
  char label[96] = {};     // when calls_begun > 0. NUL-terminated; no std::string: call() must not
                           // allocate (another thread of the caller may be forking, see sweep.cpp)

  // One line, deterministic (no pid, no time measured): "crashed: killed by signal 11 (SIGSEGV: Segmentation
  // fault)", "hung: no progress within 2 s (killed)", "exited with status 3".
  std::string describe() const;
};

struct Options {
  // A call running (or a child making no progress) longer than this is a hang. 0: no limit.
  double timeout_s = 60;
  // false: run Serve in this process (no fork, no watchdog; a crash then kills the caller). For debugging
  // under a debugger or a sanitizer that dislikes fork, and to measure what isolation costs.
  bool isolate = true;
};

class Sandbox {
 public:
  // serve(memory, calls) runs in the child for each call(): reads the request from memory, writes the
  // reply there, brackets every risky call with calls.begin()/end(). An exception escaping serve ends the
  // child (exit status 3, the message on stderr): a failure of kind kExit.
  using Serve = std::function<void(std::span<std::byte> memory, Calls& calls)>;

  explicit Sandbox(Serve serve, Options options = {}, std::size_t bytes = std::size_t{1} << 20);
  ~Sandbox();  // kills the child, if any
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Shared with the child: the request before call(), the reply after it (also after a failure: whatever
  // the calls that ended wrote). Zero-filled when (re)allocated.
  std::span<std::byte> memory() { return {mem_, bytes_}; }
  // At least `bytes` of memory: a larger area (contents lost; the child is restarted on the next call).
  void reserve(std::size_t bytes);

  // Runs serve() in the child (started on first use and after a failure) and waits for its answer.
  // nullopt: serve returned. Otherwise how the child ended; it is gone, the next call() starts a new one.
  // Throws std::system_error when no child can be started (fork, socketpair or mmap failing).
  std::optional<Failure> call();
  // call() in two steps, so that one thread can run several sandboxes at once (check -j): begin() starts
  // the call, poll() waits for it at most wait_ms and returns nothing while it runs, else what call()
  // returns. No threads are involved, so nothing forks while another thread holds a lock.
  void begin();
  std::optional<std::optional<Failure>> poll(int wait_ms);

  const CallRecord& record() const { return *record_; }
  pid_t pid() const { return pid_; }  // 0: no child running

 private:
  void start();
  void stop();
  Failure reap(bool timed_out);                  // kills, waits, describes
  Failure ended_with(int status, bool timed_out);  // the child is reaped: describe how it ended

  Serve serve_;
  Options options_;
  std::byte* mem_ = nullptr;
  std::size_t bytes_ = 0;
  CallRecord* record_ = nullptr;
  pid_t pid_ = 0;
  int fd_ = -1;  // the parent's end of the socket pair to the child
  std::optional<std::optional<Failure>> settled_;  // begin()'s outcome when it needed no waiting
};

// A one-off job in a fresh child (no shared memory beyond the CallRecord): nullopt when job returned.
// For probing code that may crash, e.g. loading a plugin (its constructors run at dlopen).
std::optional<Failure> run_isolated(const std::function<void(Calls&)>& job, Options options = {});

// The steady clock in nanoseconds (CLOCK_MONOTONIC: the same clock in parent and child).
std::int64_t now_ns();

}  // namespace softcheck::reports::isolate
