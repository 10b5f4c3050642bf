// The sweep: draws every sample from properties' regime generators by (seed, regime, index), grades it
// once against the oracle for every implementation, and merges per-thread statistics exactly.
#include "reports/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <set>
#include <thread>

#include "properties/regimes.hpp"
#include "reports/batch.hpp"
#include "reports/common.hpp"
#include "reports/functions.hpp"
#include "reports/isolate.hpp"
#include "reports/worst.hpp"

namespace softcheck::reports {
namespace {

// The canonical regime order (ranks): scalar regimes, vector regimes, then the replayed worst cases.
struct Canon {
  std::string name, description;
  bool scalar;
};
std::vector<Canon> canonical_regimes() {
  std::vector<Canon> v;
  for (const auto& r : regimes::scalar_regimes()) v.push_back({std::string(r.name), std::string(r.description), true});
  for (const auto& r : regimes::vector_regimes()) v.push_back({std::string(r.name), std::string(r.description), false});
  return v;
}

std::uint64_t mix(std::uint64_t seed, std::string_view regime, std::uint64_t stream) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : regime) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  std::uint64_t z = seed ^ (h + 0x9e3779b97f4a7c15ULL * (stream + 1));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// One regime (or one function's worst cases) with the functions it serves.
struct Group {
  std::string regime;
  int rank = 0;
  bool scalar = false;
  const std::vector<WorstCase>* cases = nullptr;  // the worst-case replay
  std::vector<const Function*> fns;
  std::uint64_t total = 0, begin = 0, end = 0;    // planned samples; this shard's range
  std::vector<std::vector<std::size_t>> cell;     // [function][implementation] → cell index
  std::vector<const inputs::Kind*> kinds;        // the input kinds of fns, each once: what to draw
};

struct Item {
  std::size_t group;
  std::uint64_t begin, end;
};

std::uint32_t entry_index(std::string_view entry) {
  const auto e = kernel_entries();
  return static_cast<std::uint32_t>(std::find(e.begin(), e.end(), entry) - e.begin());
}

template <class T>
std::vector<std::string> names_of(const T& list) {
  std::vector<std::string> v;
  for (const auto& e : list) v.emplace_back(e.name);
  return v;
}

}  // namespace

int regime_rank(std::string_view regime, bool scalar) {
  const std::vector<Canon> canon = canonical_regimes();
  if (regime == kWorstRegime) return static_cast<int>(canon.size());
  for (std::size_t r = 0; r < canon.size(); ++r)
    if (canon[r].name == regime && canon[r].scalar == scalar) return static_cast<int>(r);
  return -1;
}

std::uint64_t regime_samples(std::string_view regime, bool scalar, std::uint64_t samples, std::uint64_t long_samples) {
  if (regime == "long") return long_samples;
  const std::uint64_t k = scalar ? regimes::scalar_regimes().size() : regimes::vector_regimes().size() - 1;
  return (samples + k - 1) / k;
}

