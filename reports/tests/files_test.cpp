// Files: hex floats that round-trip, worst-case (.wc) files read and written, atomic writes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <unistd.h>

#include "reports/common.hpp"
#include "reports/worst.hpp"

namespace sr = softcheck::reports;
namespace fs = std::filesystem;

TEST(Hex, RoundTripsEveryKindOfDouble) {
  for (double v : {0.0, -0.0, 1.0, -2.5, 0x1p-1074, 0x1.fffffffffffffp+1023, 0.1, -1e-310,
                   std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    const auto back = sr::parse_double(sr::hex(v));
    ASSERT_TRUE(back) << sr::hex(v);
    EXPECT_EQ(std::signbit(*back), std::signbit(v));
    EXPECT_EQ(*back, v) << sr::hex(v);
  }
  EXPECT_TRUE(std::isnan(*sr::parse_double(sr::hex(std::nan("")))));
  EXPECT_FALSE(sr::parse_double("1.5x"));
  EXPECT_FALSE(sr::parse_double(""));
}

TEST(WorstFile, RoundTripsEveryInputKind) {
  sr::WorstFile f;
  f.header = {"test file", "second line"};
  sr::WorstCase c;
  c.input.x = {1.5, -0x1p-1074, 1000};
  c.input.target_class = 2;
  c.note = "standard: 3 ULP";
  f.cases.push_back(c);
  const std::string text = sr::format_worst_file(f, softcheck::inputs::vector_class());
  const sr::WorstFile back = sr::parse_worst_file(text, softcheck::inputs::vector_class(), "t.wc");
  ASSERT_EQ(back.cases.size(), 1u);
  EXPECT_EQ(back.cases[0].input.x, c.input.x);
  EXPECT_EQ(back.cases[0].input.target_class, 2u);
  EXPECT_EQ(back.cases[0].note, "standard: 3 ULP");
  EXPECT_EQ(back.header, f.header);
  const sr::Input d = sr::parse_case("0x1p+0 2 | 0.25 0x1p-1", softcheck::inputs::vector_target());
  EXPECT_EQ(d.target, (std::vector<double>{0.25, 0.5}));
  const sr::Input b = sr::parse_case("-0x1.8p+3 | 1", softcheck::inputs::scalar_target());
  EXPECT_EQ(b.bce_target, 1.0);
}

TEST(WorstFile, BadLinesNameTheFileAndLine) {
  try {
    sr::parse_worst_file("# header\n1 2 3 | 7\n", softcheck::inputs::vector_class(), "softmax.wc");
    FAIL() << "no error";
  } catch (const sr::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("softmax.wc:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(sr::parse_case("1 zz", softcheck::inputs::vector_x()), sr::InputError);
  EXPECT_THROW(sr::parse_case("1 2 | 0.5", softcheck::inputs::vector_target()), sr::InputError);
  EXPECT_THROW(sr::parse_case("1 | 2", softcheck::inputs::vector_x()), sr::InputError);
}

TEST(AtomicWrite, LeavesOnlyTheFinishedFile) {
  const fs::path dir = fs::temp_directory_path() / ("softcheck-files-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  sr::ensure_writable_dir(dir);
  sr::write_atomically(dir / "a.txt", "first");
  sr::write_atomically(dir / "a.txt", "second");
  EXPECT_EQ(sr::read_file(dir / "a.txt"), "second");
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().filename(), "a.txt");
  }
  EXPECT_EQ(files, 1u);
  // A folder that cannot exist (below a regular file): a clear InputError, whoever runs the test.
  EXPECT_THROW(sr::ensure_writable_dir(dir / "a.txt" / "sub"), sr::InputError);
  EXPECT_THROW(sr::write_atomically(dir / "missing" / "b.txt", "x"), sr::InputError);
  EXPECT_THROW(sr::read_file(dir / "nope.json"), sr::InputError);
  fs::remove_all(dir);
}
