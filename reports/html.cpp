// The HTML report: one self-contained page (inline CSS and SVG we draw ourselves, no scripts, no network):
// the headline table, then per function its plots (error against x for scalar functions; for vector
// functions the share of values above each error, per regime) and its table.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "reports/functions.hpp"
#include "reports/markup.hpp"
#include "reports/render.hpp"

namespace softcheck::reports {
namespace {

const char* color(std::size_t impl) {
  static const char* palette[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"};
  return palette[impl % std::size(palette)];
}

// Background of a headline cell by max error.
const char* shade(const Cell& c) {
  if (!c.provided || c.samples == 0) return "#f0f0f0";
  if (c.nonfinite + c.special_mismatch + c.errors) return "#f4a3a3";
  const double m = c.max_ulp.value ? *c.max_ulp.value : 0;
  if (m <= 0.5 + 1e-6) return "#c7ecd9";
  if (m < 1) return "#e2f3c4";
  if (m < 16) return "#fbe7b0";
  if (m < 1e6) return "#f9c89b";
  return "#f4a3a3";
}

std::string power_label(int e) {
  if (e >= -3 && e <= 10) {
    const double v = std::ldexp(1.0, e);
    return v < 1 ? fmt::format("{:g}", v) : fmt::format("{:.0f}", v);
  }
  return fmt::format("2^{}", e);
}

struct Frame {
  double w = 560, h = 200, left = 52, right = 22, top = 22, bottom = 34;
  double px(double f) const { return left + f * (w - left - right); }   // f ∈ [0, 1]
  double py(double f) const { return top + (1 - f) * (h - top - bottom); }
};

std::string axes(const Frame& fr, const std::string& title) {
  std::string s = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" class="plot">)",
                              fr.w, fr.h);
  s += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="#fff" stroke="#999"/>)", fr.left, fr.top,
                   fr.w - fr.left - fr.right, fr.h - fr.top - fr.bottom);
  s += fmt::format(R"(<text x="{}" y="14" class="title">{}</text>)", fr.left, xml_escape(title));
  return s;
}

