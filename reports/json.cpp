// report.json and timings.json: a stable, documented layout (ordered keys, arrays of numbers on one line)
// so that equal reports are equal bytes, and a reader that checks what it reads.
#include "reports/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <type_traits>

#include "reports/common.hpp"
#include "reports/functions.hpp"
#include "reports/worst.hpp"

namespace softcheck::reports {
namespace {

using json = nlohmann::ordered_json;

// A double that may be inf or NaN: a number where finite, else the string "inf", "-inf" or "nan".
json num(double v) {
  if (std::isfinite(v)) return v;
  return hex(v);
}

double get_num(const json& j, const char* what) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string())
    if (auto d = parse_double(j.get<std::string>())) return *d;
  throw InputError(fmt::format("'{}' is not a number", what));
}

json hex_array(const std::vector<double>& v) {
  json a = json::array();
  for (double d : v) a.push_back(hex(d));
  return a;
}

// Pretty printer: objects one key a line, arrays of numbers/strings on one line.
void pretty(const json& j, std::string& out, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  const std::string pad2(static_cast<std::size_t>(indent + 2), ' ');
  if (j.is_object()) {
    if (j.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ",\n";
      first = false;
      out += pad2 + json(it.key()).dump() + ": ";
      pretty(it.value(), out, indent + 2);
    }
    out += "\n" + pad + "}";
  } else if (j.is_array()) {
    bool flat = true;
    for (const auto& e : j) flat = flat && e.is_primitive();
    if (flat) {
      out += j.dump();
      return;
    }
    out += "[\n";
    bool first = true;
    for (const auto& e : j) {
      if (!first) out += ",\n";
      first = false;
      out += pad2;
      pretty(e, out, indent + 2);
    }
    out += "\n" + pad + "]";
  } else {
    out += j.dump();
  }
}

struct Writer {
  std::map<std::string, std::string> side;

  json input(const Input& in, const Function& f, const std::string& regime, std::uint64_t index) {
    json j = json::object();
    j["n"] = in.x.size();
    if (in.x.size() > kInlineWitnessElements) {
      const std::string path = fmt::format("witness/{}-{}-{}.wc", f.name, regime, index);
      // One side file per sample, however many witnesses (implementations, maxima) point at it: formatted
      // once (a long input is 10^3..10^6 numbers).
      if (!side.count(path))
        side.emplace(path, fmt::format("# softcheck witness: {} input, regime {}, sample {}\n{}\n", f.name, regime,
                                       index, format_case(in, *f.input)));
      j["input_file"] = path;
      std::vector<double> head(in.x.begin(), in.x.begin() + 4);
      j["x_head"] = hex_array(head);
      f.input->target_to_json(j, in, true);
      return j;
    }
    if (f.scalar) j["x"] = hex(in.x.empty() ? 0.0 : in.x[0]);
    else j["x"] = hex_array(in.x);
    f.input->target_to_json(j, in, false);
    return j;
  }

  json witness(const Witness& w, const Function& f, bool with_output) {
    json j = json::object();
    j["regime"] = w.regime;
    j["index"] = w.index;
    if (with_output) j["component"] = w.component;
    j["input"] = w.input ? input(*w.input, f, w.regime, w.index) : json();
    if (with_output) {
      j["y"] = hex(w.y);
      j["expected"] = hex(w.expected);
      j["ulp"] = num(w.ulp);
      if (w.distance == INT64_MAX) j["distance"] = "nan";
      else j["distance"] = w.distance;
      j["kappa"] = num(w.kappa);
    } else {
      j["message"] = w.message;
    }
    return j;
  }

  template <class T>
  json max_of(const Max<T>& m, const Function& f) {
    if (!m.value) return json();
    json j = json::object();
    j["value"] = *m.value;
    j["witness"] = witness(m.witness, f, true);
    return j;
  }

