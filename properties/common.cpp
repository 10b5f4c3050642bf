// The helpers of property.hpp: recording, kernel calls, formatting, tolerance checks, exact arithmetic.
#include <bit>
#include <cfloat>
#include <cstdio>
#include <limits>

#include "properties/doubles.hpp"
#include "properties/property.hpp"
#include "properties/regimes.hpp"

namespace softcheck::properties {

// --- Recorder ---------------------------------------------------------------------------------------

void Recorder::add(std::string name, const Vec& v) {
  items_.push_back({std::move(name), v, true, false});
  after_draw(v);
}
void Recorder::add(std::string name, double x) {
  items_.push_back({std::move(name), Vec{x}, false, false});
  after_draw(items_.back().values);
}
void Recorder::add_index(std::string name, std::size_t k) {
  items_.push_back({std::move(name), Vec{static_cast<double>(k)}, false, true});
  after_draw(items_.back().values);
}

void Recorder::after_draw(const Vec& v) {
  std::uint64_t h = hashes_.empty() ? 0x243f6a8885a308d3ULL : hashes_.back();
  auto mix = [&h](std::uint64_t w) {
    h ^= w + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xbf58476d1ce4e5b9ULL;
  };
  mix(v.size());
  for (double x : v) mix(std::bit_cast<std::uint64_t>(x));
  hashes_.push_back(h);
  if (budget_ && budget_->failed) budget_->work_after_failure += v.size();
  // The shrink budget: once spent, a candidate that is not (a prefix of) a known failing case is
  // rejected before it is evaluated, so shrinking ends; the accepted counterexample still replays.
  if (!budget_ || !budget_->failed) return;
  if (budget_->evaluations_after_failure <= budget_->max_evaluations && budget_->work_after_failure <= budget_->max_work)
    return;
  for (const auto& f : budget_->failing)
    if (f.size() >= hashes_.size() && std::equal(hashes_.begin(), hashes_.end(), f.begin())) return;
  discard("shrink budget spent");
}

int Recorder::n() const {
  for (const Item& it : items_)
    if (it.is_vector) return static_cast<int>(it.values.size());
  int n = 0;
  for (const Item& it : items_) n += it.is_index ? 0 : 1;
  return n;
}

std::string Recorder::format() const {
  std::string s;
  for (const Item& it : items_) {
    if (!s.empty()) s += "; ";
    s += it.name + " = ";
    if (it.is_index)
      s += std::to_string(static_cast<std::size_t>(it.values[0]));
    else if (it.is_vector)
      s += show(it.values) + " (n = " + std::to_string(it.values.size()) + ")";
    else
      s += show(it.values[0]);
  }
  return s;
}

void fail(const std::string& message, const std::string& signature) { throw PropertyFailure(message, signature); }
void discard(const std::string& why) {
  throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Discard, why);
}

// --- Kernel calls -----------------------------------------------------------------------------------

Vec call_softmax(const Kernels& k, const Vec& x) {
  Vec y(x.size());
  k.softmax(x.data(), x.size(), y.data());
  return y;
}
Vec call_log_softmax(const Kernels& k, const Vec& x) {
  Vec y(x.size());
  k.log_softmax(x.data(), x.size(), y.data());
  return y;
}
double call_logsumexp(const Kernels& k, const Vec& x) { return k.logsumexp(x.data(), x.size()); }
Vec call_sigmoid(const Kernels& k, const Vec& x) {
  Vec y(x.size());
  k.sigmoid(x.data(), x.size(), y.data());
  return y;
}
Vec call_log_sigmoid(const Kernels& k, const Vec& x) {
  Vec y(x.size());
  k.log_sigmoid(x.data(), x.size(), y.data());
  return y;
}
double call_sigmoid(const Kernels& k, double x) {
  double y;
  k.sigmoid(&x, 1, &y);
  return y;
}
double call_log_sigmoid(const Kernels& k, double x) {
  double y;
  k.log_sigmoid(&x, 1, &y);
  return y;
}

namespace {
// The properties' recorder of target draws (inputs::Kind::draw_target).
struct CtxDraws : inputs::Kind::Draws {
  Ctx& c;
  explicit CtxDraws(Ctx& ctx) : c(ctx) {}
  std::size_t index(const char* name, const rc::Gen<std::size_t>& gen) override { return c.draw(name, gen); }
  std::vector<double> vector(const char* name, const rc::Gen<std::vector<double>>& gen) override {
    return c.draw(name, gen);
  }
  double scalar(const char* name, const rc::Gen<double>& gen) override { return c.draw(name, gen); }
};
}  // namespace

inputs::Input draw_input(Ctx& c, const inputs::Kind& kind, const rc::Gen<Vec>& xs) {
  inputs::Input in;
  in.x = c.draw("x", xs);
  CtxDraws d(c);
  kind.draw_target(in, d);
  return in;
}