namespace {

// A sweep's state, from step to step: what was selected, the plan (groups of samples, cells, work
// items), and the per-thread results that the merge adds up.
struct Sweep {
  const SweepOptions& opt;
  std::chrono::steady_clock::time_point t_start;
  // select
  std::vector<const Function*> fns;
  std::vector<Canon> canon;
  std::vector<Kernels> impls;
  std::vector<ImplementationInfo> info;
  Report rep;
  // plan
  std::map<std::string, WorstFile> worst;
  std::vector<Group> groups;
  std::vector<Item> items;
  std::uint64_t total_samples = 0;
  unsigned threads = 1;
  // work, per thread
  std::vector<std::vector<Cell>> partial;
  std::vector<std::vector<CellTiming>> timing;
  std::vector<std::vector<std::int64_t>> oracle_ns;
  std::vector<std::vector<KernelFailure>> failures;
};

// Select: the functions, regimes and implementations asked for (unknown names are InputErrors), and the
// report's header.
void select(Sweep& sw) {
  const SweepOptions& opt = sw.opt;
  auto& fns = sw.fns;
  auto& canon = sw.canon;
  auto& impls = sw.impls;
  auto& info = sw.info;
  auto& rep = sw.rep;
  // ---- selection ----
  if (opt.functions.empty()) {
    for (const Function& f : functions()) fns.push_back(&f);
  } else {
    for (const Function& f : functions())
      if (std::find(opt.functions.begin(), opt.functions.end(), f.name) != opt.functions.end()) fns.push_back(&f);
    for (const std::string& name : opt.functions)
      if (!find_function(name)) {
        std::string known;
        for (const Function& f : functions()) known += (known.empty() ? "" : ", ") + std::string(f.name);
        throw InputError(fmt::format("unknown function '{}' (known: {})", name, known));
      }
  }
  canon = canonical_regimes();
  for (const std::string& name : opt.regimes) {
    if (name == kWorstRegime) continue;
    if (std::none_of(canon.begin(), canon.end(), [&](const Canon& c) { return c.name == name; })) {
      std::set<std::string> known{kWorstRegime};
      for (const Canon& c : canon) known.insert(c.name);
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw InputError(fmt::format("unknown regime '{}' (known: {})", name, list));
    }
  }
  impls = opt.implementations;
  info = opt.implementation_info;
  if (impls.empty())
    for (const std::string& name : bundled_kernel_names()) impls.push_back(bundled_kernels(name));
  info.resize(impls.size());
  for (std::size_t i = 0; i < impls.size(); ++i) {
    if (info[i].name.empty()) info[i].name = impls[i].name;
    if (info[i].origin.empty()) info[i].origin = "bundled";
  }

  rep.versions = tool_versions();
  rep.implementations = info;
  rep.run.seed = opt.seed;
  rep.run.samples = opt.samples;
  rep.run.long_samples = opt.long_samples;
  for (const Function* f : fns) rep.run.functions.emplace_back(f->name);
  rep.run.implementations = names_of(info);
  rep.run.shard_index = opt.shard_index;
  rep.run.shard_count = opt.shard_count;
  rep.run.replay_worst = opt.worst_dir.has_value();
}

// Plan: the worst-case files to replay, a group per regime (and per function's worst cases) with this
// shard's range of samples, a cell per function × regime × implementation in report order, and the
// work items (blocks of sample indices; the slow ones first).
void plan(Sweep& sw) {
  const SweepOptions& opt = sw.opt;
  auto& fns = sw.fns;
  auto& canon = sw.canon;
  auto& impls = sw.impls;
  auto& info = sw.info;
  auto& rep = sw.rep;
  auto& worst = sw.worst;
  auto& groups = sw.groups;
  auto& items = sw.items;
  auto& total_samples = sw.total_samples;
  auto& threads = sw.threads;
  auto regime_selected = [&](const std::string& name) {
    return opt.regimes.empty() || std::find(opt.regimes.begin(), opt.regimes.end(), name) != opt.regimes.end();
  };
  // ---- worst-case files ----
  if (opt.worst_dir) {
    for (const Function* f : fns) {
      const auto path = worst_path(*opt.worst_dir, f->name);
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) continue;
      const std::string text = read_file(path);
      WorstFile wf = parse_worst_file(text, *f->input, path.string());
      if (wf.cases.empty()) continue;
      rep.run.worst.push_back({std::string(f->name), path.filename().string(), digest(text), wf.cases.size(), wf.header});
      worst.emplace(f->name, std::move(wf));
    }
  }