  json cell(const Cell& c, bool full) {
    const Function& f = *find_function(c.function);
    json j = json::object();
    j["function"] = c.function;
    j["regime"] = c.regime;
    j["implementation"] = c.implementation;
    j["status"] = c.provided ? "measured" : "not_provided";
    if (!c.provided) return j;
    j["samples"] = c.samples;
    j["values"] = c.values;
    j["finite"] = c.finite;
    j["correctly_rounded"] = c.correctly_rounded;
    j["faithful"] = c.faithful;
    j["nonfinite"] = c.nonfinite;
    j["special_mismatch"] = c.special_mismatch;
    j["errors"] = c.errors;
    j["crashes"] = c.crashes;
    j["skipped"] = c.skipped;
    j["uncertain"] = c.uncertain;
    j["mean_ulp"] = c.mean_ulp();
    j["ulp_sum"] = c.ulp_sum.to_string();
    j["max_ulp"] = max_of(c.max_ulp, f);
    j["max_distance"] = max_of(c.max_distance, f);
    j["max_condition_ratio"] = max_of(c.max_condition, f);
    j["first_nonfinite"] = c.first_nonfinite ? witness(*c.first_nonfinite, f, true) : json();
    j["first_error"] = c.first_error ? witness(*c.first_error, f, false) : json();
    if (!full) return j;
    std::size_t last = c.histogram.octave.size();
    while (last > 0 && c.histogram.octave[last - 1] == 0) --last;
    j["histogram"] = {{"zero", c.histogram.zero},
                      {"log2_lowest", Histogram::kLowest},
                      {"counts", std::vector<std::uint64_t>(c.histogram.octave.begin(), c.histogram.octave.begin() +
                                                                                  static_cast<std::ptrdiff_t>(last))}};
    if (c.xbins) {
      const XBins& b = *c.xbins;
      json x = json::object();
      x["axis"] = b.axis.kind == XAxis::Kind::kLinear ? "linear" : "signed_log2";
      x["lo"] = b.axis.lo;
      x["hi"] = b.axis.hi;
      json mx = json::array();
      for (double v : b.max) mx.push_back(v < 0 ? json() : json(v));
      x["max_ulp"] = mx;
      bool any = false;
      for (auto v : b.nonfinite) any = any || v;
      if (any) x["nonfinite"] = std::vector<std::uint64_t>(b.nonfinite.begin(), b.nonfinite.end());
      j["x_bins"] = x;
    }
    return j;
  }
};

// ---- reading ----

const json& at(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw InputError(fmt::format("{}: missing '{}'", where, key));
  return j.at(key);
}
std::uint64_t get_u64(const json& j, const char* key, const std::string& where) {
  const json& v = at(j, key, where);
  if (!v.is_number_unsigned()) throw InputError(fmt::format("{}: '{}' is not a count", where, key));
  return v.get<std::uint64_t>();
}
std::string get_str(const json& j, const char* key, const std::string& where) {
  const json& v = at(j, key, where);
  if (!v.is_string()) throw InputError(fmt::format("{}: '{}' is not a string", where, key));
  return v.get<std::string>();
}
double get_hex(const json& j, const std::string& where) {
  if (j.is_string())
    if (auto d = parse_double(j.get<std::string>())) return *d;
  throw InputError(fmt::format("{}: '{}' is not a hex float", where, j.dump()));
}
std::vector<double> get_hex_array(const json& j, const std::string& where) {
  if (!j.is_array()) throw InputError(fmt::format("{}: expected an array of hex floats", where));
  std::vector<double> v;
  for (const auto& e : j) v.push_back(get_hex(e, where));
  return v;
}

struct Reader {
  std::filesystem::path dir;
  std::string origin;
  std::map<std::string, std::shared_ptr<const Input>> files;

  std::shared_ptr<const Input> input(const json& j, const Function& f, const std::string& where) {
    if (j.is_null()) return nullptr;
    if (j.contains("input_file")) {
      const std::string rel = get_str(j, "input_file", where);
      if (auto it = files.find(rel); it != files.end()) return it->second;
      // Only what the writer makes: a regular file under the report's folder ("/dev/zero" hung a merge, fuzzer).
      const std::filesystem::path rp(rel);
      std::error_code ec;
      if (rel.empty() || rp.is_absolute() || std::find(rp.begin(), rp.end(), "..") != rp.end() ||
          !std::filesystem::is_regular_file(dir / rp, ec))
        throw InputError(fmt::format("{}: 'input_file' must name a file under the report's folder, not '{}'", where, rel));
      const WorstFile wf = parse_worst_file(read_file(dir / rel), *f.input, (dir / rel).string());
      if (wf.cases.size() != 1) throw InputError(fmt::format("{}: '{}' should hold one case", where, rel));
      auto p = std::make_shared<const Input>(wf.cases[0].input);
      files.emplace(rel, p);
      return p;
    }
    auto in = std::make_shared<Input>();
    const json& x = at(j, "x", where);
    if (f.scalar) in->x = {get_hex(x, where)};
    else in->x = get_hex_array(x, where);
    f.input->target_from_json({[&](const char* key) { return get_u64(j, key, where); },
                               [&](const char* key) { return get_hex(at(j, key, where), where); },
                               [&](const char* key) { return get_hex_array(at(j, key, where), where); }},
                              *in);
    return in;
  }

