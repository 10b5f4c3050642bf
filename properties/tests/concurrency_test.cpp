// Thread safety of the accurate implementations and the oracle: many threads call them at once, on the same
// and on different inputs, and every result must equal the single-threaded run bit for bit. Run in the normal
// build and, in CI, under ThreadSanitizer (scripts/test: build-tsan), which also reports any data race.
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "impl/kernels.hpp"
#include "impl/softcheck.hpp"
#include "oracle/oracle.hpp"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Case {
  std::string name;
  std::vector<double> x, t;  // t: a target distribution of x's length
  std::size_t k = 0;         // a class index
};

// Inputs of every regime of docs/definitions.md: unit, wide, extreme, dominant, ties, tail, special, and a long one.
std::vector<Case> cases() {
  std::mt19937_64 rng(20240607);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  std::vector<Case> out;
  auto add = [&](std::string name, std::vector<double> x) {
    Case c{std::move(name), std::move(x), {}, 0};
    for (double v : c.x) {
      (void)v;
      c.t.push_back(uniform(0, 1));
    }
    c.k = static_cast<std::size_t>(rng() % c.x.size());
    out.push_back(std::move(c));
  };
  for (int i = 0; i < 6; ++i) {
    const std::size_t n = 1 + rng() % 16;
    std::vector<double> unit(n), wide(n), dominant(n), tail(n), ties(n);
    for (std::size_t j = 0; j < n; ++j) {
      unit[j] = uniform(-1, 1);
      wide[j] = uniform(-50, 50);
      dominant[j] = uniform(-5, 5);
      tail[j] = -uniform(700, 745);
      ties[j] = std::nextafter(3.0, static_cast<double>(j % 3) - 1) + static_cast<double>(j % 2) * 0x1p-51;
    }
    dominant[rng() % n] += uniform(20, 800);
    tail[0] = 0;
    add("unit" + std::to_string(i), unit);
    add("wide" + std::to_string(i), wide);
    add("dominant" + std::to_string(i), dominant);
    add("tail" + std::to_string(i), tail);
    add("ties" + std::to_string(i), ties);
  }
  add("extreme", {1000, -1000, 1e308, -1e308, 709.7, -745.1, 0x1p-1074, -0.0});
  add("overflowing_sum", std::vector<double>(5, 709.7));
  add("special_inf", {kInf, 1, -kInf, 2});
  add("special_masks", {-kInf, 0.5, -kInf, 0x1p-1060});
  add("special_nan", {kNaN, 1, 2});
  std::vector<double> longer(1500);
  for (double& v : longer) v = uniform(-30, 30);
  add("long", longer);
  return out;
}

// Every output of every function for one case, as bit patterns; the oracle's references field by field.
using Bits = std::vector<std::uint64_t>;

void put(Bits& b, double v) { b.push_back(std::bit_cast<std::uint64_t>(v)); }
void put(Bits& b, const softcheck::oracle::Ref& r) {
  put(b, r.rounded);
  put(b, r.frac);
  b.push_back((r.exact ? 1u : 0u) | (r.halfway ? 2u : 0u) | (r.certain ? 4u : 0u));
  b.push_back(static_cast<std::uint64_t>(r.precision));
}

Bits run_impl(const Case& c) {
  namespace sc = softcheck;
  const std::size_t n = c.x.size();
  Bits b;
  std::vector<double> y(n), g(n);
  for (double v : c.x) {
    put(b, sc::sigmoid(v));
    put(b, sc::log_sigmoid(v));
    double grad = 0;
    put(b, sc::bce_with_logits(v, c.t[0], &grad));
    put(b, grad);
  }
  sc::sigmoid(c.x, y);
  for (double v : y) put(b, v);
  sc::softmax(c.x, y);
  for (double v : y) put(b, v);
  sc::log_softmax(c.x, y);
  for (double v : y) put(b, v);
  put(b, sc::logsumexp(c.x));
  put(b, sc::cross_entropy(c.x, c.k, g));
  for (double v : g) put(b, v);
  put(b, sc::cross_entropy(c.x, std::span<const double>(c.t), g));
  for (double v : g) put(b, v);
  // The bundled kernel tables (function-local statics, first touched here by several threads at once).
  for (const std::string& name : sc::bundled_kernel_names()) {
    const sc::Kernels& k = sc::bundled_kernels(name);
    k.softmax(c.x.data(), n, y.data());
    for (double v : y) put(b, v);
    put(b, k.cross_entropy_dist(c.x.data(), c.t.data(), n, g.data()));
    for (double v : g) put(b, v);
  }
  return b;
}

