// Oracle throughput: elements per second of every reference at n = 1, 16, 1024 (inputs in [-50, 50]).
#include <benchmark/benchmark.h>
#include <mpfr.h>

#include <cstddef>
#include <random>
#include <vector>

#include "oracle/oracle.hpp"

namespace so = softcheck::oracle;

namespace {

// A pool of about 8192 elements cut into vectors of n, cycled so that every iteration sees a fresh vector.
struct Pool {
  explicit Pool(std::size_t size) : n(size) {
    std::mt19937_64 rng(20240611);
    std::uniform_real_distribution<double> x(-50, 50), t(0, 1);
    const std::size_t count = std::max<std::size_t>(4, 8192 / n);
    for (std::size_t v = 0; v < count; ++v) {
      vectors.emplace_back(n);
      targets.emplace_back(n);
      for (std::size_t i = 0; i < n; ++i) vectors.back()[i] = x(rng), targets.back()[i] = t(rng);
      classes.push_back(static_cast<std::size_t>(rng() % n));
    }
  }
  std::size_t n;
  std::vector<std::vector<double>> vectors, targets;
  std::vector<std::size_t> classes;
};

enum class F { kSigmoid, kLogSigmoid, kBce, kLogsumexp, kSoftmax, kLogSoftmax, kCeClass, kCeDist };

template <F f>
void run(benchmark::State& state) {
  const Pool pool(static_cast<std::size_t>(state.range(0)));
  so::Vector vec;
  std::vector<so::Ref> out(pool.n);
  std::size_t k = 0;
  for (auto _ : state) {
    const std::size_t j = k++ % pool.vectors.size();
    const std::vector<double>& x = pool.vectors[j];
    const std::vector<double>& t = pool.targets[j];
    if constexpr (f == F::kSigmoid) {
      for (std::size_t i = 0; i < pool.n; ++i) out[i] = so::sigmoid(x[i]);
    } else if constexpr (f == F::kLogSigmoid) {
      for (std::size_t i = 0; i < pool.n; ++i) out[i] = so::log_sigmoid(x[i]);
    } else if constexpr (f == F::kBce) {
      for (std::size_t i = 0; i < pool.n; ++i)
        out[i] = so::bce_with_logits(x[i], t[i], &out[(i + 1) % pool.n]);  // loss and gradient
    } else {
      vec.assign(x);
      if constexpr (f == F::kLogsumexp) out[0] = vec.logsumexp();
      if constexpr (f == F::kSoftmax) vec.softmax(out);
      if constexpr (f == F::kLogSoftmax) vec.log_softmax(out);
      if constexpr (f == F::kCeClass) out[0] = vec.cross_entropy(pool.classes[j], out);
      if constexpr (f == F::kCeDist) out[0] = vec.cross_entropy(t, out);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

// Context for the figures above: one bare MPFR exponential at the oracle's starting precision.
void mpfr_exp_128(benchmark::State& state) {
  const Pool pool(1024);
  mpfr_t a, r;
  mpfr_init2(a, 128);
  mpfr_init2(r, 128);
  std::size_t k = 0;
  for (auto _ : state) {
    mpfr_set_d(a, pool.vectors[0][k++ % 1024], MPFR_RNDN);
    benchmark::DoNotOptimize(mpfr_exp(r, a, MPFR_RNDD));
  }
  mpfr_clear(a);
  mpfr_clear(r);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK(mpfr_exp_128);
BENCHMARK(run<F::kSigmoid>)->Name("sigmoid")->Arg(1)->Arg(16)->Arg(1024);
BENCHMARK(run<F::kLogSigmoid>)->Name("log_sigmoid")->Arg(1)->Arg(16)->Arg(1024);
BENCHMARK(run<F::kBce>)->Name("bce_with_logits+grad")->Arg(1)->Arg(16)->Arg(1024);
BENCHMARK(run<F::kLogsumexp>)->Name("logsumexp")->Arg(1)->Arg(16)->Arg(1024);
BENCHMARK(run<F::kSoftmax>)->Name("softmax")->Arg(1)->Arg(16)->Arg(1024);
BENCHMARK(run<F::kLogSoftmax>)->Name("log_softmax")->Arg(1)->Arg(16)->Arg(1024);
BENCHMARK(run<F::kCeClass>)->Name("cross_entropy_class+grad")->Arg(1)->Arg(16)->Arg(1024);
BENCHMARK(run<F::kCeDist>)->Name("cross_entropy_dist+grad")->Arg(1)->Arg(16)->Arg(1024);

BENCHMARK_MAIN();
