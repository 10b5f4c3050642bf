#!/usr/bin/env bash
# An interrupted `softcheck report` never leaves a half-written report (README.md, command-line table):
# SIGINT or SIGTERM at any moment of a run into a folder that holds an earlier run's files leaves each of
# report.json, report.md, report.html and timings.json either the earlier complete file or the new
# complete one. And a reader polling report.json during an uninterrupted run only ever sees one of the two.
# Usage: cli_interrupt.sh SOFTCHECK WORK
set -u
softcheck=$1 work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
command -v timeout >/dev/null || { echo "cli_interrupt: needs timeout(1) (coreutils)"; exit 1; }

args=(report --samples 600 --long-samples 0 --no-progress --worst none --impl accurate,standard -j 1)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The two complete runs: "old" (seed 1) is what the folder holds before, "new" (seed 2) what the
# interrupted runs write. report.json is byte-identical for a seed; report.md and .html carry timings.
"$softcheck" "${args[@]}" --seed 1 --out old >/dev/null 2>&1 || { echo "the seed-1 run failed"; exit 1; }
t0=$(date +%s%N)
"$softcheck" "${args[@]}" --seed 2 --out new >/dev/null 2>&1 || { echo "the seed-2 run failed"; exit 1; }
t1=$(date +%s%N)
run_ms=$(((t1 - t0) / 1000000))
cmp -s old/report.json new/report.json && { echo "seeds 1 and 2 gave the same report.json: no test"; exit 1; }
echo "an uninterrupted run takes ${run_ms} ms"

# Every report file in $1 is the old or the new complete file; $2 names the case.
check_complete() {
  local dir=$1 what=$2
  if [[ -e $dir/report.json ]] && ! cmp -s "$dir/report.json" old/report.json && ! cmp -s "$dir/report.json" new/report.json; then
    fail "$what: report.json is neither the old nor the new file ($(wc -c <"$dir/report.json") bytes)"
  fi
  local f
  for f in report.md report.html; do
    [[ -e $dir/$f ]] || continue
    # Complete: the number of lines and the last line of the old or of the new complete file (the
    # two can differ in length: a seed's report lists a first NaN/inf only where it met one).
    local lines last
    lines=$(wc -l <"$dir/$f") last=$(tail -n 1 "$dir/$f")
    if ! [[ $lines == $(wc -l <"new/$f") && $last == $(tail -n 1 "new/$f") ]] &&
       ! [[ $lines == $(wc -l <"old/$f") && $last == $(tail -n 1 "old/$f") ]]; then
      fail "$what: $f is not complete ($(wc -c <"$dir/$f") bytes)"
    fi
  done
  # timings.json (and report.json again) must parse: merge reads both.
  if [[ -e $dir/report.json ]] && ! "$softcheck" merge "$dir" --out "$dir-merged" --format json >/dev/null 2>&1; then
    fail "$what: softcheck merge cannot read report.json and timings.json of the interrupted folder"
  fi
  local leftovers
  leftovers=$(find "$dir" -name '.*.tmp.*' | wc -l)
  if ((leftovers > 0)); then
    echo "note: $what: $leftovers temporary file(s) left behind: $(find "$dir" -name '.*.tmp.*' -printf '%f ')"
  fi
}

# Interrupts spread over the run and packed around its end, where the files are written.
interrupted=0 completed=0 i=0
for permille in 100 500 850 930 960 980 990 1000 1010 1030 1060 1150; do
  i=$((i + 1))
  signal=INT
  ((i % 2)) && signal=TERM
  dir=run$i
  rm -rf "$dir" && cp -r old "$dir"
  delay=$(awk -v ms="$run_ms" -v p="$permille" 'BEGIN { printf "%.3f", ms * p / 1000000 }')
  timeout -s "$signal" "$delay" "$softcheck" "${args[@]}" --seed 2 --out "$dir" >/dev/null 2>&1
  rc=$?
  case $rc in
    0) completed=$((completed + 1)) ;;
    124) interrupted=$((interrupted + 1)) ;;
    *) fail "SIG$signal after ${delay} s: status $rc (want 124 interrupted, or 0 finished)" ;;
  esac
  check_complete "$dir" "SIG$signal after ${delay} s (status $rc)"
done
# Into a fresh folder: nothing, or the complete new files.
rm -rf fresh
timeout -s INT "$(awk -v ms="$run_ms" 'BEGIN { printf "%.3f", ms * 0.97 / 1000 }')" \
  "$softcheck" "${args[@]}" --seed 2 --out fresh >/dev/null 2>&1
[[ -e fresh/report.json ]] && ! cmp -s fresh/report.json new/report.json && fail "fresh folder: report.json incomplete"
echo "$interrupted runs interrupted, $completed finished before the signal"
((interrupted > 0)) || fail "no run was interrupted: the delays missed the run"

# A reader polling report.json while a run rewrites it sees the old or the new file, nothing else.
rm -rf watched && cp -r old watched
"$softcheck" "${args[@]}" --seed 2 --out watched >/dev/null 2>&1 &
writer=$!
seen=0
while kill -0 "$writer" 2>/dev/null; do
  if cp watched/report.json snapshot.json 2>/dev/null; then
    seen=$((seen + 1))
    if ! cmp -s snapshot.json old/report.json && ! cmp -s snapshot.json new/report.json; then
      fail "a reader saw a report.json that is neither the old nor the new file ($(wc -c <snapshot.json) bytes)"
      break
    fi
  else
    fail "a reader found no report.json while the run replaced it"
    break
  fi
done
wait "$writer" || fail "the watched run failed"
cmp -s watched/report.json new/report.json || fail "the watched run did not end with the new report.json"
echo "a reader read report.json $seen times during a run"

((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
echo "interrupted runs left only complete files"
