// JUnit XML (see junit.hpp).
#include "reports/junit.hpp"
#include "reports/markup.hpp"

#include <fmt/format.h>

namespace softcheck::reports {

std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases, double seconds) {
  std::size_t failures = 0, skipped = 0;
  for (const JunitCase& c : cases) {
    failures += c.status == JunitCase::Status::kFailed;
    skipped += c.status == JunitCase::Status::kSkipped;
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3f}\">\n",
                   xml_escape(suite), cases.size(), failures, skipped, seconds);
  x += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3f}\">\n",
                   xml_escape(suite), cases.size(), failures, skipped, seconds);
  for (const JunitCase& c : cases) {
    x += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", xml_escape(c.classname), xml_escape(c.name),
                     c.seconds);
    switch (c.status) {
      case JunitCase::Status::kPassed: x += "/>\n"; break;
      case JunitCase::Status::kSkipped:
        x += fmt::format(">\n      <skipped message=\"{}\"/>\n    </testcase>\n", xml_escape(c.message));
        break;
      case JunitCase::Status::kFailed:
        x += fmt::format(">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n", xml_escape(c.message),
                         xml_escape(c.type), xml_escape(c.text));
        break;
    }
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

}  // namespace softcheck::reports
