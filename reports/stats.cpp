// The statistics of one report cell, and the one helper (record) that grades every output of every function.
#include "reports/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "oracle/ulp.hpp"

namespace softcheck::reports {

// ---- ExactSum --------------------------------------------------------------------------------------

void ExactSum::add(double v) {
  if (!(v > 0)) return;  // zeros add nothing; callers pass finite non-negative values only
  int e = 0;
  const double m = std::frexp(v, &e);  // v = m·2^e, m ∈ [0.5, 1)
  const auto mant = static_cast<std::uint64_t>(std::ldexp(m, 53));  // exact: v = mant·2^(e-53)
  const int bit = e - 53 - kBase;  // ≥ 26 for the smallest subnormal
  const auto li = static_cast<std::size_t>(bit / 32);
  const int off = bit % 32;
  const std::uint64_t lo = mant << off;
  const std::uint64_t hi = off ? mant >> (64 - off) : 0;
  limb_[li] += lo & 0xffffffffULL;
  limb_[li + 1] += lo >> 32;
  limb_[li + 2] += hi;
  if (++pending_ >= (1ULL << 30)) normalize();
}

void ExactSum::normalize() const {
  std::uint64_t carry = 0;
  for (auto& l : limb_) {
    l += carry;
    carry = l >> 32;
    l &= 0xffffffffULL;
  }
  pending_ = 0;
}

void ExactSum::merge(const ExactSum& other) {
  normalize();
  other.normalize();
  for (std::size_t i = 0; i < kLimbs; ++i) limb_[i] += other.limb_[i];
  normalize();
}

double ExactSum::value() const {
  normalize();
  std::size_t top = kLimbs;
  while (top > 0 && limb_[top - 1] == 0) --top;
  if (top == 0) return 0;
  // The top three limbs carry at least 65 significant bits: enough for a faithful double, and the
  // result depends on the exact sum only.
  double r = 0;
  for (std::size_t i = top; i-- > (top >= 3 ? top - 3 : 0);)
    r += std::ldexp(static_cast<double>(limb_[i]), static_cast<int>(32 * i) + kBase);
  return r;
}

std::string ExactSum::to_string() const {
  normalize();
  std::size_t top = kLimbs;
  while (top > 0 && limb_[top - 1] == 0) --top;
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  if (top == 0) s += '0';
  bool leading = true;
  for (std::size_t i = top; i-- > 0;) {
    for (int shift = 28; shift >= 0; shift -= 4) {
      const auto d = static_cast<unsigned>((limb_[i] >> shift) & 0xf);
      if (leading && d == 0) continue;
      leading = false;
      s += digits[d];
    }
  }
  s += "p-1152";
  return s;
}

std::optional<ExactSum> ExactSum::parse(std::string_view text) {
  if (text.size() < 9 || text.substr(0, 2) != "0x" || !text.ends_with("p-1152")) return std::nullopt;
  const std::string_view hexdigits = text.substr(2, text.size() - 2 - 6);
  if (hexdigits.empty() || hexdigits.size() > kLimbs * 8) return std::nullopt;
  ExactSum s;
  std::size_t pos = 0;  // nibble position from the least significant end
  for (std::size_t i = hexdigits.size(); i-- > 0; ++pos) {
    const char c = hexdigits[i];
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else return std::nullopt;
    s.limb_[pos / 8] |= static_cast<std::uint64_t>(d) << (4 * (pos % 8));
  }
  return s;
}

bool ExactSum::operator==(const ExactSum& o) const {
  normalize();
  o.normalize();
  return limb_ == o.limb_;
}

// ---- Witness, histogram, x bins ---------------------------------------------------------------------

bool Witness::before(const Witness& o) const {
  return std::tie(rank, index, component) < std::tie(o.rank, o.index, o.component);
}

void Histogram::add(double err) {
  if (err == 0) {
    ++zero;
    return;
  }
  const int e = std::isfinite(err) ? std::ilogb(err) : kHighest;
  const int bin = std::clamp(e, kLowest, kHighest - 1) - kLowest;
  ++octave[static_cast<std::size_t>(bin)];
}

void Histogram::merge(const Histogram& o) {
  zero += o.zero;
  for (std::size_t i = 0; i < octave.size(); ++i) octave[i] += o.octave[i];
}

XAxis XAxis::for_regime(const std::string& regime) {
  // The scalar regimes of docs/definitions.md: uniform on [-750, 40]; the thresholds all lie in [-750, 750].
  if (regime == "uniform") return {XAxis::Kind::kLinear, -750, 40};
  if (regime == "thresholds") return {XAxis::Kind::kLinear, -760, 760};
  return {};
}

double XAxis::position(double x) const {
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  if (kind == Kind::kLinear) return x;
  if (x == 0) return 0;
  const double l = std::log2(std::fabs(x)) + 1075;  // (0, 2100) over the finite doubles
  return x < 0 ? -l : l;
}

void XBins::add(double x, double err) {
  const double p = axis.position(x);
  if (std::isnan(p)) return;
  const double f = (p - axis.lo) / (axis.hi - axis.lo) * kBins;
  const auto bin = static_cast<std::size_t>(std::clamp(std::floor(f), 0.0, double{kBins - 1}));
  if (std::isfinite(err)) max[bin] = std::max(max[bin], err);
  else ++nonfinite[bin];
}

void XBins::merge(const XBins& o) {
  for (int i = 0; i < kBins; ++i) {
    max[i] = std::max(max[i], o.max[i]);
    nonfinite[i] += o.nonfinite[i];
  }
}

// ---- Cell -------------------------------------------------------------------------------------------

double Cell::mean_ulp() const { return finite ? ulp_sum.value() / static_cast<double>(finite) : 0; }

namespace {
// Whether sample (rank, index, component) comes before the witness w.
bool earlier(int rank, std::uint64_t index, std::uint64_t component, const Witness& w) {
  return std::tie(rank, index, component) < std::tie(w.rank, w.index, w.component);
}
template <class T>
void merge_max(Max<T>& into, const Max<T>& from) {
  if (!from.value) return;
  if (!into.value || *from.value > *into.value ||
      (*from.value == *into.value && from.witness.before(into.witness)))
    into = from;
}
void merge_first(std::optional<Witness>& into, const std::optional<Witness>& from) {
  if (from && (!into || from->before(*into))) into = from;
}
// Offers a candidate for a maximum; the witness is built only when it wins.
template <class T, class Make>
void offer(Max<T>& m, T value, const SampleId& s, std::uint64_t component, Make&& make) {
  if (m.value && (value < *m.value || (value == *m.value && !earlier(s.rank, s.index, component, m.witness))))
    return;
  m.value = value;
  m.witness = make();
}
}  // namespace

void Cell::merge(const Cell& o) {
  provided = provided && o.provided;
  samples += o.samples;
  values += o.values;
  correctly_rounded += o.correctly_rounded;
  faithful += o.faithful;
  nonfinite += o.nonfinite;
  special_mismatch += o.special_mismatch;
  errors += o.errors;
  crashes += o.crashes;
  skipped += o.skipped;
  uncertain += o.uncertain;
  finite += o.finite;
  ulp_sum.merge(o.ulp_sum);
  merge_max(max_ulp, o.max_ulp);
  merge_max(max_distance, o.max_distance);
  merge_max(max_condition, o.max_condition);
  merge_first(first_nonfinite, o.first_nonfinite);
  merge_first(first_error, o.first_error);
  histogram.merge(o.histogram);
  if (o.xbins) {
    if (!xbins) xbins = o.xbins;
    else xbins->merge(*o.xbins);
  }
}

void record(Cell& cell, const SampleId& s, std::uint64_t component, double y, const oracle::Ref& ref,
            double kappa) {
  const double err = oracle::ulp_error(y, ref);
  const std::int64_t dist = oracle::ulp_distance(y, ref.rounded);
  auto make = [&] {
    Witness w;
    w.regime = *s.regime;
    w.rank = s.rank;
    w.index = s.index;
    w.component = component;
    w.input = s.input;
    w.y = y;
    w.expected = ref.rounded;
    w.ulp = err;
    w.distance = dist;
    w.kappa = kappa;
    return w;
  };
  ++cell.values;
  if (!ref.certain) ++cell.uncertain;
  cell.histogram.add(err);
  if (cell.xbins && !s.input->x.empty()) cell.xbins->add(s.input->x[0], err);
  if (!std::isfinite(err)) {
    // An infinite error: counted apart, never averaged in (docs/definitions.md).
    if (ref.is_finite() && !std::isfinite(y)) ++cell.nonfinite;
    else ++cell.special_mismatch;
    if (!cell.first_nonfinite || earlier(s.rank, s.index, component, *cell.first_nonfinite)) cell.first_nonfinite = make();
    return;
  }
  ++cell.finite;
  if (dist == 0) ++cell.correctly_rounded;
  if (err < 1) ++cell.faithful;
  cell.ulp_sum.add(err);
  offer(cell.max_ulp, err, s, component, make);
  offer(cell.max_distance, dist, s, component, make);
  if (std::isfinite(kappa) || kappa == std::numeric_limits<double>::infinity()) {
    const double ratio = std::isinf(kappa) ? 0.0 : err / (kappa + 1);
    if (!std::isnan(ratio)) offer(cell.max_condition, ratio, s, component, make);
  }
}

void record_error(Cell& cell, const SampleId& s, const std::string& message) {
  ++cell.errors;
  if (cell.first_error && !earlier(s.rank, s.index, 0, *cell.first_error)) return;
  Witness w;
  w.regime = *s.regime;
  w.rank = s.rank;
  w.index = s.index;
  w.input = s.input;
  w.message = message;
  cell.first_error = std::move(w);
}

void record_crash(Cell& cell, const SampleId& s, const std::string& message) {
  record_error(cell, s, message);
  ++cell.crashes;
}

bool is_crash_message(std::string_view m) {
  return m.starts_with("crashed: ") || m.starts_with("hung: ") || m.starts_with("exited with status ");
}

}  // namespace softcheck::reports
