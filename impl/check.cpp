// Argument checks shared by every variant in impl/.
#include "impl/check.hpp"

#include <cstdio>
#include <functional>

namespace softcheck::detail {

void invalid(const std::string& what) { throw std::invalid_argument(what); }

std::string show(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void check_no_partial_overlap(const char* fn, const char* out_name, std::span<const double> x,
                              std::span<const double> out) {
  if (x.empty() || out.empty() || x.data() == out.data()) return;
  // Compared as addresses (std::less gives a total order even across unrelated arrays).
  const std::less<const double*> lt;
  if (lt(out.data(), x.data() + x.size()) && lt(x.data(), out.data() + out.size()))
    invalid(std::string(fn) + ": " + out_name + " overlaps x at an offset of " +
            std::to_string(out.data() - x.data()) + " elements (in place needs " + out_name +
            " to be x itself)");
}

void check_class_index(const char* fn, std::size_t n, std::size_t target) {
  if (n == 0) invalid(std::string(fn) + ": x is empty (cross-entropy needs at least one class)");
  if (target >= n)
    invalid(std::string(fn) + ": target class index " + std::to_string(target) + " is out of range for " +
            std::to_string(n) + " classes");
}

void check_distribution(const char* fn, std::span<const double> x, std::span<const double> t) {
  if (x.empty()) invalid(std::string(fn) + ": x is empty (cross-entropy needs at least one class)");
  if (t.size() != x.size())
    invalid(std::string(fn) + ": target has " + std::to_string(t.size()) + " elements but x has " +
            std::to_string(x.size()));
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!(t[i] >= 0) || !std::isfinite(t[i]))
      invalid(std::string(fn) + ": target[" + std::to_string(i) + "] = " + show(t[i]) +
              " (a target distribution needs finite entries >= 0)");
}

void check_bce_target(const char* fn, double t) {
  if (!(t >= 0 && t <= 1)) invalid(std::string(fn) + ": target = " + show(t) + " is outside [0, 1]");
}

}  // namespace softcheck::detail
