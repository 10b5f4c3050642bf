// libFuzzer target for the accurate implementations: arbitrary doubles and lengths through every
// function row (properties/functions.hpp) of the input kind the first byte selects (0xf0 and above: the
// backward passes and their input forms); no crash, no UB
// (under ASan/UBSan), no NaN or infinity for finite input where a finite value is due, and every graded
// component within 1 ULP of the oracle.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "impl/kernels.hpp"
#include "impl/softcheck.hpp"
#include "oracle/oracle.hpp"
#include "oracle/ulp.hpp"
#include "properties/functions.hpp"

namespace {

namespace fn = softcheck::functions;
namespace in = softcheck::inputs;

void expect(double y, const softcheck::oracle::Ref& r, std::string_view what, std::size_t i) {
  double e = softcheck::oracle::ulp_error(y, r);
  if (!(e <= 1.0)) {
    std::fprintf(stderr, "%.*s: component %zu = %a, oracle %a (frac %g): %g ULP\n", static_cast<int>(what.size()),
                 what.data(), i, y, r.rounded, r.frac, e);
    std::abort();
  }
}

// Every function row reading inputs of `kind`: each graded component of the accurate kernels within
// 1 ULP of the oracle; a loss also from the call without its gradient.
void check_rows(const in::Kind& kind, const in::Input& input) {
  const softcheck::Kernels& k = softcheck::bundled_kernels("accurate");
  fn::Reference ref;
  ref.assign(input);
  fn::EntryOutput with, without;
  std::vector<softcheck::oracle::Ref> refs;
  std::vector<double> kappa, out;
  for (const fn::Row& row : fn::rows()) {
    if (row.input != &kind || !row.own_properties) continue;
    fn::call_entry(k, row.entry, input, true, with);
    refs.clear();
    kappa.clear();
    row.reference(ref, refs, kappa);
    fn::graded_outputs(row, input, with, out);
    for (std::size_t j = 0; j < out.size() && j < refs.size(); ++j) expect(out[j], refs[j], row.name, j);
    if (row.part == fn::Part::kValue && fn::vector_is_optional(row.entry)) {
      fn::call_entry(k, row.entry, input, false, without);
      expect(without.value, refs[0], row.name, 0);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const unsigned sel = data[0], aux = data[1];
  data += 2, size -= 2;
  std::size_t n = size / 8;
  if (n > 64) n = 64;  // the oracle costs ~1 µs per element: keep executions fast
  std::vector<double> x(n);
  if (n) std::memcpy(x.data(), data, n * 8);
  using namespace softcheck;
  in::Input input;
  if (sel >= 0xf0) {  // the backward passes (a selector range the older corpus does not use)
    // y from the first half (as it is, or through a forward: aux % 4), g the second half as it is.
    const std::size_t m = n / 2;
    input.x.assign(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(m));
    input.target.assign(x.begin() + static_cast<std::ptrdiff_t>(m), x.begin() + static_cast<std::ptrdiff_t>(2 * m));
    switch (aux % 4) {
      case 1: sigmoid(input.x, input.x); break;
      case 2: softmax(input.x, input.x); break;
      case 3: log_softmax(input.x, input.x); break;
      default: break;
    }
    using F = in::Forward;
    for (F f : {F::none, F::sigmoid, F::softmax, F::log_softmax}) check_rows(in::vector_upstream(f), input);
    std::vector<double> a(m), b = input.target;  // in place (out = g) == out of place
    softmax_backward(input.x, input.target, a);
    softmax_backward(input.x, b, b);
    for (std::size_t i = 0; i < m; ++i)
      if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) std::abort();
    return 0;
  }
  switch (sel % 6) {
    case 0:  // sigmoid, log_sigmoid: every double
      input.x = x;
      check_rows(in::scalar_x(), input);
      break;
    case 1: {  // softmax, log_softmax, logsumexp; softmax in place too
      input.x = x;
      check_rows(in::vector_x(), input);
      std::vector<double> y(n), z = x;
      softmax(x, y);
      softmax(z, z);
      for (std::size_t i = 0; i < n; ++i)
        if (!(z[i] == y[i] || (std::isnan(z[i]) && std::isnan(y[i])))) std::abort();  // in place == out of place
      break;
    }
    case 2:  // cross-entropy, class index aux % n
      if (n == 0) break;
      input.x = x;
      input.target_class = aux % n;
      check_rows(in::vector_class(), input);
      break;
    case 3: {  // cross-entropy, distribution: the second half of the doubles, made finite and >= 0
      const std::size_t m = n / 2;
      if (m == 0) break;
      input.x.assign(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(m));
      for (std::size_t i = 0; i < m; ++i) {
        double v = std::fabs(x[m + i]);
        input.target.push_back(std::isfinite(v) ? v : 1.0);
      }
      check_rows(in::vector_target(), input);
      break;
    }
    case 4:  // BCE with logits: t from the next double's fraction in [0, 1]
      for (std::size_t i = 0; i + 1 < n; i += 2) {
        double t = std::fabs(std::fmod(x[i + 1], 1.0));
        if (!std::isfinite(t)) t = aux / 255.0;
        input.x = {x[i]};
        input.bce_target = t;
        check_rows(in::scalar_target(), input);
      }
      break;
    default: {  // arguments that must be rejected, never crash: wrong lengths, bad indices and targets
      std::vector<double> y(n + 1);
      try {
        softmax(x, y);
        std::abort();
      } catch (const std::invalid_argument&) {
      }
      try {
        cross_entropy(x, n + aux);
        std::abort();
      } catch (const std::invalid_argument&) {
      }
      break;
    }
  }
  return 0;
}
