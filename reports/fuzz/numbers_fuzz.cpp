// libFuzzer target for parse_number (the numbers of `softcheck check`/`eval` command lines): on any bytes it
// returns a double or throws InputError, never crashes or throws anything else; a double it returns reads
// back from its own hex and %.17g spelling to the same bits; text in the documented grammar (reports/numbers.hpp)
// is accepted exactly when in range and then equals glibc's correctly rounded strtod bit for bit; text
// outside the grammar is rejected.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "reports/fuzz/support.hpp"
#include "reports/common.hpp"
#include "reports/numbers.hpp"

namespace {

bool digit(char c, bool hex) {
  return (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
}

bool same_bits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) && std::signbit(a) == std::signbit(b);
  return std::memcmp(&a, &b, sizeof a) == 0;
}

bool equals_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != b[i]) return false;
  return true;
}

enum class Kind { kNone, kNumber, kSpecial };

// The grammar of numbers.hpp, written independently: [+-] then inf | infinity | nan (any case), or decimal
// digits with an optional fraction and exponent, or 0x hex digits with an optional fraction and p exponent.
// `nonzero`: some mantissa digit is not 0.
Kind classify(std::string_view s, bool& nonzero) {
  nonzero = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (equals_nocase(s, "inf") || equals_nocase(s, "infinity") || equals_nocase(s, "nan")) return Kind::kSpecial;
  const bool hex = s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  if (hex) s.remove_prefix(2);
  std::size_t i = 0, mantissa_digits = 0;
  auto digits = [&] {
    std::size_t n = 0;
    for (; i < s.size() && digit(s[i], hex); ++i, ++n) nonzero = nonzero || s[i] != '0';
    return n;
  };
  mantissa_digits += digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    mantissa_digits += digits();
  }
  if (mantissa_digits == 0) return Kind::kNone;
  if (i < s.size() && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t e = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) ++e;
    if (e == 0) return Kind::kNone;
  }
  return i == s.size() ? Kind::kNumber : Kind::kNone;
}

[[noreturn]] void fail(const std::string& text, const char* what, double got, double want) {
  std::fprintf(stderr, "parse_number(\"%s\"): %s (got %a, expected %a)\n", text.c_str(), what, got, want);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using softcheck::reports::InputError;
  using softcheck::reports::parse_number;
  const std::string text = softcheck::fuzz::text_of(data, size);
  bool nonzero = false;
  const Kind kind = text.find('\0') == std::string::npos ? classify(text, nonzero) : Kind::kNone;
  // glibc's strtod is correctly rounded and reads the same grammar (and more, which classify excludes).
  const double want = kind == Kind::kNumber ? std::strtod(text.c_str(), nullptr) : 0.0;
  const bool in_range = std::isfinite(want) && (want != 0 || !nonzero);
  double v = 0;
  try {
    v = parse_number(text);
  } catch (const InputError& e) {
    if (!*e.what()) std::abort();
    if (kind == Kind::kSpecial || (kind == Kind::kNumber && in_range)) fail(text, "rejected a valid number", 0, want);
    return 0;
  }
  if (kind == Kind::kNone) fail(text, "accepted text outside the grammar", v, 0);
  if (kind == Kind::kNumber && !in_range) fail(text, "accepted a number out of range", v, want);
  if (kind == Kind::kNumber && !same_bits(v, want)) fail(text, "differs from strtod", v, want);
  if (kind == Kind::kSpecial) {  // ±inf or ±NaN, the sign from the text
    const bool nan = (text.back() | 0x20) == 'n';
    const double special = nan ? std::nan("") : INFINITY;
    if (!same_bits(v, text[0] == '-' ? -special : special)) fail(text, "wrong special value", v, special);
  }
  // What the report prints (hex) and a 17-digit decimal both read back to the same double.
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  for (const std::string& again : {softcheck::reports::hex(v), std::string(buf)})
    if (!same_bits(parse_number(again), v) && !std::isnan(v)) fail(again, "does not round-trip", parse_number(again), v);
  return 0;
}
