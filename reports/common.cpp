// Exact hex floats, atomic writes, digests and the versions recorded in every report header.
#include "reports/common.hpp"

#include <gmp.h>
#include <gnu/libc-version.h>
#include <mpfr.h>
#include <unistd.h>

#include <CLI/Version.hpp>
#include <boost/version.hpp>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#ifndef SOFTCHECK_RAPIDCHECK_VERSION
#define SOFTCHECK_RAPIDCHECK_VERSION "unknown"
#endif
#ifndef SOFTCHECK_VERSION
#define SOFTCHECK_VERSION "unknown"
#endif

namespace softcheck::reports {

void check_json_nesting(std::string_view text, const std::string& origin, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        throw InputError(fmt::format("{}: JSON nested deeper than {} levels", origin, max_depth));
    } else if (c == ']' || c == '}') {
      --depth;  // unbalanced text is the parser's to reject
    }
  }
}

void write_atomically(const std::filesystem::path& path, std::string_view content) {
  namespace fs = std::filesystem;
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const fs::path tmp = dir / fmt::format(".{}.tmp.{}", path.filename().string(), ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(fmt::format("cannot write '{}': {}", tmp.string(), std::strerror(errno)));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw InputError(fmt::format("cannot write '{}' (disk full?)", tmp.string()));
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw InputError(fmt::format("cannot move '{}' to '{}': {}", tmp.string(), path.string(), ec.message()));
  }
}

void ensure_writable_dir(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw InputError(fmt::format("output folder '{}' exists and is not a folder", dir.string()));
  fs::create_directories(dir, ec);
  if (ec) throw InputError(fmt::format("cannot create output folder '{}': {}", dir.string(), ec.message()));
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw InputError(fmt::format("output folder '{}' is not writable: {}", dir.string(), std::strerror(errno)));
}

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(fmt::format("'{}' does not exist", path.string()));
  if (std::filesystem::is_directory(path, ec))
    throw InputError(fmt::format("'{}' is a folder, not a file", path.string()));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("cannot read '{}': {}", path.string(), std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(fmt::format("cannot read '{}'", path.string()));
  return std::move(ss).str();
}

std::string digest(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

std::vector<std::pair<std::string, std::string>> tool_versions() {
  std::vector<std::pair<std::string, std::string>> v;
#if defined(__clang__)
  v.emplace_back("compiler", fmt::format("clang {}", __clang_version__));
#elif defined(__GNUC__)
  v.emplace_back("compiler", fmt::format("GCC {}", __VERSION__));
#else
  v.emplace_back("compiler", "unknown");
#endif
  v.emplace_back("glibc", gnu_get_libc_version());
  v.emplace_back("boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                                      BOOST_VERSION % 100));
  v.emplace_back("mpfr", mpfr_get_version());
  v.emplace_back("gmp", gmp_version);
  v.emplace_back("rapidcheck", SOFTCHECK_RAPIDCHECK_VERSION);
  v.emplace_back("cli11", CLI11_VERSION);
  v.emplace_back("nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR,
                                              NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH));
  v.emplace_back("fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100));
  v.emplace_back("softcheck", SOFTCHECK_VERSION);
  return v;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace softcheck::reports
