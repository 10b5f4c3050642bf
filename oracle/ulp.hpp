// The ULP metric of docs/definitions.md, implemented once for the whole project.
//
//   err(y, v) = |y - v| / ulp(v),  ulp(v) = 2^(max(e, -1022) - 52), e = floor(log2 |v|);  ulp(0) = 2^-1074
//
// computed against the exact value v (not its rounding), so that a 0.5008-ULP result reads 0.5008.
#pragma once

#include <cstdint>

#include "oracle/oracle.hpp"

namespace softcheck::oracle {

// docs/definitions.md's err(y, v). Special values: 0 where y is the due infinity or the due NaN;
// +inf (an "infinite error", counted apart by callers) where y is NaN or ±inf and a finite value was due,
// or y is not the due special value. Signed zeros compare equal.
double ulp_error(double y, const Ref& v);

// glibc's measure: how many doubles lie between y and the correctly rounded value (0 when equal),
// counting across zero with +0 and -0 as one value. INT64_MAX where one is NaN and the other is not.
std::int64_t ulp_distance(double y, double rounded);

// ulp(v) for a double v, as in docs/definitions.md (used by properties for derived bounds).
double ulp_of(double v);

}  // namespace softcheck::oracle
