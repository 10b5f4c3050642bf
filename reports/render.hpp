// The human-readable outputs: Markdown (a CI job summary) and a self-contained HTML page with inline
// SVG plots (error against x for scalar functions, the error distribution per regime for vector ones).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reports/stats.hpp"
#include "reports/sweep.hpp"

namespace softcheck::reports {

// Numbers as the report prints them: ULP errors with 4 decimals below 10 (so 0.5001 is not "0.5").
std::string format_ulp(double v);
std::string format_share(std::uint64_t part, std::uint64_t whole);
// An input for humans: hex floats, long vectors cut after `max_elements` with a pointer to report.json.
std::string format_input(const Input& in, const std::string& function, std::size_t max_elements);
std::string format_witness(const Witness& w, const std::string& function, std::size_t max_elements);

// Markdown under 1 MiB; `extra` (e.g. the gate's section) is appended.
std::string render_markdown(const Report& report, const std::string& extra = {});
std::string render_html(const Report& report, const std::string& extra_markdownish = {});

// GitHub caps a step summary at 1 MiB: the Markdown cut to fit, with a note.
std::string fit_step_summary(const std::string& markdown);

}  // namespace softcheck::reports
