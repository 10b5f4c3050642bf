// The bundled variants as Kernels (the plugin ABI's shape), so every part can treat them like a plugin.
#include "impl/kernels.hpp"

#include <stdexcept>

#include "impl/softcheck.hpp"
#include "impl/variants.hpp"

namespace softcheck {
namespace {

// The bundled variants as Kernels: each entry's `call` (kernel_entries.def), `ns` naming the variant.
#define SOFTCHECK_KERNEL(entry, ret, params, args, call) \
  k.entry = [] params -> ret { return call; };
Kernels make_accurate() {
  namespace ns = ::softcheck;
  Kernels k;
  k.name = "accurate";
#include "impl/kernel_entries.def"
  return k;
}
Kernels make_standard() {
  namespace ns = ::softcheck::standard;
  Kernels k;
  k.name = "standard";
#include "impl/kernel_entries.def"
  return k;
}
Kernels make_naive() {
  namespace ns = ::softcheck::naive;
  Kernels k;
  k.name = "naive";
#include "impl/kernel_entries.def"
  return k;
}
#undef SOFTCHECK_KERNEL

}  // namespace

std::span<const std::string_view> kernel_entries() {
  static constexpr std::string_view entries[] = {
#define SOFTCHECK_KERNEL(entry, ret, params, args, call) #entry,
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL
  };
  return entries;
}

namespace {
[[noreturn]] void unknown_entry(std::string_view entry) {
  std::string known;
  for (std::string_view e : kernel_entries()) known += (known.empty() ? "" : ", ") + std::string(e);
  throw std::invalid_argument("unknown kernel entry '" + std::string(entry) + "' (known: " + known + ")");
}
}  // namespace

bool provides(const Kernels& k, std::string_view entry) {
#define SOFTCHECK_KERNEL(e, ret, params, args, call) \
  if (entry == #e) return k.e != nullptr;
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL
  unknown_entry(entry);
}

bool provides_all(const Kernels& k) {
  bool all = true;
#define SOFTCHECK_KERNEL(e, ret, params, args, call) all = all && k.e != nullptr;
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL
  return all;
}

Kernels swap_kernel(const Kernels& base, std::string_view entry, const Kernels& from) {
  Kernels k = base;
#define SOFTCHECK_KERNEL(e, ret, params, args, call) \
  if (entry == #e) {                           \
    k.e = from.e;                              \
    return k;                                  \
  }
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL
  unknown_entry(entry);
}

const std::vector<std::string>& bundled_kernel_names() {
  static const std::vector<std::string> names{"accurate", "standard", "naive"};
  return names;
}

const Kernels& bundled_kernels(std::string_view name) {
  static const Kernels accurate = make_accurate(), standard = make_standard(), naive = make_naive();
  if (name == "accurate") return accurate;
  if (name == "standard") return standard;
  if (name == "naive") return naive;
  throw std::invalid_argument("unknown implementation '" + std::string(name) +
                              "' (bundled: accurate, standard, naive)");
}

}  // namespace softcheck
