// Throughput of the bundled variants (accurate, standard, naive): what accuracy costs, per element.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "impl/softcheck.hpp"
#include "impl/variants.hpp"

namespace {

std::vector<double> inputs(std::size_t n, double lo, double hi) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> x(n);
  for (double& v : x) v = u(rng);
  return x;
}

template <void (*F)(std::span<const double>, std::span<double>)>
void BM_Vector(benchmark::State& state) {
  auto x = inputs(static_cast<std::size_t>(state.range(0)), -50, 50);
  std::vector<double> y(x.size());
  for (auto _ : state) {
    F(x, y);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

template <double (*F)(double)>
void BM_Scalar(benchmark::State& state) {
  auto x = inputs(1024, -40, 40);
  for (auto _ : state) {
    double s = 0;
    for (double v : x) s += F(v);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * 1024);
}

template <double (*F)(std::span<const double>, std::size_t, std::span<double>)>
void BM_CrossEntropy(benchmark::State& state) {
  auto x = inputs(static_cast<std::size_t>(state.range(0)), -50, 50);
  std::vector<double> g(x.size());
  for (auto _ : state) benchmark::DoNotOptimize(F(x, 0, g));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// Distribution targets t = RN(softmax(x)): the prediction matches the target, every gradient component
// cancels by ~53 bits (the accurate variant's slowest path: its triple-double middle tier).
template <double (*F)(std::span<const double>, std::span<const double>, std::span<double>)>
void BM_CrossEntropyMatched(benchmark::State& state) {
  auto x = inputs(static_cast<std::size_t>(state.range(0)), -5, 5);
  std::vector<double> t(x.size()), g(x.size());
  softcheck::softmax(x, t);
  for (auto _ : state) benchmark::DoNotOptimize(F(x, t, g));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

using VecFn = void (*)(std::span<const double>, std::span<double>);
using CeFn = double (*)(std::span<const double>, std::size_t, std::span<double>);
using ScFn = double (*)(double);

BENCHMARK(BM_Vector<static_cast<VecFn>(softcheck::softmax)>)->Name("softmax/accurate")->Arg(16)->Arg(1024)->Arg(1 << 20);
BENCHMARK(BM_Vector<static_cast<VecFn>(softcheck::standard::softmax)>)->Name("softmax/standard")->Arg(16)->Arg(1024)->Arg(1 << 20);
BENCHMARK(BM_Vector<static_cast<VecFn>(softcheck::naive::softmax)>)->Name("softmax/naive")->Arg(16)->Arg(1024)->Arg(1 << 20);
BENCHMARK(BM_Vector<static_cast<VecFn>(softcheck::log_softmax)>)->Name("log_softmax/accurate")->Arg(1024);
BENCHMARK(BM_Vector<static_cast<VecFn>(softcheck::standard::log_softmax)>)->Name("log_softmax/standard")->Arg(1024);
BENCHMARK(BM_CrossEntropy<static_cast<CeFn>(softcheck::cross_entropy)>)->Name("cross_entropy/accurate")->Arg(1024);
BENCHMARK(BM_CrossEntropy<static_cast<CeFn>(softcheck::standard::cross_entropy)>)->Name("cross_entropy/standard")->Arg(1024);
using CeDistFn = double (*)(std::span<const double>, std::span<const double>, std::span<double>);
BENCHMARK(BM_CrossEntropyMatched<static_cast<CeDistFn>(softcheck::cross_entropy)>)
    ->Name("cross_entropy_dist_matched/accurate")->Arg(1024)->Arg(1 << 17);
BENCHMARK(BM_CrossEntropyMatched<static_cast<CeDistFn>(softcheck::standard::cross_entropy)>)
    ->Name("cross_entropy_dist_matched/standard")->Arg(1024)->Arg(1 << 17);
BENCHMARK(BM_Scalar<static_cast<ScFn>(softcheck::sigmoid)>)->Name("sigmoid/accurate");
BENCHMARK(BM_Scalar<static_cast<ScFn>(softcheck::standard::sigmoid)>)->Name("sigmoid/standard");
BENCHMARK(BM_Scalar<static_cast<ScFn>(softcheck::log_sigmoid)>)->Name("log_sigmoid/accurate");
BENCHMARK(BM_Scalar<static_cast<ScFn>(softcheck::standard::log_sigmoid)>)->Name("log_sigmoid/standard");

}  // namespace

BENCHMARK_MAIN();
