/* A user's kernel as a softcheck plugin: a max-shift softmax family and its backward passes written in C, as
 * many projects ship them.
 * Build it with softcheck_add_plugin (see CMakeLists.txt) and grade it with `softcheck check --impl`. */
#include <math.h>
#include <softcheck/plugin.h>

int softcheck_plugin_abi(void) { return SOFTCHECK_PLUGIN_ABI; }
const char *softcheck_plugin_name(void) { return MY_KERNEL_NAME; }

static double max_of(const double *x, size_t n) {
  double m = -INFINITY;
  for (size_t i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

void softcheck_sigmoid(const double *x, size_t n, double *y) {
  for (size_t i = 0; i < n; ++i) {
    double e = exp(-fabs(x[i])); /* the split formula: never overflows */
    y[i] = x[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
}

void softcheck_softmax(const double *x, size_t n, double *y) {
  double m = max_of(x, n), s = 0;
  for (size_t i = 0; i < n; ++i) s += exp(x[i] - m);
  for (size_t i = 0; i < n; ++i) y[i] = exp(x[i] - m) / s;
#ifdef MY_KERNEL_BROKEN
  /* The deliberate bug of the broken copy: the last probability is dropped from the output. */
  if (n > 1) y[n - 1] = 0;
#endif
}

double softcheck_logsumexp(const double *x, size_t n) {
  double m = max_of(x, n), s = 0;
  if (isinf(m)) return m;
  for (size_t i = 0; i < n; ++i) s += exp(x[i] - m);
  return m + log(s);
}

double softcheck_cross_entropy(const double *x, size_t n, size_t target, double *grad) {
  double m = max_of(x, n), s = 0;
  for (size_t i = 0; i < n; ++i) s += exp(x[i] - m);
  double lse = m + log(s);
  if (grad) {
    for (size_t i = 0; i < n; ++i) grad[i] = exp(x[i] - lse);
#ifdef MY_KERNEL_BROKEN
    grad[target] += 1; /* the deliberate bug: the sign of the one-hot term */
#else
    grad[target] -= 1;
#endif
  }
  return lse - x[target];
}

/* The backward passes as frameworks write them, from the forward's output y and the upstream gradient g. */
void softcheck_sigmoid_backward(const double *y, const double *g, size_t n, double *out) {
  for (size_t i = 0; i < n; ++i) out[i] = g[i] * (1 - y[i]) * y[i];
}

void softcheck_softmax_backward(const double *y, const double *g, size_t n, double *out) {
  double dot = 0;
  for (size_t j = 0; j < n; ++j) dot += g[j] * y[j];
  for (size_t i = 0; i < n; ++i) out[i] = y[i] * (g[i] - dot);
}

void softcheck_log_softmax_backward(const double *y, const double *g, size_t n, double *out) {
  double sum = 0;
  for (size_t j = 0; j < n; ++j) sum += g[j];
  for (size_t i = 0; i < n; ++i) out[i] = g[i] - exp(y[i]) * sum;
}
