// A set of kernels in the shape of the plugin C ABI (softcheck/plugin.h): one function pointer per
// function, null where the implementation does not provide it. The bundled variants and a loaded plugin
// are both a Kernels, so the properties, the report and the gate treat them alike.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace softcheck {

struct Kernels {
  std::string name;
  void (*sigmoid)(const double* x, std::size_t n, double* y) = nullptr;
  void (*log_sigmoid)(const double* x, std::size_t n, double* y) = nullptr;
  void (*softmax)(const double* x, std::size_t n, double* y) = nullptr;
  void (*log_softmax)(const double* x, std::size_t n, double* y) = nullptr;
  double (*logsumexp)(const double* x, std::size_t n) = nullptr;
  // grad may be null (loss only).
  double (*cross_entropy)(const double* x, std::size_t n, std::size_t target, double* grad) = nullptr;
  double (*cross_entropy_dist)(const double* x, const double* t, std::size_t n, double* grad) = nullptr;
  double (*bce_with_logits)(double x, double t, double* grad) = nullptr;
};

// The bundled variants: "accurate", "standard", "naive". Throws std::invalid_argument for another name.
const Kernels& bundled_kernels(std::string_view name);
// Their names, accurate first.
const std::vector<std::string>& bundled_kernel_names();

// A plugin shared library (softcheck/plugin.h, ABI 1): its exported kernels, null where not exported.
// Throws std::invalid_argument naming the path and the problem (missing file, not loadable, no
// softcheck_plugin_abi, another ABI version).
Kernels load_plugin(const std::string& path);
// A bundled name (accurate, standard, naive), a plugin name N found as libsoftcheck_N.so on
// SOFTCHECK_PLUGIN_PATH, in <program dir>/plugins or <program dir>/../lib/softcheck (e.g. torch), or a
// path to a plugin (contains '/' or ".so").
Kernels load_kernels(const std::string& name_or_path);
// The bundled names, and torch where its plugin was built.
std::vector<std::string> available_kernel_names();

// Which functions a Kernels provides, by the report's and the properties' function names.
inline bool provides_all(const Kernels& k) {
  return k.sigmoid && k.log_sigmoid && k.softmax && k.log_softmax && k.logsumexp && k.cross_entropy &&
         k.cross_entropy_dist && k.bce_with_logits;
}

}  // namespace softcheck
