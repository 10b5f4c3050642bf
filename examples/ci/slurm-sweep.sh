#!/usr/bin/env bash
# A large sweep as a Slurm job array: each task is one shard (softcheck reads SLURM_ARRAY_TASK_ID, _MIN,
# _COUNT and _STEP itself), and a dependent job merges and gates the shards once every task has ended.
#   sbatch examples/ci/slurm-sweep.sh              # from a clone with build/ built
# SOFTCHECK_SAMPLES (default 10^8), SOFTCHECK_OUT (default sweep/) and SOFTCHECK_ARGS (more report options,
# e.g. "-i accurate,./libmy_kernel.so") change the size, the folder and the run.
#SBATCH --job-name=softcheck-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
set -euo pipefail
softcheck=${SOFTCHECK:-build/softcheck}
out=${SOFTCHECK_OUT:-sweep}
if [[ "${1:-}" == "--merge" ]]; then  # the dependent job
  "$softcheck" merge "$out"/shard-* --out "$out/merged"
  exec "$softcheck" gate --from "$out/merged/report.json" --budgets "${SOFTCHECK_BUDGETS:-reports/budgets.json}" \
    --junit "$out/gate-junit.xml"
fi
# shellcheck disable=SC2086  # SOFTCHECK_ARGS is a list of words
"$softcheck" report -n "${SOFTCHECK_SAMPLES:-100000000}" --no-progress ${SOFTCHECK_ARGS:-} --out "$out/shard-$SLURM_ARRAY_TASK_ID"
# The first task queues the merge, to run after the whole array has succeeded.
if [[ "$SLURM_ARRAY_TASK_ID" == "${SLURM_ARRAY_TASK_MIN}" && -z "${SOFTCHECK_NO_SUBMIT:-}" ]]; then
  sbatch --dependency="afterok:${SLURM_ARRAY_JOB_ID}" --job-name=softcheck-merge --wrap "bash $0 --merge"
fi
