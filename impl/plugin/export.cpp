// A bundled variant exported through the plugin C ABI: built three times (SOFTCHECK_VARIANT = accurate,
// standard, naive) as libsoftcheck_<variant>.so, so any tool can load our kernels the way softcheck loads
// a user's.
#include <softcheck/plugin.h>

#include "impl/kernels.hpp"

#ifndef SOFTCHECK_VARIANT
#error "define SOFTCHECK_VARIANT"
#endif

namespace {
const softcheck::Kernels& k() {
  static const softcheck::Kernels& kernels = softcheck::bundled_kernels(SOFTCHECK_VARIANT);
  return kernels;
}
}  // namespace

extern "C" {
int softcheck_plugin_abi(void) { return SOFTCHECK_PLUGIN_ABI; }
const char* softcheck_plugin_name(void) { return SOFTCHECK_VARIANT; }
void softcheck_sigmoid(const double* x, size_t n, double* y) { k().sigmoid(x, n, y); }
void softcheck_log_sigmoid(const double* x, size_t n, double* y) { k().log_sigmoid(x, n, y); }
void softcheck_softmax(const double* x, size_t n, double* y) { k().softmax(x, n, y); }
void softcheck_log_softmax(const double* x, size_t n, double* y) { k().log_softmax(x, n, y); }
double softcheck_logsumexp(const double* x, size_t n) { return k().logsumexp(x, n); }
double softcheck_cross_entropy(const double* x, size_t n, size_t target, double* grad) {
  return k().cross_entropy(x, n, target, grad);
}
double softcheck_cross_entropy_dist(const double* x, const double* t, size_t n, double* grad) {
  return k().cross_entropy_dist(x, t, n, grad);
}
double softcheck_bce_with_logits(double x, double t, double* grad) { return k().bce_with_logits(x, t, grad); }
}
