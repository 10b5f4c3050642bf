// The plugin ABI: the bundled variants built as .so load back as the same kernels; bad paths get clear errors.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "impl/kernels.hpp"

namespace {

const std::string kDir = SOFTCHECK_PLUGIN_DIR;

std::string message_of(const std::string& path) {
  try {
    softcheck::load_kernels(path);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(Plugin, BundledVariantsLoadBackAsTheSameKernels) {
  for (const std::string name : {"accurate", "standard", "naive"}) {
    softcheck::Kernels p = softcheck::load_kernels(kDir + "/libsoftcheck_" + name + ".so");
    const softcheck::Kernels& b = softcheck::bundled_kernels(name);
    EXPECT_EQ(p.name, name);
    ASSERT_TRUE(softcheck::provides_all(p));
    std::vector<double> x{2, 3, 5, 6}, y1(4), y2(4), g1(4), g2(4);
    p.softmax(x.data(), 4, y1.data());
    b.softmax(x.data(), 4, y2.data());
    EXPECT_EQ(y1, y2) << name;
    EXPECT_EQ(p.cross_entropy(x.data(), 4, 1, g1.data()), b.cross_entropy(x.data(), 4, 1, g2.data()));
    EXPECT_EQ(g1, g2) << name;
    double ga = 0, gb = 0;
    EXPECT_EQ(p.bce_with_logits(0.5, 0.25, &ga), b.bce_with_logits(0.5, 0.25, &gb));
    EXPECT_EQ(ga, gb);
  }
}

TEST(Plugin, BadPathsAreClearErrors) {
  EXPECT_NE(message_of("/nonexistent/libx.so").find("does not exist"), std::string::npos);
  EXPECT_NE(message_of("/tmp").find("directory"), std::string::npos);
  EXPECT_NE(message_of("bogus").find("unknown implementation 'bogus'"), std::string::npos);
  // A real shared library that is not a softcheck plugin.
  EXPECT_NE(message_of(SOFTCHECK_NOT_A_PLUGIN).find("not a softcheck plugin"), std::string::npos);
  // A file that is not a shared library at all.
  EXPECT_NE(message_of(std::string(SOFTCHECK_SOURCE_DIR) + "/README.md").find("cannot be loaded"),
            std::string::npos);
}

}  // namespace
