// Property group 7: the special-value table of docs/definitions.md (oracle/special_values.hpp, the one
// copy of it), bit for bit, one property per kernel entry; and the README's decisions for empty inputs.
#include <cmath>
#include <string>

#include "oracle/special_values.hpp"
#include "properties/property.hpp"

namespace softcheck::properties {
namespace {

// want NaN: got must be NaN; otherwise got == want (signed zeros equal unless `sign`).
void expect(const std::string& what, double got, double want, bool sign) {
  const bool ok = std::isnan(want) ? std::isnan(got)
                                   : (got == want && (!sign || std::signbit(got) == std::signbit(want)));
  if (!ok)
    fail(what + " = " + show(got) + ", docs/definitions.md's table wants " +
         (sign && want == 0 && !std::signbit(want) ? "+0" : show(want)));
}

std::string describe(const special::Case& e) {
  std::string s = std::string(e.entry) + "(" + show(e.x);
  if (e.entry == "cross_entropy") s += ", " + std::to_string(e.k);
  if (e.entry == "cross_entropy_dist") s += ", t = " + show(e.t);
  if (e.entry == "bce_with_logits") s += ", " + show(e.t.at(0));
  return s + ")";
}

// Every case of the table for `entry`, through the kernel's entry as any caller would make the call.
void check_entry(Ctx& c, std::string_view entry) {
  functions::EntryOutput call;
  for (const special::Case& e : special::table()) {
    if (e.entry != entry) continue;
    inputs::Input in;
    in.x = e.x;
    in.target_class = e.k;
    in.target = e.t;
    if (entry == "bce_with_logits") in.bce_target = e.t.at(0), in.target.clear();
    functions::call_entry(c.k, entry, in, !e.outputs.empty(), call);
    const std::string what = describe(e);
    if (e.value != special::kAny) expect(what, call.value, e.value, e.sign);
    for (std::size_t i = 0; i < e.outputs.size() && i < call.vector.size(); ++i)
      if (e.outputs[i] != special::kAny)
        expect(what + (e.value != special::kAny ? " gradient" : "") + "[" + std::to_string(i) + "]", call.vector[i],
               e.outputs[i], e.sign);
  }
}

}  // namespace

void add_special(std::vector<Property>& out) {
  const std::string table = "docs/definitions.md's special values";
  const std::pair<const char*, std::string> entries[] = {
      {"sigmoid", table},
      {"log_sigmoid", table},
      {"softmax", table + "; empty is a no-op"},
      {"log_softmax", table + "; empty is a no-op"},
      {"logsumexp", table + "; empty gives -inf"},
      {"cross_entropy", table + " (class index)"},
      {"cross_entropy_dist", table + " (distribution); t_i = 0 terms count 0"},
      {"bce_with_logits", table},
  };
  for (const auto& [entry, about] : entries) {
    const std::string name = entry;
    out.push_back({{"special." + name, "special", name + ": " + about, 1, {name}}, [name](Ctx& c) {
                     check_entry(c, name);
                     if (name == "softmax" || name == "log_softmax") {  // empty input: nothing is written
                       const double x0 = 1.0;
                       double y0 = 42.0;
                       (name == "softmax" ? c.k.softmax : c.k.log_softmax)(&x0, 0, &y0);
                       if (y0 != 42.0) fail(name + " of an empty vector wrote to its output");
                     }
                   }});
  }
}

}  // namespace softcheck::properties
