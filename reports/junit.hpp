// JUnit XML, the test-report format CI systems read (GitLab, Jenkins, Buildkite, GitHub test views): one
// <testsuite> of <testcase>s, each passed, failed (<failure message type>text</failure>) or skipped. The
// common subset only, as reports/tests/junit.xsd states it (validated by a test with xmllint).
#pragma once

#include <string>
#include <vector>

namespace softcheck::reports {

struct JunitCase {
  enum class Status { kPassed, kFailed, kSkipped };
  std::string classname, name;
  Status status = Status::kPassed;
  double seconds = 0;
  std::string message;  // one line: the failure's or skip's reason
  std::string type;     // the failure's kind
  std::string text;     // the full account (counterexample, witness, replay line)
};

// The document: <testsuites> with one <testsuite name=suite>. Text is escaped; characters XML 1.0 cannot
// carry (control characters, malformed UTF-8) become U+FFFD.
std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases, double seconds);

}  // namespace softcheck::reports
