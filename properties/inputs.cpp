// The input kinds (see inputs.hpp): one class per kind, every kind-dependent step in one place.
#include "properties/inputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "impl/softcheck.hpp"
#include "oracle/oracle.hpp"
#include "oracle/ulp.hpp"
#include "properties/regimes.hpp"

namespace softcheck::inputs {
namespace {

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\r') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<double> numbers(std::string_view s, const char* what) {
  std::vector<double> v;
  for (std::string_view w : words(s)) {
    const auto d = parse_double(w);
    if (!d) throw ParseError(fmt::format("'{}' is not a number (in {})", w, what));
    v.push_back(*d);
  }
  return v;
}

std::string join_hex(const std::vector<double>& v) {
  std::string s;
  s.reserve(24 * v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ' ';
    s += hex(v[i]);
  }
  return s;
}

nlohmann::ordered_json hex_array(const std::vector<double>& v) {
  auto a = nlohmann::ordered_json::array();
  for (double d : v) a.push_back(hex(d));
  return a;
}

// x alone: a scalar (sigmoid, log_sigmoid) or a vector (softmax, log_softmax, logsumexp).
class XOnly : public Kind {
 public:
  explicit XOnly(bool scalar) : scalar_(scalar) {}
  bool scalar() const override { return scalar_; }
  bool elementwise() const override { return scalar_; }
  std::string_view line_format() const override { return scalar_ ? "x" : "x_1 ... x_n"; }

 private:
  bool scalar_;
};

class VectorClass : public Kind {
 public:
  bool scalar() const override { return false; }
  std::string_view line_format() const override { return "x_1 ... x_n | k"; }
  void draw_target(Input& in, std::uint64_t st, std::uint64_t index) const override {
    in.target_class = regimes::draw(regimes::class_index(in.x), st, index);
  }
  void draw_target(Input& in, Draws& d) const override { in.target_class = d.index("k", regimes::class_index(in.x)); }
  void target_to_json(nlohmann::ordered_json& j, const Input& in, bool) const override {
    j["class"] = in.target_class;  // also beside an abbreviated x: it is short
  }
  void target_from_json(const JsonReader& get, Input& in) const override { in.target_class = get.count("class"); }
  bool move_target(Input& in, double u, Random& r) const override {
    if (!(u < 0.1)) return false;
    in.target_class = r.unit() < 0.6 ? argmax(in.x) : r.below(in.x.size());
    return true;
  }
  void after_erase(Input& in, std::size_t i) const override {
    if (in.target_class == i) in.target_class = argmax(in.x);
    else if (in.target_class > i) --in.target_class;
  }

 protected:
  bool has_target() const override { return true; }
  std::string target_line(const Input& in) const override { return std::to_string(in.target_class); }
  void parse_target_line(std::string_view text, Input& in) const override {
    const auto w = words(text);
    std::size_t k = 0;
    // from_chars, not stoull: 20 digits overflow and must be this ParseError, not std::out_of_range (fuzzer).
    if (w.size() != 1 || w[0].empty() || w[0].find_first_not_of("0123456789") != std::string_view::npos ||
        std::from_chars(w[0].data(), w[0].data() + w[0].size(), k).ec != std::errc() || k >= in.x.size())
      throw ParseError(fmt::format("the class index must be one integer below n = {}", in.x.size()));
    in.target_class = k;
  }
  std::string target_text(const Input& in, const NumberText&, const ListText&) const override {
    return fmt::format(", class {}", in.target_class);
  }
};

class VectorTarget : public Kind {
 public:
  bool scalar() const override { return false; }
  std::string_view line_format() const override { return "x_1 ... x_n | t_1 ... t_n"; }
  void draw_target(Input& in, std::uint64_t st, std::uint64_t index) const override {
    in.target = regimes::draw(regimes::distribution(in.x), st + 1, index);
  }
  void draw_target(Input& in, Draws& d) const override { in.target = d.vector("t", regimes::distribution(in.x)); }
  void target_to_json(nlohmann::ordered_json& j, const Input& in, bool abbreviated) const override {
    if (!abbreviated) j["target"] = hex_array(in.target);
  }
  void target_from_json(const JsonReader& get, Input& in) const override { in.target = get.numbers("target"); }
  bool move_target(Input& in, double u, Random& r) const override {
    if (!(u < 0.2)) return false;
    const std::size_t n = in.x.size(), j = r.below(n);
    const double v = r.unit();
    if (v < 0.4) {  // t toward softmax(x) (the gradient cancels)
      const auto p = oracle::softmax(in.x);
      for (std::size_t k = 0; k < n; ++k) in.target[k] = std::isfinite(p[k].rounded) ? p[k].rounded : 0.0;
    } else if (v < 0.7) {
      in.target[j] = std::max(0.0, move_ulps(in.target[j] == 0 ? 1e-3 : in.target[j], random_ulps(r)));
    } else {
      in.target[j] = r.unit();
    }
    return true;
  }
  void after_append(Input& in) const override { in.target.push_back(0); }
  void after_erase(Input& in, std::size_t i) const override {
    in.target.erase(in.target.begin() + static_cast<std::ptrdiff_t>(i));
  }

