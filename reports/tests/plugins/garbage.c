/* A test plugin that returns garbage without crashing (reports/tests/cli_isolation.cmake): log_softmax is
 * NaN everywhere, softmax has the wrong sign. Not a crash: the grading counts NaN where a finite value was
 * due as an infinite error (nonfinite) and a wrong sign as a huge ULP error; the gate fails on both. */
#include <math.h>

#include "softcheck/plugin.h"

int softcheck_plugin_abi(void) { return SOFTCHECK_PLUGIN_ABI; }
const char *softcheck_plugin_name(void) { return "garbage"; }

void softcheck_softmax(const double *x, size_t n, double *y) {
  double m = x[0], s = 0;
  for (size_t i = 1; i < n; ++i)
    if (x[i] > m) m = x[i];
  for (size_t i = 0; i < n; ++i) s += (y[i] = exp(x[i] - m));
  for (size_t i = 0; i < n; ++i) y[i] = -y[i] / s;
}

void softcheck_log_softmax(const double *x, size_t n, double *y) {
  (void)x;
  for (size_t i = 0; i < n; ++i) y[i] = NAN;
}
