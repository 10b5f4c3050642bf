// Worst-case files (reports/worst/<function>.wc, after CORE-MATH's .wc): hard inputs found by
// `softcheck hunt`, one case a line in hex floats, replayed by every report and gate run.
//
// Line format by the function's input kind (properties/inputs.hpp); '#' starts a comment (the header, or a note after
// a case):
//   x                        sigmoid, log_sigmoid
//   x | t                    bce_with_logits, bce_with_logits_grad
//   x_1 ... x_n              softmax, log_softmax, logsumexp
//   x_1 ... x_n | k          cross_entropy, cross_entropy_grad, cross_entropy_grad_target
//   x_1 ... x_n | t_1 ... t_n  cross_entropy_dist, cross_entropy_dist_grad
//   y_1 ... y_n | g_1 ... g_n  sigmoid_backward, softmax_backward, log_softmax_backward
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "reports/functions.hpp"
#include "reports/stats.hpp"

namespace softcheck::reports {

struct WorstCase {
  Input input;
  std::string note;  // the comment after the case (who found it, how bad), without '#'
};

struct WorstFile {
  std::vector<std::string> header;  // comment lines before the first case, without '# '
  std::vector<WorstCase> cases;
};

// One case as a line (without note); and back. parse throws InputError naming the problem.
std::string format_case(const Input& in, const inputs::Kind& kind);
Input parse_case(std::string_view line, const inputs::Kind& kind);

// The whole file; parse throws InputError naming `origin` and the line number.
std::string format_worst_file(const WorstFile& f, const inputs::Kind& kind);
WorstFile parse_worst_file(std::string_view text, const inputs::Kind& kind, const std::string& origin);

// <dir>/<function>.wc
std::filesystem::path worst_path(const std::filesystem::path& dir, std::string_view function);

}  // namespace softcheck::reports