  // ---- groups and cells ----
  auto add_group = [&](Group g) {
    g.begin = g.total * opt.shard_index / opt.shard_count;
    g.end = g.total * (opt.shard_index + 1) / opt.shard_count;
    for (const Function* f : g.fns)
      if (std::find(g.kinds.begin(), g.kinds.end(), f->input) == g.kinds.end()) g.kinds.push_back(f->input);
    groups.push_back(std::move(g));
  };
  for (std::size_t r = 0; r < canon.size(); ++r) {
    if (!regime_selected(canon[r].name)) continue;
    Group g;
    g.regime = canon[r].name;
    g.rank = static_cast<int>(r);
    g.scalar = canon[r].scalar;
    for (const Function* f : fns)
      if (f->scalar == g.scalar) g.fns.push_back(f);
    if (g.fns.empty()) continue;
    g.total = regime_samples(g.regime, g.scalar, opt.samples, opt.long_samples);
    if (g.total == 0) continue;  // deselected by a zero count (e.g. --long-samples 0): not in this run
    rep.regimes.push_back({canon[r].name, canon[r].description, canon[r].scalar, g.total});
    // A kind whose draw rewrites x or shares a field with another kind's (inputs::Kind::own_draw) gets a
    // group of its own: the same regime, samples and x, its own draws.
    std::vector<Group> apart;
    for (const Function* f : g.fns) {
      if (!f->input->own_draw()) continue;
      auto it = std::find_if(apart.begin(), apart.end(), [&](const Group& a) { return a.fns[0]->input == f->input; });
      if (it == apart.end()) {
        Group a = g;
        a.fns.clear();
        apart.push_back(std::move(a));
        it = apart.end() - 1;
      }
      it->fns.push_back(f);
    }
    std::erase_if(g.fns, [](const Function* f) { return f->input->own_draw(); });
    if (!g.fns.empty()) add_group(std::move(g));
    for (Group& a : apart) add_group(std::move(a));
  }
  std::uint64_t worst_total = 0;
  for (const Function* f : fns) {
    const auto it = worst.find(std::string(f->name));
    if (it == worst.end()) continue;
    Group g;
    g.regime = kWorstRegime;
    g.rank = static_cast<int>(canon.size());
    g.scalar = f->scalar;
    g.cases = &it->second.cases;
    g.fns = {f};
    g.total = it->second.cases.size();
    worst_total += g.total;
    add_group(std::move(g));
  }
  if (worst_total)
    rep.regimes.push_back({kWorstRegime, "the worst cases found by `softcheck hunt` (reports/worst/<function>.wc)",
                           false, worst_total});
  for (const RegimeInfo& r : rep.regimes)
    if (std::find(rep.run.regimes.begin(), rep.run.regimes.end(), r.name) == rep.run.regimes.end())
      rep.run.regimes.push_back(r.name);

  // Cells in report order: function, regime rank, implementation.
  struct Key {
    std::size_t fn;
    int rank;
    std::size_t group;
  };
  std::vector<Key> keys;
  for (std::size_t gi = 0; gi < groups.size(); ++gi)
    for (const Function* f : groups[gi].fns)
      keys.push_back({static_cast<std::size_t>(f - functions().data()), groups[gi].rank, gi});
  std::stable_sort(keys.begin(), keys.end(),
                   [](const Key& a, const Key& b) { return std::tie(a.fn, a.rank) < std::tie(b.fn, b.rank); });
  for (Group& g : groups) g.cell.assign(g.fns.size(), std::vector<std::size_t>(impls.size()));
  for (const Key& k : keys) {
    Group& g = groups[k.group];
    const Function& f = functions()[k.fn];
    const auto fi = static_cast<std::size_t>(
        std::find_if(g.fns.begin(), g.fns.end(), [&](const Function* p) { return p == &f; }) - g.fns.begin());
    for (std::size_t ii = 0; ii < impls.size(); ++ii) {
      Cell c;
      c.function = f.name;
      c.regime = g.regime;
      c.rank = g.rank;
      c.implementation = info[ii].name;
      c.provided = provides(impls[ii], f.entry);
      if (f.scalar) c.xbins = XBins{}, c.xbins->axis = XAxis::for_regime(g.regime);
      g.cell[fi][ii] = rep.cells.size();
      rep.cells.push_back(std::move(c));
    }
  }

  // ---- work: blocks of sample indices; the long regime first (its samples are the slowest) ----
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
      const Group& g = groups[gi];
      const bool slow = g.regime == "long" || g.cases;
      if ((pass == 0) != slow) continue;
      const std::uint64_t block = slow ? 1 : 32;
      for (std::uint64_t b = g.begin; b < g.end; b += block) items.push_back({gi, b, std::min(g.end, b + block)});
    }
  for (const Group& g : groups) total_samples += g.end - g.begin;

  threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, items.size())));
}