// Error against x: the largest error per x bin, one series per implementation, log2 error axis.
std::string scalar_plot(const Report& rep, const std::string& fn, const std::string& regime) {
  std::vector<std::pair<std::size_t, const Cell*>> series;
  for (const Cell& c : rep.cells)
    if (c.function == fn && c.regime == regime && c.provided && c.xbins && c.samples) {
      const auto it = std::find(rep.run.implementations.begin(), rep.run.implementations.end(), c.implementation);
      series.emplace_back(static_cast<std::size_t>(it - rep.run.implementations.begin()), &c);
    }
  if (series.empty()) return {};
  const XAxis axis = series.front().second->xbins->axis;
  double top = 1;
  bool any_inf = false;
  for (const auto& [i, c] : series)
    for (int b = 0; b < XBins::kBins; ++b) {
      top = std::max(top, c->xbins->max[b]);
      any_inf = any_inf || c->xbins->nonfinite[b];
    }
  const int ylo = -12, yhi = std::min(1024, static_cast<int>(std::ceil(std::log2(top))) + 1);
  const int yinf = yhi + (any_inf ? 2 : 0);
  Frame fr;
  std::string s = axes(fr, fmt::format("{} · regime {} · max error per x bin", fn, regime));
  auto fy = [&](double err) {
    const double l = err <= 0 ? ylo : std::clamp(std::log2(err), double(ylo), double(yhi));
    return fr.py((l - ylo) / (yinf - ylo));
  };
  // y grid: powers of two, thinned to at most ~8 labels
  const int step = std::max(1, (yhi - ylo + 7) / 8);  // at most ~8 labels
  for (int e = ylo; e <= yhi; e += step) {
    s += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" class="grid"/>)", fr.left, fr.w - fr.right, fy(std::ldexp(1.0, e)), fy(std::ldexp(1.0, e)));
    s += fmt::format(R"(<text x="{}" y="{:.1f}" class="ytick">{}</text>)", fr.left - 4, fy(std::ldexp(1.0, e)) + 3,
                     e == ylo ? "≤" + power_label(e) : power_label(e));
  }
  for (double ref : {0.5, 1.0})  // "1 ULP" above its line, "0.5 ULP" below its own: they never overlap
    s += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" class="ref"/><text x="{}" y="{:.1f}" class="reflabel">{} ULP</text>)",
                     fr.left, fr.w - fr.right, fy(ref), fy(ref), fr.w - fr.right - 2, ref == 1.0 ? fy(ref) - 2 : fy(ref) + 9, ref);
  if (any_inf)
    s += fmt::format(R"(<text x="{}" y="{:.1f}" class="ytick">NaN/∞</text>)", fr.left - 4, fr.py(1) + 3);
  // x ticks
  auto fx_of_pos = [&](double p) { return fr.px((p - axis.lo) / (axis.hi - axis.lo)); };
  std::vector<std::pair<double, std::string>> ticks;
  if (axis.kind == XAxis::Kind::kLinear) {
    const double span = axis.hi - axis.lo;
    const double st = span > 1000 ? 250 : span > 400 ? 100 : 50;
    for (double v = std::ceil(axis.lo / st) * st; v <= axis.hi; v += st) ticks.emplace_back(v, fmt::format("{:g}", v));
  } else {
    for (double v : {-1e300, -1e100, -1.0, -1e-100, 0.0, 1e-100, 1.0, 1e100, 1e300})
      ticks.emplace_back(axis.position(v), v == 0 ? "0" : fmt::format("{:g}", v));
  }
  for (const auto& [p, label] : ticks) {
    const double x = fx_of_pos(p);
    s += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" class="grid"/><text x="{0:.1f}" y="{3}" class="xtick">{4}</text>)",
                     x, fr.top, fr.h - fr.bottom, fr.h - fr.bottom + 12, xml_escape(label));
  }
  s += fmt::format(R"(<text x="{}" y="{}" class="xlabel">x{}</text>)", (fr.left + fr.w) / 2, fr.h - 4,
                   axis.kind == XAxis::Kind::kLinear ? "" : " (log scale, both signs)");
  // series, as steps (one flat segment per bin, so a lone bin shows), the first implementation on top
  for (auto it = series.rbegin(); it != series.rend(); ++it) {
    const auto& [i, c] = *it;
    const XBins& b = *c->xbins;
    std::string path;
    bool pen = false;
    for (int k = 0; k < XBins::kBins; ++k) {
      if (b.max[k] < 0) {
        pen = false;
        continue;
      }
      const double x0 = fr.px(double(k) / XBins::kBins), x1 = fr.px(double(k + 1) / XBins::kBins);
      path += fmt::format("{}{:.1f},{:.1f} H{:.1f} ", pen ? "L" : "M", x0, fy(b.max[k]), x1);
      pen = true;
    }
    if (!path.empty())
      s += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="1.6" opacity="0.85"/>)", path, color(i));
    for (int k = 0; k < XBins::kBins; ++k)
      if (b.nonfinite[k])
        s += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="{}"/>)", fr.px((k + 0.5) / XBins::kBins),
                         fr.py(1) + 0.0, color(i));
  }
  return s + "</svg>";
}

