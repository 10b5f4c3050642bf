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
#define SOFTCHECK_KERNEL(entry, ret, params, args, call) \
  ret softcheck_##entry params { return k().entry args; }
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL
}