  Witness witness(const json& j, const Function& f, bool with_output, const std::string& where) {
    Witness w;
    w.regime = get_str(j, "regime", where);
    w.rank = regime_rank(w.regime, f.scalar);
    if (w.rank < 0) throw InputError(fmt::format("{}: unknown regime '{}'", where, w.regime));
    w.index = get_u64(j, "index", where);
    w.input = input(at(j, "input", where), f, where);
    if (with_output) {
      w.component = get_u64(j, "component", where);
      w.y = get_hex(at(j, "y", where), where);
      w.expected = get_hex(at(j, "expected", where), where);
      w.ulp = get_num(at(j, "ulp", where), "ulp");
      const json& d = at(j, "distance", where);
      w.distance = d.is_number_integer() ? d.get<std::int64_t>() : INT64_MAX;
      w.kappa = get_num(at(j, "kappa", where), "kappa");
    } else {
      w.message = get_str(j, "message", where);
    }
    return w;
  }

  template <class T>
  void max_of(const json& j, Max<T>& m, const Function& f, const std::string& where) {
    if (j.is_null()) return;
    const json& v = at(j, "value", where);
    if (!v.is_number()) throw InputError(fmt::format("{}: 'value' is not a number", where));
    // An integer maximum (max_distance) must be an integer in range: nlohmann converts 1e300 to int64 with
    // undefined behaviour (fuzzer).
    if constexpr (std::is_integral_v<T>)
      if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t{INT64_MAX}))
        throw InputError(fmt::format("{}: 'value' is not an integer", where));
    m.value = v.get<T>();
    m.witness = witness(at(j, "witness", where), f, true, where);
  }

  Cell cell(const json& j, std::size_t i) {
    const std::string where = fmt::format("{}: cells[{}]", origin, i);
    Cell c;
    c.function = get_str(j, "function", where);
    const Function* f = find_function(c.function);
    if (!f) throw InputError(fmt::format("{}: unknown function '{}'", where, c.function));
    c.regime = get_str(j, "regime", where);
    c.rank = regime_rank(c.regime, f->scalar);
    if (c.rank < 0) throw InputError(fmt::format("{}: unknown regime '{}'", where, c.regime));
    c.implementation = get_str(j, "implementation", where);
    const std::string status = get_str(j, "status", where);
    if (status == "not_provided") {
      c.provided = false;
      return c;
    }
    if (status != "measured") throw InputError(fmt::format("{}: unknown status '{}'", where, status));
    c.samples = get_u64(j, "samples", where);
    c.values = get_u64(j, "values", where);
    c.finite = get_u64(j, "finite", where);
    c.correctly_rounded = get_u64(j, "correctly_rounded", where);
    c.faithful = get_u64(j, "faithful", where);
    c.nonfinite = get_u64(j, "nonfinite", where);
    c.special_mismatch = get_u64(j, "special_mismatch", where);
    c.errors = get_u64(j, "errors", where);
    // Added to schema /1 later: absent in older reports, where they were 0.
    if (j.contains("crashes")) c.crashes = get_u64(j, "crashes", where);
    if (j.contains("skipped")) c.skipped = get_u64(j, "skipped", where);
    c.uncertain = get_u64(j, "uncertain", where);
    const auto sum = ExactSum::parse(get_str(j, "ulp_sum", where));
    if (!sum) throw InputError(fmt::format("{}: 'ulp_sum' is not an exact sum", where));
    c.ulp_sum = *sum;
    max_of(at(j, "max_ulp", where), c.max_ulp, *f, where + ".max_ulp");
    max_of(at(j, "max_distance", where), c.max_distance, *f, where + ".max_distance");
    max_of(at(j, "max_condition_ratio", where), c.max_condition, *f, where + ".max_condition_ratio");
    if (const json& w = at(j, "first_nonfinite", where); !w.is_null())
      c.first_nonfinite = witness(w, *f, true, where + ".first_nonfinite");
    if (const json& w = at(j, "first_error", where); !w.is_null())
      c.first_error = witness(w, *f, false, where + ".first_error");
    const json& h = at(j, "histogram", where);
    c.histogram.zero = get_u64(h, "zero", where);
    const json& counts = at(h, "counts", where);
    if (!counts.is_array() || counts.size() > c.histogram.octave.size())
      throw InputError(fmt::format("{}: bad histogram", where));
    for (std::size_t k = 0; k < counts.size(); ++k) {
      if (!counts[k].is_number_unsigned()) throw InputError(fmt::format("{}: bad histogram", where));
      c.histogram.octave[k] = counts[k].get<std::uint64_t>();
    }
    if (j.contains("x_bins")) {
      const json& x = j.at("x_bins");
      XBins b;
      b.axis.kind = get_str(x, "axis", where) == "linear" ? XAxis::Kind::kLinear : XAxis::Kind::kSignedLog2;
      b.axis.lo = get_num(at(x, "lo", where), "lo");
      b.axis.hi = get_num(at(x, "hi", where), "hi");
      const json& mx = at(x, "max_ulp", where);
      if (!mx.is_array() || mx.size() != XBins::kBins) throw InputError(fmt::format("{}: bad x_bins", where));
      for (int k = 0; k < XBins::kBins; ++k) b.max[k] = mx[k].is_null() ? -1 : get_num(mx[k], "x_bins");
      if (x.contains("nonfinite")) {
        const json& nf = x.at("nonfinite");
        if (!nf.is_array() || nf.size() != XBins::kBins) throw InputError(fmt::format("{}: bad x_bins", where));
        for (int k = 0; k < XBins::kBins; ++k) {
          if (!nf[k].is_number_unsigned()) throw InputError(fmt::format("{}: bad x_bins", where));  // -1.5: UB (fuzzer)
          b.nonfinite[k] = nf[k].get<std::uint64_t>();
        }
      }
      c.xbins = b;
    }
    return c;
  }
};

