/* A test plugin whose kernels never return on some inputs (reports/tests/cli_isolation.cmake): sigmoid
 * loops forever for 10 < x < 15, log_sigmoid on every input. softcheck must kill the call after
 * --call-timeout, record it as hung, give up on log_sigmoid after --max-crashes, and go on. */
#include <math.h>

#include "softcheck/plugin.h"

int softcheck_plugin_abi(void) { return SOFTCHECK_PLUGIN_ABI; }
const char *softcheck_plugin_name(void) { return "hanging"; }

static void forever(void) {
  volatile unsigned long spin = 0;
  for (;;) ++spin;
}

void softcheck_sigmoid(const double *x, size_t n, double *y) {
  for (size_t i = 0; i < n; ++i) {
    if (x[i] > 10 && x[i] < 15) forever();
    y[i] = 1 / (1 + exp(-x[i]));
  }
}

void softcheck_log_sigmoid(const double *x, size_t n, double *y) {
  (void)x;
  (void)n;
  (void)y;
  forever();
}
