// JUnit XML (see junit.hpp).
#include "reports/junit.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace softcheck::reports {
namespace {

// Escapes text for an attribute or element; a byte sequence that is not well-formed UTF-8, or a code
// point XML 1.0 forbids, becomes U+FFFD.
std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        case '\t': out += "&#9;"; break;
        case '\n': out += "&#10;"; break;
        case '\r': out += "&#13;"; break;
        default: out += c < 0x20 || c == 0x7f ? std::string("\xEF\xBF\xBD") : std::string(1, static_cast<char>(c));
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: its length from the lead byte, then continuation bytes 10xxxxxx.
    const std::size_t len = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    bool ok = len != 0 && i + len <= s.size();
    std::uint32_t cp = len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      ok = (d & 0xC0) == 0x80;
      cp = (cp << 6) | (d & 0x3Fu);
    }
    ok = ok && !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
         !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE && cp != 0xFFFF;
    if (ok) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string junit_xml(const std::string& suite, const std::vector<JunitCase>& cases, double seconds) {
  std::size_t failures = 0, skipped = 0;
  for (const JunitCase& c : cases) {
    failures += c.status == JunitCase::Status::kFailed;
    skipped += c.status == JunitCase::Status::kSkipped;
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3f}\">\n",
                   escape(suite), cases.size(), failures, skipped, seconds);
  x += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3f}\">\n",
                   escape(suite), cases.size(), failures, skipped, seconds);
  for (const JunitCase& c : cases) {
    x += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", escape(c.classname), escape(c.name),
                     c.seconds);
    switch (c.status) {
      case JunitCase::Status::kPassed: x += "/>\n"; break;
      case JunitCase::Status::kSkipped:
        x += fmt::format(">\n      <skipped message=\"{}\"/>\n    </testcase>\n", escape(c.message));
        break;
      case JunitCase::Status::kFailed:
        x += fmt::format(">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n", escape(c.message),
                         escape(c.type), escape(c.text));
        break;
    }
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

}  // namespace softcheck::reports
