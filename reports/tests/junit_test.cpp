// JUnit XML text: what XML 1.0 cannot carry never reaches the file (a counterexample may hold any bytes
// a kernel's name or message had), and the counts add up.
#include <gtest/gtest.h>

#include <string>

#include "reports/junit.hpp"

namespace {

namespace sr = softcheck::reports;

TEST(Junit, EscapesWhatXmlCannotCarry) {
  sr::JunitCase c;
  c.classname = "softcheck.check.x";
  c.name = "a<b & \"c\"";
  c.status = sr::JunitCase::Status::kFailed;
  c.message = std::string("bell\x07, bad \xC3(, lone \x80, ok \xCE\xBA") + ", surrogate \xED\xA0\x80";
  c.type = "kind";
  c.text = "line 1\nline 2 ]]> <end>";
  const std::string x = sr::junit_xml("suite", {c}, 1.5);
  EXPECT_NE(x.find("name=\"a&lt;b &amp; &quot;c&quot;\""), std::string::npos) << x;
  EXPECT_EQ(x.find('\x07'), std::string::npos);
  EXPECT_EQ(x.find('\x80'), std::string::npos);
  EXPECT_EQ(x.find("\xED\xA0\x80"), std::string::npos);
  EXPECT_NE(x.find("\xCE\xBA"), std::string::npos);  // κ stays
  EXPECT_NE(x.find("bell\xEF\xBF\xBD, bad \xEF\xBF\xBD(, lone \xEF\xBF\xBD"), std::string::npos) << x;
  EXPECT_NE(x.find("line 1&#10;line 2 ]]&gt; &lt;end&gt;"), std::string::npos);
}

TEST(Junit, CountsEachStatus) {
  using S = sr::JunitCase::Status;
  const std::string x = sr::junit_xml(
      "s", {{"c", "p", S::kPassed, 0, "", "", ""}, {"c", "f", S::kFailed, 0, "m", "t", "x"}, {"c", "k", S::kSkipped, 0, "why", "", ""}},
      0);
  EXPECT_NE(x.find("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos) << x;
  EXPECT_NE(x.find("<testcase classname=\"c\" name=\"p\" time=\"0.000\"/>"), std::string::npos);
  EXPECT_NE(x.find("<skipped message=\"why\"/>"), std::string::npos);
}

}  // namespace
