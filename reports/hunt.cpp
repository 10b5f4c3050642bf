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

constexpr double kInf = std::numeric_limits<double>::infinity();

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

double step_ulps(double x, std::int64_t k) {
  const double dir = k > 0 ? kInf : -kInf;
  for (std::int64_t i = 0; i < (k > 0 ? k : -k) && std::isfinite(x); ++i) x = std::nextafter(x, dir);
  return x;
}

// x moved by about k ULPs quickly (k up to 2^20): through the bit pattern for finite x of one sign.
double move_ulps(double x, std::int64_t k) {
  if (!std::isfinite(x) || k == 0) return x;
  if (std::llabs(k) <= 8) return step_ulps(x, k);
  const double u = oracle::ulp_of(x);
  const double y = x + static_cast<double>(k) * u;
  return std::isfinite(y) ? y : x;
}

std::size_t argmax(const std::vector<double>& x) {
  std::size_t k = 0;
  for (std::size_t i = 1; i < x.size(); ++i)
    if (x[i] > x[k]) k = i;
  return k;
}

// One random move of the input (never NaN/inf created; targets kept valid).
Input mutate(const Input& in, const Function& f, Rng& r, std::size_t max_n) {
  Input out = in;
  std::vector<double>& x = out.x;
  const std::size_t n = x.size();
  const std::size_t i = r.below(n);
  const auto ulps = [&] {
    const int e = static_cast<int>(r.below(21));
    const std::int64_t m = std::int64_t{1} << e;
    return r.unit() < 0.5 ? -static_cast<std::int64_t>(r.below(static_cast<std::size_t>(m)) + 1)
                          : static_cast<std::int64_t>(r.below(static_cast<std::size_t>(m)) + 1);
  };
  const double u = r.unit();
  if (f.input == InputKind::kXBceTarget && u < 0.3) {
    // target moves: σ(x) nearby (the gradient cancels), an end, or a few ULPs
    const double v = r.unit();
    if (v < 0.4) out.bce_target = std::clamp(move_ulps(oracle::sigmoid(x[0]).rounded, ulps() % 16), 0.0, 1.0);
    else if (v < 0.6) out.bce_target = r.unit() < 0.5 ? 0.0 : 1.0;
    else out.bce_target = std::clamp(move_ulps(out.bce_target, ulps()), 0.0, 1.0);
    return out;
  }
  if (f.input == InputKind::kXClass && u < 0.1) {
    out.target_class = r.unit() < 0.6 ? argmax(x) : r.below(n);
    return out;
  }
  if (f.input == InputKind::kXTarget && u < 0.2) {
    const std::size_t j = r.below(n);
    const double v = r.unit();
    if (v < 0.4) {  // t toward softmax(x) (the gradient cancels)
      const auto p = oracle::softmax(x);
      for (std::size_t k = 0; k < n; ++k) out.target[k] = std::isfinite(p[k].rounded) ? p[k].rounded : 0.0;
    } else if (v < 0.7) {
      out.target[j] = std::max(0.0, move_ulps(out.target[j] == 0 ? 1e-3 : out.target[j], ulps()));
    } else {
      out.target[j] = r.unit();
    }
    return out;
  }
  const double w = r.unit();
  if (f.scalar || w < 0.35) {
    x[i] = move_ulps(x[i], ulps());  // nextafter steps
  } else if (w < 0.55) {
    x[i] = x[i] * (1 + r.uniform(-1, 1) * std::ldexp(1.0, -static_cast<int>(r.below(40))));  // perturb one element
    if (!std::isfinite(x[i])) x[i] = in.x[i];
  } else if (w < 0.68) {
    const double m = x[argmax(x)];  // near-tie with the max
    x[i] = move_ulps(m, static_cast<std::int64_t>(r.below(9)) - 4);
  } else if (w < 0.8) {
    const double m = x[argmax(x)];  // spread of 700..745: a probability in the subnormal range
    if (n > 1 && i != argmax(x)) x[i] = m - r.uniform(700, 745.2);
  } else if (w < 0.9) {
    if (n < max_n) {  // longer n: copies of existing entries (summation error grows with n)
      const std::size_t add = std::min(max_n - n, std::max<std::size_t>(1, n * (r.unit() < 0.5 ? 1 : 0) + r.below(8)));
      for (std::size_t k = 0; k < add; ++k) {
        x.push_back(x[r.below(n)]);
        if (f.input == InputKind::kXTarget) out.target.push_back(0);
      }
    }
  } else if (n > 1) {  // shorter n
    x.erase(x.begin() + static_cast<std::ptrdiff_t>(i));
    if (f.input == InputKind::kXTarget) out.target.erase(out.target.begin() + static_cast<std::ptrdiff_t>(i));
    if (f.input == InputKind::kXClass) {
      if (out.target_class == i) out.target_class = argmax(x);
      else if (out.target_class > i) --out.target_class;
    }
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
  if (!provides(impl, f.kernel)) return -1;
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
          if (f.scalar) {
            in.x = {regimes::draw(regimes::scalar(regime), seed, index)};
            if (f.input == InputKind::kXBceTarget) in.bce_target = regimes::draw(regimes::bce_target(in.x[0]), seed + 1, index);
          } else {
            in.x = regimes::draw(regimes::vector(regime), seed, index);
            if (f.input == InputKind::kXClass) in.target_class = regimes::draw(regimes::class_index(in.x), seed + 1, index);
            if (f.input == InputKind::kXTarget) in.target = regimes::draw(regimes::distribution(in.x), seed + 2, index);
          }
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
    const std::string line = format_case(c.input, f.input);
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
