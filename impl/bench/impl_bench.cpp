// Throughput of the accurate functions beside their peers, in one run: the standard variant (the max-shift
// formulas PyTorch and SciPy compute), the naive one, and PyTorch itself (double tensors on the CPU, one
// intra-op thread; rows present when built with libtorch, bench/torch_subject.cpp). Every benchmark
// reports the time per element (counter time/el); at the end a table gives accurate's time as a ratio to torch's
// and to standard's, since on a shared machine only a ratio measured in the same run means much.
//   build/impl/impl_bench [Google Benchmark flags, e.g. --benchmark_filter=softmax --benchmark_min_time=0.2]
#include "impl/bench/subjects.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "impl/softcheck.hpp"
#include "impl/variants.hpp"

namespace softcheck::bench {

std::vector<double> inputs(std::size_t n, double lo, double hi, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> x(n);
  for (double& v : x) v = u(rng);
  return x;
}

void per_element(benchmark::State& state, std::size_t n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  // Seconds per element (printed with its SI prefix, e.g. 2.15ns).
  state.counters["time/el"] = benchmark::Counter(static_cast<double>(n),
                                                 benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

namespace {

// One of our variants (the span API of softcheck.hpp / variants.hpp).
template <class Ns>
void register_ours(const char* subject) {
  using enum Case;
  for (Case c : kCases) {
    for (std::size_t n : sizes(c)) {
      benchmark::RegisterBenchmark(name(c, subject, n).c_str(), [c, n](benchmark::State& state) {
        const Data d = data(c, n);
        std::vector<double> y(n), g(n);
        for (auto _ : state) {
          switch (c) {
            case kSoftmax: Ns::softmax(d.x, y); break;
            case kLogSoftmax: Ns::log_softmax(d.x, y); break;
            case kLogsumexp: benchmark::DoNotOptimize(Ns::logsumexp(d.x)); break;
            case kCrossEntropy: benchmark::DoNotOptimize(Ns::cross_entropy(d.x, d.k, g)); break;
            case kCrossEntropyDist: benchmark::DoNotOptimize(Ns::cross_entropy(d.x, std::span<const double>(d.t), g)); break;
            case kSigmoid: Ns::sigmoid(d.x, y); break;
            case kLogSigmoid: Ns::log_sigmoid(d.x, y); break;
            case kBce: Ns::bce_with_logits(d.x, d.t, y, g); break;  // element-wise, as torch's reduction='none'
            case kSigmoidBackward: Ns::sigmoid_backward(d.y, d.g, y); break;
            case kSoftmaxBackward: Ns::softmax_backward(d.y, d.g, y); break;
            case kLogSoftmaxBackward: Ns::log_softmax_backward(d.y, d.g, y); break;
            case kSoftmaxVjp:
            case kSoftmaxVjpMasked: Ns::softmax_vjp(d.x, d.g, y); break;
            case kLogSoftmaxVjp:
            case kLogSoftmaxVjpMasked: Ns::log_softmax_vjp(d.x, d.g, y); break;
          }
          benchmark::DoNotOptimize(y.data());
          benchmark::DoNotOptimize(g.data());
          benchmark::ClobberMemory();
        }
        per_element(state, n);
      });
    }
  }
}

#define SOFTCHECK_BENCH_VARIANT(Name, ns)                                                                        \
  struct Name {                                                                                                  \
    static void softmax(std::span<const double> x, std::span<double> y) { ns::softmax(x, y); }                   \
    static void log_softmax(std::span<const double> x, std::span<double> y) { ns::log_softmax(x, y); }           \
    static double logsumexp(std::span<const double> x) { return ns::logsumexp(x); }                              \
    template <class T>                                                                                           \
    static double cross_entropy(std::span<const double> x, T k, std::span<double> g) { return ns::cross_entropy(x, k, g); } \
    static void sigmoid(std::span<const double> x, std::span<double> y) { ns::sigmoid(x, y); }                   \
    static void log_sigmoid(std::span<const double> x, std::span<double> y) { ns::log_sigmoid(x, y); }           \
    static void bce_with_logits(std::span<const double> x, std::span<const double> t, std::span<double> l,      \
                                std::span<double> g) {                                                           \
      ns::bce_with_logits(x, t, l, g);                                                                           \
    }                                                                                                            \
    static void sigmoid_backward(std::span<const double> y, std::span<const double> g, std::span<double> o) {     \
      ns::sigmoid_backward(y, g, o);                                                                             \
    }                                                                                                            \
    static void softmax_backward(std::span<const double> y, std::span<const double> g, std::span<double> o) {     \
      ns::softmax_backward(y, g, o);                                                                             \
    }                                                                                                            \
    static void log_softmax_backward(std::span<const double> y, std::span<const double> g, std::span<double> o) { \
      ns::log_softmax_backward(y, g, o);                                                                         \
    }                                                                                                            \
    static void softmax_vjp(std::span<const double> x, std::span<const double> g, std::span<double> o) {          \
      ns::softmax_vjp(x, g, o);                                                                                  \
    }                                                                                                            \
    static void log_softmax_vjp(std::span<const double> x, std::span<const double> g, std::span<double> o) {      \
      ns::log_softmax_vjp(x, g, o);                                                                              \
    }                                                                                                            \
  };
SOFTCHECK_BENCH_VARIANT(Accurate, softcheck)
SOFTCHECK_BENCH_VARIANT(Standard, softcheck::standard)
SOFTCHECK_BENCH_VARIANT(Naive, softcheck::naive)
#undef SOFTCHECK_BENCH_VARIANT

// Collects ns per element per (case, n, subject) and prints the ratio table after the usual console output.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      auto it = r.counters.find("time/el");
      if (it != r.counters.end()) ns_[r.benchmark_name()] = it->second.value * 1e9;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nns per element, and accurate's time as a ratio (same run):\n\n");
    std::printf("| function | n | accurate | standard | torch | accurate/torch | accurate/standard |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Case c : kCases)
      for (std::size_t n : sizes(c)) {
        const double a = get(c, "accurate", n), s = get(c, "standard", n), t = get(c, "torch", n);
        if (a < 0) continue;
        std::printf("| %s | %zu | %s | %s | %s | %s | %s |\n", label(c), n, fmt(a).c_str(), fmt(s).c_str(),
                    fmt(t).c_str(), ratio(a, t).c_str(), ratio(a, s).c_str());
      }
  }

 private:
  double get(Case c, const char* subject, std::size_t n) const {
    auto it = ns_.find(name(c, subject, n));
    return it == ns_.end() ? -1 : it->second;
  }
  static std::string fmt(double v) {
    if (v < 0) return "–";
    char b[32];
    std::snprintf(b, sizeof b, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
    return b;
  }
  static std::string ratio(double a, double b) {
    if (a < 0 || b <= 0) return "–";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f×", a / b);
    return buf;
  }
  std::map<std::string, double> ns_;
};

}  // namespace

std::span<const std::size_t> sizes(Case c) {
  static const std::size_t three[] = {16, 1024, 1 << 20}, one[] = {1024};
  switch (c) {
    case Case::kLogSigmoid:
    case Case::kBce:
    case Case::kSigmoidBackward:
    case Case::kSoftmaxVjpMasked:
    case Case::kLogSoftmaxVjpMasked: return one;
    default: return three;
  }
}

const char* label(Case c) {
  switch (c) {
    case Case::kSoftmax: return "softmax";
    case Case::kLogSoftmax: return "log_softmax";
    case Case::kLogsumexp: return "logsumexp";
    case Case::kCrossEntropy: return "cross_entropy+grad";
    case Case::kCrossEntropyDist: return "cross_entropy_dist+grad, t = RN(softmax(x))";
    case Case::kSigmoid: return "sigmoid";
    case Case::kLogSigmoid: return "log_sigmoid";
    case Case::kBce: return "bce_with_logits+grad";
    case Case::kSigmoidBackward: return "sigmoid_backward (y, g)";
    case Case::kSoftmaxBackward: return "softmax_backward (y, g)";
    case Case::kLogSoftmaxBackward: return "log_softmax_backward (y, g)";
    case Case::kSoftmaxVjp: return "softmax_vjp (x, g)";
    case Case::kLogSoftmaxVjp: return "log_softmax_vjp (x, g)";
    case Case::kSoftmaxVjpMasked: return "softmax_vjp (x, g), last half of x -inf";
    case Case::kLogSoftmaxVjpMasked: return "log_softmax_vjp (x, g), last half of x -inf";
  }
  return "?";
}

std::string name(Case c, const char* subject, std::size_t n) {
  const char* key[] = {"softmax",          "log_softmax",          "logsumexp",   "cross_entropy",
                       "cross_entropy_dist", "sigmoid",              "log_sigmoid", "bce_with_logits",
                       "sigmoid_backward",  "softmax_backward",     "log_softmax_backward", "softmax_vjp",
                       "log_softmax_vjp",   "softmax_vjp_masked",   "log_softmax_vjp_masked"};
  return std::string(key[static_cast<int>(c)]) + "/" + subject + "/" + std::to_string(n);
}

// Logits uniform on [-50, 50] (on [-5, 5] for the matched distribution, whose targets t = RN(softmax(x))
// make every gradient component cancel by ~53 bits); sigmoids on [-40, 40]; BCE targets uniform on [0, 1].
Data data(Case c, std::size_t n) {
  Data d;
  const bool scalar = c == Case::kSigmoid || c == Case::kLogSigmoid || c == Case::kBce || c == Case::kSigmoidBackward;
  d.x = inputs(n, scalar ? -40 : c == Case::kCrossEntropyDist ? -5 : -50, scalar ? 40 : c == Case::kCrossEntropyDist ? 5 : 50, 42);
  d.k = n / 3;
  if (c == Case::kCrossEntropyDist) {
    d.t.resize(n);
    softcheck::softmax(d.x, d.t);
  } else if (c == Case::kBce) {
    d.t = inputs(n, 0, 1, 43);
  }
  if (c == Case::kSoftmaxVjpMasked || c == Case::kLogSoftmaxVjpMasked)
    for (std::size_t i = n / 2; i < n; ++i) d.x[i] = -HUGE_VAL;
  if (c >= Case::kSigmoidBackward) {  // y from our correctly rounded forward, g uniform on [-1, 1]
    d.g = inputs(n, -1, 1, 44);
    d.y.resize(n);
    if (c == Case::kSigmoidBackward) softcheck::sigmoid(d.x, d.y);
    else if (c == Case::kLogSoftmaxBackward) softcheck::log_softmax(d.x, d.y);
    else softcheck::softmax(d.x, d.y);
  }
  return d;
}

#ifndef SOFTCHECK_BENCH_TORCH
void register_torch() {}
#endif

}  // namespace softcheck::bench

int main(int argc, char** argv) {
  using namespace softcheck::bench;
  register_ours<Accurate>("accurate");
  register_ours<Standard>("standard");
  register_ours<Naive>("naive");
  register_torch();  // no-op without libtorch
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
