// Exact parsing of the numbers a user types on the command line (softcheck eval): decimal and hex floats.
#pragma once

#include <string_view>

namespace softcheck::reports {

// The double that `text` denotes, correctly rounded (round to nearest, ties to even; std::from_chars).
// Accepted, with an optional leading '+' or '-':
//   decimal     "1", "-2.5", ".5", "5.", "1e-3", "2.5E+10", "4.9e-324" (subnormals are ordinary numbers);
//   hex float   "0x1.8p-3", "-0X1P+0", "0x1.fffffffffffffp+1023", "0x1.8" (exponent optional);
//   infinities  "inf", "infinity" (any case);  NaN: "nan" (any case; the sign sets its sign bit).
// Throws InputError naming the text for anything else: empty text, white space, trailing junk ("1.5x",
// "1,5"), a NaN payload ("nan(1)"), and a number out of range — one whose magnitude rounds to infinity
// ("1e999", "1.7976931348623159e308") or a nonzero number that rounds to zero ("1e-400"); write inf or 0.
double parse_number(std::string_view text);

}  // namespace softcheck::reports