std::vector<std::string> str_list(const json& j, const char* key, const std::string& where) {
  const json& a = at(j, key, where);
  if (!a.is_array()) throw InputError(fmt::format("{}: '{}' is not a list", where, key));
  std::vector<std::string> v;
  for (const auto& e : a) {
    if (!e.is_string()) throw InputError(fmt::format("{}: '{}' holds a non-string", where, key));
    v.push_back(e.get<std::string>());
  }
  return v;
}

}  // namespace

RenderedJson report_to_json(const Report& rep) {
  Writer w;
  json j = json::object();
  j["schema"] = kReportSchema;
  json versions = json::object();
  for (const auto& [k, v] : rep.versions) versions[k] = v;
  j["versions"] = versions;
  json impls = json::array();
  for (const ImplementationInfo& i : rep.implementations) {
    json o = {{"name", i.name}, {"origin", i.origin}};
    if (!i.swaps.empty()) {
      json s = json::object();
      for (const auto& [entry, from] : i.swaps) s[entry] = from;
      o["swapped_entries"] = s;
    }
    impls.push_back(o);
  }
  j["implementations"] = impls;
  json run = json::object();
  run["seed"] = rep.run.seed;
  run["samples_per_function"] = rep.run.samples;
  run["long_samples"] = rep.run.long_samples;
  run["functions"] = rep.run.functions;
  run["regimes"] = rep.run.regimes;
  run["implementations"] = rep.run.implementations;
  run["shard"] = {{"index", rep.run.shard_index}, {"count", rep.run.shard_count}};
  json worst = json::object();
  worst["replayed"] = rep.run.replay_worst;
  json files = json::array();
  for (const WorstFileInfo& f : rep.run.worst)
    files.push_back({{"function", f.function}, {"file", f.file}, {"digest", f.digest}, {"cases", f.cases},
                     {"header", f.header}});
  worst["files"] = files;
  run["worst_cases"] = worst;
  j["run"] = run;
  json regimes = json::array();
  for (const RegimeInfo& r : rep.regimes)
    regimes.push_back({{"name", r.name}, {"scalar", r.scalar}, {"samples", r.samples}, {"description", r.description}});
  j["regimes"] = regimes;
  json fns = json::array();
  for (const std::string& name : rep.run.functions) {
    const Function& f = *find_function(name);
    fns.push_back({{"name", f.name},
                   {"kernel", f.entry},
                   {"scalar", f.scalar},
                   {"graded", f.graded},
                   {"condition_number", f.condition}});
  }
  j["functions"] = fns;
  json summary = json::array();
  for (const Cell& c : summarize(rep)) summary.push_back(w.cell(c, false));
  j["summary"] = summary;
  json cells = json::array();
  for (const Cell& c : rep.cells) cells.push_back(w.cell(c, true));
  j["cells"] = cells;
  RenderedJson out;
  pretty(j, out.text, 0);
  out.text += '\n';
  out.side_files.assign(w.side.begin(), w.side.end());
  return out;
}

