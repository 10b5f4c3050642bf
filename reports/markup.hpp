// Text into XML and HTML, for the JUnit files and the HTML report.
#pragma once

#include <string>
#include <string_view>

namespace softcheck::reports {

// Escapes text for an attribute or element (& < > " ' and tab, newline, carriage return as character
// references); a byte sequence that is not well-formed UTF-8, or a code point XML 1.0 forbids (control
// characters), becomes U+FFFD.
std::string xml_escape(std::string_view s);

}  // namespace softcheck::reports
