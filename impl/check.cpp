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

bool check_bce_span(const char* fn, std::span<const double> x, std::span<const double> t, std::span<double> loss,
                    std::span<double> grad) {
  check_same_length(fn, "target", x.size(), t.size());
  check_same_length(fn, "loss", x.size(), loss.size());
  if (!grad.empty()) check_same_length(fn, "grad", x.size(), grad.size());
  const std::less<const double*> lt;
  // a and b share memory other than as the same span (same_ok) or do not overlap at all.
  auto apart = [&](const char* na, std::span<const double> a, const char* nb, std::span<const double> b, bool same_ok) {
    if (a.empty() || b.empty() || (same_ok && a.data() == b.data())) return;
    if (lt(a.data(), b.data() + b.size()) && lt(b.data(), a.data() + a.size()))
      invalid(std::string(fn) + ": " + na + " overlaps " + nb +
              (same_ok ? std::string(" at an offset (in place needs it to be ") + nb + " itself)" : std::string()));
  };
  apart("loss", loss, "x", x, true);
  apart("loss", loss, "target", t, true);
  apart("grad", grad, "x", x, true);
  apart("grad", grad, "target", t, true);
  apart("grad", grad, "loss", loss, false);
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!(t[i] >= 0 && t[i] <= 1))
      invalid(std::string(fn) + ": target[" + std::to_string(i) + "] = " + show(t[i]) + " is outside [0, 1]");
  return !grad.empty();
}

void check_bce_target(const char* fn, double t) {
  if (!(t >= 0 && t <= 1)) invalid(std::string(fn) + ": target = " + show(t) + " is outside [0, 1]");
}

}  // namespace softcheck::detail
