# JUnit XML from `check --junit` and `gate --junit`: schema-valid (reports/tests/junit.xsd, checked with
# xmllint) and naming what failed: the property with its counterexample and replay line, the function ×
# implementation with its witness input; passing and skipped cases as such.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
if(NOT XMLLINT)
  message(FATAL_ERROR "xmllint not found: scripts/install-deps installs libxml2-utils")
endif()

function(validate file)
  execute_process(COMMAND ${XMLLINT} --noout --schema ${XSD} ${file} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${file} is not valid JUnit (${XSD}):\n${err}")
  endif()
endfunction()
function(expect what pattern file)
  file(READ ${file} text)
  if(NOT text MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: no match for '${pattern}' in ${file}:\n${text}")
  endif()
endfunction()

# Runs softcheck with --junit FILE, wants exit status WANT, validates FILE.
function(run_junit want file)
  execute_process(COMMAND ${SOFTCHECK} ${ARGN} --junit ${file} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL want)
    message(FATAL_ERROR "softcheck ${ARGN}: status ${rc}, want ${want}")
  endif()
  validate(${file})
endfunction()

# check: two failures (naive: NaN at ±1000, σ(-x) ≠ 1 - σ(x)) and a pass; then --fail-fast leaves the rest skipped.
set(props --property finite.softmax,monotone.sigmoid,symmetry.sigmoid)
run_junit(1 ${WORK}/check.xml check --impl naive ${props})
expect("check" "<testsuites name=\"softcheck check naive\" tests=\"3\" failures=\"2\"" ${WORK}/check.xml)
expect("check" "name=\"finite.softmax\" time=\"[0-9.]+\">\n +<failure message=\"[^\"]+\" type=\"[^\"]*special[^\"]*\">FAILED  naive finite.softmax[^<]*counterexample[^<]*replay: RC_PARAMS=&quot;" ${WORK}/check.xml)
expect("check" "<testcase classname=\"softcheck.check.naive.monotone\" name=\"monotone.sigmoid\" time=\"[0-9.]+\"/>" ${WORK}/check.xml)
run_junit(1 ${WORK}/fast.xml check --impl naive ${props} --fail-fast -j 1)
expect("check --fail-fast" "skipped=\"2\"" ${WORK}/fast.xml)
expect("check --fail-fast" "<skipped message=\"not run \\(--fail-fast\\)\"/>" ${WORK}/fast.xml)

# gate: a breach (the accurate log_softmax swapped for standard's) names the witness; a clean run passes.
set(sweep -i accurate --seed 1 --long-samples 0 --worst none --no-progress --budgets ${BUDGETS})
run_junit(1 ${WORK}/gate.xml gate ${sweep} -f log_softmax,sigmoid -n 2000 --swap log_softmax=standard)
expect("gate" "tests=\"2\" failures=\"1\"" ${WORK}/gate.xml)
expect("gate" "name=\"log_softmax × accurate\" time=\"[0-9.]+\">\n +<failure message=\"log_softmax × accurate \\[[a-z]+\\]: [^\"]*witness: x = \\[" ${WORK}/gate.xml)
expect("gate" "name=\"sigmoid × accurate\" time=\"[0-9.]+\"/>" ${WORK}/gate.xml)
run_junit(0 ${WORK}/pass.xml gate ${sweep} -f sigmoid -n 500)
expect("gate pass" "tests=\"1\" failures=\"0\"" ${WORK}/pass.xml)