 protected:
  bool has_target() const override { return true; }
  std::string target_line(const Input& in) const override { return join_hex(in.target); }
  void parse_target_line(std::string_view text, Input& in) const override {
    in.target = numbers(text, "target");
    if (in.target.size() != in.x.size())
      throw ParseError(fmt::format("{} targets for {} inputs", in.target.size(), in.x.size()));
  }
  std::string target_text(const Input& in, const NumberText&, const ListText& list) const override {
    return ", t = " + list(in.target);
  }
};

// A backward pass in framework form: the forward's output y (held in x) and the upstream gradient g.
class VectorUpstream : public Kind {
 public:
  explicit VectorUpstream(Forward f) : forward_(f) {}
  bool scalar() const override { return false; }
  std::string_view line_format() const override {
    return forward_ == Forward::none ? "x_1 ... x_n | g_1 ... g_n" : "y_1 ... y_n | g_1 ... g_n";
  }
  void draw_target(Input& in, std::uint64_t st, std::uint64_t index) const override {
    if (forward_ != Forward::none && regimes::draw(choice(), st + 3, index) != 0) apply_forward(in.x);
    in.target = regimes::draw(regimes::upstream(in.x), st + 2, index);
  }
  void draw_target(Input& in, Draws& d) const override {
    if (forward_ != Forward::none && d.index(draw_name(), choice()) != 0) apply_forward(in.x);
    in.target = d.vector("g", regimes::upstream(in.x));
  }
  bool own_draw() const override { return true; }
  void target_to_json(nlohmann::ordered_json& j, const Input& in, bool abbreviated) const override {
    if (!abbreviated) j["g"] = hex_array(in.target);
  }
  void target_from_json(const JsonReader& get, Input& in) const override { in.target = get.numbers("g"); }
  bool move_target(Input& in, double u, Random& r) const override {
    if (!(u < 0.2)) return false;
    const std::size_t n = in.x.size(), j = r.below(n);
    const double v = r.unit();
    if (v < 0.3) {  // g constant (softmax_backward cancels)
      const double c = in.target[j];
      for (double& e : in.target) e = c;
    } else if (v < 0.7) {
      in.target[j] = move_ulps(in.target[j] == 0 ? 1.0 : in.target[j], random_ulps(r));
    } else {
      in.target[j] = 2 * r.unit() - 1;
    }
    return true;
  }
  void after_append(Input& in) const override { in.target.push_back(0); }
  void after_erase(Input& in, std::size_t i) const override {
    in.target.erase(in.target.begin() + static_cast<std::ptrdiff_t>(i));
  }

 protected:
  bool has_target() const override { return true; }
  std::string target_line(const Input& in) const override { return join_hex(in.target); }
  void parse_target_line(std::string_view text, Input& in) const override {
    in.target = numbers(text, "g");
    if (in.target.size() != in.x.size())
      throw ParseError(fmt::format("{} upstream gradients for {} outputs", in.target.size(), in.x.size()));
  }
  std::string target_text(const Input& in, const NumberText&, const ListText& list) const override {
    return ", g = " + list(in.target);
  }

 private:
  static rc::Gen<std::size_t> choice() { return rc::gen::inRange<std::size_t>(0, 4); }  // 0: y = x
  // The counterexample's name of that draw: what y is.
  const char* draw_name() const {
    switch (forward_) {
      case Forward::none: return "";
      case Forward::sigmoid: return "y = sigmoid(x) if 1..3, x if 0";
      case Forward::softmax: return "y = softmax(x) if 1..3, x if 0";
      case Forward::log_softmax: break;
    }
    return "y = log_softmax(x) if 1..3, x if 0";
  }
  void apply_forward(std::vector<double>& x) const {
    switch (forward_) {
      case Forward::none: break;
      case Forward::sigmoid: softcheck::sigmoid(x, x); break;
      case Forward::softmax: softcheck::softmax(x, x); break;
      case Forward::log_softmax: softcheck::log_softmax(x, x); break;
    }
  }
  Forward forward_;
};

class ScalarTarget : public Kind {
 public:
  bool scalar() const override { return true; }
  std::string_view line_format() const override { return "x | t"; }
  void draw_target(Input& in, std::uint64_t st, std::uint64_t index) const override {
    in.bce_target = regimes::draw(regimes::bce_target(in.x.at(0)), st, index);
  }
  void draw_target(Input& in, Draws& d) const override { in.bce_target = d.scalar("t", regimes::bce_target(in.x.at(0))); }
  void target_to_json(nlohmann::ordered_json& j, const Input& in, bool abbreviated) const override {
    if (!abbreviated) j["t"] = hex(in.bce_target);
  }
  void target_from_json(const JsonReader& get, Input& in) const override { in.bce_target = get.number("t"); }
  bool move_target(Input& in, double u, Random& r) const override {
    if (!(u < 0.3)) return false;
    // σ(x) nearby (the gradient cancels), an end, or a few ULPs
    const double v = r.unit();
    if (v < 0.4) in.bce_target = std::clamp(move_ulps(oracle::sigmoid(in.x[0]).rounded, random_ulps(r) % 16), 0.0, 1.0);
    else if (v < 0.6) in.bce_target = r.unit() < 0.5 ? 0.0 : 1.0;
    else in.bce_target = std::clamp(move_ulps(in.bce_target, random_ulps(r)), 0.0, 1.0);
    return true;
  }