// Share of output values with err ≥ e, against e (log2), one series per implementation: the error
// distribution of a vector function in one regime.
std::string vector_plot(const Report& rep, const std::string& fn, const std::string& regime) {
  std::vector<std::pair<std::size_t, const Cell*>> series;
  for (const Cell& c : rep.cells)
    if (c.function == fn && c.regime == regime && c.provided && c.values) {
      const auto it = std::find(rep.run.implementations.begin(), rep.run.implementations.end(), c.implementation);
      series.emplace_back(static_cast<std::size_t>(it - rep.run.implementations.begin()), &c);
    }
  if (series.empty()) return {};
  int hi_bin = 0;
  std::uint64_t most = 1;
  for (const auto& [i, c] : series) {
    most = std::max(most, c->values);
    for (int k = 0; k < static_cast<int>(c->histogram.octave.size()); ++k)
      if (c->histogram.octave[static_cast<std::size_t>(k)]) hi_bin = std::max(hi_bin, k);
  }
  const int elo = -12;
  const int ehi = std::max(2, Histogram::kLowest + hi_bin + 1);
  const double ylo = std::min(-1.0, std::floor(std::log10(1.0 / static_cast<double>(most))));
  Frame fr;
  fr.w = 420;
  fr.h = 190;
  std::string s = axes(fr, fmt::format("{} · {}", fn, regime));
  auto fx = [&](double e) { return fr.px((std::clamp(e, double(elo), double(ehi)) - elo) / (ehi - elo)); };
  auto fy = [&](double share) { return fr.py((std::log10(share) - ylo) / (0 - ylo)); };
  for (int d = static_cast<int>(ylo); d <= 0; ++d) {
    s += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" class="grid"/><text x="{}" y="{:.1f}" class="ytick">{}</text>)",
                     fr.left, fr.w - fr.right, fy(std::pow(10.0, d)), fy(std::pow(10.0, d)), fr.left - 4,
                     fy(std::pow(10.0, d)) + 3, d == 0 ? "1" : fmt::format("1e{}", d));
  }
  const int step = std::max(1, (ehi - elo + 6) / 7);
  for (int e = elo; e <= ehi; e += step)
    s += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" class="grid"/><text x="{0:.1f}" y="{3}" class="xtick">{4}</text>)",
                     fx(e), fr.top, fr.h - fr.bottom, fr.h - fr.bottom + 12, power_label(e));
  for (double ref : {0.5, 1.0})
    s += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" class="ref"/>)", fx(std::log2(ref)), fr.top,
                     fr.h - fr.bottom);
  s += fmt::format(R"(<text x="{}" y="{}" class="xlabel">error e (ULP); y: share of values with err ≥ e</text>)",
                   (fr.left + fr.w) / 2, fr.h - 4);
  for (auto it = series.rbegin(); it != series.rend(); ++it) {
    const auto& [i, c] = *it;
    const Histogram& h = c->histogram;
    const double total = static_cast<double>(c->values);
    // exceedance at the lower edge of each octave: values in this octave and above (non-finite included)
    std::string path;
    std::uint64_t above = c->nonfinite + c->special_mismatch;
    std::vector<std::pair<double, std::uint64_t>> pts;
    for (int k = static_cast<int>(h.octave.size()) - 1; k >= 0; --k) {
      above += h.octave[static_cast<std::size_t>(k)];
      pts.emplace_back(Histogram::kLowest + k, above);
    }
    std::reverse(pts.begin(), pts.end());
    bool pen = false;
    for (std::size_t k = 0; k < pts.size(); ++k) {
      const auto [e, n] = pts[k];
      if (e < elo && k + 1 < pts.size() && pts[k + 1].first <= elo) continue;
      if (n == 0) break;
      const double share = static_cast<double>(n) / total;
      path += fmt::format("{}{:.1f},{:.1f} H{:.1f} ", pen ? "L" : "M", fx(e), fy(share), fx(e + 1));
      pen = true;
    }
    if (!path.empty())
      s += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="1.8" opacity="0.85"/>)", path, color(i));
  }
  return s + "</svg>";
}

std::string md_inline(const std::string& s) {
  // The gate section comes as Markdown: show it as preformatted text.
  return "<pre class=\"gate\">" + xml_escape(s) + "</pre>";
}

}  // namespace

