/* A test plugin whose kernels crash on particular inputs (reports/tests/cli_isolation.cmake): softmax
 * segfaults when n == 7, logsumexp aborts when n == 13; every other call is a plain max-shifted softmax.
 * softcheck must record each crash against that call and input, keep every other result, and go on. */
#include <math.h>
#include <stdlib.h>

#include "softcheck/plugin.h"

int softcheck_plugin_abi(void) { return SOFTCHECK_PLUGIN_ABI; }
const char *softcheck_plugin_name(void) { return "crashing"; }

/* A volatile pointer: the compiler cannot see it is null, so this is a real SIGSEGV, not a trap it inserted. */
static int *volatile nowhere = NULL;

static double max_of(const double *x, size_t n) {
  double m = x[0];
  for (size_t i = 1; i < n; ++i)
    if (x[i] > m) m = x[i];
  return m;
}

void softcheck_softmax(const double *x, size_t n, double *y) {
  if (n == 7) *nowhere = 1; /* SIGSEGV */
  const double m = max_of(x, n);
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += (y[i] = exp(x[i] - m));
  for (size_t i = 0; i < n; ++i) y[i] /= s;
}

void softcheck_log_softmax(const double *x, size_t n, double *y) {
  const double m = max_of(x, n);
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += exp(x[i] - m);
  for (size_t i = 0; i < n; ++i) y[i] = x[i] - m - log(s);
}

double softcheck_logsumexp(const double *x, size_t n) {
  if (n == 13) abort(); /* SIGABRT */
  const double m = max_of(x, n);
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += exp(x[i] - m);
  return m + log(s);
}
