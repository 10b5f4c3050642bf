// The input regimes of docs/definitions.md as RapidCheck generators, written once and shared by the
// property suite and the report (which draws from them deterministically by seed and index).
#pragma once

#include <rapidcheck.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace softcheck::regimes {

struct Regime {
  std::string_view name;
  std::string_view description;  // one line, for reports and --help
  bool scalar;                   // a scalar regime (sigmoid, log_sigmoid, bce) or a vector one
};

// Vector regimes: unit, wide, extreme, dominant, ties, tail, cancel, long, special.
std::span<const Regime> vector_regimes();
// Scalar regimes: uniform ([-750, 40]), loguniform (all finite magnitudes), thresholds (around where e^x
// overflows/underflows, where σ rounds to 1, where σ becomes subnormal), special.
std::span<const Regime> scalar_regimes();
// nullptr when unknown.
const Regime* find(std::string_view name);

// Generators; throw std::invalid_argument for an unknown regime name. They shrink toward short vectors
// and simple values while keeping the property failing (toward boundaries by nextafter, fewer elements).
rc::Gen<std::vector<double>> vector(std::string_view regime);
rc::Gen<double> scalar(std::string_view regime);
// Targets for a given input: a class index (biased toward the argmax, the confident case), a
// distribution (one-hot, random, and t = rounded softmax(x), where the gradient cancels), a BCE target
// in [0, 1] (0, 1, random, and the rounded σ(x)).
rc::Gen<std::size_t> class_index(const std::vector<double>& x);
rc::Gen<std::vector<double>> distribution(const std::vector<double>& x);
rc::Gen<double> bce_target(double x);
// An upstream gradient g for a backward pass at y (one per y): one-hot and signed one-hot (what
// cross-entropy feeds back), dense in [-1, 1], nearly constant (within a few ULPs of one value: where
// y (g - <g, y>) cancels), and mixed huge and tiny magnitudes (subnormals and zeros among them).
rc::Gen<std::vector<double>> upstream(const std::vector<double>& y);

// The report's deterministic draw: the same (gen, seed, index) gives the same value on every run and
// thread count (no shrinking involved).
template <class T>
T draw(const rc::Gen<T>& gen, std::uint64_t seed, std::uint64_t index, int size = rc::kNominalSize) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);  // splitmix64 of (seed, index)
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return gen(rc::Random(z ^ (z >> 31)), size).value();
}

}  // namespace softcheck::regimes
