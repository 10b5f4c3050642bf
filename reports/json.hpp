// report.json (schema softcheck-report/1) and timings.json (softcheck-timings/1): writing, reading back
// (for merge and gate), both documented in reports/README.md.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "reports/sweep.hpp"

namespace softcheck::reports {

// Inputs longer than this go to a side file witness/<function>-<regime>-<index>.wc beside report.json.
inline constexpr std::size_t kInlineWitnessElements = 256;

struct RenderedJson {
  std::string text;
  std::vector<std::pair<std::string, std::string>> side_files;  // relative path → content
};

// Deterministic: the same report gives the same bytes (no timings, thread counts or paths in it).
RenderedJson report_to_json(const Report& report);
std::string timings_to_json(const Report& report);

// Reads a report.json; side files are resolved against `dir`. Throws InputError naming `origin`.
Report report_from_json(const std::string& text, const std::filesystem::path& dir, const std::string& origin);
// Fills report.timings from a timings.json of the same run (cells matched by name); InputError if corrupt.
void timings_from_json(Report& report, const std::string& text, const std::string& origin);

// Writes report.json, its side files and timings.json into `dir` (each atomically).
void write_json_files(const Report& report, const std::filesystem::path& dir);

}  // namespace softcheck::reports