std::string render_html(const Report& rep, const std::string& extra) {
  std::string h;
  h += R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>softcheck accuracy report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1320px;color:#222;padding:0 16px}
h1{font-size:24px;margin:0 0 4px} h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:16px;margin:22px 0 6px} .meta{color:#555} code{font-size:12.5px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:12.5px} td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}
td:first-child,th:first-child,td.l{text-align:left} th{background:#f6f6f6}
.headline td{font-variant-numeric:tabular-nums;min-width:90px}
.plots{display:flex;flex-wrap:wrap;gap:8px}
svg.plot text{font:10px system-ui,sans-serif;fill:#333} svg.plot .title{font-weight:600;font-size:11px}
svg.plot .ytick{text-anchor:end} svg.plot .xtick{text-anchor:middle} svg.plot .xlabel{text-anchor:middle;fill:#666}
svg.plot .grid{stroke:#eee} svg.plot .ref{stroke:#888;stroke-dasharray:4 3} svg.plot .reflabel{text-anchor:end;fill:#888}
.legend span{display:inline-block;margin-right:14px} .legend i{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:5px}
.witness{font:11.5px ui-monospace,monospace;color:#333;word-break:break-all;margin:2px 0}
pre.gate{background:#fafafa;border:1px solid #ddd;padding:8px;white-space:pre-wrap;font-size:12px}
details{margin:10px 0}
</style></head><body>
<h1>softcheck accuracy report</h1>
)";
  h += fmt::format(R"(<p class="meta">Seed {} · {} samples per function over its regimes (<code>long</code>: {}) · implementations: {}{}{}</p>)",
                   rep.run.seed, rep.run.samples, rep.run.long_samples, xml_escape(fmt::format("{}", fmt::join(rep.run.implementations, ", "))),
                   rep.run.shard_count > 1 ? fmt::format(" · shard {}/{}", rep.run.shard_index, rep.run.shard_count) : "",
                   rep.timings.wall_s > 0 ? fmt::format(" · {:.1f} s on {} threads", rep.timings.wall_s, rep.timings.threads) : "");
  h += "<p class=\"meta\">Errors in ULPs against the exact value (docs/definitions.md): ≤ 0.5 correctly rounded, &lt; 1 faithful; "
       "NaN/∞ where a finite value was due counts as ∞, never averaged in.</p>\n";
  h += "<p class=\"legend\">";
  for (std::size_t i = 0; i < rep.run.implementations.size(); ++i)
    h += fmt::format(R"(<span><i style="background:{}"></i>{}</span>)", color(i), xml_escape(rep.run.implementations[i]));
  h += "</p>\n";

  const std::vector<Cell> summary = summarize(rep);
  std::map<std::pair<std::string, std::string>, const Cell*> sum;
  for (const Cell& c : summary) sum[{c.function, c.implementation}] = &c;
  h += "<h2>Max error per function (ULP, every regime)</h2>\n<table class=\"headline\"><tr><th>function</th><th>samples</th>";
  for (const auto& impl : rep.run.implementations) h += "<th>" + xml_escape(impl) + "</th>";
  h += "</tr>\n";
  for (const auto& fn : rep.run.functions) {
    std::uint64_t samples = 0;
    for (const auto& impl : rep.run.implementations)
      if (auto it = sum.find({fn, impl}); it != sum.end()) samples = std::max(samples, it->second->samples);
    h += fmt::format("<tr><td><a href=\"#{0}\"><code>{0}</code></a></td><td>{1}</td>", fn, samples);
    for (const auto& impl : rep.run.implementations) {
      auto it = sum.find({fn, impl});
      if (it == sum.end()) {
        h += "<td>–</td>";
        continue;
      }
      const Cell& c = *it->second;
      std::string v = !c.provided ? "not provided" : c.max_ulp.value ? format_ulp(*c.max_ulp.value) : "–";
      if (c.provided && c.nonfinite + c.special_mismatch) v = fmt::format("∞ ({} NaN/inf)", c.nonfinite + c.special_mismatch);
      h += fmt::format(R"(<td style="background:{}">{}</td>)", shade(c), xml_escape(v));
    }
    h += "</tr>\n";
  }
  h += "</table>\n";
  if (!extra.empty()) h += md_inline(extra);

  for (const auto& fn : rep.run.functions) {
    const Function& f = *find_function(fn);
    h += fmt::format("<h2 id=\"{0}\"><code>{0}</code></h2>\n<p>Grades {1}. Condition number κ: {2}.</p>\n", fn,
                     xml_escape(f.graded), xml_escape(f.condition));
    h += "<div class=\"plots\">";
    for (const RegimeInfo& r : rep.regimes) {
      if (r.name != kWorstRegime && r.scalar != f.scalar) continue;
      h += f.scalar ? scalar_plot(rep, fn, r.name) : vector_plot(rep, fn, r.name);
    }
    h += "</div>\n<table><tr><th>regime</th><th>implementation</th><th>samples</th><th>max ULP</th><th>max dist</th>"
         "<th>mean ULP</th><th>correctly rounded</th><th>faithful</th><th>NaN/inf</th><th>max err/(κ+1)</th><th>ns/call</th></tr>\n";
    for (std::size_t i = 0; i < rep.cells.size(); ++i) {
      const Cell& c = rep.cells[i];
      if (c.function != fn) continue;
      if (!c.provided) {
        h += fmt::format("<tr><td>{}</td><td class=l>{}</td><td colspan=9 class=l>not provided</td></tr>\n", xml_escape(c.regime),
                         xml_escape(c.implementation));
        continue;
      }
      const double ns = i < rep.timings.cells.size() && rep.timings.cells[i].calls
                            ? static_cast<double>(rep.timings.cells[i].kernel_ns) / static_cast<double>(rep.timings.cells[i].calls)
                            : std::nan("");
      h += fmt::format(
          "<tr><td>{}</td><td class=l>{}</td><td>{}</td><td style=\"background:{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
          xml_escape(c.regime), xml_escape(c.implementation), c.samples, shade(c), c.max_ulp.value ? format_ulp(*c.max_ulp.value) : "–",
          c.max_distance.value ? std::to_string(*c.max_distance.value) : "–", c.finite ? format_ulp(c.mean_ulp()) : "–",
          format_share(c.correctly_rounded, c.values), format_share(c.faithful, c.values),
          c.nonfinite + c.special_mismatch + c.errors, c.max_condition.value ? format_ulp(*c.max_condition.value) : "–",
          std::isnan(ns) ? std::string("–") : fmt::format("{:.0f}", ns));
    }
    h += "</table>\n";
    for (const auto& impl : rep.run.implementations) {
      auto it = sum.find({fn, impl});
      if (it == sum.end() || !it->second->provided || !it->second->max_ulp.value) continue;
      h += fmt::format("<p class=\"witness\"><b>{} worst:</b> {}</p>\n", xml_escape(impl),
                       xml_escape(format_witness(it->second->max_ulp.witness, fn, 16)));
    }
  }

  h += "<h2>Regimes</h2>\n<table><tr><th>regime</th><th>kind</th><th>samples</th><th>description</th></tr>\n";
  for (const RegimeInfo& r : rep.regimes)
    h += fmt::format("<tr><td>{}</td><td class=l>{}</td><td>{}</td><td class=l>{}</td></tr>\n", xml_escape(r.name),
                     r.name == kWorstRegime ? "replay" : r.scalar ? "scalar" : "vector", r.samples, xml_escape(r.description));
  h += "</table>\n<details><summary>Versions measured</summary><table>\n";
  for (const auto& [k, v] : rep.versions) h += fmt::format("<tr><td>{}</td><td class=l>{}</td></tr>\n", xml_escape(k), xml_escape(v));
  for (const ImplementationInfo& i : rep.implementations)
    h += fmt::format("<tr><td>implementation {}</td><td class=l>{}</td></tr>\n", xml_escape(i.name), xml_escape(i.origin));
  h += "</table></details>\n</body></html>\n";
  return h;
}

}  // namespace softcheck::reports