// The oracle: long vectors cost ~1 µs per element per precision step, so only the first 64 elements.
Bits run_oracle(const Case& c, softcheck::oracle::Vector& ov) {
  namespace so = softcheck::oracle;
  const std::vector<double> x(c.x.begin(), c.x.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(c.x.size(), 64)));
  const std::vector<double> t(c.t.begin(), c.t.begin() + static_cast<std::ptrdiff_t>(x.size()));
  Bits b;
  for (double v : x) {
    put(b, so::sigmoid(v));
    put(b, so::log_sigmoid(v));
    so::Ref grad;
    put(b, so::bce_with_logits(v, t[0], &grad));
    put(b, grad);
  }
  std::vector<so::Ref> r(x.size());
  ov.assign(x);  // one object per thread, reused across cases of every length
  ov.softmax(r);
  for (const auto& v : r) put(b, v);
  ov.log_softmax(r);
  for (const auto& v : r) put(b, v);
  put(b, ov.logsumexp());
  put(b, ov.cross_entropy(c.k % x.size(), r));
  for (const auto& v : r) put(b, v);
  put(b, ov.cross_entropy(std::span<const double>(t), r));
  for (const auto& v : r) put(b, v);
  for (const auto& v : so::softmax(x)) put(b, v);  // the convenience wrappers (a fresh Vector each)
  return b;
}

// Runs `work(case index, thread)` on `threads` threads at once; each thread visits every case, thread i
// starting at case (i * stride) so that some threads share a case and others do not at any moment.
// Returns the first mismatch against `expected`, or "".
template <class Work>
std::string hammer(const std::vector<Case>& cs, const std::vector<Bits>& expected, unsigned threads,
                   std::size_t stride, Work work) {
  std::atomic<unsigned> ready{0};
  std::mutex m;
  std::string first;
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < threads) std::this_thread::yield();  // start together
      for (std::size_t step = 0; step < cs.size(); ++step) {
        const std::size_t ci = (i * stride + step) % cs.size();
        const Bits got = work(ci, i);
        if (got != expected[ci]) {
          std::lock_guard<std::mutex> lock(m);
          if (first.empty()) first = "thread " + std::to_string(i) + ", case " + cs[ci].name;
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  return first;
}

constexpr unsigned kThreads = 6;

TEST(Concurrency, AccurateImplementationsMatchTheSingleThreadedRunBitwise) {
  const auto cs = cases();
  std::vector<Bits> expected;
  for (const Case& c : cs) expected.push_back(run_impl(c));
  // stride 0: every thread on the same case at the same time; stride 1 and 5: neighbouring and far cases.
  for (std::size_t stride : {0, 1, 5})
    EXPECT_EQ(hammer(cs, expected, kThreads, stride, [&](std::size_t ci, unsigned) { return run_impl(cs[ci]); }), "")
        << "stride " << stride;
}

TEST(Concurrency, OracleMatchesTheSingleThreadedRunBitwise) {
  const auto cs = cases();
  std::vector<Bits> expected;
  {
    softcheck::oracle::Vector ov;
    for (const Case& c : cs) expected.push_back(run_oracle(c, ov));
  }
  for (std::size_t stride : {0, 3}) {
    std::vector<softcheck::oracle::Vector> per_thread(kThreads);
    EXPECT_EQ(hammer(cs, expected, kThreads, stride,
                     [&](std::size_t ci, unsigned i) { return run_oracle(cs[ci], per_thread[i]); }),
              "")
        << "stride " << stride;
  }
}

TEST(Concurrency, ImplementationsAndOracleTogether) {
  // Half the threads grade with the oracle while the others run the implementations: nothing is shared
  // between the two, so nothing may change.
  const auto cs = cases();
  std::vector<Bits> expected;
  {
    softcheck::oracle::Vector ov;
    for (const Case& c : cs) {
      Bits b = run_impl(c);
      const Bits o = run_oracle(c, ov);
      b.insert(b.end(), o.begin(), o.end());
      expected.push_back(std::move(b));
    }
  }
  std::vector<softcheck::oracle::Vector> per_thread(kThreads);
  EXPECT_EQ(hammer(cs, expected, kThreads, 2,
                   [&](std::size_t ci, unsigned i) {
                     Bits b = run_impl(cs[ci]);
                     const Bits o = run_oracle(cs[ci], per_thread[i]);
                     b.insert(b.end(), o.begin(), o.end());
                     return b;
                   }),
            "");
}

}  // namespace
