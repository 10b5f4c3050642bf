# Exit codes of reports/main.cpp (0 success, 1 gate breach or budget not checked, 2 usage or input error),
# one row per input class of README.md ("Special values and invalid input", command-line table): each
# row names its class, runs softcheck and wants the status and a message naming the problem (the
# argument and its value). Every row runs; the failures are listed together at the end.
if(EXISTS ${WORK})
  execute_process(COMMAND chmod -R u+rwX ${WORK})  # the chmod rows of an earlier run
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/corrupt.json "{ \"schema\": \"softcheck-budgets/1\", ")
file(WRITE ${WORK}/empty.json "")
file(WRITE ${WORK}/typo.json "{\"schema\": \"softcheck-budgets/1\", \"budgets\": {\"accurate\": {\"softmx\": 1}}}")
file(WRITE ${WORK}/schema.json "{\"schema\": \"softcheck-budgets/9\", \"budgets\": {\"accurate\": 1}}")
file(WRITE ${WORK}/negative.json "{\"schema\": \"softcheck-budgets/1\", \"budgets\": {\"accurate\": {\"sigmoid\": -1}}}")
file(WRITE ${WORK}/strict.json
     "{\"schema\": \"softcheck-budgets/1\", \"budgets\": {\"accurate\": {\"*\": 1}, \"naive\": {\"sigmoid\": 0}}}")
file(WRITE ${WORK}/partial.json "{\"schema\": \"softcheck-budgets/1\", \"budgets\": {\"accurate\": {\"*\": 1}}}")
file(WRITE ${WORK}/a-file "not a folder")
file(WRITE ${WORK}/fake.so "not a shared library")
file(MAKE_DIRECTORY ${WORK}/a-folder)
set(quick_all_worst --samples 8 --long-samples 0 --no-progress -f sigmoid)
set(quick ${quick_all_worst} --worst none)

# Records a failed row: one list element, its own semicolons (argument lists) turned into spaces.
function(fail text)
  string(REPLACE ";" " " text "${text}")
  set_property(GLOBAL APPEND PROPERTY failures "${text}")
endfunction()
function(row class want pattern)
  execute_process(COMMAND ${SOFTCHECK} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  WORKING_DIRECTORY ${WORK})
  if(NOT rc EQUAL ${want})
    fail("[${class}] softcheck ${ARGN}: status ${rc}, want ${want}\n${out}${err}")
  elseif(NOT "${out}${err}" MATCHES "${pattern}")
    fail("[${class}] softcheck ${ARGN}: message does not match '${pattern}':\n${out}${err}")
  endif()
endfunction()

# --- exit 0 and 1: a report, then the gate on it (--from) within budget, breached, not checked ------------
row("exit 0" 0 "cell-samples" report --samples 64 --long-samples 0 --no-progress -f sigmoid --worst none
    --impl accurate,naive --out rep)
row("exit 0" 0 "gate: PASS" gate --budgets ${BUDGETS} --from rep/report.json)
row("exit 1" 1 "BREACH +sigmoid × naive" gate --budgets strict.json --from rep/report.json)
row("exit 1" 1 "NOT CHECKED +sigmoid × naive" gate --budgets partial.json --from rep/report.json)
row("exit 1" 1 "BREACH" report ${quick} --impl accurate,naive --gate strict.json --out rep2)

# --- unknown flags and subcommands ---------------------------------------------------------------------
row("unknown flag" 2 "--bogus" report --bogus)
row("unknown flag" 2 "--bogus" gate --budgets ${BUDGETS} --bogus)
row("unknown flag" 2 "--frobnicate" merge rep --frobnicate)
row("missing subcommand" 2 "subcommand is required")
row("missing required option" 2 "budgets is required|--budgets" gate ${quick})

