// A set of kernels in the shape of the plugin C ABI (softcheck/plugin.h): one function pointer per
// function, null where the implementation does not provide it. The bundled variants and a loaded plugin
// are both a Kernels, so the properties, the report and the gate treat them alike.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace softcheck {

struct Kernels {
  std::string name;
#define SOFTCHECK_KERNEL(entry, ret, params, args, call) ret(*entry) params = nullptr;
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL
};

// The entries' names, in the order of kernel_entries.def.
std::span<const std::string_view> kernel_entries();
// Whether k provides the entry. Throws std::invalid_argument naming an unknown entry.
bool provides(const Kernels& k, std::string_view entry);
bool provides_all(const Kernels& k);
// A copy of `base` whose entry comes from `from` (the gate's swap test, --swap). Throws
// std::invalid_argument naming an unknown entry.
Kernels swap_kernel(const Kernels& base, std::string_view entry, const Kernels& from);

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


}  // namespace softcheck
