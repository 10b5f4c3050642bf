// The per-sample evaluation of the report's rows: oracle references and condition numbers through the
// rows' Reference, kernel calls through their entries (the plugin ABI's shape), null entries being
// "not provided".
#include "reports/functions.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

namespace softcheck::reports {

Evaluator::Evaluator() : slots_(functions().size()) {}

void Evaluator::reference(std::span<const Function* const> fns, const Input& in) {
  ref_.assign(in);
  for (const Function* f : fns) {
    Slot& s = slot(*f);
    s.refs.clear();
    s.kappa.clear();
    f->reference(ref_, s.refs, s.kappa);
    s.components = functions::components(*f, in);
  }
}

std::span<const oracle::Ref> Evaluator::refs(const Function& f) const { return slot(f).refs; }
std::span<const double> Evaluator::kappas(const Function& f) const { return slot(f).kappa; }
std::span<const std::uint64_t> Evaluator::components(const Function& f) const { return slot(f).components; }
std::span<const double> Evaluator::outputs(const Function& f) const { return slot(f).out; }
bool Evaluator::ok(const Function& f) const { return slot(f).ok; }
const std::string& Evaluator::error(const Function& f) const { return slot(f).error; }

void Evaluator::run(const Kernels& kern, std::span<const Function* const> fns, const Input& in,
                    std::span<std::int64_t> ns) {
  // One call per kernel entry, asking for its vector output when a row of it grades that; the rows of
  // an entry share its outputs, its time and its exception.
  std::vector<std::string_view> done;
  for (std::size_t fi = 0; fi < fns.size(); ++fi) {
    const std::string_view entry = fns[fi]->entry;
    if (std::find(done.begin(), done.end(), entry) != done.end()) continue;
    done.push_back(entry);
    bool want_vector = false;
    for (const Function* f : fns) want_vector |= f->entry == entry && functions::wants_vector(*f);
    bool ok = true;
    std::string error;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      functions::call_entry(kern, entry, in, want_vector, call_);
    } catch (const std::exception& e) {
      ok = false;
      error = e.what();
    } catch (...) {
      ok = false;
      error = "unknown exception";
    }
    const std::int64_t t =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    for (std::size_t fj = fi; fj < fns.size(); ++fj) {
      const Function& f = *fns[fj];
      if (f.entry != entry) continue;
      Slot& s = slot(f);
      s.ok = ok;
      s.error = error;
      if (ok) functions::graded_outputs(f, in, call_, s.out);
      else s.out.assign(functions::components(f, in).size(), std::numeric_limits<double>::quiet_NaN());
      ns[fj] = t;
    }
  }
}

}  // namespace softcheck::reports
