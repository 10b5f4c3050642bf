// n = 10^8 (README.md, "Special values and invalid input"): softmax, log_softmax and logsumexp, accurate
// and standard, run on 10^8 doubles without copying them (the process's peak RSS grows by less than 10%
// of the two buffers over the calls, where one copy of x would be 50%), and give the closed-form results
// of inputs whose exact values are known, checked with MPFR at 256 bits.
// SOFTCHECK_BIG_N overrides n (even, >= 2), e.g. for a quick run under a sanitizer.
#include <gtest/gtest.h>
#include <mpfr.h>
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "impl/softcheck.hpp"
#include "impl/variants.hpp"

namespace {

std::size_t big_n() {
  const char* s = std::getenv("SOFTCHECK_BIG_N");
  if (!s || !*s) return 100'000'000;
  const std::size_t n = std::strtoull(s, nullptr, 10);
  return n >= 2 ? n & ~std::size_t{1} : 2;
}

// The process's peak RSS: VmHWM of /proc/self/status, which reset_peak_rss() brings down to the current
// RSS (Linux >= 4.0), so that each test measures its own peak; getrusage's ru_maxrss (never reset) where
// /proc is not there.
double peak_rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f) {
    char line[256];
    long kb = -1;
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
    std::fclose(f);
    if (kb >= 0) return static_cast<double>(kb) * 1024.0;
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) * 1024.0;  // Linux: kilobytes
}
void reset_peak_rss() {
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// An exact value at 256 bits (MPFR), and the error of a double against it in ULPs of docs/definitions.md.
class Exact {
 public:
  Exact() { mpfr_init2(v_, 256); }
  ~Exact() { mpfr_clear(v_); }
  Exact(const Exact&) = delete;
  Exact& operator=(const Exact&) = delete;
  mpfr_ptr get() { return v_; }
  double rounded() const { return mpfr_get_d(v_, MPFR_RNDN); }
  double ulp_error(double y) const {
    const double r = rounded();
    const int e = r == 0 ? -1074 : std::max(std::ilogb(r), -1022) - 52;
    mpfr_t d;
    mpfr_init2(d, 512);
    mpfr_set_d(d, y, MPFR_RNDN);
    mpfr_sub(d, d, v_, MPFR_RNDN);
    mpfr_mul_2si(d, d, -e, MPFR_RNDN);
    const double err = std::fabs(mpfr_get_d(d, MPFR_RNDN));
    mpfr_clear(d);
    return err;
  }

 private:
  mpfr_t v_;
};

// For x = [c0, c1, c0, c1, ...] (n/2 of each, c0 - c1 = d > 0 exact), with h = n/2 and
// q = log(h) + log1p(e^-d):  logsumexp = c0 + q;  log_softmax = -q (even i), -d - q (odd i);
// softmax = 1 / (h (1 + e^-d)) (even), e^-d / (h (1 + e^-d)) (odd).
struct TwoValued {
  Exact lse, ls0, ls1, p0, p1;
  TwoValued(double c0, double d, std::size_t n) {
    mpfr_t q, e, t;
    mpfr_inits2(256, q, e, t, static_cast<mpfr_ptr>(nullptr));
    mpfr_set_d(e, -d, MPFR_RNDN);
    mpfr_exp(e, e, MPFR_RNDN);  // e^-d
    mpfr_log1p(q, e, MPFR_RNDN);
    mpfr_set_ui(t, static_cast<unsigned long>(n / 2), MPFR_RNDN);
    mpfr_log(t, t, MPFR_RNDN);
    mpfr_add(q, q, t, MPFR_RNDN);
    mpfr_add_d(lse.get(), q, c0, MPFR_RNDN);
    mpfr_neg(ls0.get(), q, MPFR_RNDN);
    mpfr_sub_d(ls1.get(), ls0.get(), d, MPFR_RNDN);
    mpfr_add_ui(t, e, 1, MPFR_RNDN);
    mpfr_mul_ui(t, t, static_cast<unsigned long>(n / 2), MPFR_RNDN);
    mpfr_ui_div(p0.get(), 1, t, MPFR_RNDN);
    mpfr_div(p1.get(), e, t, MPFR_RNDN);
    mpfr_clears(q, e, t, static_cast<mpfr_ptr>(nullptr));
  }
};

// One call's wall and CPU time, and its peak RSS above what was resident when it started.
struct Timer {
  double rss0 = (reset_peak_rss(), peak_rss_bytes());
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double cpu0 = cpu_seconds();
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  double cpu() const { return cpu_seconds() - cpu0; }
};

void fill_two_valued(std::vector<double>& x, double c0, double c1) {
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = i % 2 ? c1 : c0;
}

// Largest error over even and odd components against their exact values.
double max_err(const std::vector<double>& y, const Exact& even, const Exact& odd) {
  double m = 0;
  for (std::size_t i = 0; i < y.size(); ++i) m = std::max(m, (i % 2 ? odd : even).ulp_error(y[i]));
  return m;
}
// Every even / odd component bit-equal to the given double: cheaper than max_err on 10^8 entries.
bool all_equal(const std::vector<double>& y, double even, double odd) {
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] != (i % 2 ? odd : even)) return false;
  return true;
}

class BigInput : public ::testing::Test {
 protected:
  static constexpr double kCorrectlyRounded = 0.5 + 0x1p-40;  // impl/softcheck.hpp's contract
  const std::size_t n = big_n();
  // x and y are allocated once for the suite (1.6 GB of page faults is a second or two of system time).
  static inline std::vector<double> x, y;
  static inline double rss_before = 0, rss_buffers = 0;