inputs::Input draw_input(Ctx& c, const inputs::Kind& kind, const rc::Gen<double>& x1) {
  inputs::Input in;
  in.x = {c.draw("x", x1)};
  CtxDraws d(c);
  kind.draw_target(in, d);
  return in;
}

std::vector<const functions::Row*> rows_of(std::string_view entry) {
  std::vector<const functions::Row*> out;
  for (const functions::Row& r : functions::rows())
    if (r.entry == entry && r.own_properties) out.push_back(&r);
  return out;
}

void grade(Ctx& c, std::span<const functions::Row* const> rows, const inputs::Input& in) {
  const std::string_view entry = rows.front()->entry;
  bool want_vector = false, value_row = false;
  for (const functions::Row* r : rows) {
    want_vector |= functions::wants_vector(*r);
    value_row |= r->part == functions::Part::kValue;
  }
  // A loss is graded from the call with its gradient asked for and from one without.
  const bool twice = value_row && functions::vector_is_optional(entry);
  functions::EntryOutput with, without;
  functions::call_entry(c.k, entry, in, want_vector || twice, with);
  if (twice) functions::call_entry(c.k, entry, in, false, without);
  c.ref.assign(in);
  Grader grade(c);
  std::vector<std::string> labels;  // "... without gradient": alive until finish()
  labels.reserve(rows.size());
  std::vector<oracle::Ref> refs;
  std::vector<double> kappa, out;
  for (const functions::Row* r : rows) {
    refs.clear();
    kappa.clear();
    r->reference(c.ref, refs, kappa);
    const std::vector<std::uint64_t> comp = functions::components(*r, in);
    functions::graded_outputs(*r, in, with, out);
    const bool target_class = r->input == &inputs::vector_class() && r->part != functions::Part::kValue;
    for (std::size_t j = 0; j < comp.size() && j < out.size(); ++j)
      grade.add(r->what.data(), functions::indexed(*r) ? comp[j] : kNoIndex, out[j], refs[j],
                target_class && comp[j] == in.target_class ? "gradient (target class)" : nullptr);
    if (twice && r->part == functions::Part::kValue) {
      functions::graded_outputs(*r, in, without, out);
      labels.push_back(std::string(r->what) + " without gradient");
      grade.add(labels.back().c_str(), kNoIndex, out[0], refs[0]);
    }
  }
  grade.finish();
}

// --- Formatting -------------------------------------------------------------------------------------

std::string show(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string show(const Vec& v) {
  std::string s = "[";
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (n > 64 && i == 32) {
      s += "... " + std::to_string(n - 64) + " more ..., ";
      i = n - 32;
    }
    s += show(v[i]);
    if (i + 1 < n) s += ", ";
  }
  return s + "]";
}

std::string show_ref(const oracle::Ref& r) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "%.17g (%+.3f ULP)", r.rounded, r.frac);
  return buf;
}

// --- Checks -----------------------------------------------------------------------------------------

void Grader::finish() const {
  if (!(worst_ > c_.B)) return;
  const double e = worst_;
  std::string how, cls;
  if (!std::isinf(e)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g", e);
    how = std::string(buf) + " ULP > budget " + show(c_.B) + " ULP";
    cls = e >= 0x1p20 ? "digits lost" : "over budget";
  } else {
    cls = "special";
    if (std::isnan(y_)) how = "NaN where a value was due";
    else if (std::isinf(y_) && ref_.is_finite()) how = "an infinity where a finite value was due";
    else how = "not the due special value";
  }
  fail(std::string(what_) + (index_ == kNoIndex ? "" : "[" + std::to_string(index_) + "]") + " = " + show(y_) +
           ", exact " + show_ref(ref_) + ": " + how,
       std::string(kind_) + " | " + cls);
}

double ulp_exact(const oracle::Ref& r) {
  const double u = oracle::ulp_of(r.rounded);
  const double a = std::fabs(r.rounded);
  const bool power_of_two = a >= DBL_MIN && std::isfinite(a) && regimes::significant_bits(a) == 1;
  // v just below a power of two: its binade (and ulp) is the one below.
  const bool below = (r.rounded > 0) == (r.frac < 0);
  return power_of_two && r.frac != 0 && below ? u / 2 : u;
}

double ulp_near(double a, double b, double B) {
  const double m = std::max(std::fabs(a), std::fabs(b));
  const double u = oracle::ulp_of(m);
  // v <= m + B·ulp(v) can cross into the next binade only when m is within 2B ULPs of it.
  const double next = std::scalbn(1.0, std::ilogb(m) + 1);
  return (m != 0 && std::isfinite(m) && next - m <= 2 * B * u) ? 2 * u : u;
}

void check_same_value(const Ctx& c, const std::string& what, double a, double b) {
  if (!std::isfinite(a) || !std::isfinite(b)) {
    if ((std::isnan(a) && std::isnan(b)) || a == b) return;
    fail(what + ": " + show(a) + " vs " + show(b) + " (the same exact value; special values must agree)");
  }
  const double tol = 2 * c.B * ulp_near(a, b, c.B);
  if (std::fabs(a - b) <= tol) return;
  fail(what + ": " + show(a) + " vs " + show(b) + " differ by " + show(std::fabs(a - b)) +
       " > 2B·ulp = " + show(tol) + " (both approximate one exact value within B ULPs)");
}

