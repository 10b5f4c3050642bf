// Argument checks shared by every variant in impl/: the messages name the argument and the value.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

namespace softcheck::detail {

[[noreturn]] void invalid(const std::string& what);
std::string show(double v);  // full precision, as %.17g

inline void check_same_length(const char* fn, const char* out_name, std::size_t n, std::size_t out) {
  if (n != out)
    invalid(std::string(fn) + ": " + out_name + " has " + std::to_string(out) + " elements but x has " +
            std::to_string(n));
}
// An output may be x itself (in place) or apart from it; one that overlaps x at an offset would overwrite
// inputs not yet read.
void check_no_partial_overlap(const char* fn, const char* out_name, std::span<const double> x,
                              std::span<const double> out);
inline void check_output(const char* fn, const char* out_name, std::span<const double> x, std::span<double> y) {
  check_same_length(fn, out_name, x.size(), y.size());
  check_no_partial_overlap(fn, out_name, x, y);
}
// grad: empty (skip the gradient) or of n elements, x itself or apart from it.
inline bool check_grad(const char* fn, std::span<const double> x, std::span<double> g) {
  if (g.empty()) return false;
  check_output(fn, "grad", x, g);
  return true;
}
// A backward pass's arguments: g and out of a's length (a is y, or x in input form), out a or g itself
// or apart from both.
inline void check_backward(const char* fn, std::span<const double> a, std::span<const double> g,
                           std::span<double> out) {
  check_same_length(fn, "g", a.size(), g.size());
  check_output(fn, "out", a, out);
  check_no_partial_overlap(fn, "out", g, out);
}
void check_class_index(const char* fn, std::size_t n, std::size_t target);
void check_distribution(const char* fn, std::span<const double> x, std::span<const double> t);
void check_bce_target(const char* fn, double t);
// The element-wise BCE's arguments: target and loss of x's length, grad empty (returns false) or of x's
// length; loss and grad each x or target itself or apart from both, and apart from each other; every
// target in [0, 1].
bool check_bce_span(const char* fn, std::span<const double> x, std::span<const double> t, std::span<double> loss,
                    std::span<double> grad);

}  // namespace softcheck::detail
