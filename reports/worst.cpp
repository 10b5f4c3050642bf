// Reading and writing worst-case (.wc) files: hex floats, one case a line, '#' comments.
#include "reports/worst.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <sstream>

#include "reports/common.hpp"

namespace softcheck::reports {
namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

std::string format_case(const Input& in, const inputs::Kind& kind) { return kind.format_line(in); }

Input parse_case(std::string_view line, const inputs::Kind& kind) {
  try {
    return kind.parse_line(line);
  } catch (const inputs::ParseError& e) {
    throw InputError(e.what());
  }
}

std::string format_worst_file(const WorstFile& f, const inputs::Kind& kind) {
  std::string s;
  for (const std::string& h : f.header) s += h.empty() ? "#\n" : "# " + h + "\n";
  for (const WorstCase& c : f.cases) {
    s += format_case(c.input, kind);
    if (!c.note.empty()) s += "  # " + c.note;
    s += '\n';
  }
  return s;
}

WorstFile parse_worst_file(std::string_view text, const inputs::Kind& kind, const std::string& origin) {
  WorstFile f;
  std::size_t start = 0, lineno = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++lineno;
    std::string note;
    const std::size_t hash = line.find('#');
    if (hash != std::string_view::npos) {
      std::string_view c = line.substr(hash + 1);
      if (!c.empty() && c.front() == ' ') c.remove_prefix(1);
      note = std::string(c);
      line = line.substr(0, hash);
    }
    if (blank(line)) {
      if (hash != std::string_view::npos && f.cases.empty()) f.header.push_back(note);
      continue;
    }
    try {
      f.cases.push_back({parse_case(line, kind), note});
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}:{}: {}", origin, lineno, e.what()));
    }
  }
  return f;
}

std::filesystem::path worst_path(const std::filesystem::path& dir, std::string_view function) {
  return dir / (std::string(function) + ".wc");
}

}  // namespace softcheck::reports
