// parse_number: decimal and hex floats through std::from_chars (exact), inf/nan spelled out, strict errors.
#include "reports/numbers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <limits>
#include <string>
#include <system_error>

#include "reports/common.hpp"

namespace softcheck::reports {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_digit(char c, bool hex) {
  return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// The text shown in messages: printable, and cut if very long (the fuzzer feeds anything).
std::string shown(std::string_view text) {
  std::string s;
  for (char c : text.substr(0, 64)) {
    const auto u = static_cast<unsigned char>(c);
    s += (u >= 0x20 && u < 0x7f) ? std::string(1, c) : fmt::format("\\x{:02x}", u);
  }
  if (text.size() > 64) s += "...";
  return s;
}

}  // namespace

double parse_number(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return InputError(fmt::format("'{}' is not a number: {}", shown(text), why));
  };
  if (text.empty()) throw InputError("empty text where a number was expected");
  std::string_view s = text;
  bool negative = false;
  if (s.front() == '+' || s.front() == '-') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  const double sign = negative ? -1.0 : 1.0;
  if (equals_ignoring_case(s, "inf") || equals_ignoring_case(s, "infinity"))
    return sign * std::numeric_limits<double>::infinity();
  if (equals_ignoring_case(s, "nan")) return std::copysign(std::numeric_limits<double>::quiet_NaN(), sign);

  const bool hex = s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  if (hex) s.remove_prefix(2);
  // from_chars takes no sign, prefix or white space: the text must go on with a digit, or '.' and a digit.
  if (s.empty() || !(is_digit(s[0], hex) || (s[0] == '.' && s.size() > 1 && is_digit(s[1], hex))))
    throw fail(hex ? "expected hex digits after 0x (e.g. 0x1.8p-3)"
                   : "expected a decimal number (e.g. -2.5e-3), a hex float (0x1.8p-3), inf or nan");

  // libstdc++ 12's hex from_chars reads "0x1p+-3" as 0x1p-3 (fuzzer): an exponent is at most one sign, then
  // digits to the end.
  if (const std::size_t e = s.find_first_of(hex ? "pP" : "eE"); e != std::string_view::npos) {
    std::size_t i = e + 1;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == s.size() || !std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i), s.end(), [](char c) { return is_digit(c, false); }))
      throw fail("malformed exponent (e.g. 1e-3, 0x1p-3)");
  }

  double v = 0;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(first, last, v, hex ? std::chars_format::hex : std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    // from_chars says out of range both when the magnitude rounds to infinity and when a nonzero number
    // rounds to zero; strtod (on the same digits, "C" locale) tells which.
    const std::string digits = (hex ? "0x" : "") + std::string(s.substr(0, static_cast<std::size_t>(ptr - first)));
    const double approx = std::strtod(digits.c_str(), nullptr);
    if (std::fabs(approx) > 1) throw fail("out of range (its magnitude rounds to infinity; write inf if you mean it)");
    throw fail("out of range (a nonzero number that rounds to zero; the smallest is 2^-1074 ≈ 4.9e-324)");
  }
  if (ec != std::errc() || ptr == first) throw fail("malformed");
  if (ptr != last) throw fail(fmt::format("unexpected '{}' after the number", shown(s.substr(static_cast<std::size_t>(ptr - first)))));
  return sign * v;
}

}  // namespace softcheck::reports
