// The bundled variants as Kernels (the plugin ABI's shape), so every part can treat them like a plugin.
#include "impl/kernels.hpp"

#include <stdexcept>

#include "impl/softcheck.hpp"
#include "impl/variants.hpp"

namespace softcheck {
namespace {

// One adapter per namespace: the C-ABI-shaped entry points over the std::span API.
#define SOFTCHECK_KERNELS(ns, label)                                                                   \
  Kernels make_##label() {                                                                           \
    Kernels k;                                                                                       \
    k.name = #label;                                                                                 \
    k.sigmoid = [](const double* x, std::size_t n, double* y) { ns::sigmoid({x, n}, {y, n}); };      \
    k.log_sigmoid = [](const double* x, std::size_t n, double* y) { ns::log_sigmoid({x, n}, {y, n}); }; \
    k.softmax = [](const double* x, std::size_t n, double* y) { ns::softmax({x, n}, {y, n}); };      \
    k.log_softmax = [](const double* x, std::size_t n, double* y) { ns::log_softmax({x, n}, {y, n}); }; \
    k.logsumexp = [](const double* x, std::size_t n) { return ns::logsumexp({x, n}); };              \
    k.cross_entropy = [](const double* x, std::size_t n, std::size_t t, double* g) {                 \
      return ns::cross_entropy({x, n}, t, g ? std::span<double>(g, n) : std::span<double>());        \
    };                                                                                               \
    k.cross_entropy_dist = [](const double* x, const double* t, std::size_t n, double* g) {          \
      return ns::cross_entropy({x, n}, std::span<const double>(t, n),                                \
                               g ? std::span<double>(g, n) : std::span<double>());                   \
    };                                                                                               \
    k.bce_with_logits = [](double x, double t, double* g) { return ns::bce_with_logits(x, t, g); };   \
    return k;                                                                                        \
  }

namespace acc = ::softcheck;
SOFTCHECK_KERNELS(acc, accurate)
SOFTCHECK_KERNELS(::softcheck::standard, standard)
SOFTCHECK_KERNELS(::softcheck::naive, naive)
#undef SOFTCHECK_KERNELS

}  // namespace

std::span<const std::string_view> kernel_entries() {
  static constexpr std::string_view entries[] = {
#define SOFTCHECK_KERNEL(entry, ret, params, args) #entry,
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
#define SOFTCHECK_KERNEL(e, ret, params, args) \
  if (entry == #e) return k.e != nullptr;
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL
  unknown_entry(entry);
}

bool provides_all(const Kernels& k) {
  bool all = true;
#define SOFTCHECK_KERNEL(e, ret, params, args) all = all && k.e != nullptr;
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL
  return all;
}

Kernels swap_kernel(const Kernels& base, std::string_view entry, const Kernels& from) {
  Kernels k = base;
#define SOFTCHECK_KERNEL(e, ret, params, args) \
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
