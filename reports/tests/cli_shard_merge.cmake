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
# The same three shards as a Kubernetes Indexed Job runs them (JOB_COMPLETION_INDEX, the count passed on
# as --shards or SOFTCHECK_SHARDS) and as a Slurm job array (sbatch --array=2-6:2: IDs 2, 4, 6), merged:
# the same bytes again.
foreach(engine k8s slurm)
  foreach(i 0 1 2)
    if(engine STREQUAL "k8s")
      if(i EQUAL 0)
        set(vars JOB_COMPLETION_INDEX=${i})
        set(extra --shards 3)
      else()
        set(vars JOB_COMPLETION_INDEX=${i} SOFTCHECK_SHARDS=3)
        set(extra)
      endif()
    else()
      math(EXPR id "2 + 2 * ${i}")
      set(vars SLURM_ARRAY_TASK_ID=${id} SLURM_ARRAY_TASK_MIN=2 SLURM_ARRAY_TASK_MAX=6 SLURM_ARRAY_TASK_STEP=2
               SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_JOB_ID=77)
      set(extra)
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} -E env ${vars} ${SOFTCHECK} report ${run} ${extra} --out ${WORK}/${engine}${i}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${engine} shard ${i}: status ${rc}\n${err}")
    endif()
  endforeach()
  execute_process(COMMAND ${SOFTCHECK} merge ${WORK}/${engine}0 ${WORK}/${engine}1 ${WORK}/${engine}2 --out ${WORK}/${engine}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "merge of the ${engine} shards: status ${rc}\n${err}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/whole/report.json ${WORK}/${engine}/report.json
                  RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    message(FATAL_ERROR "the ${engine} shards merged differ from the unsharded report.json")
  endif()
endforeach()
# Two engines' variables at once: a usage error naming both, not a guess.
execute_process(COMMAND ${CMAKE_COMMAND} -E env GTEST_SHARD_INDEX=0 GTEST_TOTAL_SHARDS=2 SLURM_ARRAY_TASK_ID=1
                        ${SOFTCHECK} report ${run} --out ${WORK}/ambiguous RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "more than one shard scheme: GoogleTest \\(GTEST_SHARD_INDEX, GTEST_TOTAL_SHARDS\\) and Slurm")
  message(FATAL_ERROR "two engines' variables: status ${rc}, want 2 naming both\n${err}")
endif()
# A missing shard is an input error.
execute_process(COMMAND ${SOFTCHECK} merge ${WORK}/s0 ${WORK}/s1 --out ${WORK}/partial RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "shard 2/3 is missing")
  message(FATAL_ERROR "merge of 2 of 3 shards: status ${rc}, want 2\n${err}")
endif()
