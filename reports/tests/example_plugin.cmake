# README's "Verify your own kernel", end to end: install softcheck into a prefix (no root), build
# examples/my_kernel against it with find_package(softcheck) + softcheck_add_plugin, then grade the good kernel and
# its deliberately broken copy (MY_KERNEL_BROKEN: softmax drops its last probability, the cross-entropy gradient
# adds e_k instead of subtracting it) with the installed `softcheck check`, `eval`, `report` and `gate`.
# my_kernel.c is a max-shift kernel in plain double (as PyTorch and SciPy): it is not within 1 ULP everywhere, so
# the checks below state what it does hold — within 64 ULP on [-1, 1] logits (check --budget 64), within 20 ULP
# (5 or 2 for some) on the `unit` and `uniform` regimes (the gate) — and the broken copy must fail exactly there.
cmake_policy(VERSION 3.25)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(prefix ${WORK}/prefix)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what}: status ${rc}\n${out}${err}")
  endif()
endfunction()

# 1. Install and build the example against the installed package.
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${CONFIG}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} failed (build every target first: cmake --build ${BUILD_DIR}):\n${out}${err}")
endif()
set(sc ${prefix}/bin/softcheck)
file(GLOB_RECURSE config ${prefix}/*/softcheckConfig.cmake)
if(NOT EXISTS ${sc} OR NOT config)
  message(FATAL_ERROR "the install lacks bin/softcheck or softcheckConfig.cmake")
endif()
get_filename_component(config_dir "${config}" DIRECTORY)
run("configure examples/my_kernel" ${CMAKE_COMMAND} -S ${EXAMPLE_DIR} -B ${WORK}/build -G "${GENERATOR}"
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_BUILD_TYPE=Release)
file(STRINGS ${WORK}/build/CMakeCache.txt found REGEX "^softcheck_DIR:")
if(NOT found STREQUAL "softcheck_DIR:PATH=${config_dir}")
  message(FATAL_ERROR "find_package(softcheck) found '${found}', not the install in ${config_dir}")
endif()
run("build examples/my_kernel" ${CMAKE_COMMAND} --build ${WORK}/build --config Release)
file(GLOB_RECURSE good ${WORK}/build/libmy_kernel.so)
file(GLOB_RECURSE broken ${WORK}/build/libmy_kernel_broken.so)
if(NOT good OR NOT broken)
  message(FATAL_ERROR "the example did not build libmy_kernel.so and libmy_kernel_broken.so")
endif()

function(softcheck out_var rc_var)
  execute_process(COMMAND ${sc} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  WORKING_DIRECTORY ${WORK})
  set(${out_var} "${out}${err}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()
function(expect what status want text pattern)
  if(NOT status EQUAL want)
    message(FATAL_ERROR "${what}: status ${status}, want ${want}\n${text}")
  endif()
  if(NOT text MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: output does not match '${pattern}':\n${text}")
  endif()
endfunction()

# 2. check: the good kernel passes, the broken copy fails the very same properties. log_softmax is not exported:
#    "not provided", never a failure.
set(props "agreement.softmax.unit,agreement.cross_entropy_grad.unit,sum.softmax.unit,agreement.log_softmax.unit")
softcheck(out rc check --impl ${good} --budget 64 --property ${props})
message("${out}")
expect("check good" ${rc} 0 "${out}" "summary: 3 passed, 0 failed, 1 not provided")
expect("check good" ${rc} 0 "${out}" "does not provide log_softmax")
softcheck(out rc check --impl ${broken} --budget 64 --property ${props})
message("${out}")
expect("check broken" ${rc} 1 "${out}" "summary: 0 passed, 3 failed, 1 not provided")
foreach(p agreement.softmax.unit agreement.cross_entropy_grad.unit sum.softmax.unit)
  expect("check broken" ${rc} 1 "${out}" "FAIL  ${p}")
endforeach()
# Only properties the kernel cannot run: nothing was checked, which is no pass.
softcheck(out rc check --impl ${good} --property "agreement.log_softmax.*")
expect("check, nothing provided" ${rc} 1 "${out}" "NOTHING CHECKED")

# 3. eval: the broken softmax's last probability, and a function the plugin does not export.
softcheck(out rc eval softmax 1 2 --impl ${broken} --json)
expect("eval broken" ${rc} 0 "${out}" "^{")
string(JSON last GET "${out}" results 0 output 1)
string(JSON rn GET "${out}" results 0 oracle 1)
string(JSON ulp GET "${out}" results 0 ulp 1)
if(NOT last STREQUAL "0.0" OR NOT rn STREQUAL "0.7310585786300049" OR NOT ulp GREATER 1e15)
  message(FATAL_ERROR "eval softmax 1 2 on the broken kernel: [1] = ${last}, exact ${rn}, ${ulp} ULP\n${out}")
endif()
softcheck(out rc eval log_softmax 1 2 --impl ${good})
expect("eval not provided" ${rc} 2 "${out}" "does not provide log_softmax")

# 4. report, then gate with the user's budgets (keyed by the --impl text, here the plugin's path): within budget
#    for the good kernel (exit 0), a breach naming softmax and the gradient for the broken copy (exit 1).
set(b "{\"sigmoid\": 2, \"softmax\": 20, \"logsumexp\": 5, \"cross_entropy\": 5, \"cross_entropy_grad\": 20, \"cross_entropy_grad_target\": 5}")
file(WRITE ${WORK}/budgets.json "{\"schema\": \"softcheck-budgets/1\", \"budgets\": {\"${good}\": ${b}, \"${broken}\": ${b}}}\n")
set(sweep -f sigmoid,softmax,logsumexp,cross_entropy,cross_entropy_grad,cross_entropy_grad_target -r unit,uniform
          -n 700 --long-samples 0 --worst none -j 2 --no-progress --format json)
foreach(kind good broken)
  softcheck(out rc report --impl ${${kind}} ${sweep} --out ${kind}-report)
  expect("report ${kind}" ${rc} 0 "${out}" "graded values")
  softcheck(gate_out rc gate --budgets budgets.json --from ${kind}-report/report.json)
  message("${gate_out}")
  if(kind STREQUAL "good")
    expect("gate good" ${rc} 0 "${gate_out}" "gate: PASS")
  else()
    expect("gate broken" ${rc} 1 "${gate_out}" "BREACH[^\n]*softmax ×")
    expect("gate broken" ${rc} 1 "${gate_out}" "BREACH[^\n]*cross_entropy_grad ×")
  endif()
endforeach()