// Work: the threads take items; per item each draws the samples, runs every implementation's kernel
// calls in its isolated child (a crash or hang fails that call only), and grades them against the
// oracle into its own cells.
void work(Sweep& sw) {
  const SweepOptions& opt = sw.opt;
  const auto t_start = sw.t_start;
  auto& impls = sw.impls;
  auto& info = sw.info;
  auto& rep = sw.rep;
  auto& groups = sw.groups;
  auto& items = sw.items;
  auto& total_samples = sw.total_samples;
  auto& threads = sw.threads;
  auto& partial = sw.partial;
  auto& timing = sw.timing;
  auto& oracle_ns = sw.oracle_ns;
  auto& failures = sw.failures;
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::size_t> current_group{0};
  partial.assign(threads, rep.cells);
  timing.assign(threads, std::vector<CellTiming>(rep.cells.size()));
  oracle_ns.assign(threads, std::vector<std::int64_t>(groups.size()));
  std::exception_ptr failure;
  std::mutex failure_mutex;

  // Crashes and hangs per implementation × kernel entry (for max_crashes), and the failures per thread.
  const std::size_t n_entries = kernel_entries().size();
  std::vector<std::atomic<unsigned>> crash_count(impls.size() * n_entries);
  failures.assign(threads, {});
  std::mutex on_failure_mutex;

  // Children are forked from the worker threads (first call, after a crash, after the shared area grew).
  // A fork while another thread holds an allocator or library lock leaves that lock held forever in the
  // child, which deadlocks when it next needs it, perhaps many calls later (clang 14's ASan allocator
  // keeps a lock per size class: children hung 60 s in CI). So no thread may allocate while another
  // forks: every worker works holding fork_gate shared and lets go of it only while its child runs (a
  // wait that allocates nothing); a call that forks holds it exclusive. The main thread holds it while
  // the workers are created and until each holds it (thread start-up allocates), and no worker exits
  // (thread teardown frees) before every worker has finished its work (the last forks are then done).
  std::shared_mutex fork_gate;
  std::mutex lifecycle;
  std::condition_variable lifecycle_cv;
  unsigned started = 0, finished = 0;
  auto finish_work = [&] {
    std::unique_lock lk(lifecycle);
    ++finished;
    lifecycle_cv.notify_all();
    lifecycle_cv.wait(lk, [&] { return finished == threads; });
  };

  auto worker = [&](unsigned t) {
    std::shared_lock working(fork_gate);
    {
      std::lock_guard lk(lifecycle);
      ++started;
    }
    lifecycle_cv.notify_all();
    struct Finish {
      std::shared_lock<std::shared_mutex>& working;
      decltype(finish_work)& finish;
      ~Finish() {
        if (working.owns_lock()) working.unlock();
        finish();
      }
    } at_exit{working, finish_work};
    try {
      Evaluator ev;  // the oracle, in this process
      std::vector<std::shared_ptr<Input>> ins;
      std::map<std::size_t, rc::Gen<std::vector<double>>> vgen;
      std::map<std::size_t, rc::Gen<double>> sgen;
      using batch::Unit;
      std::vector<Unit> plan;
      std::uint64_t serial = 0;

      // The kernels run in a child process of this thread (or here, without isolation).
      batch::Server server(impls);
      isolate::Sandbox box([&](std::span<std::byte> mem, isolate::Calls& calls) { server.serve(mem, calls); },
                           isolate::Options{opt.call_timeout_s, opt.isolate});

      std::vector<Cell>& cells = partial[t];
      std::vector<double> out;
      for (;;) {
        const std::size_t it = next.fetch_add(1);
        if (it >= items.size() || failure) break;
        const Item& item = items[it];
        const Group& g = groups[item.group];
        current_group = item.group;

        // ---- the item's inputs ----
        ins.clear();
        for (std::uint64_t index = item.begin; index < item.end; ++index) {
          auto in = std::make_shared<Input>();
          const std::uint64_t sx = mix(opt.seed, g.regime, 0), st = mix(opt.seed, g.regime, 1);
          if (g.cases) {
            *in = (*g.cases)[index].input;
          } else if (g.scalar) {
            auto [pos, fresh] = sgen.try_emplace(item.group, regimes::scalar(g.regime));
            in->x = {regimes::draw(pos->second, sx, index)};
          } else {
            auto [pos, fresh] = vgen.try_emplace(item.group, regimes::vector(g.regime));
            in->x = regimes::draw(pos->second, sx, index);
          }
          if (!g.cases)
            for (const inputs::Kind* kind : g.kinds) kind->draw_target(*in, st, index);
          ins.push_back(std::move(in));
        }

        // ---- its kernel calls: per sample, per implementation, one unit per Kernels entry ----
        plan.clear();
        for (std::uint32_t k = 0; k < ins.size(); ++k)
          for (std::uint32_t ii = 0; ii < impls.size(); ++ii) {
            const std::size_t first = plan.size();
            for (const Function* f : g.fns) {
              if (!provides(impls[ii], f->entry)) continue;
              const std::uint32_t e = entry_index(f->entry);
              auto u = std::find_if(plan.begin() + static_cast<std::ptrdiff_t>(first), plan.end(),
                                    [&](const Unit& x) { return x.entry == e; });
              if (u == plan.end()) {
                plan.push_back({k, ii, e, {}, 0, false, {}});
                u = plan.end() - 1;
                u->skip = opt.max_crashes && crash_count[ii * n_entries + e].load() >= opt.max_crashes;
              }
              u->rows.push_back(f);
            }
          }
        box.reserve(batch::layout(ins, plan));
        batch::write(box.memory(), ++serial, ins, plan);

        // ---- run them; a crash or hang fails that call only, the child restarts after it ----
        std::uint64_t first_unit = 0;
        while (first_unit < plan.size()) {
          std::optional<isolate::Failure> f;
          working.unlock();
          if (opt.isolate && box.pid() == 0) {
            std::unique_lock forking(fork_gate);
            f = box.call();
          } else {
            f = box.call();
          }
          working.lock();
          if (!f) break;
          std::uint64_t culprit = f->unit;  // the call in flight
          if (!f->in_call) {                // died between calls: blame the next one it would have made
            culprit = f->calls_begun ? f->unit + 1 : first_unit;
            while (culprit < plan.size() && plan[culprit].skip) ++culprit;
          }
          if (culprit >= plan.size()) break;  // every call had delivered
          Unit& bad = plan[culprit];
          bad.failed = f->describe() + (f->in_call ? "" : " (outside a kernel call, just before it)");
          const unsigned count = ++crash_count[bad.impl * n_entries + bad.entry];
          if (opt.max_crashes && count >= opt.max_crashes)
            for (std::size_t u = culprit + 1; u < plan.size(); ++u)
              if (plan[u].impl == bad.impl && plan[u].entry == bad.entry && !plan[u].skip)
                plan[u].skip = true, batch::write_unit(box.memory(), ins.size(), u, plan[u]);
          first_unit = culprit + 1;
          batch::restart_at(box.memory(), serial, ins.size(), plan.size(), first_unit);
        }

        // ---- grade: the oracle once per sample, then every call's results ----
        std::size_t u = 0;
        for (std::uint32_t k = 0; k < ins.size(); ++k) {
          const std::uint64_t index = item.begin + k;
          const SampleId sid{&g.regime, g.rank, index, ins[k]};
          const auto t0 = std::chrono::steady_clock::now();
          std::string oracle_error;
          try {
            ev.reference(g.fns, *ins[k]);
          } catch (const std::exception& e) {
            oracle_error = std::string("the oracle rejected the input: ") + e.what();
          }
          oracle_ns[t][item.group] +=
              std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
          for (; u < plan.size() && plan[u].sample == k; ++u) {
            const Unit& un = plan[u];
            auto cell_of = [&](const Function* f) {
              const auto fi = static_cast<std::size_t>(std::find(g.fns.begin(), g.fns.end(), f) - g.fns.begin());
              return g.cell[fi][un.impl];
            };
            if (!oracle_error.empty()) {
              for (const Function* f : un.rows) {
                Cell& c = cells[cell_of(f)];
                ++c.samples;
                record_error(c, sid, oracle_error);
              }
              continue;
            }
            if (un.skip) {
              for (const Function* f : un.rows) ++cells[cell_of(f)].skipped;
              continue;
            }
            if (!un.failed.empty()) {
              const std::string message =
                  fmt::format("{} in the {} kernel call", un.failed, kernel_entries()[un.entry]);
              KernelFailure kf{info[un.impl].name, std::string(kernel_entries()[un.entry]), {}, g.regime, g.rank,
                               index, ins[k], un.failed};
              for (const Function* f : un.rows) {
                Cell& c = cells[cell_of(f)];
                ++c.samples;
                record_crash(c, sid, message);
                kf.functions.emplace_back(f->name);
              }
              if (opt.on_failure) {
                std::lock_guard lock(on_failure_mutex);
                opt.on_failure(kf);
              }
              failures[t].push_back(std::move(kf));
              continue;
            }
            std::uint64_t at = un.result;
            for (const Function* f : un.rows) {
              const std::size_t ci = cell_of(f);
              Cell& c = cells[ci];
              const batch::RowResult rr = batch::read_row(box.memory(), at, *f, ins[k]->x.size(), out);
              ++c.samples;
              timing[t][ci].kernel_ns += rr.ns;
              ++timing[t][ci].calls;
              if (!rr.ok) {
                record_error(c, sid, rr.error);
              } else {
                const auto refs = ev.refs(*f);
                const auto kap = ev.kappas(*f);
                const auto comp = ev.components(*f);
                for (std::size_t j = 0; j < comp.size() && j < out.size(); ++j)
                  record(c, sid, comp[j], out[j], refs[j], kap[j]);
              }
              at += batch::slot_bytes(*f, ins[k]->x.size());
            }
          }
          done.fetch_add(1, std::memory_order_relaxed);
        }
      }
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  };

  std::vector<std::thread> pool;
  {
    std::shared_lock creating(fork_gate);
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker, t);
    std::unique_lock lk(lifecycle);
    lifecycle_cv.wait(lk, [&] { return started == threads; });
  }
  if (opt.progress) {
    while (done.load() < total_samples && !failure) {
      {
        std::shared_lock working(fork_gate);  // it allocates and prints: not while a worker forks
        Progress p;
        p.done = done.load();
        p.total = total_samples;
        if (!groups.empty()) p.regime = groups[current_group.load()].regime;
        p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
        opt.progress(p);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  for (auto& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
  if (opt.progress) {
    Progress p;
    p.done = p.total = total_samples;
    p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    opt.progress(p);
  }
}

// Merge: the per-thread cells, timings and failures, added up exactly (so the thread count cannot show).
void merge(Sweep& sw) {
  const auto t_start = sw.t_start;
  auto& rep = sw.rep;
  auto& groups = sw.groups;
  auto& threads = sw.threads;
  auto& partial = sw.partial;
  auto& timing = sw.timing;
  auto& oracle_ns = sw.oracle_ns;
  auto& failures = sw.failures;
  rep.timings.cells.assign(rep.cells.size(), {});
  for (unsigned t = 0; t < threads; ++t) {
    for (std::size_t ci = 0; ci < rep.cells.size(); ++ci) {
      rep.cells[ci].merge(partial[t][ci]);
      rep.timings.cells[ci].kernel_ns += timing[t][ci].kernel_ns;
      rep.timings.cells[ci].calls += timing[t][ci].calls;
    }
  }
  std::map<std::string, std::int64_t> per_regime;
  for (std::size_t gi = 0; gi < groups.size(); ++gi)
    for (unsigned t = 0; t < threads; ++t) per_regime[groups[gi].regime] += oracle_ns[t][gi];
  for (const RegimeInfo& r : rep.regimes)
    if (per_regime.count(r.name)) rep.timings.oracle.emplace_back(r.name, per_regime[r.name]), per_regime.erase(r.name);
  for (auto& v : failures)
    for (KernelFailure& f : v) rep.failures.push_back(std::move(f));
  auto impl_pos = [&](const std::string& name) {
    return std::find(rep.run.implementations.begin(), rep.run.implementations.end(), name) - rep.run.implementations.begin();
  };
  std::sort(rep.failures.begin(), rep.failures.end(), [&](const KernelFailure& a, const KernelFailure& b) {
    return std::make_tuple(impl_pos(a.implementation), entry_index(a.entry), a.rank, a.index) <
           std::make_tuple(impl_pos(b.implementation), entry_index(b.entry), b.rank, b.index);
  });
  rep.timings.threads = threads;
  rep.timings.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
}

}  // namespace

Report run_sweep(const SweepOptions& opt) {
  if (opt.shard_count == 0 || opt.shard_index >= opt.shard_count)
    throw InputError(fmt::format("bad shard {}/{}: want i/n with 0 ≤ i < n", opt.shard_index, opt.shard_count));

  Sweep sw{opt, std::chrono::steady_clock::now(), {}, {}, {}, {}, {}, {}, {}, {}, 0, 1, {}, {}, {}, {}};
  select(sw);
  plan(sw);
  work(sw);
  merge(sw);
  return std::move(sw.rep);
}

std::vector<Cell> summarize(const Report& report) {
  std::vector<Cell> out;
  for (const std::string& fn : report.run.functions)
    for (const std::string& impl : report.run.implementations) {
      Cell s;
      s.function = fn;
      s.regime = "all";
      s.implementation = impl;
      bool any = false;
      for (const Cell& c : report.cells)
        if (c.function == fn && c.implementation == impl) {
          if (!any) s.provided = c.provided, s.xbins.reset();
          s.merge(c);
          any = true;
        }
      s.xbins.reset();
      if (any) out.push_back(std::move(s));
    }
  return out;
}

}  // namespace softcheck::reports

namespace softcheck::reports {

Report merge_reports(const std::vector<Report>& shards) {
  if (shards.empty()) throw InputError("merge: no reports given");
  const Report& first = shards.front();
  auto same_run = [&](const Report& r) -> std::string {
    const RunInfo &a = first.run, &b = r.run;
    if (a.seed != b.seed) return "seed";
    if (a.samples != b.samples || a.long_samples != b.long_samples) return "sample counts";
    if (a.functions != b.functions) return "functions";
    if (a.regimes != b.regimes) return "regimes";
    if (a.implementations != b.implementations) return "implementations";
    if (a.shard_count != b.shard_count) return "shard count";
    if (a.replay_worst != b.replay_worst || a.worst.size() != b.worst.size()) return "worst-case files";
    for (std::size_t i = 0; i < a.worst.size(); ++i)
      if (a.worst[i].function != b.worst[i].function || a.worst[i].digest != b.worst[i].digest) return "worst-case files";
    if (first.versions != r.versions) return "tool versions (a different build)";
    if (first.cells.size() != r.cells.size()) return "cells";
    for (std::size_t i = 0; i < first.cells.size(); ++i)
      if (first.cells[i].function != r.cells[i].function || first.cells[i].regime != r.cells[i].regime ||
          first.cells[i].implementation != r.cells[i].implementation)
        return "cells";
    return {};
  };
  // The shard indices given, as a set: a corrupt report.json's shard count must not size an allocation
  // (fuzzer: 4e9 shards asked for 16 GB) nor a loop.
  const unsigned count = first.run.shard_count;
  std::set<unsigned> seen;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    if (std::string what = same_run(shards[i]); !what.empty())
      throw InputError(fmt::format("merge: report {} is not from the same run as report 1 (its {} differ)", i + 1, what));
    const unsigned idx = shards[i].run.shard_index;
    if (idx >= count) throw InputError(fmt::format("merge: report {} has shard index {} ≥ {}", i + 1, idx, count));
    if (!seen.insert(idx).second) throw InputError(fmt::format("merge: shard {}/{} given twice", idx, count));
  }
  if (seen.size() < count) {
    unsigned missing = 0;  // the first one, at most seen.size()
    while (seen.count(missing)) ++missing;
    throw InputError(fmt::format("merge: shard {}/{} is missing", missing, count));
  }

  Report out = first;
  out.run.shard_index = 0;
  out.run.shard_count = 1;
  for (Cell& c : out.cells) {
    Cell empty;
    empty.function = c.function;
    empty.regime = c.regime;
    empty.rank = c.rank;
    empty.implementation = c.implementation;
    empty.provided = c.provided;
    if (c.xbins) empty.xbins = XBins{}, empty.xbins->axis = c.xbins->axis;
    c = std::move(empty);
  }
  out.timings = {};
  out.timings.cells.assign(out.cells.size(), {});
  std::map<std::string, std::int64_t> oracle;
  for (const Report& r : shards) {
    for (std::size_t i = 0; i < out.cells.size(); ++i) {
      out.cells[i].merge(r.cells[i]);
      if (i < r.timings.cells.size()) {
        out.timings.cells[i].kernel_ns += r.timings.cells[i].kernel_ns;
        out.timings.cells[i].calls += r.timings.cells[i].calls;
      }
    }
    out.timings.wall_s = std::max(out.timings.wall_s, r.timings.wall_s);
    out.timings.threads = std::max(out.timings.threads, r.timings.threads);
    for (const auto& [regime, ns] : r.timings.oracle) oracle[regime] += ns;
  }
  for (const RegimeInfo& r : out.regimes)
    if (oracle.count(r.name)) out.timings.oracle.emplace_back(r.name, oracle[r.name]), oracle.erase(r.name);
  return out;
}

}  // namespace softcheck::reports
