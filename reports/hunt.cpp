// The worst-case search: random restarts over the regimes, then hill climbing on the worst inputs with
// moves that reach the hard cases of these functions (nextafter steps, one element perturbed, near-ties,
// spreads of 700..745, longer vectors, target moves).
#include "reports/hunt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include "oracle/ulp.hpp"
#include "properties/regimes.hpp"
#include "reports/common.hpp"

namespace softcheck::reports {
namespace {


// splitmix64: the hunt's own deterministic random stream.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1p-53; }
  std::size_t below(std::size_t n) { return n ? static_cast<std::size_t>(next() % n) : 0; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
};

// One random move of the input (never NaN/inf created; targets kept valid).
Input mutate(const Input& in, const Function& f, Rng& r, std::size_t max_n) {
  Input out = in;
  std::vector<double>& x = out.x;
  const std::size_t n = x.size();
  const std::size_t i = r.below(n);
  inputs::Random random{[&r] { return r.next(); }};
  const double u = r.unit();
  if (f.input->move_target(out, u, random)) return out;
  const double w = r.unit();
  if (f.scalar || w < 0.35) {
    x[i] = inputs::move_ulps(x[i], inputs::random_ulps(random));  // nextafter steps
  } else if (w < 0.55) {
    x[i] = x[i] * (1 + r.uniform(-1, 1) * std::ldexp(1.0, -static_cast<int>(r.below(40))));  // perturb one element
    if (!std::isfinite(x[i])) x[i] = in.x[i];
  } else if (w < 0.68) {
    const double m = x[inputs::argmax(x)];  // near-tie with the max
    x[i] = inputs::move_ulps(m, static_cast<std::int64_t>(r.below(9)) - 4);
  } else if (w < 0.8) {
    const double m = x[inputs::argmax(x)];  // spread of 700..745: a probability in the subnormal range
    if (n > 1 && i != inputs::argmax(x)) x[i] = m - r.uniform(700, 745.2);
  } else if (w < 0.9) {
    if (n < max_n) {  // longer n: copies of existing entries (summation error grows with n)
      const std::size_t add = std::min(max_n - n, std::max<std::size_t>(1, n * (r.unit() < 0.5 ? 1 : 0) + r.below(8)));
      for (std::size_t k = 0; k < add; ++k) {
        x.push_back(x[r.below(n)]);
        f.input->after_append(out);
      }
    }
  } else if (n > 1) {  // shorter n
    x.erase(x.begin() + static_cast<std::ptrdiff_t>(i));
    f.input->after_erase(out, i);
  }
  return out;
}

struct Candidate {
  Input input;
  double err = -1;
  std::string regime;
  std::uint64_t index = 0;
};

}  // namespace

double score(Evaluator& ev, const Function& f, const Kernels& impl, const Input& in) {
  if (!provides(impl, f.entry)) return -1;
  const Function* fp = &f;
  try {
    ev.reference({&fp, 1}, in);
  } catch (const std::exception&) {
    return -1;  // not a valid input
  }
  std::int64_t ns = 0;
  ev.run(impl, {&fp, 1}, in, {&ns, 1});
  if (!ev.ok(f)) return -1;
  double worst = 0;
  const auto out = ev.outputs(f);
  const auto refs = ev.refs(f);
  for (std::size_t j = 0; j < out.size() && j < refs.size(); ++j) worst = std::max(worst, oracle::ulp_error(out[j], refs[j]));
  return worst;
}

HuntResult hunt(const HuntOptions& opt) {
  const Function& f = *opt.function;
  std::vector<std::string> regimes = opt.regimes;
  if (regimes.empty()) {
    // Not `special` (sampled in full by every report; its NaN/inf cases would crowd out accuracy cases)
    // nor `long` (too slow to search; longer n comes from the moves).
    if (f.scalar)
      for (const auto& r : regimes::scalar_regimes()) {
        if (r.name != "special") regimes.emplace_back(r.name);
      }
    else
      for (const auto& r : regimes::vector_regimes())
        if (r.name != "long" && r.name != "special") regimes.emplace_back(r.name);
  }
  for (const std::string& r : regimes) {
    const auto* info = regimes::find(r);
    if (!info || (info->scalar != f.scalar && r != "special"))
      throw InputError(fmt::format("regime '{}' is not a {} regime", r, f.scalar ? "scalar" : "vector"));
  }
  const unsigned threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> evaluations{0};

  // ---- random restarts: sample index i goes to regime i % R; each thread keeps its best ----
  std::vector<std::vector<std::vector<Candidate>>> best(threads, std::vector<std::vector<Candidate>>(regimes.size()));
  auto keep_best = [&](std::vector<Candidate>& v, Candidate c, std::size_t cap) {
    v.push_back(std::move(c));
    std::stable_sort(v.begin(), v.end(), [](const Candidate& a, const Candidate& b) {
      return a.err > b.err || (a.err == b.err && std::tie(a.regime, a.index) < std::tie(b.regime, b.index));
    });
    if (v.size() > cap) v.resize(cap);
  };
  {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        Evaluator ev;
        for (std::uint64_t i = t; i < opt.restarts; i += threads) {
          const std::string& regime = regimes[i % regimes.size()];
          const std::uint64_t index = i / regimes.size();
          const std::uint64_t seed = opt.seed ^ 0x68756e74ULL;  // "hunt": not the report's samples
          Input in;
          if (f.scalar) in.x = {regimes::draw(regimes::scalar(regime), seed, index)};
          else in.x = regimes::draw(regimes::vector(regime), seed, index);
          f.input->draw_target(in, seed + 1, index);
          const double e = score(ev, f, opt.implementation, in);
          ++evaluations;
          if (e >= 0) keep_best(best[t][i % regimes.size()], {std::move(in), e, regime, index}, opt.candidates);
        }
      });
    for (auto& th : pool) th.join();
  }
  // Candidates: the best of every regime first, then the next best, ... so one regime cannot crowd out
  // the others (each thread kept its best per regime).
  std::vector<Candidate> all;
  for (auto& per_thread : best)
    for (auto& v : per_thread)
      for (auto& c : v) all.push_back(std::move(c));
  std::stable_sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    return a.err > b.err || (a.err == b.err && std::tie(a.regime, a.index) < std::tie(b.regime, b.index));
  });
  std::vector<Candidate> pool_best;
  for (std::size_t round = 0; pool_best.size() < opt.candidates && round < opt.candidates; ++round) {
    for (const std::string& regime : regimes) {
      std::size_t seen_in_regime = 0;
      for (const Candidate& c : all)
        if (c.regime == regime && seen_in_regime++ == round) {
          if (pool_best.size() < opt.candidates) pool_best.push_back(c);
          break;
        }
    }
  }
  if (opt.log)
    opt.log(fmt::format("hunt: {} random samples over {}, worst {} ULP; refining {} candidates", opt.restarts,
                        fmt::join(regimes, ","), all.empty() ? 0.0 : all.front().err, pool_best.size()));

  // ---- local refinement: hill climbing from each candidate, its own random stream ----
  std::vector<Candidate> refined(pool_best.size());
  std::atomic<std::size_t> next{0};
  {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < std::min<std::size_t>(threads, std::max<std::size_t>(1, pool_best.size())); ++t)
      pool.emplace_back([&] {
        Evaluator ev;
        for (std::size_t c; (c = next.fetch_add(1)) < pool_best.size();) {
          Candidate cur = pool_best[c];
          Rng r{opt.seed * 0x9e3779b97f4a7c15ULL + c + 1};
          for (std::uint64_t s = 0; s < opt.steps && std::isfinite(cur.err); ++s) {
            if (opt.seconds > 0 && (s & 15) == 0 &&
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > opt.seconds)
              break;
            Input next_in = mutate(cur.input, f, r, opt.max_n);
            const double e = score(ev, f, opt.implementation, next_in);
            ++evaluations;
            if (e >= cur.err) cur.input = std::move(next_in), cur.err = e;  // ≥: walk along plateaus
          }
          refined[c] = std::move(cur);
        }
      });
    for (auto& th : pool) th.join();
  }

  // ---- distinct results, worst first ----
  std::stable_sort(refined.begin(), refined.end(), [](const Candidate& a, const Candidate& b) { return a.err > b.err; });
  HuntResult res;
  std::set<std::string> seen;
  for (const Candidate& c : refined) {
    if (res.findings.size() >= opt.keep) break;
    const std::string line = format_case(c.input, *f.input);
    if (!seen.insert(line).second) continue;
    HuntFinding hf;
    hf.found.input = c.input;
    hf.err = c.err;
    hf.regime = c.regime;
    hf.found.note = fmt::format("{}: {} ULP (hunt from {} sample {}, seed {})", opt.implementation.name,
                                std::isinf(c.err) ? std::string("NaN/inf") : fmt::format("{:.6g}", c.err), c.regime,
                                c.index, opt.seed);
    res.findings.push_back(std::move(hf));
  }
  res.evaluations = evaluations.load();
  return res;
}

}  // namespace softcheck::reports
