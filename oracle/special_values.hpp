// docs/definitions.md's special-value table, as data: every case once, read by the oracle's tests, the
// implementations' tests and the property suite (special.<entry>, which holds any plugin to it). The
// rule: the limit of the exact function where it exists, NaN where it does not; NaN in, NaN out; and
// the README's decisions where the rule is silent (empty x, n = 1, zero targets).
#pragma once

#include <cstddef>
#include <limits>
#include <string_view>
#include <vector>

namespace softcheck::special {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kAny = 12345.678;  // a component the table does not fix (graded elsewhere)

struct Case {
  std::string_view entry;       // the kernel entry: sigmoid, log_sigmoid, softmax, log_softmax, logsumexp,
                                // cross_entropy, cross_entropy_dist, bce_with_logits
  std::vector<double> x;        // for the element-wise entries, one case per x_i
  std::size_t k = 0;            // cross_entropy: the class index
  std::vector<double> t;        // cross_entropy_dist: the targets; bce_with_logits: {t}
  double value = kAny;          // the return value (a loss, logsumexp); kAny for sigmoid ... log_softmax
  std::vector<double> outputs;  // y, or the gradient ({grad} for BCE); kAny where not fixed; NaN: NaN
  bool exact = true;            // the exact value is this double (false: it rounds to it, e.g. past DBL_MAX)
  bool sign = false;            // a zero here must have the given sign (sigmoid(-inf) = +0)
};

inline const std::vector<Case>& table() {
  static const std::vector<Case> cases = {
      // sigma(+-inf) = 1, +0; NaN in, NaN out; sigma(+-0) = 1/2.
      {"sigmoid", {kInf, -kInf, kNaN, 0.0, -0.0}, 0, {}, kAny, {1, 0, kNaN, 0.5, 0.5}, true, true},
      {"log_sigmoid", {kInf, -kInf, kNaN}, 0, {}, kAny, {0, -kInf, kNaN}},
      // softmax: -inf entries get 0; all -inf: NaN; one +inf: one-hot; two +inf or any NaN: all NaN.
      {"softmax", {-kInf, 0.0}, 0, {}, kAny, {0, 1}},
      {"softmax", {-kInf, -kInf}, 0, {}, kAny, {kNaN, kNaN}},
      {"softmax", {-kInf}, 0, {}, kAny, {kNaN}},
      {"softmax", {kInf, 3.0, -kInf}, 0, {}, kAny, {1, 0, 0}},
      {"softmax", {kInf, -kInf}, 0, {}, kAny, {1, 0}},
      {"softmax", {kInf, kInf, 1.0}, 0, {}, kAny, {kNaN, kNaN, kNaN}},
      {"softmax", {1.0, kNaN, 2.0}, 0, {}, kAny, {kNaN, kNaN, kNaN}},
      {"softmax", {kNaN, kInf}, 0, {}, kAny, {kNaN, kNaN}},
      {"softmax", {-kInf, 1.0, kNaN}, 0, {}, kAny, {kNaN, kNaN, kNaN}},
      {"softmax", {42.0}, 0, {}, kAny, {1}},
      {"log_softmax", {-kInf, 0.0}, 0, {}, kAny, {-kInf, 0}},
      {"log_softmax", {-kInf, -kInf}, 0, {}, kAny, {kNaN, kNaN}},
      {"log_softmax", {-kInf}, 0, {}, kAny, {kNaN}},
      {"log_softmax", {kInf, 3.0}, 0, {}, kAny, {0, -kInf}},
      {"log_softmax", {kInf, 1.0, -kInf}, 0, {}, kAny, {0, -kInf, -kInf}},
      {"log_softmax", {kInf, kInf}, 0, {}, kAny, {kNaN, kNaN}},
      {"log_softmax", {kNaN, 0.0}, 0, {}, kAny, {kNaN, kNaN}},
      {"log_softmax", {7.25}, 0, {}, kAny, {0}},
      {"log_softmax", {1e308, -1e308}, 0, {}, kAny, {0, -kInf}, false},  // -2e308 - tiny: beyond -DBL_MAX
      // logsumexp: empty and all -inf give -inf; any +inf gives +inf; NaN wins.
      {"logsumexp", {}, 0, {}, -kInf, {}},
      {"logsumexp", {-kInf, -kInf}, 0, {}, -kInf, {}},
      {"logsumexp", {-kInf}, 0, {}, -kInf, {}},
      {"logsumexp", {kInf, 1.0}, 0, {}, kInf, {}},
      {"logsumexp", {kInf, -kInf}, 0, {}, kInf, {}},
      {"logsumexp", {kInf, kNaN}, 0, {}, kNaN, {}},
      {"logsumexp", {-kInf, kNaN}, 0, {}, kNaN, {}},
      {"logsumexp", {kNaN}, 0, {}, kNaN, {}},
      {"logsumexp", {-kInf, 2.0}, 0, {}, 2.0, {}},
      {"logsumexp", {0.0}, 0, {}, 0.0, {}},
      {"logsumexp", {-3.5, -kInf}, 0, {}, -3.5, {}},
      // cross-entropy, class k: x_k = -inf gives +inf (gradient softmax - e_k); one +inf at j: loss 0 if
      // j = k, else +inf, gradient e_j - e_k; n = 1: 0 and 0.
      {"cross_entropy", {-kInf, 0.0, 1.0}, 0, {}, kInf, {-1, kAny, kAny}},
      {"cross_entropy", {0.0, -kInf}, 1, {}, kInf, {1, -1}},
      {"cross_entropy", {kInf, 0.0, 1.0}, 0, {}, 0, {0, 0, 0}},
      {"cross_entropy", {kInf, 0.0, 1.0}, 1, {}, kInf, {1, -1, 0}},
      {"cross_entropy", {1.0, kInf, -2.0}, 0, {}, kInf, {-1, 1, 0}},
      {"cross_entropy", {kInf, kInf, 1.0}, 1, {}, kNaN, {kNaN, kNaN, kNaN}},
      {"cross_entropy", {kNaN, 0.0, 1.0}, 1, {}, kNaN, {kNaN, kNaN, kNaN}},
      {"cross_entropy", {-kInf, -kInf}, 0, {}, kNaN, {kNaN, kNaN}},
      {"cross_entropy", {-12.5}, 0, {}, 0, {0}},
      // cross-entropy, distribution: t_i = 0 at x_i = -inf counts 0 (t_i > 0 there: +inf); one +inf at j:
      // loss 0 if t is 0 off j, else +inf, gradient T e_j - t; all t = 0: 0 and 0.
      {"cross_entropy_dist", {-kInf, 0.0}, 0, {0, 1}, 0, {0, 0}},
      {"cross_entropy_dist", {-kInf, 0.0}, 0, {0.5, 0.5}, kInf, {-0.5, 0.5}},
      {"cross_entropy_dist", {0.0, -kInf}, 0, {0.5, 0.25}, kInf, {0.25, -0.25}},
      {"cross_entropy_dist", {kInf, 0.0}, 0, {1, 0}, 0, {0, 0}},
      {"cross_entropy_dist", {2.0, kInf, -1.0}, 0, {0, 3, 0}, 0, {0, 0, 0}},
      {"cross_entropy_dist", {kInf, 0.0}, 0, {0.25, 0.75}, kInf, {0.75, -0.75}},
      {"cross_entropy_dist", {kInf, kInf}, 0, {0.5, 0.5}, kNaN, {kNaN, kNaN}},
      {"cross_entropy_dist", {kNaN, 0.0}, 0, {0.5, 0.5}, kNaN, {kNaN, kNaN}},
      {"cross_entropy_dist", {1.5, -3.0}, 0, {0, 0}, 0, {0, 0}},
      // BCE with logits at x = +-inf: loss 0 where the target agrees, else +inf; gradient sigma(x) - t.
      {"bce_with_logits", {kInf}, 0, {1}, 0, {0}},
      {"bce_with_logits", {kInf}, 0, {0.5}, kInf, {0.5}},
      {"bce_with_logits", {kInf}, 0, {0.25}, kInf, {0.75}},
      {"bce_with_logits", {kInf}, 0, {0}, kInf, {1}},
      {"bce_with_logits", {-kInf}, 0, {0}, 0, {0}},
      {"bce_with_logits", {-kInf}, 0, {1}, kInf, {-1}},
      {"bce_with_logits", {-kInf}, 0, {0.5}, kInf, {-0.5}},
      {"bce_with_logits", {kNaN}, 0, {0.5}, kNaN, {kNaN}},
  };
  return cases;
}

}  // namespace softcheck::special
