// The kernel batch's shared-memory layout and both sides of it (see batch.hpp).
#include "reports/batch.hpp"

#include <algorithm>
#include <cstring>

namespace softcheck::reports::batch {
namespace {

struct Header {
  std::uint64_t serial, samples, units, first_unit;  // the child serves units [first_unit, units)
};
struct SampleDesc {
  std::uint64_t x, n, t, nt, cls;  // x, t: byte offsets of n and nt doubles
  double bce;
};
struct UnitDesc {
  std::uint32_t sample, impl, entry, skip;  // entry: index in kernel_entries(); skip: do not call
  std::uint64_t rows;                       // bit i: functions()[i] is graded from this call
  std::uint64_t result;                     // byte offset of its result slot
};
struct RowDesc {
  std::int64_t ns;
  std::uint64_t outputs;
  std::uint32_t ok, error_bytes;
};
constexpr std::size_t kMaxErrorBytes = 256;  // an exception's message, cut to this

constexpr std::size_t align8(std::size_t b) { return (b + 7) & ~std::size_t{7}; }
std::size_t max_outputs(const Function& f, std::size_t n) { return f.scalar ? 1 : std::max<std::size_t>(n, 1); }
std::size_t function_index(const Function* f) { return static_cast<std::size_t>(f - functions().data()); }

template <class T>
T load(const std::byte* base, std::uint64_t offset) {
  T v;
  std::memcpy(&v, base + offset, sizeof v);
  return v;
}
template <class T>
void store(std::byte* base, std::uint64_t offset, const T& v) {
  std::memcpy(base + offset, &v, sizeof v);
}

std::uint64_t sample_at(std::size_t k) { return sizeof(Header) + k * sizeof(SampleDesc); }
std::uint64_t unit_at(std::size_t samples, std::size_t u) {
  return sizeof(Header) + samples * sizeof(SampleDesc) + u * sizeof(UnitDesc);
}

}  // namespace

std::size_t slot_bytes(const Function& f, std::size_t n) {
  return sizeof(RowDesc) + 8 * max_outputs(f, n) + kMaxErrorBytes;
}

std::size_t layout(const Samples& samples, std::vector<Unit>& units) {
  std::uint64_t bytes = unit_at(samples.size(), units.size());
  for (const auto& in : samples) bytes += align8(8 * in->x.size()) + align8(8 * in->target.size());
  for (Unit& u : units) {
    u.result = bytes;
    for (const Function* f : u.rows) bytes += slot_bytes(*f, samples[u.sample]->x.size());
  }
  return bytes;
}

void write_unit(std::span<std::byte> mem, std::size_t samples, std::size_t u, const Unit& unit) {
  std::uint64_t rows = 0;
  for (const Function* f : unit.rows) rows |= std::uint64_t{1} << function_index(f);
  store(mem.data(), unit_at(samples, u),
        UnitDesc{unit.sample, unit.impl, unit.entry, unit.skip ? 1u : 0u, rows, unit.result});
}

void write(std::span<std::byte> mem, std::uint64_t serial, const Samples& samples, const std::vector<Unit>& units) {
  std::byte* base = mem.data();
  store(base, 0, Header{serial, samples.size(), units.size(), 0});
  std::uint64_t at = unit_at(samples.size(), units.size());
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const Input& in = *samples[k];
    const std::uint64_t x_at = at, t_at = at + align8(8 * in.x.size());
    at = t_at + align8(8 * in.target.size());
    store(base, sample_at(k), SampleDesc{x_at, in.x.size(), t_at, in.target.size(), in.target_class, in.bce_target});
    if (!in.x.empty()) std::memcpy(base + x_at, in.x.data(), 8 * in.x.size());
    if (!in.target.empty()) std::memcpy(base + t_at, in.target.data(), 8 * in.target.size());
  }
  for (std::size_t u = 0; u < units.size(); ++u) write_unit(mem, samples.size(), u, units[u]);
}

void restart_at(std::span<std::byte> mem, std::uint64_t serial, std::size_t samples, std::size_t units,
                std::uint64_t first_unit) {
  store(mem.data(), 0, Header{serial, samples, units, first_unit});
}

RowResult read_row(std::span<const std::byte> mem, std::uint64_t at, const Function& f, std::size_t n,
                   std::vector<double>& outputs) {
  const std::byte* base = mem.data();
  const auto d = load<RowDesc>(base, at);
  RowResult r{d.ns, d.ok != 0, {}};
  if (!r.ok) {
    r.error.assign(reinterpret_cast<const char*>(base + at + sizeof(RowDesc) + 8 * max_outputs(f, n)), d.error_bytes);
    return r;
  }
  outputs.resize(d.outputs);
  if (d.outputs) std::memcpy(outputs.data(), base + at + sizeof(RowDesc), 8 * d.outputs);
  return r;
}

void Server::serve(std::span<std::byte> mem, isolate::Calls& calls) {
  if (!ev_) ev_ = std::make_unique<Evaluator>();
  std::byte* base = mem.data();
  const auto h = load<Header>(base, 0);
  std::vector<const Function*> rows;
  std::vector<std::int64_t> ns;
  for (std::uint64_t u = h.first_unit; u < h.units; ++u) {
    const auto ud = load<UnitDesc>(base, unit_at(h.samples, u));
    if (ud.skip) continue;
    if (in_key_ != std::pair{h.serial, std::uint64_t{ud.sample}}) {
      const auto sd = load<SampleDesc>(base, sample_at(ud.sample));
      in_.x.resize(sd.n);
      if (sd.n) std::memcpy(in_.x.data(), base + sd.x, 8 * sd.n);
      in_.target.resize(sd.nt);
      if (sd.nt) std::memcpy(in_.target.data(), base + sd.t, 8 * sd.nt);
      in_.target_class = sd.cls;
      in_.bce_target = sd.bce;
      in_key_ = {h.serial, ud.sample};
    }
    rows.clear();
    for (const Function& f : functions())
      if (ud.rows >> function_index(&f) & 1) rows.push_back(&f);
    ns.assign(rows.size(), 0);
    calls.begin(u, kernel_entries()[ud.entry]);
    ev_->run(impls_[ud.impl], rows, in_, ns);
    std::uint64_t at = ud.result;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const Function& f = *rows[r];
      const auto out = ev_->outputs(f);
      const std::string& err = ev_->error(f);
      RowDesc d{ns[r], std::min<std::uint64_t>(out.size(), max_outputs(f, in_.x.size())), ev_->ok(f) ? 1u : 0u,
                static_cast<std::uint32_t>(std::min(err.size(), kMaxErrorBytes))};
      store(base, at, d);
      if (d.outputs) std::memcpy(base + at + sizeof(RowDesc), out.data(), 8 * d.outputs);
      if (d.error_bytes) std::memcpy(base + at + sizeof(RowDesc) + 8 * max_outputs(f, in_.x.size()), err.data(), d.error_bytes);
      at += slot_bytes(f, in_.x.size());
    }
    calls.end();
  }
}

}  // namespace softcheck::reports::batch
