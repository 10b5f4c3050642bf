# The same seed and counts give a byte-identical report.json for --threads 1 and 2 (one `long` sample
# included: seed 13 draws n = 1086 there, seed 1's n = 5111 took 60 s of the ASan stage for nothing this
# test checks); every format is
# written, no temporary file is left behind, and $GITHUB_STEP_SUMMARY gets the Markdown.
file(REMOVE_RECURSE ${WORK})
set(run --samples 210 --long-samples 1 --seed 13 --no-progress --worst none)  # cli_shard_merge replays them
file(MAKE_DIRECTORY ${WORK})
foreach(t 1 2)
  # each run also appends its Markdown to a GitHub step summary file
  execute_process(COMMAND ${CMAKE_COMMAND} -E env GITHUB_STEP_SUMMARY=${WORK}/summary${t}.md
                          ${SOFTCHECK} report ${run} --threads ${t} --out ${WORK}/t${t} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "report --threads ${t}: status ${rc}\n${err}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/t1/report.json ${WORK}/t2/report.json RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  message(FATAL_ERROR "report.json differs between --threads 1 and --threads 2")
endif()
foreach(f report.json timings.json report.md report.html)
  if(NOT EXISTS ${WORK}/t2/${f})
    message(FATAL_ERROR "missing ${f}")
  endif()
endforeach()
file(GLOB leftovers ${WORK}/t2/.*tmp*)
if(leftovers)
  message(FATAL_ERROR "temporary files left: ${leftovers}")
endif()
file(READ ${WORK}/t2/report.json json)
if(NOT json MATCHES "\"schema\": \"softcheck-report/1\"")
  message(FATAL_ERROR "report.json lacks its schema")
endif()
file(READ ${WORK}/summary2.md summary)
if(NOT summary MATCHES "# softcheck accuracy report")
  message(FATAL_ERROR "GITHUB_STEP_SUMMARY did not get the Markdown report")
endif()
