# Shards 0/3, 1/3 (from GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS), 2/3 merged, in any order, give the same
# report.json bytes as the unsharded run; a missing shard is an input error.
file(REMOVE_RECURSE ${WORK})
set(run --samples 175 --long-samples 0 --seed 5 --no-progress --worst ${WORST} --format json)
execute_process(COMMAND ${SOFTCHECK} report ${run} --out ${WORK}/whole RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "unsharded report: status ${rc}\n${err}")
endif()
foreach(i 0 2)
  execute_process(COMMAND ${SOFTCHECK} report ${run} --shard ${i}/3 --out ${WORK}/s${i} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "shard ${i}/3: status ${rc}\n${err}")
  endif()
endforeach()
# Shard 1 the way GoogleTest-style CI runners ask for it: GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS.
execute_process(COMMAND ${CMAKE_COMMAND} -E env GTEST_SHARD_INDEX=1 GTEST_TOTAL_SHARDS=3
                        ${SOFTCHECK} report ${run} --out ${WORK}/s1 RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "shard 1/3 from GTEST_* variables: status ${rc}\n${err}")
endif()
execute_process(COMMAND ${SOFTCHECK} merge ${WORK}/s2 ${WORK}/s0/report.json ${WORK}/s1 --out ${WORK}/merged
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "merge: status ${rc}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/whole/report.json ${WORK}/merged/report.json RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  message(FATAL_ERROR "merged shards differ from the unsharded report.json")
endif()
# A missing shard is an input error.
execute_process(COMMAND ${SOFTCHECK} merge ${WORK}/s0 ${WORK}/s1 --out ${WORK}/partial RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "shard 2/3 is missing")
  message(FATAL_ERROR "merge of 2 of 3 shards: status ${rc}, want 2\n${err}")
endif()
