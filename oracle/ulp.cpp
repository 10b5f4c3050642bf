// The ULP metric of docs/definitions.md (err, glibc-style distance, ulp of a double), used by the whole project.
#include "oracle/ulp.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace softcheck::oracle {
namespace {

constexpr double kHuge = std::numeric_limits<double>::max();  // cap of a finite error

// Exponent of ulp(v) for a finite double: max(floor(log2|v|), -1022) - 52; -1074 for 0.
int ulp_exp(double v) { return v == 0 ? -1074 : std::max(std::ilogb(v), -1022) - 52; }

// Orders doubles as integers: +0 and -0 both map to 0, adjacent doubles to adjacent integers.
std::int64_t ordered(double v) {
  const auto bits = std::bit_cast<std::int64_t>(v);
  return bits < 0 ? -(bits & std::numeric_limits<std::int64_t>::max()) : bits;
}

}  // namespace

double ulp_of(double v) {
  if (std::isnan(v)) return v;
  if (std::isinf(v)) return std::numeric_limits<double>::infinity();
  return std::ldexp(1.0, ulp_exp(v));
}

double ulp_error(double y, const Ref& v) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (v.is_nan()) return std::isnan(y) ? 0 : kInf;
  if (std::isinf(v.rounded)) return y == v.rounded ? 0 : kInf;  // due infinity (v infinite or overflow)
  if (!std::isfinite(y)) return kInf;
  // ulp(v) of the exact value: that of rounded, halved when rounded = ±2^k (normal, k > -1022) and v
  // lies below it in magnitude (frac has the opposite sign), where v's binade is the one underneath.
  int e = ulp_exp(v.rounded);
  const double r = std::fabs(v.rounded);
  if (r >= 0x1p-1021 && std::ldexp(1.0, std::ilogb(r)) == r && v.frac * v.rounded < 0) --e;
  // y - rounded is exact when y is within a factor 2 of rounded (Sterbenz) or both are below 2^-1021;
  // elsewhere it rounds by 2^-53 relative, harmless to an error that large. Scaling by 2^-e is exact.
  const double d = y - v.rounded;
  if (std::isinf(d)) return kHuge;
  const double scaled = std::ldexp(d, -e);
  if (std::isinf(scaled)) return kHuge;
  return std::min(std::fabs(scaled - v.frac), kHuge);
}

std::int64_t ulp_distance(double y, double rounded) {
  const bool ny = std::isnan(y), nr = std::isnan(rounded);
  if (ny || nr) return ny && nr ? 0 : std::numeric_limits<std::int64_t>::max();
  // Ordered values lie within ±0x7FF0000000000000, so the difference fits in 64 unsigned bits.
  const std::int64_t a = ordered(y), b = ordered(rounded);
  const std::uint64_t dist = a > b ? static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b)
                                   : static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
  return static_cast<std::int64_t>(
      std::min<std::uint64_t>(dist, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
}

}  // namespace softcheck::oracle
