// libFuzzer target for the accurate implementations: arbitrary doubles and lengths through every
// function; no crash, no UB (under ASan/UBSan), no NaN or infinity for finite input where a finite value
// is due, and every output component within 1 ULP of the oracle.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "impl/softcheck.hpp"
#include "oracle/oracle.hpp"
#include "oracle/ulp.hpp"

namespace {

void expect(double y, const softcheck::oracle::Ref& r, const char* fn, std::size_t i) {
  double e = softcheck::oracle::ulp_error(y, r);
  if (!(e <= 1.0)) {
    std::fprintf(stderr, "%s: component %zu = %a, oracle %a (frac %g): %g ULP\n", fn, i, y, r.rounded, r.frac, e);
    std::abort();
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
  switch (sel % 6) {
    case 0:  // sigmoid, log_sigmoid per element
      for (std::size_t i = 0; i < n; ++i) {
        expect(sigmoid(x[i]), oracle::sigmoid(x[i]), "sigmoid", i);
        expect(log_sigmoid(x[i]), oracle::log_sigmoid(x[i]), "log_sigmoid", i);
      }
      break;
    case 1: {  // softmax, log_softmax, logsumexp (also in place)
      std::vector<double> y(n), z = x;
      oracle::Vector ov(x);
      std::vector<oracle::Ref> r(n);
      softmax(x, y);
      ov.softmax(r);
      for (std::size_t i = 0; i < n; ++i) expect(y[i], r[i], "softmax", i);
      softmax(z, z);
      for (std::size_t i = 0; i < n; ++i)
        if (!(z[i] == y[i] || (std::isnan(z[i]) && std::isnan(y[i])))) std::abort();  // in place == out of place
      log_softmax(x, y);
      ov.log_softmax(r);
      for (std::size_t i = 0; i < n; ++i) expect(y[i], r[i], "log_softmax", i);
      expect(logsumexp(x), ov.logsumexp(), "logsumexp", 0);
      break;
    }
    case 2: {  // cross-entropy, class index
      if (n == 0) break;
      std::size_t k = aux % n;
      std::vector<double> g(n);
      std::vector<oracle::Ref> r(n);
      oracle::Vector ov(x);
      expect(cross_entropy(x, k, g), ov.cross_entropy(k, r), "cross_entropy", 0);
      for (std::size_t i = 0; i < n; ++i) expect(g[i], r[i], "cross_entropy grad", i);
      break;
    }
    case 3: {  // cross-entropy, distribution: the second half of the doubles, made finite and >= 0
      std::size_t m = n / 2;
      if (m == 0) break;
      std::vector<double> xs(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(m)), t(m), g(m);
      for (std::size_t i = 0; i < m; ++i) {
        double v = std::fabs(x[m + i]);
        t[i] = std::isfinite(v) ? v : 1.0;
      }
      std::vector<oracle::Ref> r(m);
      oracle::Vector ov(xs);
      expect(cross_entropy(xs, std::span<const double>(t), g), ov.cross_entropy(std::span<const double>(t), r),
             "cross_entropy_dist", 0);
      for (std::size_t i = 0; i < m; ++i) expect(g[i], r[i], "cross_entropy_dist grad", i);
      break;
    }
    case 4:  // BCE with logits: t from the next double's fraction in [0, 1]
      for (std::size_t i = 0; i + 1 < n; i += 2) {
        double t = std::fabs(std::fmod(x[i + 1], 1.0));
        if (!std::isfinite(t)) t = aux / 255.0;
        double g = 0;
        oracle::Ref rg;
        expect(bce_with_logits(x[i], t, &g), oracle::bce_with_logits(x[i], t, &rg), "bce_with_logits", i);
        expect(g, rg, "bce_with_logits grad", i);
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
