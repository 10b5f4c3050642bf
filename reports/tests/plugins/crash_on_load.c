/* A test plugin that crashes while it is loaded (a constructor run by dlopen): softcheck must report it as
 * an input error naming the plugin (exit 2), not die with it (reports/tests/cli_isolation.cmake). */
#include <signal.h>

#include "softcheck/plugin.h"

__attribute__((constructor)) static void crash_on_load(void) { raise(SIGSEGV); }

int softcheck_plugin_abi(void) { return SOFTCHECK_PLUGIN_ABI; }

void softcheck_sigmoid(const double *x, size_t n, double *y) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i];
}
