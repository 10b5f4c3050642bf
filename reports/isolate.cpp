// Isolation of risky calls in a forked child: shared memory, a socket pair to wake the child and hear its
// answer, a watchdog on the child's progress, and the reaping that turns a death into a Failure.
#include "reports/isolate.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fmt/format.h>
#include <system_error>

namespace softcheck::reports::isolate {
namespace {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<std::int64_t>::is_always_lock_free,
              "the call record is shared between processes: its atomics must be lock-free");

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

void* map_shared(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw_errno("isolate: mmap of the shared memory");
  return p;
}

std::size_t page_round(std::size_t bytes) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return std::max<std::size_t>(page, (bytes + page - 1) / page * page);
}

// Waits for one byte on fd (EINTR-safe). 1: got it; 0: end of stream; -1: error.
int recv_byte(int fd) {
  char c;
  for (;;) {
    const ssize_t n = ::recv(fd, &c, 1, 0);
    if (n == 1) return 1;
    if (n == 0) return 0;
    if (errno != EINTR) return -1;
  }
}

bool send_byte(int fd) {
  const char c = 'r';
  for (;;) {
    if (::send(fd, &c, 1, MSG_NOSIGNAL) == 1) return true;  // no SIGPIPE when the other side is gone
    if (errno != EINTR) return false;
  }
}

// The child's life: wait for a request, serve it, answer; end when the parent closes its side.
[[noreturn]] void child_main(int fd, pid_t parent, const Sandbox::Serve& serve, std::span<std::byte> memory,
                             CallRecord& record) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the forking thread gone: no orphan spinning in a hung kernel
  if (::getppid() != parent) ::_exit(0);
  const struct rlimit no_core = {0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);  // a crashing kernel is a finding, not a core file
  // A crashing kernel must kill this child by its signal, for the parent to name it: drop handlers the host
  // process installed before the fork (ASan's SIGSEGV handler turned a plugin's segfault into exit status 1).
  for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, SIG_DFL);
  Calls calls(record);
  for (;;) {
    const int got = recv_byte(fd);
    if (got != 1) ::_exit(0);
    try {
      serve(memory, calls);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "softcheck: isolated child: %s\n", e.what());
      ::_exit(3);
    } catch (...) {
      std::fprintf(stderr, "softcheck: isolated child: unknown exception\n");
      ::_exit(3);
    }
    if (!send_byte(fd)) ::_exit(0);
  }
}

}  // namespace

std::int64_t now_ns() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void Calls::begin(std::uint64_t unit, std::string_view label) {
  const std::size_t n = std::min(label.size(), sizeof r_->label - 1);
  std::memcpy(r_->label, label.data(), n);
  r_->label[n] = '\0';
  r_->unit.store(unit, std::memory_order_relaxed);
  r_->progress_ns.store(now_ns(), std::memory_order_relaxed);
  r_->begun.fetch_add(1, std::memory_order_release);
}

void Calls::end() {
  r_->progress_ns.store(now_ns(), std::memory_order_relaxed);
  r_->ended.fetch_add(1, std::memory_order_release);
}

std::string Failure::describe() const {
  switch (kind) {
    case Kind::kSignal: {
      const char* abbrev = ::sigabbrev_np(signal);
      const char* descr = ::sigdescr_np(signal);
      return fmt::format("crashed: killed by signal {} (SIG{}: {})", signal, abbrev ? abbrev : "?",
                         descr ? descr : "unknown signal");
    }
    case Kind::kTimeout:
      return fmt::format("hung: no progress within {} s (killed)", timeout_s);
    case Kind::kExit:
      return fmt::format("exited with status {}", status);
  }
  return "failed";
}

Sandbox::Sandbox(Serve serve, Options options, std::size_t bytes) : serve_(std::move(serve)), options_(options) {
  record_ = new (map_shared(page_round(sizeof(CallRecord)))) CallRecord();
  bytes_ = page_round(bytes);
  mem_ = static_cast<std::byte*>(map_shared(bytes_));
}

Sandbox::~Sandbox() {
  stop();
  ::munmap(mem_, bytes_);
  record_->~CallRecord();
  ::munmap(record_, page_round(sizeof(CallRecord)));
}

void Sandbox::reserve(std::size_t bytes) {
  if (bytes <= bytes_) return;
  stop();  // the child maps the old area
  const std::size_t grown = page_round(std::max(bytes, 2 * bytes_));
  void* p = map_shared(grown);
  ::munmap(mem_, bytes_);
  mem_ = static_cast<std::byte*>(p);
  bytes_ = grown;
}

