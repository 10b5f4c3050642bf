// The oracle against values computed independently with GNU bc (tests/data/reference.txt).
#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "oracle/oracle.hpp"
#include "oracle/ulp.hpp"

namespace so = softcheck::oracle;

namespace {

struct Case {
  std::string line, name;
  std::map<std::string, std::string> field;
};

std::vector<double> doubles(const std::string& list) {
  std::vector<double> out;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(std::strtod(item.c_str(), nullptr));
  return out;
}

std::vector<Case> load() {
  std::ifstream in(SOFTCHECK_ORACLE_DATA_DIR "/reference.txt");
  std::vector<Case> cases;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream ss(line);
    Case c;
    c.line = line;
    ss >> c.name;
    for (std::string kv; ss >> kv;) {
      const auto eq = kv.find('=');
      c.field[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    cases.push_back(c);
  }
  return cases;
}

so::Ref evaluate(const Case& c) {
  const auto x = doubles(c.field.at("x"));
  const auto index = [&](const char* key) { return static_cast<std::size_t>(std::stoul(c.field.at(key))); };
  if (c.name == "sigmoid") return so::sigmoid(x[0]);
  if (c.name == "log_sigmoid") return so::log_sigmoid(x[0]);
  if (c.name == "logsumexp") return so::logsumexp(x);
  if (c.name == "softmax") return so::softmax(x)[index("i")];
  if (c.name == "log_softmax") return so::log_softmax(x)[index("i")];
  if (c.name == "ce_loss" || c.name == "ce_grad") {
    std::vector<so::Ref> grad(x.size());
    so::Vector v(x);
    const so::Ref loss = v.cross_entropy(index("k"), grad);
    return c.name == "ce_loss" ? loss : grad[index("i")];
  }
  const double t = std::strtod(c.field.at("t").c_str(), nullptr);
  so::Ref grad;
  const so::Ref loss = so::bce_with_logits(x[0], t, &grad);
  if (c.name == "bce_loss") return loss;
  if (c.name == "bce_grad") return grad;
  ADD_FAILURE() << "unknown case " << c.name;
  return {};
}

// (v - RN(v)) / ulp(v) from the decimal reference, in 600-bit arithmetic; ulp as in docs/definitions.md.
double reference_frac(const std::string& decimal, double rounded) {
  mpfr_t v;
  mpfr_init2(v, 600);
  mpfr_set_str(v, decimal.c_str(), 10, MPFR_RNDN);
  long e = mpfr_zero_p(v) ? -1074 : static_cast<long>(mpfr_get_exp(v)) - 1;
  e = std::max(e, -1022L) - 52;
  mpfr_sub_d(v, v, rounded, MPFR_RNDN);
  mpfr_mul_2si(v, v, -e, MPFR_RNDN);
  const double frac = mpfr_get_d(v, MPFR_RNDN);
  mpfr_clear(v);
  return frac;
}

}  // namespace

TEST(ReferenceData, MatchesBcToTheLastBitAndFrac) {
  mpfr_set_emin(mpfr_get_emin_min());
  mpfr_set_emax(mpfr_get_emax_max());
  const auto cases = load();
  ASSERT_GE(cases.size(), 50u) << "reference.txt missing or short";
  for (const Case& c : cases) {
    const std::string& value = c.field.at("v");
    const double rounded = std::strtod(value.c_str(), nullptr);  // glibc strtod rounds correctly
    const so::Ref r = evaluate(c);
    EXPECT_TRUE(r.certain) << c.line;
    EXPECT_EQ(r.rounded, rounded) << c.line;
    // 60 significant digits leave the reference frac within ~1e-40 of the truth.
    EXPECT_NEAR(r.frac, reference_frac(value, rounded), 1e-12) << c.line;
    EXPECT_LE(so::ulp_error(rounded, r), 0.5 + 1e-12) << c.line;
  }
}