// --- Exact arithmetic -------------------------------------------------------------------------------

TwoSum two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  const double e = (a - (s - bb)) + (b - bb);
  return {s, e};
}

bool shift_is_exact(const Vec& x, double c) {
  for (double v : x) {
    const TwoSum t = two_sum(v, c);
    if (!std::isfinite(t.s) || t.e != 0) return false;
  }
  return true;
}

void ExactSum::add(double x) {
  if (x == 0 || !std::isfinite(x)) return;
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  const int field = static_cast<int>((bits >> 52) & 0x7ff);
  std::uint64_t m = bits & ((std::uint64_t{1} << 52) - 1);
  int pos = 0;  // x = ±m·2^(pos - 1074)
  if (field != 0) {
    m |= std::uint64_t{1} << 52;
    pos = field - 1;
  }
  const int li = pos / 64, sh = pos % 64;
  std::uint64_t part[2] = {m << sh, sh ? m >> (64 - sh) : 0};
  if (std::signbit(x)) {
    std::uint64_t borrow = 0;
    for (int i = li; i < kLimbs; ++i) {
      const std::uint64_t sub = (i - li < 2 ? part[i - li] : 0);
      const std::uint64_t old = limb_[i];
      const std::uint64_t d = old - sub - borrow;
      borrow = (old < sub || (old == sub && borrow)) ? 1 : 0;
      limb_[i] = d;
      if (i - li >= 1 && !borrow) break;
    }
  } else {
    std::uint64_t carry = 0;
    for (int i = li; i < kLimbs; ++i) {
      const std::uint64_t add = (i - li < 2 ? part[i - li] : 0);
      const std::uint64_t s1 = limb_[i] + add;
      const std::uint64_t c1 = s1 < add ? 1 : 0;
      const std::uint64_t s2 = s1 + carry;
      const std::uint64_t c2 = s2 < carry ? 1 : 0;
      limb_[i] = s2;
      carry = c1 | c2;
      if (i - li >= 1 && !carry) break;
    }
  }
}

double ExactSum::value() const {
  std::uint64_t a[kLimbs];
  std::copy(std::begin(limb_), std::end(limb_), a);
  const bool negative = a[kLimbs - 1] >> 63;
  if (negative) {  // two's complement negation
    std::uint64_t carry = 1;
    for (auto& w : a) {
      w = ~w + carry;
      carry = (carry && w == 0) ? 1 : 0;
    }
  }
  int top = kLimbs - 1;
  while (top >= 0 && a[top] == 0) --top;
  if (top < 0) return 0.0;
  // The 64 bits below the leading one, plus a sticky bit for everything under them.
  const int lead = 63 - std::countl_zero(a[top]);
  const int msb = top * 64 + lead;  // bit index of the leading one
  const int low = msb - 63;          // bit index of the lowest of the 64 kept bits
  auto bit_range = [&](int from) {   // the 64 bits starting at bit `from` (from may be negative)
    std::uint64_t w = 0;
    for (int b = 0; b < 64; ++b) {
      const int idx = from + b;
      if (idx < 0) continue;
      if ((a[idx / 64] >> (idx % 64)) & 1) w |= std::uint64_t{1} << b;
    }
    return w;
  };
  std::uint64_t w = bit_range(low);
  bool sticky = false;
  for (int idx = 0; idx < low && !sticky; ++idx) sticky = (a[idx / 64] >> (idx % 64)) & 1;
  if (sticky) w |= 1;  // below the 53 bits that survive: breaks a false tie, never changes a non-tie
  const double v = std::ldexp(static_cast<double>(w), low - 1074);
  return negative ? -v : v;
}

// --- Generators -------------------------------------------------------------------------------------

rc::Gen<Vec> ordinary_vectors() {
  return regimes::reshrink<Vec>(rc::gen::weightedOneOf<Vec>({
      {2, regimes::vector("unit")},
      {3, regimes::vector("wide")},
      {2, regimes::vector("extreme")},
      {2, regimes::vector("dominant")},
      {1, regimes::vector("ties")},
      {2, regimes::vector("tail")},
  }), [](const Vec& v) { return regimes::shrink_vector(v, 1); });
}

rc::Gen<Vec> scalars(std::string_view regime) {
  const rc::Gen<double> element = regimes::scalar(regime);
  return regimes::make_gen<Vec>(
      [element](rc::Random& r, int size) {
        rc::Random count = r.split();  // r is only split from here on, count only drawn from
        Vec v(1 + regimes::below(count, 8));
        for (double& x : v) x = element(r.split(), size).value();
        return v;
      },
      [](const Vec& v) { return regimes::shrink_vector(v, 1); });
}

}  // namespace softcheck::properties
