// What a function reads, as one codec per kind: a scalar x, a vector x, a vector with a class index,
// with a target distribution, or a scalar with a BCE target. Everything that depends on the kind is a
// method here: drawing its target, its line in a worst-case file (.wc), its JSON in report.json, its
// text in messages, and its moves in the hunt.
#pragma once

#include <rapidcheck.h>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace softcheck::inputs {

// The inputs of one sample; which fields count depends on the kind.
struct Input {
  std::vector<double> x;
  std::size_t target_class = 0;  // vector with a class index
  std::vector<double> target;    // vector with a target distribution, or a backward pass's upstream
                                 // gradient g (x then holds the forward's output y); one per x
  double bce_target = 0;         // scalar with a BCE target
};

// A malformed .wc line or JSON input: the message names the problem; the caller adds where it was.
struct ParseError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A random stream for the hunt's moves (the caller's; deterministic).
struct Random {
  std::function<std::uint64_t()> next;
  double unit() { return static_cast<double>(next() >> 11) * 0x1p-53; }
  std::size_t below(std::size_t n) { return n ? static_cast<std::size_t>(next() % n) : 0; }
};

class Kind {
 public:
  virtual ~Kind() = default;
  virtual bool scalar() const = 0;
  // A scalar function of each x_i (sigmoid): a property case may hold several.
  virtual bool elementwise() const { return false; }
  // "x", "x_1 ... x_n", "x_1 ... x_n | k", "x_1 ... x_n | t_1 ... t_n", "x | t": the .wc line format.
  virtual std::string_view line_format() const = 0;

  // The report's draw of the target of sample `index`, given its x (deterministic by seed and index,
  // any thread count): a class index with seed st, a distribution with st + 1, a BCE target with st.
  virtual void draw_target(Input& in, std::uint64_t st, std::uint64_t index) const { (void)in, (void)st, (void)index; }

  // The properties' draw of the target (RapidCheck generators, shrinking), given x, through the caller's
  // recorder, which keeps each draw for the counterexample under its name ("k", "t").
  struct Draws {
    virtual ~Draws() = default;
    virtual std::size_t index(const char* name, const rc::Gen<std::size_t>& gen) = 0;
    virtual std::vector<double> vector(const char* name, const rc::Gen<std::vector<double>>& gen) = 0;
    virtual double scalar(const char* name, const rc::Gen<double>& gen) = 0;
  };
  virtual void draw_target(Input& in, Draws& draws) const { (void)in, (void)draws; }

  // The .wc line (hex floats) and back; parse throws ParseError.
  std::string format_line(const Input& in) const;
  Input parse_line(std::string_view line) const;

  // report.json: the target's fields ("class", "target" or "t") into and out of the input object (x is the
  // caller's: it may go to a side file, and then only a class index stays beside it).
  struct JsonReader {  // the caller's readers of one field, which name the file and the place in errors
    std::function<std::uint64_t(const char* key)> count;
    std::function<double(const char* key)> number;
    std::function<std::vector<double>(const char* key)> numbers;
  };
  virtual void target_to_json(nlohmann::ordered_json& j, const Input& in, bool abbreviated) const {
    (void)j, (void)in, (void)abbreviated;
  }
  virtual void target_from_json(const JsonReader& get, Input& in) const { (void)get, (void)in; }

  // Text: "x = v" or "x = [..] (n = N)", then ", class k" or ", t = [..]"; numbers through `number`,
  // lists through `list`.
  using NumberText = std::function<std::string(double)>;
  using ListText = std::function<std::string(const std::vector<double>&)>;
  std::string text(const Input& in, const NumberText& number, const ListText& list) const;

  // The hunt: a move of the target (true), or false to let the caller move x; u is the caller's draw that
  // chooses the move. Then the target's upkeep when x grows by one copied entry or loses entry i.
  virtual bool move_target(Input& in, double u, Random& r) const { (void)in, (void)u, (void)r; return false; }
  virtual void after_append(Input& in) const { (void)in; }
  // Whether the report must draw this kind's inputs apart from other kinds' in a regime: its draw
  // rewrites x, or writes a field that another kind's draw writes too.
  virtual bool own_draw() const { return false; }
  virtual void after_erase(Input& in, std::size_t i) const { (void)in, (void)i; }

 protected:
  virtual std::string target_line(const Input& in) const { (void)in; return {}; }  // after " | "
  virtual void parse_target_line(std::string_view text, Input& in) const { (void)text, (void)in; }
  virtual bool has_target() const { return false; }
  virtual std::string target_text(const Input& in, const NumberText& number, const ListText& list) const {
    (void)in, (void)number, (void)list;
    return {};
  }
};

const Kind& scalar_x();        // sigmoid, log_sigmoid
const Kind& vector_x();        // softmax, log_softmax, logsumexp
const Kind& vector_class();    // cross-entropy with a class index
const Kind& vector_target();   // cross-entropy with a target distribution
const Kind& scalar_target();   // BCE with logits
// Backward passes and the upstream gradient g (in the input's target vector). Framework form: y (in x)
// is the forward's output on the regime's x three draws in four (accurate, so y is what a framework's
// forward pass stores), the regime's x itself the fourth. Input form (none): x, the logits, as drawn.
enum class Forward { none, sigmoid, softmax, log_softmax };
const Kind& vector_upstream(Forward forward);
bool is_upstream(const Kind& kind);  // one of the four above

// Exact text of doubles: C's %a ("0x1.8p+1", "inf", "nan"), and back (hex floats, decimals, inf, nan;
// nullopt unless the whole text is one number).
std::string hex(double v);
std::optional<double> parse_double(std::string_view text);

// The hunt's steps: x moved by about k ULPs (nextafter steps up to 8, through the ULP beyond), and a
// random k in ±[1, 2^20] drawn as the hunt draws it.
double move_ulps(double x, std::int64_t k);
std::int64_t random_ulps(Random& r);
std::size_t argmax(const std::vector<double>& x);

}  // namespace softcheck::inputs