  static void SetUpTestSuite() {
    reset_peak_rss();
    rss_before = peak_rss_bytes();
    x.assign(big_n(), 0.0);  // value-initialised: every page touched
    y.assign(big_n(), 0.0);
    rss_buffers = peak_rss_bytes();
    std::printf("n = %zu: peak RSS %.0f MB before the buffers, %.0f MB with x and y (%.0f MB)\n", x.size(),
                rss_before / 1e6, rss_buffers / 1e6, 16.0 * static_cast<double>(x.size()) / 1e6);
  }
  static void TearDownTestSuite() {
    std::vector<double>().swap(x);
    std::vector<double>().swap(y);
  }
  void SetUp() override {
    // The figure is meaningful: allocating x and y raised it by their size (within 5%).
    EXPECT_GT(rss_buffers - rss_before, 0.95 * 16.0 * static_cast<double>(n));
  }
  // The call's peak RSS exceeds what was resident before it (x, y and the program) by less than 10% of
  // the two buffers (one copy of x would be 50%): the process peaks below 1.1 x (x + y) above its start.
  void expect_no_copy(const char* what, const Timer& t) {
    const double buffers = 16.0 * static_cast<double>(n);
    const double growth = peak_rss_bytes() - t.rss0;
    std::printf("  %-42s %7.2f s (CPU %6.2f s)  peak RSS %.0f MB (+%.1f MB during the call)\n", what, t.seconds(),
                t.cpu(), peak_rss_bytes() / 1e6, growth / 1e6);
    std::fflush(stdout);
    EXPECT_LT(growth, 0.1 * buffers) << what << ": peak RSS grew by " << growth / 1e6 << " MB";
  }
};

// Standard (max-shift) on all-equal input: m = c, every e^(x_i - m) = 1, the sum is n exactly, so
// softmax = RN(1/n) exactly; log_softmax = -log n and logsumexp = c + log n within 1 ULP (one libm log).
TEST_F(BigInput, StandardAllEqual) {
  const double c = 700.0;
  Exact lse, ls;
  mpfr_set_ui(ls.get(), static_cast<unsigned long>(n), MPFR_RNDN);
  mpfr_log(ls.get(), ls.get(), MPFR_RNDN);
  mpfr_add_d(lse.get(), ls.get(), c, MPFR_RNDN);
  mpfr_neg(ls.get(), ls.get(), MPFR_RNDN);
  const double p = 1.0 / static_cast<double>(n);  // IEEE division: RN(1/n)
  for (double& v : x) v = c;
  Timer t1;
  softcheck::standard::softmax(x, y);
  expect_no_copy("standard softmax", t1);
  EXPECT_TRUE(all_equal(y, p, p));
  Timer t2;
  softcheck::standard::log_softmax(x, y);
  expect_no_copy("standard log_softmax", t2);
  EXPECT_LE(ls.ulp_error(y[0]), 1.0);
  EXPECT_TRUE(all_equal(y, y[0], y[0]));
  Timer t3;
  const double l = softcheck::standard::logsumexp(x);
  expect_no_copy("standard logsumexp", t3);
  EXPECT_LE(lse.ulp_error(l), 1.0);
  Timer t4;
  softcheck::standard::softmax(x, x);  // in place
  expect_no_copy("standard softmax in place", t4);
  EXPECT_TRUE(all_equal(x, p, p));
}

// Accurate on two-valued input (every term a real exponential, the pairwise sum of 10^8 terms): every
// component within the contract of its closed form, out of place (softmax) and in place (log_softmax).
TEST_F(BigInput, AccurateTwoValued) {
  const double c0 = 2.0, c1 = 1.0;
  const TwoValued e(c0, c0 - c1, n);
  fill_two_valued(x, c0, c1);
  Timer t1;
  softcheck::softmax(x, y);
  expect_no_copy("accurate softmax, two-valued", t1);
  EXPECT_LE(max_err({y[0], y[1]}, e.p0, e.p1), kCorrectlyRounded);
  EXPECT_TRUE(all_equal(y, y[0], y[1]));
  Timer t2;
  softcheck::log_softmax(x, x);  // in place
  expect_no_copy("accurate log_softmax in place, two-valued", t2);
  EXPECT_LE(max_err({x[0], x[1]}, e.ls0, e.ls1), kCorrectlyRounded);
  EXPECT_TRUE(all_equal(x, x[0], x[1]));
}

// Accurate logsumexp on all-equal input: c + log n, correctly rounded. (All-equal keeps it to a few
// seconds: e^0 is exp's shortcut; the two-valued test above already sums 10^8 real exponentials.)
TEST_F(BigInput, AccurateLogsumexpAllEqual) {
  const double c = -3.25;
  Exact lse;
  mpfr_set_ui(lse.get(), static_cast<unsigned long>(n), MPFR_RNDN);
  mpfr_log(lse.get(), lse.get(), MPFR_RNDN);
  mpfr_add_d(lse.get(), lse.get(), c, MPFR_RNDN);
  for (double& v : x) v = c;
  Timer t;
  const double l = softcheck::logsumexp(x);
  expect_no_copy("accurate logsumexp, all-equal", t);
  EXPECT_LE(lse.ulp_error(l), kCorrectlyRounded);
}

}  // namespace