# --- malformed numbers ---------------------------------------------------------------------------------
row("malformed number" 2 "--samples: .abc." report --samples abc --out out)
row("malformed number" 2 "--samples: .1.5." report --samples 1.5 --out out)
row("malformed number" 2 "--seed: .x1." report ${quick} --seed x1 --out out)
row("malformed number" 2 "--threads: .two." report ${quick} -j two --out out)
row("malformed number" 2 "--threads: .-1." report ${quick} -j -1 --out out)
row("unknown subcommand" 2 "unknown command 'frobnicate'" frobnicate)
row("unknown flag" 2 "unknown option '--bogus'" --bogus)
# Integer options: CLI11 alone would wrap -5 to 2^64 - 5 (allocating for minutes, then bad_alloc) and read a
# 23-digit number as 0. (No `ulimit -v` guard here: AddressSanitizer's shadow memory cannot live under one.)
row("malformed number" 2 "--samples: '-5'" report ${quick} --samples -5 --out out)
row("malformed number" 2 "--samples: '99999999999999999999999'" report ${quick} --samples 99999999999999999999999 --out out)
row("malformed number" 2 "--seed: '-1'" report ${quick} --seed -1 --out out)
row("malformed number" 2 "--seconds: 'nan'" hunt -f sigmoid --restarts 1 --steps 1 --seconds nan)
row("malformed number" 2 "--seconds: '-1'" hunt -f sigmoid --restarts 1 --steps 1 --seconds -1)
row("malformed number" 2 "--call-timeout: 'inf'" report ${quick} --call-timeout inf --out out)
row("malformed number" 2 "--shard's i = 'a': want an integer" report ${quick} --shard a/2 --out out)
row("malformed number" 2 "--shards: '-3'" report ${quick} --shards -3 --out out)
row("malformed number" 2 "--jobs: '-1'" check --impl accurate --jobs -1)
row("shards without an index" 2 "--shards 3: which shard this is comes from --shard i/n or JOB_COMPLETION_INDEX" report ${quick} --shards 3 --out out)
row("malformed number" 2 "--shard '1': expected i/n" report ${quick} --shard 1 --out out)
row("malformed number" 2 "shard 3/2" report ${quick} --shard 3/2 --out out)
row("malformed number" 2 "--seconds: .abc." hunt -f sigmoid --seconds abc)
row("malformed number" 2 "--keep: .many." hunt -f sigmoid --keep many)

# --- unknown names -------------------------------------------------------------------------------------
row("unknown name" 2 "unknown function 'softmx'" report ${quick} -f softmx --out out)
row("unknown name" 2 "unknown regime 'wid'" report ${quick} -r wid --out out)
row("unknown name" 2 "unknown implementation 'fancy'" report ${quick} --impl fancy --out out)
row("unknown name" 2 "unknown format 'pdf'" report ${quick} --format pdf --out out)
row("unknown name" 2 "'accurate' given twice" report ${quick} --impl accurate,accurate --out out)
row("unknown name" 2 "unknown kernel entry 'softmx'" report ${quick} --swap softmx=standard --out out)
row("unknown name" 2 "unknown function 'softmx'" hunt -f softmx)

# --- budget files --------------------------------------------------------------------------------------
row("budget file missing" 2 "missing.json' does not exist" gate --budgets missing.json ${quick})
row("budget file missing" 2 "missing.json' does not exist" report ${quick} --gate missing.json --out out)
row("budget file empty" 2 "empty.json: not valid JSON" gate --budgets empty.json ${quick})
row("budget file corrupt" 2 "corrupt.json: not valid JSON" gate --budgets corrupt.json ${quick})
row("budget file corrupt" 2 "schema.json: \"schema\" must be \"softcheck-budgets/1\"" gate --budgets schema.json ${quick})
row("budget file corrupt" 2 "unknown function \"softmx\"" gate --budgets typo.json ${quick})
row("budget file corrupt" 2 "budgets.accurate.sigmoid: a budget must be a number" gate --budgets negative.json ${quick})
row("budget file unreadable" 2 "a-folder' is a folder, not a file" gate --budgets a-folder ${quick})

# --- report files (gate --from, merge) -----------------------------------------------------------------
row("report file missing" 2 "missing.json' does not exist" gate --budgets ${BUDGETS} --from missing.json)
row("report file missing" 2 "does not exist" merge nowhere.json --out out)
row("report file missing" 2 "a-folder/report.json' does not exist" merge a-folder --out out)
row("report file empty" 2 "empty.json: not valid JSON" gate --budgets ${BUDGETS} --from empty.json)
row("report file empty" 2 "empty.json: not valid JSON" merge empty.json --out out)
row("report file corrupt" 2 "corrupt.json: not valid JSON" merge corrupt.json --out out)
row("report file corrupt" 2 "typo.json: not a softcheck-report/1 file" gate --budgets ${BUDGETS} --from typo.json)
row("report file unreadable" 2 "a-folder' is a folder, not a file" gate --budgets ${BUDGETS} --from a-folder)
file(MAKE_DIRECTORY ${WORK}/bad-timings)
file(COPY ${WORK}/rep/report.json DESTINATION ${WORK}/bad-timings)
file(WRITE ${WORK}/bad-timings/timings.json "{\"schema\": ")
row("report file corrupt" 2 "timings.json: (not valid JSON|unexpected content)" merge bad-timings --out out)