std::string timings_to_json(const Report& rep) {
  json j = json::object();
  j["schema"] = kTimingsSchema;
  j["wall_seconds"] = rep.timings.wall_s;
  j["threads"] = rep.timings.threads;
  json oracle = json::object();
  for (const auto& [r, ns] : rep.timings.oracle) oracle[r] = static_cast<double>(ns) * 1e-9;
  j["oracle_seconds"] = oracle;
  json cells = json::array();
  for (std::size_t i = 0; i < rep.cells.size() && i < rep.timings.cells.size(); ++i) {
    const CellTiming& t = rep.timings.cells[i];
    cells.push_back({{"function", rep.cells[i].function},
                     {"regime", rep.cells[i].regime},
                     {"implementation", rep.cells[i].implementation},
                     {"calls", t.calls},
                     {"kernel_seconds", static_cast<double>(t.kernel_ns) * 1e-9},
                     {"ns_per_call", t.calls ? static_cast<double>(t.kernel_ns) / static_cast<double>(t.calls) : 0.0}});
  }
  j["cells"] = cells;
  std::string s;
  pretty(j, s, 0);
  return s + '\n';
}

Report report_from_json(const std::string& text, const std::filesystem::path& dir, const std::string& origin) {
  check_json_nesting(text, origin);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999 (fuzzer)
    throw InputError(fmt::format("{}: not valid JSON ({})", origin, e.what()));
  }
  try {
    if (!j.is_object() || !j.contains("schema") || j["schema"] != kReportSchema)
      throw InputError(fmt::format("{}: not a {} file (schema: {})", origin, kReportSchema,
                                   j.is_object() && j.contains("schema") ? j["schema"].dump() : "missing"));
    Report rep;
    for (auto it = at(j, "versions", origin).begin(); it != j["versions"].end(); ++it)
      rep.versions.emplace_back(it.key(), it.value().get<std::string>());
    for (const auto& i : at(j, "implementations", origin)) {
      ImplementationInfo info{get_str(i, "name", origin), get_str(i, "origin", origin), {}};
      if (i.contains("swapped_entries"))
        for (auto it = i["swapped_entries"].begin(); it != i["swapped_entries"].end(); ++it)
          info.swaps.emplace_back(it.key(), it.value().get<std::string>());
      rep.implementations.push_back(info);
    }
    const json& run = at(j, "run", origin);
    const std::string rw = origin + ": run";
    rep.run.seed = get_u64(run, "seed", rw);
    rep.run.samples = get_u64(run, "samples_per_function", rw);
    rep.run.long_samples = get_u64(run, "long_samples", rw);
    rep.run.functions = str_list(run, "functions", rw);
    rep.run.regimes = str_list(run, "regimes", rw);
    rep.run.implementations = str_list(run, "implementations", rw);
    for (const std::string& f : rep.run.functions)
      if (!find_function(f)) throw InputError(fmt::format("{}: unknown function '{}'", rw, f));
    const json& shard = at(run, "shard", rw);
    rep.run.shard_index = static_cast<unsigned>(get_u64(shard, "index", rw));
    rep.run.shard_count = static_cast<unsigned>(get_u64(shard, "count", rw));
    const json& worst = at(run, "worst_cases", rw);
    rep.run.replay_worst = at(worst, "replayed", rw).get<bool>();
    for (const auto& f : at(worst, "files", rw))
      rep.run.worst.push_back({get_str(f, "function", rw), get_str(f, "file", rw), get_str(f, "digest", rw),
                               get_u64(f, "cases", rw), str_list(f, "header", rw)});
    for (const auto& r : at(j, "regimes", origin))
      rep.regimes.push_back({get_str(r, "name", origin), get_str(r, "description", origin),
                             at(r, "scalar", origin).get<bool>(), get_u64(r, "samples", origin)});
    Reader reader{dir, origin, {}};
    const json& cells = at(j, "cells", origin);
    if (!cells.is_array()) throw InputError(fmt::format("{}: 'cells' is not a list", origin));
    for (std::size_t i = 0; i < cells.size(); ++i) rep.cells.push_back(reader.cell(cells[i], i));
    return rep;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: unexpected content ({})", origin, e.what()));
  }
}

