# `softcheck check`: the property suite against one implementation. naive fails (exit 1) naming the failing
# property with a counterexample and a replay line that reproduces it; accurate passes a selection of properties
# (exit 0); usage and input errors exit 2.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(run_check out_var rc_var)
  execute_process(COMMAND ${SOFTCHECK} check ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  WORKING_DIRECTORY ${WORK})
  set(${out_var} "${out}${err}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()

function(expect what text pattern)
  if(NOT "${text}" MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: output does not match '${pattern}':\n${text}")
  endif()
endfunction()

# naive: e^x overflows at +1000 and underflows at -1000, so finite.softmax must fail (NaN), with its counterexample.
run_check(out rc --impl naive --property finite.softmax,sum.softmax.unit)
message("${out}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "check --impl naive: status ${rc}, want 1 (finite.softmax fails)")
endif()
expect("naive" "${out}" "FAIL  finite.softmax")
expect("naive" "${out}" "counterexample \\(shrunk to n = [0-9]+\\): x = \\[")
expect("naive" "${out}" "summary: [0-9]+ passed, [1-9][0-9]* failed, 0 not provided")
expect("naive" "${out}" "failed: [^\n]*finite.softmax")
expect("naive" "${out}" "check: FAIL")
# The replay line reproduces a failure alone and at once: sum.softmax.unit (naive's rounded quotients do not sum to
# 1 within the bound) fails after some passing cases; its replay fails on the first case, with the same
# counterexample, though the seed alone would take those passing cases again.
string(FIND "${out}" "FAIL  sum.softmax.unit" at)
if(at EQUAL -1)
  message(FATAL_ERROR "naive passes sum.softmax.unit: this test needs a failure after some passing cases")
endif()
string(SUBSTRING "${out}" ${at} -1 block)
string(REGEX MATCH "after ([0-9]+) passing cases" _ "${block}")
if(NOT CMAKE_MATCH_1 GREATER 0)
  message(FATAL_ERROR "sum.softmax.unit failed on its first case: the replay check below would prove nothing")
endif()
string(REGEX MATCH "counterexample \\(shrunk to n = [0-9]+\\): ([^\n]*)" _ "${block}")
set(counterexample "${CMAKE_MATCH_1}")
string(REGEX MATCH "replay: RC_PARAMS=\"([^\"]*)\" [^\n]* --property sum.softmax.unit" _ "${block}")
set(params "${CMAKE_MATCH_1}")
if(params STREQUAL "" OR counterexample STREQUAL "")
  message(FATAL_ERROR "no replay line or counterexample for sum.softmax.unit:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env "RC_PARAMS=${params}" ${SOFTCHECK} check --impl naive --property sum.softmax.unit
                RESULT_VARIABLE rc OUTPUT_VARIABLE replayed ERROR_VARIABLE err)
message("${replayed}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "replay: status ${rc}, want 1\n${replayed}${err}")
endif()
string(FIND "${replayed}" "${counterexample}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "replay did not reproduce the counterexample '${counterexample}':\n${replayed}")
endif()
expect("replay" "${replayed}" "after 0 passing cases")
expect("replay" "${replayed}" "summary: 0 passed, 1 failed")

# accurate passes these (each is a claim of README and docs/definitions.md: ≤ 1 ULP on dominant inputs, Σ softmax = 1,
# the special-value table, exact shifts, finite-difference gradients).
run_check(out rc --impl accurate
          --property "agreement.log_softmax.dominant,agreement.cross_entropy_grad.tail,sum.softmax.*:special.*,shift.logsumexp,gradient.cross_entropy"
          --exclude sum.softmax.long)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check --impl accurate: status ${rc}, want 0")
endif()
expect("accurate" "${out}" "PASS  agreement.log_softmax.dominant")
expect("accurate" "${out}" "PASS  special.softmax")
expect("accurate" "${out}" "summary: [1-9][0-9]* passed, 0 failed, 0 not provided")
expect("accurate" "${out}" "check: PASS")
if(out MATCHES "sum.softmax.long")
  message(FATAL_ERROR "--exclude sum.softmax.long did not exclude it")
endif()

# --list runs nothing and names what each property needs.
run_check(out rc --impl standard --list --property "gradsum.*")
if(NOT rc EQUAL 0 OR NOT out MATCHES "gradsum.cross_entropy" OR out MATCHES "PASS|FAIL")
  message(FATAL_ERROR "check --list: status ${rc}\n${out}")
endif()

# Usage and input errors: status 2 with a message naming the problem.
function(expect_usage pattern)
  run_check(out rc ${ARGN})
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "check ${ARGN}: status ${rc}, want 2\n${out}")
  endif()
  expect("check ${ARGN}" "${out}" "${pattern}")
endfunction()
expect_usage("--impl is required|impl" --property sum.softmax.unit)
expect_usage("unknown implementation 'fancy'" --impl fancy)
expect_usage("'nosuch\\.\\*': no property matches" --impl naive --property "nosuch.*")
expect_usage("--scale: want a number > 0" --impl naive --scale 0)
expect_usage("--budget: want a number of ULPs > 0" --impl naive --budget -1)
execute_process(COMMAND ${CMAKE_COMMAND} -E env SOFTCHECK_PROPERTY_SCALE=lots ${SOFTCHECK} check --impl naive
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "SOFTCHECK_PROPERTY_SCALE='lots'")
  message(FATAL_ERROR "SOFTCHECK_PROPERTY_SCALE=lots: status ${rc}, want 2\n${out}${err}")
endif()
