// parse_number: the numbers a user types (softcheck eval) are read exactly, and anything else is an InputError
// naming the text.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "reports/common.hpp"
#include "reports/numbers.hpp"

namespace sr = softcheck::reports;

namespace {

std::string error_of(const std::string& text) {
  try {
    (void)sr::parse_number(text);
  } catch (const sr::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ParseNumber, DecimalAndHexAreExact) {
  EXPECT_EQ(sr::parse_number("0.1"), 0x1.999999999999ap-4);
  EXPECT_EQ(sr::parse_number("-2.5e-3"), -0x1.47ae147ae147bp-9);
  EXPECT_EQ(sr::parse_number("+1e5"), 100000.0);
  EXPECT_EQ(sr::parse_number(".5"), 0.5);
  EXPECT_EQ(sr::parse_number("5."), 5.0);
  EXPECT_EQ(sr::parse_number("0x1.8p-3"), 0.1875);
  EXPECT_EQ(sr::parse_number("-0X1P+0"), -1.0);
  EXPECT_EQ(sr::parse_number("0x1.8"), 1.5);
  EXPECT_EQ(sr::parse_number("0x.8p1"), 1.0);
  // Halfway between 2^53 and 2^53 + 2: ties to even; a hair above rounds up.
  EXPECT_EQ(sr::parse_number("9007199254740993"), 0x1p53);
  EXPECT_EQ(sr::parse_number("9007199254740993.000000000000000000001"), 0x1p53 + 2);
  EXPECT_EQ(sr::parse_number("0x1.00000000000008p0"), 1.0);             // halfway in hex: to even
  EXPECT_EQ(sr::parse_number("0x1.00000000000018p0"), 1.0 + 0x1p-51);   // halfway in hex: to even (up)
}

TEST(ParseNumber, RangeLimits) {
  EXPECT_EQ(sr::parse_number("1.7976931348623157e308"), std::numeric_limits<double>::max());
  EXPECT_EQ(sr::parse_number("0x1.fffffffffffff7p+1023"), std::numeric_limits<double>::max());
  EXPECT_EQ(sr::parse_number("4.9e-324"), 0x1p-1074);
  EXPECT_EQ(sr::parse_number("2.4703282292062328e-324"), 0x1p-1074);  // just above half the smallest subnormal
  EXPECT_EQ(sr::parse_number("1e-310"), 1e-310);
  EXPECT_EQ(sr::parse_number("0e-999999"), 0.0);
  EXPECT_TRUE(std::signbit(sr::parse_number("-0")));
  EXPECT_TRUE(std::signbit(sr::parse_number("-0x0p+0")));
  for (const char* over : {"1e999", "-1e999", "1.7976931348623159e308", "0x1.fffffffffffff8p+1023", "0x1p1024"})
    EXPECT_NE(error_of(over).find("rounds to infinity"), std::string::npos) << over;
  for (const char* under : {"1e-400", "-1e-400", "2.4703282292062327e-324", "0x1p-1075"})
    EXPECT_NE(error_of(under).find("rounds to zero"), std::string::npos) << under;
}

TEST(ParseNumber, InfinityAndNaN) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(sr::parse_number("inf"), inf);
  EXPECT_EQ(sr::parse_number("+Infinity"), inf);
  EXPECT_EQ(sr::parse_number("-INF"), -inf);
  EXPECT_TRUE(std::isnan(sr::parse_number("nan")));
  EXPECT_TRUE(std::isnan(sr::parse_number("NaN")));
  EXPECT_TRUE(std::signbit(sr::parse_number("-nan")));
}

TEST(ParseNumber, AnythingElseIsAnInputErrorNamingTheText) {
  for (const char* bad : {"1.5x", "1,5", " 1", "1 ", "nan(1)", "0x", "0xg", "--1", "+-1", "e5", ".", "-.", "0x1p",
                          "1e", "infinit", "1e5e5", "0x1p+", "+", "-", "1_000", "٣"}) {
    const std::string e = error_of(bad);
    EXPECT_NE(e.find("is not a number"), std::string::npos) << "'" << bad << "': " << e;
  }
  EXPECT_NE(error_of("1.5x").find("'1.5x'"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of(std::string("1\0", 2)).find("\\x00"), std::string::npos);  // shown, not cut at the NUL
}