# --- chmod 000: unreadable budgets, unwritable output folder. As root chmod does not stop reads or writes:
# the rows then run as user nobody through setpriv, or are skipped with the reason.
file(WRITE ${WORK}/locked.json "{}")
file(MAKE_DIRECTORY ${WORK}/read-only)
execute_process(COMMAND chmod 000 ${WORK}/locked.json)
execute_process(COMMAND chmod 555 ${WORK}/read-only)
execute_process(COMMAND cat ${WORK}/locked.json RESULT_VARIABLE can_read OUTPUT_QUIET ERROR_QUIET)
set(as_user "")
if(can_read EQUAL 0)  # root (or CAP_DAC_OVERRIDE)
  find_program(SETPRIV setpriv)
  if(SETPRIV)
    set(as_user ${SETPRIV} --reuid=65534 --regid=65534 --clear-groups)
    message(STATUS "running as root: the chmod rows run as uid 65534 (nobody) through setpriv")
  else()
    message(STATUS "SKIPPED the chmod rows: running as root, where chmod 000 does not block reads, and no setpriv")
  endif()
endif()
if(NOT can_read EQUAL 0 OR as_user)
  function(row_as_user class want pattern)
    execute_process(COMMAND ${as_user} ${SOFTCHECK} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                    WORKING_DIRECTORY ${WORK})
    if(NOT rc EQUAL ${want} OR NOT "${out}${err}" MATCHES "${pattern}")
      fail("[${class}] ${as_user} softcheck ${ARGN}: status ${rc}, want ${want} and '${pattern}'\n${out}${err}")
    endif()
  endfunction()
  row_as_user("budget file unreadable" 2 "cannot read '.*locked.json': Permission denied"
              gate --budgets ${WORK}/locked.json ${quick})
  row_as_user("output folder unwritable" 2 "read-only' is not writable" report ${quick} --out ${WORK}/read-only)
endif()

# --- plugins -------------------------------------------------------------------------------------------
row("plugin missing" 2 "plugin '/nonexistent/libx.so' does not exist" report ${quick} --impl /nonexistent/libx.so --out out)
row("plugin not a library" 2 "plugin './fake.so' cannot be loaded" report ${quick} --impl ./fake.so --out out)
row("plugin not a library" 2 "plugin './a-folder' is a directory" report ${quick} --impl ./a-folder --out out)
row("plugin not a softcheck plugin" 2 "is not a softcheck plugin: it does not export softcheck_plugin_abi"
    report ${quick} --impl ${NOT_A_PLUGIN} --out out)

# --- output folders ------------------------------------------------------------------------------------
row("output folder unwritable" 2 "cannot create output folder 'a-file/sub'" report ${quick} --out a-file/sub)
row("output folder unwritable" 2 "output folder 'a-file' exists and is not a folder" report ${quick} --out a-file)
row("output folder unwritable" 2 "cannot create output folder 'a-file/sub'" merge rep --out a-file/sub)
row("output folder unwritable" 2 "cannot create output folder 'a-file/sub'" gate --budgets ${BUDGETS} ${quick} --out a-file/sub)
row("output folder unwritable" 2 "not a folder" report ${quick_all_worst} --worst no-such-folder --out out)
if(EXISTS /proc/self)
  row("output folder unwritable" 2 "cannot create output folder '/proc/softcheck" report ${quick} --out /proc/softcheck-out)
endif()
# An unusable GITHUB_STEP_SUMMARY (a folder) is an input error too.
execute_process(COMMAND ${CMAKE_COMMAND} -E env GITHUB_STEP_SUMMARY=${WORK}/a-folder ${SOFTCHECK} report ${quick} --out out
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY ${WORK})
if(NOT rc EQUAL 2 OR NOT "${out}${err}" MATCHES "cannot append to GITHUB_STEP_SUMMARY")
  fail("[output folder unwritable] GITHUB_STEP_SUMMARY=a folder: status ${rc}\n${out}${err}")
endif()

get_property(failures GLOBAL PROPERTY failures)
if(failures)
  list(LENGTH failures count)
  string(REPLACE ";" "\n\n" text "${failures}")
  message(FATAL_ERROR "${count} row(s) failed:\n${text}")
endif()
