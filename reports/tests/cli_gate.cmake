# The gate on the accurate implementation with the checked-in budgets: EXPECT 0 (within budget) as is,
# 1 when EXTRA swaps an accurate kernel entry for its standard variant (--swap=ENTRY=standard).
file(REMOVE_RECURSE ${WORK})
# LONG: the long regime's sample count (one sample of n = 1086 at seed 13 for the passing gate; none
# where a breach elsewhere is the point).
set(cmd ${SOFTCHECK} gate --budgets ${BUDGETS} --impl accurate --samples 1400 --long-samples ${LONG} --seed 13
        --no-progress --worst ${WORST} --out ${WORK}/out)
if(EXTRA)
  list(APPEND cmd ${EXTRA})
endif()
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL ${EXPECT})
  message(FATAL_ERROR "gate: status ${rc}, want ${EXPECT}\n${out}${err}")
endif()
if(EXPECT EQUAL 1 AND NOT out MATCHES "BREACH")
  message(FATAL_ERROR "gate failed without naming a breach")
endif()
if(EXPECT EQUAL 0 AND NOT out MATCHES "gate: PASS")
  message(FATAL_ERROR "gate passed without saying so")
endif()
