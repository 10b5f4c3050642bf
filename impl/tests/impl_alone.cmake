# softcheck::impl on its own: configure softcheck with SOFTCHECK_BUILD_TOOLS=OFF (the library and the
# bundled plugins only: it must not look for MPFR, RapidCheck, GoogleTest or the tools' libraries),
# build and install it into a prefix, then build examples/use_impl against it with find_package(softcheck)
# and run it (correctly rounded softmax, cross-entropy and sigmoid(2)).
cmake_policy(VERSION 3.25)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what}: status ${rc}\n${out}${err}")
  endif()
  set(last_output "${out}${err}" PARENT_SCOPE)
endfunction()

run("configure softcheck with SOFTCHECK_BUILD_TOOLS=OFF" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK}/softcheck
    -G "${GENERATOR}" -DCMAKE_BUILD_TYPE=Release -DSOFTCHECK_BUILD_TOOLS=OFF -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DCMAKE_C_COMPILER=${C_COMPILER})
file(STRINGS ${WORK}/softcheck/CMakeCache.txt looked_for REGEX "^(MPFR|GTest|rapidcheck|nlohmann_json|CLI11|fmt|benchmark)_(DIR|INCLUDE_DIR|LIBRARY):")
if(looked_for)
  message(FATAL_ERROR "SOFTCHECK_BUILD_TOOLS=OFF still looked for a tool dependency: ${looked_for}")
endif()
run("build softcheck::impl" ${CMAKE_COMMAND} --build ${WORK}/softcheck --config Release -j 2)
if(EXISTS ${WORK}/softcheck/softcheck)
  message(FATAL_ERROR "SOFTCHECK_BUILD_TOOLS=OFF built the softcheck program")
endif()
run("install" ${CMAKE_COMMAND} --install ${WORK}/softcheck --prefix ${WORK}/prefix --config Release)
run("configure examples/use_impl" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/use_impl -B ${WORK}/use_impl
    -G "${GENERATOR}" -DCMAKE_PREFIX_PATH=${WORK}/prefix -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
run("build examples/use_impl" ${CMAKE_COMMAND} --build ${WORK}/use_impl --config Release)
file(GLOB_RECURSE exe ${WORK}/use_impl/use_impl)
run("run use_impl" ${exe})
message(STATUS "${last_output}")
