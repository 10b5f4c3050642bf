// Test hooks into the oracle (not part of its contract): raw enclosures at one Ziv level.
#pragma once

#include <span>
#include <vector>

#include <boost/multiprecision/mpfr.hpp>

namespace softcheck::oracle::internal {

// lo <= v <= hi, evaluated at working precision 128 << level without Ziv's test (finite inputs only).
struct Enclosure {
  boost::multiprecision::mpfr_float lo, hi;
};
std::vector<Enclosure> softmax_enclosures(std::span<const double> x, int level);
std::vector<Enclosure> log_softmax_enclosures(std::span<const double> x, int level);
Enclosure logsumexp_enclosure(std::span<const double> x, int level);

}  // namespace softcheck::oracle::internal