void timings_from_json(Report& rep, const std::string& text, const std::string& origin) {
  check_json_nesting(text, origin);
  json j;
  try {
    j = json::parse(text);
    if (!j.is_object() || j.value("schema", "") != kTimingsSchema)
      throw InputError(fmt::format("{}: not a {} file", origin, kTimingsSchema));
    // Integers are checked before conversion: nlohmann converts a float such as 1e300 or -1.5 to an integer
    // type with undefined behaviour (fuzzer: kernel_seconds 1e300).
    auto count = [&](const json& v, const char* what, std::uint64_t max) {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max)
        throw InputError(fmt::format("{}: '{}' is not a count", origin, what));
      return v.get<std::uint64_t>();
    };
    auto nanoseconds = [&](const json& v, const char* what) {
      const double seconds = v.get<double>();
      if (!(seconds >= 0 && seconds < 9e9))  // 9e18 ns < 2^63
        throw InputError(fmt::format("{}: '{}' is not a number of seconds in [0, 9e9)", origin, what));
      return static_cast<std::int64_t>(seconds * 1e9);
    };
    rep.timings.wall_s = j.at("wall_seconds").get<double>();
    rep.timings.threads = static_cast<unsigned>(count(j.at("threads"), "threads", UINT_MAX));
    rep.timings.oracle.clear();
    for (auto it = j.at("oracle_seconds").begin(); it != j.at("oracle_seconds").end(); ++it)
      rep.timings.oracle.emplace_back(it.key(), nanoseconds(it.value(), "oracle_seconds"));
    std::map<std::tuple<std::string, std::string, std::string>, CellTiming> by_name;
    for (const auto& c : j.at("cells"))
      by_name[{c.at("function").get<std::string>(), c.at("regime").get<std::string>(),
               c.at("implementation").get<std::string>()}] = {
          nanoseconds(c.at("kernel_seconds"), "kernel_seconds"), count(c.at("calls"), "calls", UINT64_MAX)};
    rep.timings.cells.assign(rep.cells.size(), {});
    for (std::size_t i = 0; i < rep.cells.size(); ++i) {
      const Cell& c = rep.cells[i];
      if (auto it = by_name.find({c.function, c.regime, c.implementation}); it != by_name.end())
        rep.timings.cells[i] = it->second;
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: unexpected content ({})", origin, e.what()));
  }
}

void write_json_files(const Report& rep, const std::filesystem::path& dir) {
  const RenderedJson r = report_to_json(rep);
  for (const auto& [rel, content] : r.side_files) {
    std::error_code ec;
    std::filesystem::create_directories((dir / rel).parent_path(), ec);
    if (ec) throw InputError(fmt::format("cannot create '{}': {}", (dir / rel).parent_path().string(), ec.message()));
    write_atomically(dir / rel, content);
  }
  write_atomically(dir / "report.json", r.text);
  write_atomically(dir / "timings.json", timings_to_json(rep));
}

}  // namespace softcheck::reports
