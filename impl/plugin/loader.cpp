// Loading an implementation by name: a bundled variant, or a plugin shared library through the C ABI.
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <vector>
#include <stdexcept>
#include <string>

#include <softcheck/plugin.h>

#include <type_traits>

#include "impl/kernels.hpp"

namespace softcheck {
namespace {

template <class F>
void bind(void* handle, const char* symbol, F& slot) {
  slot = reinterpret_cast<F>(dlsym(handle, symbol));  // null: not provided
}

// plugin.h, the header users compile against, declares every entry with the Kernels signature.
#define SOFTCHECK_KERNEL(entry, ret, params, args, call)                                \
  static_assert(std::is_same_v<decltype(&::softcheck_##entry), decltype(Kernels::entry)>, \
                "softcheck/plugin.h and impl/kernel_entries.def disagree on softcheck_" #entry);
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL

}  // namespace

Kernels load_plugin(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw std::invalid_argument("plugin '" + path + "' does not exist");
  if (std::filesystem::is_directory(path, ec))
    throw std::invalid_argument("plugin '" + path + "' is a directory, not a shared library");
  // RTLD_LOCAL: two plugins exporting the same names do not clash. Never unloaded: the Kernels keeps
  // pointers into it for the life of the process.
  void* handle = dlopen(std::filesystem::absolute(path).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw std::invalid_argument("plugin '" + path + "' cannot be loaded: " + (why ? why : "unknown error"));
  }
  using AbiFn = int (*)();
  using NameFn = const char* (*)();
  AbiFn abi = reinterpret_cast<AbiFn>(dlsym(handle, "softcheck_plugin_abi"));
  if (!abi)
    throw std::invalid_argument("plugin '" + path +
                                "' is not a softcheck plugin: it does not export softcheck_plugin_abi");
  int version = abi();
  if (version != 1)
    throw std::invalid_argument("plugin '" + path + "' speaks ABI version " + std::to_string(version) +
                                "; this softcheck speaks version 1");
  Kernels k;
  NameFn name = reinterpret_cast<NameFn>(dlsym(handle, "softcheck_plugin_name"));
  const char* n = name ? name() : nullptr;
  k.name = n && *n ? n : std::filesystem::path(path).stem().string();
#define SOFTCHECK_KERNEL(entry, ret, params, args, call) bind(handle, "softcheck_" #entry, k.entry);
#include "impl/kernel_entries.def"
#undef SOFTCHECK_KERNEL
  return k;
}

std::vector<std::string> plugin_search_path() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("SOFTCHECK_PLUGIN_PATH")) {
    std::string s = env;
    for (std::size_t start = 0; start <= s.size();) {
      std::size_t end = s.find(':', start);
      if (end == std::string::npos) end = s.size();
      if (end > start) dirs.push_back(s.substr(start, end - start));
      start = end + 1;
    }
  }
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back((exe.parent_path() / "plugins").string());                  // build tree
    dirs.push_back((exe.parent_path().parent_path() / "lib" / "softcheck").string());  // installed
  }
  return dirs;
}

std::string find_named_plugin(const std::string& name) {
  std::error_code ec;
  for (const auto& dir : plugin_search_path()) {
    auto p = std::filesystem::path(dir) / ("libsoftcheck_" + name + ".so");
    if (std::filesystem::exists(p, ec)) return p.string();
  }
  return {};
}

Kernels load_kernels(const std::string& name_or_path) {
  for (const auto& b : bundled_kernel_names())
    if (name_or_path == b) return bundled_kernels(b);
  if (name_or_path.find('/') == std::string::npos && name_or_path.find(".so") == std::string::npos) {
    std::string found = find_named_plugin(name_or_path);
    if (!found.empty()) return load_plugin(found);
    throw std::invalid_argument("unknown implementation '" + name_or_path +
                                "': give accurate, standard, naive, a plugin name found as libsoftcheck_<name>.so "
                                "on SOFTCHECK_PLUGIN_PATH or beside the program (torch, when built), or a path "
                                "to a plugin .so");
  }
  return load_plugin(name_or_path);
}

std::vector<std::string> available_kernel_names() {
  std::vector<std::string> names = bundled_kernel_names();
  if (!find_named_plugin("torch").empty()) names.push_back("torch");
  return names;
}

}  // namespace softcheck