 protected:
  bool has_target() const override { return true; }
  std::string target_line(const Input& in) const override { return hex(in.bce_target); }
  void parse_target_line(std::string_view text, Input& in) const override {
    const auto t = numbers(text, "target");
    if (t.size() != 1 || in.x.size() != 1) throw ParseError("expected 'x | t' with one x and one t");
    in.bce_target = t[0];
  }
  std::string target_text(const Input& in, const NumberText& number, const ListText&) const override {
    return ", t = " + number(in.bce_target);
  }
};

}  // namespace

std::string Kind::format_line(const Input& in) const {
  return has_target() ? fmt::format("{} | {}", join_hex(in.x), target_line(in)) : join_hex(in.x);
}

Input Kind::parse_line(std::string_view line) const {
  Input in;
  const std::size_t bar = line.find('|');
  if (has_target() != (bar != std::string_view::npos))
    throw ParseError(has_target() ? "expected 'inputs | target'" : "unexpected '|' (this function takes x only)");
  in.x = numbers(line.substr(0, bar), "x");
  if (in.x.empty()) throw ParseError("no x");
  if (has_target()) parse_target_line(line.substr(bar + 1), in);
  return in;
}

std::string Kind::text(const Input& in, const NumberText& number, const ListText& list) const {
  std::string s = scalar() ? "x = " + number(in.x.empty() ? 0.0 : in.x[0])
                           : fmt::format("x = {} (n = {})", list(in.x), in.x.size());
  return s + target_text(in, number, list);
}

const Kind& scalar_x() {
  static const XOnly k(true);
  return k;
}
const Kind& vector_x() {
  static const XOnly k(false);
  return k;
}
const Kind& vector_class() {
  static const VectorClass k;
  return k;
}
const Kind& vector_target() {
  static const VectorTarget k;
  return k;
}
const Kind& scalar_target() {
  static const ScalarTarget k;
  return k;
}
bool is_upstream(const Kind& kind) {
  return &kind == &vector_upstream(Forward::none) || &kind == &vector_upstream(Forward::sigmoid) ||
         &kind == &vector_upstream(Forward::softmax) || &kind == &vector_upstream(Forward::log_softmax);
}
const Kind& vector_upstream(Forward forward) {
  static const VectorUpstream none(Forward::none), sigmoid(Forward::sigmoid), softmax(Forward::softmax),
      log_softmax(Forward::log_softmax);
  switch (forward) {
    case Forward::none: return none;
    case Forward::sigmoid: return sigmoid;
    case Forward::softmax: return softmax;
    case Forward::log_softmax: break;
  }
  return log_softmax;
}

std::string hex(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

std::optional<double> parse_double(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  const std::string s(text);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;  // ERANGE still yields the correctly rounded value (±0, subnormal, ±inf): keep it
}

double move_ulps(double x, std::int64_t k) {
  if (!std::isfinite(x) || k == 0) return x;
  if (std::llabs(k) <= 8) {
    const double dir = k > 0 ? HUGE_VAL : -HUGE_VAL;
    for (std::int64_t i = 0; i < (k > 0 ? k : -k) && std::isfinite(x); ++i) x = std::nextafter(x, dir);
    return x;
  }
  const double y = x + static_cast<double>(k) * oracle::ulp_of(x);
  return std::isfinite(y) ? y : x;
}

std::int64_t random_ulps(Random& r) {
  const int e = static_cast<int>(r.below(21));
  const std::int64_t m = std::int64_t{1} << e;
  return r.unit() < 0.5 ? -static_cast<std::int64_t>(r.below(static_cast<std::size_t>(m)) + 1)
                        : static_cast<std::int64_t>(r.below(static_cast<std::size_t>(m)) + 1);
}

std::size_t argmax(const std::vector<double>& x) {
  std::size_t k = 0;
  for (std::size_t i = 1; i < x.size(); ++i)
    if (x[i] > x[k]) k = i;
  return k;
}

}  // namespace softcheck::inputs
