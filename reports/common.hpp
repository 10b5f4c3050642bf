// Small shared pieces of the report tool: exact hex floats, atomic file writes, digests, tool versions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "properties/inputs.hpp"

namespace softcheck::reports {

// A usage or input problem (bad option, missing or corrupt file, unwritable folder): exit status 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A double as C's %a ("0x1.8p+1", "-0x0p+0", "inf", "-inf", "nan"): exact and replayable; and back
// (hex floats, decimal numbers, inf and nan; nullopt unless the whole text is one number).
using inputs::hex;
using inputs::parse_double;

// Throws InputError naming `origin` when JSON `text` nests arrays and objects deeper than `max_depth`:
// nlohmann::json copies and prints values recursively, so a file of 10^5 '[' overflowed the stack (fuzzer).
// softcheck's own files nest 8 deep. Call before json::parse.
void check_json_nesting(std::string_view text, const std::string& origin, int max_depth = 64);

// Writes `content` to `path` through a temporary file in the same folder and a rename, so a reader
// (or an interrupted run) never sees a half-written file. Throws InputError naming the path.
void write_atomically(const std::filesystem::path& path, std::string_view content);
// Creates `dir` if needed and checks that a file can be written there; throws InputError if not.
void ensure_writable_dir(const std::filesystem::path& dir);
// The whole file; throws InputError naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// FNV-1a (64 bits) as 16 hex digits: a content digest for worst-case files.
std::string digest(std::string_view bytes);

// name → version of the compiler, the C library and every library the measurement depends on.
std::vector<std::pair<std::string, std::string>> tool_versions();

// Splits "a,b,c" into its non-empty, trimmed items.
std::vector<std::string> split_list(std::string_view text);

}  // namespace softcheck::reports
