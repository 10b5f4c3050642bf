/* softcheck plugin ABI, version 1: the C functions a shared library exports so that softcheck can grade it.
 *
 * A plugin exports softcheck_plugin_abi() (returning SOFTCHECK_PLUGIN_ABI) and any subset of the kernels
 * below; a kernel it does not export is reported as "not provided", never as a failure. Semantics are
 * those of docs/definitions.md (README: "Special values and invalid input"); softcheck calls a kernel only
 * with valid arguments (n >= 1 where the function needs it, target < n, targets finite and >= 0, BCE
 * target in [0, 1], y of n elements, y either x itself or apart from it). Kernels must not keep the
 * pointers they are given. softcheck's own exported kernels (libsoftcheck_accurate.so, ...) abort with the
 * message of the invalid argument when another caller breaks these rules.
 */
#ifndef SOFTCHECK_PLUGIN_H
#define SOFTCHECK_PLUGIN_H

#include <stddef.h>

#define SOFTCHECK_PLUGIN_ABI 1

#if defined(_WIN32)
#define SOFTCHECK_PLUGIN_EXPORT __declspec(dllexport)
#else
#define SOFTCHECK_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Required: returns SOFTCHECK_PLUGIN_ABI. */
SOFTCHECK_PLUGIN_EXPORT int softcheck_plugin_abi(void);
/* Optional: a display name (static storage). */
SOFTCHECK_PLUGIN_EXPORT const char *softcheck_plugin_name(void);

SOFTCHECK_PLUGIN_EXPORT void softcheck_sigmoid(const double *x, size_t n, double *y);
SOFTCHECK_PLUGIN_EXPORT void softcheck_log_sigmoid(const double *x, size_t n, double *y);
/* Backward pass, input form: y_i = sigmoid(x_i) sigmoid(-x_i), the exact derivative. */
SOFTCHECK_PLUGIN_EXPORT void softcheck_sigmoid_derivative(const double *x, size_t n, double *y);
/* Backward pass, framework form: out_i = g_i y_i (1 - y_i) for the forward's output y and the upstream
 * gradient g (any doubles; out may be y or g itself). */
SOFTCHECK_PLUGIN_EXPORT void softcheck_sigmoid_backward(const double *y, const double *g, size_t n, double *out);
SOFTCHECK_PLUGIN_EXPORT void softcheck_softmax(const double *x, size_t n, double *y);
SOFTCHECK_PLUGIN_EXPORT void softcheck_log_softmax(const double *x, size_t n, double *y);
/* Backward passes, framework form (y the forward's output, g the upstream gradient, any doubles; out may
 * be y or g itself): out_i = y_i (g_i - sum_j g_j y_j), and out_i = g_i - exp(y_i) sum_j g_j. */
SOFTCHECK_PLUGIN_EXPORT void softcheck_softmax_backward(const double *y, const double *g, size_t n, double *out);
SOFTCHECK_PLUGIN_EXPORT void softcheck_log_softmax_backward(const double *y, const double *g, size_t n,
                                                             double *out);
/* Backward passes, input form (the exact vector-Jacobian products at x, p = softmax(x)):
 * out = p (g - <g, p>), and out = g - p sum_j g_j. */
SOFTCHECK_PLUGIN_EXPORT void softcheck_softmax_vjp(const double *x, const double *g, size_t n, double *out);
SOFTCHECK_PLUGIN_EXPORT void softcheck_log_softmax_vjp(const double *x, const double *g, size_t n, double *out);
SOFTCHECK_PLUGIN_EXPORT double softcheck_logsumexp(const double *x, size_t n);
/* grad may be NULL (loss only); else n elements receiving softmax(x) - e_target. */
SOFTCHECK_PLUGIN_EXPORT double softcheck_cross_entropy(const double *x, size_t n, size_t target, double *grad);
/* grad may be NULL; else n elements receiving (sum t) softmax(x) - t. */
SOFTCHECK_PLUGIN_EXPORT double softcheck_cross_entropy_dist(const double *x, const double *t, size_t n,
                                                            double *grad);
/* grad may be NULL; else receives sigmoid(x) - t. */
SOFTCHECK_PLUGIN_EXPORT double softcheck_bce_with_logits(double x, double t, double *grad);

#ifdef __cplusplus
}
#endif

#endif /* SOFTCHECK_PLUGIN_H */