void Sandbox::start() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw_errno("isolate: socketpair");
  std::fflush(nullptr);  // no buffered output duplicated by the child
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(sv[0]);
    ::close(sv[1]);
    errno = e;
    throw_errno("isolate: fork");
  }
  if (pid == 0) {
    ::close(sv[0]);
    child_main(sv[1], parent, serve_, memory(), *record_);
  }
  ::close(sv[1]);
  pid_ = pid;
  fd_ = sv[0];
}

void Sandbox::stop() {
  if (fd_ >= 0) ::close(fd_), fd_ = -1;
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = 0;
  }
}

Failure Sandbox::ended_with(int status, bool timed_out) {
  pid_ = 0;
  if (fd_ >= 0) ::close(fd_), fd_ = -1;
  Failure f;
  if (timed_out) {
    f.kind = Failure::Kind::kTimeout;
    f.timeout_s = options_.timeout_s;
  } else if (WIFEXITED(status)) {
    f.kind = Failure::Kind::kExit;
    f.status = WEXITSTATUS(status);
  } else {
    f.kind = Failure::Kind::kSignal;
    f.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  const std::uint64_t begun = record_->begun.load(std::memory_order_acquire);
  const std::uint64_t ended = record_->ended.load(std::memory_order_acquire);
  f.calls_begun = begun;
  f.calls_ended = ended;
  f.in_call = begun > ended;
  if (begun) {
    f.unit = record_->unit.load(std::memory_order_relaxed);
    const std::size_t n = ::strnlen(record_->label, sizeof record_->label);
    std::memcpy(f.label, record_->label, std::min(n, sizeof f.label - 1));
  }
  return f;
}

Failure Sandbox::reap(bool timed_out) {
  // Kill first: a child that closed its socket but lives (or hangs) must not be waited for forever; a child
  // already dead keeps the status it died with.
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  return ended_with(status, timed_out);
}

std::optional<Failure> Sandbox::call() {
  begin();
  for (;;) {
    // Wake at least every 100 ms: the child's death is also noticed through waitpid (another child forked
    // meanwhile may hold a copy of its socket, so the end of stream may never come).
    if (auto r = poll(100)) return *r;
  }
}

void Sandbox::begin() {
  settled_.reset();
  record_->begun.store(0, std::memory_order_relaxed);
  record_->ended.store(0, std::memory_order_relaxed);
  record_->progress_ns.store(now_ns(), std::memory_order_release);
  if (!options_.isolate) {
    Calls calls(*record_);
    serve_(memory(), calls);
    settled_.emplace(std::nullopt);
    return;
  }
  if (pid_ == 0) start();
  if (!send_byte(fd_)) settled_.emplace(reap(false));  // it died between calls
}

std::optional<std::optional<Failure>> Sandbox::poll(int wait_ms) {
  if (settled_) {
    auto r = std::move(settled_);
    settled_.reset();
    return r;
  }
  const std::int64_t limit_ns =
      options_.timeout_s > 0 ? static_cast<std::int64_t>(options_.timeout_s * 1e9) : std::int64_t{0};
  if (limit_ns) {
    const std::int64_t left = record_->progress_ns.load(std::memory_order_acquire) + limit_ns - now_ns();
    if (left <= 0) return std::optional<Failure>(reap(true));
    wait_ms = static_cast<int>(std::min<std::int64_t>(wait_ms, left / 1000000 + 1));
  }
  struct pollfd p = {fd_, POLLIN, 0};
  const int r = ::poll(&p, 1, wait_ms);
  if (r < 0 && errno != EINTR) throw_errno("isolate: poll");
  if (r > 0) {
    if (p.revents & POLLIN) {
      const int got = recv_byte(fd_);
      if (got == 1) return std::optional<Failure>();
      return std::optional<Failure>(reap(false));  // end of stream or error: it died
    }
    if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) return std::optional<Failure>(reap(false));
  }
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) return std::optional<Failure>(ended_with(status, false));
  return std::nullopt;
}

std::optional<Failure> run_isolated(const std::function<void(Calls&)>& job, Options options) {
  Sandbox box([&](std::span<std::byte>, Calls& calls) { job(calls); }, options, 1);
  return box.call();
}

}  // namespace softcheck::reports::isolate
