// Reading and writing worst-case (.wc) files: hex floats, one case a line, '#' comments.
#include "reports/worst.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <sstream>

#include "reports/common.hpp"

namespace softcheck::reports {
namespace {

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\r') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<double> numbers(std::string_view s, const char* what) {
  std::vector<double> v;
  for (std::string_view w : words(s)) {
    const auto d = parse_double(w);
    if (!d) throw InputError(fmt::format("'{}' is not a number (in {})", w, what));
    v.push_back(*d);
  }
  return v;
}

std::string join_hex(const std::vector<double>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ' ';
    s += hex(v[i]);
  }
  return s;
}

}  // namespace

std::string format_case(const Input& in, InputKind kind) {
  switch (kind) {
    case InputKind::kX: return join_hex(in.x);
    case InputKind::kXClass: return fmt::format("{} | {}", join_hex(in.x), in.target_class);
    case InputKind::kXTarget: return fmt::format("{} | {}", join_hex(in.x), join_hex(in.target));
    case InputKind::kXBceTarget: return fmt::format("{} | {}", join_hex(in.x), hex(in.bce_target));
  }
  return {};
}

Input parse_case(std::string_view line, InputKind kind) {
  Input in;
  const std::size_t bar = line.find('|');
  const bool wants_bar = kind != InputKind::kX;
  if (wants_bar != (bar != std::string_view::npos))
    throw InputError(wants_bar ? "expected 'inputs | target'" : "unexpected '|' (this function takes x only)");
  in.x = numbers(line.substr(0, bar), "x");
  if (in.x.empty()) throw InputError("no x");
  if (!wants_bar) return in;
  const std::string_view rest = line.substr(bar + 1);
  switch (kind) {
    case InputKind::kXClass: {
      const auto w = words(rest);
      std::size_t k = 0;
      // from_chars, not stoull: 20 digits overflow and must be this InputError, not std::out_of_range (fuzzer).
      if (w.size() != 1 || w[0].empty() || w[0].find_first_not_of("0123456789") != std::string_view::npos ||
          std::from_chars(w[0].data(), w[0].data() + w[0].size(), k).ec != std::errc() || k >= in.x.size())
        throw InputError(fmt::format("the class index must be one integer below n = {}", in.x.size()));
      in.target_class = k;
      break;
    }
    case InputKind::kXTarget:
      in.target = numbers(rest, "target");
      if (in.target.size() != in.x.size())
        throw InputError(fmt::format("{} targets for {} inputs", in.target.size(), in.x.size()));
      break;
    case InputKind::kXBceTarget: {
      const auto t = numbers(rest, "target");
      if (t.size() != 1 || in.x.size() != 1) throw InputError("expected 'x | t' with one x and one t");
      in.bce_target = t[0];
      break;
    }
    case InputKind::kX: break;
  }
  return in;
}

std::string format_worst_file(const WorstFile& f, InputKind kind) {
  std::string s;
  for (const std::string& h : f.header) s += h.empty() ? "#\n" : "# " + h + "\n";
  for (const WorstCase& c : f.cases) {
    s += format_case(c.input, kind);
    if (!c.note.empty()) s += "  # " + c.note;
    s += '\n';
  }
  return s;
}

WorstFile parse_worst_file(std::string_view text, InputKind kind, const std::string& origin) {
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
    if (words(line).empty()) {
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
