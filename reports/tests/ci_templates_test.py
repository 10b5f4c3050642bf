#!/usr/bin/env python3
"""The CI templates of examples/ci/, as far as this machine allows: the YAML parses; every softcheck
command they run uses only options that `softcheck <command> --help` lists; the engine-specific parts are
consistent (Kubernetes: SOFTCHECK_SHARDS = completions; GitLab: JUnit reports); and the Slurm script runs
a small sweep end to end: three array tasks with Slurm's variables as Slurm sets them, then its merge step,
whose gate must pass and write JUnit.
    ci_templates_test.py SOFTCHECK REPO_ROOT"""
import os
import pathlib
import re
import subprocess
import sys
import tempfile

softcheck, root = sys.argv[1], pathlib.Path(sys.argv[2])
try:
    import yaml
except ImportError:
    sys.exit("python3-yaml is missing: scripts/install-deps installs it")
ci = root / "examples" / "ci"


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


docs = {}
texts = {}
for name in ["github-actions.yml", "gitlab-ci.yml", "k8s-indexed-job.yaml"]:
    loaded = list(yaml.safe_load_all((ci / name).read_text()))
    assert loaded and all(d is not None for d in loaded), f"{name}: empty YAML document"
    docs[name] = loaded
    texts[name] = "\n".join(s for d in loaded for s in strings(d))
texts["slurm-sweep.sh"] = (ci / "slurm-sweep.sh").read_text().replace("\\\n", " ")

# Every softcheck command and its options.
helps = {}
command = re.compile(r'(?:build/softcheck|"\$softcheck"|\bsoftcheck) (report|gate|merge|check)\b([^\n;&|]*)')
checked = 0
for name, text in texts.items():
    for sub, rest in command.findall(text):
        if sub not in helps:
            helps[sub] = subprocess.run([softcheck, sub, "--help"], capture_output=True, text=True, check=True).stdout
        for opt in re.findall(r"(?<=\s)(--?[a-zA-Z][\w-]*)", rest):
            assert re.search(r"(?<![\w-])" + re.escape(opt) + r"\b", helps[sub]), \
                f"{name}: `softcheck {sub}` has no option {opt} (softcheck {sub} --help)"
            checked += 1
assert checked >= 30, f"only {checked} options found in the templates: the command pattern no longer matches them"

# Engine-specific consistency.
job = docs["k8s-indexed-job.yaml"][0]
assert job["spec"]["completionMode"] == "Indexed"
env = {e["name"]: e["value"] for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
assert int(env["SOFTCHECK_SHARDS"]) == job["spec"]["completions"], "SOFTCHECK_SHARDS must equal completions"
gitlab = docs["gitlab-ci.yml"][0]
assert gitlab["gate"]["artifacts"]["reports"]["junit"], "GitLab: the gate's JUnit report"
assert "--shard $((CI_NODE_INDEX - 1))/$CI_NODE_TOTAL" in texts["gitlab-ci.yml"]
github = docs["github-actions.yml"][0]
assert github["jobs"]["merge"]["needs"] == "sweep"
assert len(github["jobs"]["sweep"]["strategy"]["matrix"]["shard"]) == 4
assert "shard-0 shard-1 shard-2 shard-3" in texts["github-actions.yml"]

# The Slurm script, run as a 3-task array (sbatch --array=0-2) and then its merge job.
shard_vars = ("GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS", "JOB_COMPLETION_INDEX", "SOFTCHECK_SHARDS")
base = {k: v for k, v in os.environ.items() if k not in shard_vars and not k.startswith("SLURM_")}
with tempfile.TemporaryDirectory() as tmp:
    base.update(SOFTCHECK=softcheck, SOFTCHECK_OUT=f"{tmp}/sweep", SOFTCHECK_SAMPLES="300", SOFTCHECK_NO_SUBMIT="1",
                SOFTCHECK_ARGS="-i accurate,standard,naive --long-samples 0",
                SOFTCHECK_BUDGETS=str(root / "reports" / "budgets.json"))
    for task in range(3):
        env = dict(base, SLURM_ARRAY_JOB_ID="41", SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_MIN="0",
                   SLURM_ARRAY_TASK_MAX="2", SLURM_ARRAY_TASK_COUNT="3", SLURM_ARRAY_TASK_STEP="1")
        r = subprocess.run(["bash", str(ci / "slurm-sweep.sh")], cwd=root, env=env, capture_output=True, text=True)
        assert r.returncode == 0, f"array task {task}: status {r.returncode}\n{r.stderr}"
    r = subprocess.run(["bash", str(ci / "slurm-sweep.sh"), "--merge"], cwd=root, env=base, capture_output=True, text=True)
    assert r.returncode == 0, f"merge job: status {r.returncode}\n{r.stdout}\n{r.stderr}"
    assert "gate: PASS" in r.stdout, r.stdout
    junit = pathlib.Path(f"{tmp}/sweep/gate-junit.xml").read_text()
    assert "<testsuites name=\"softcheck gate\"" in junit and "failures=\"0\"" in junit
print(f"ci templates: 3 YAML files parse, {checked} softcheck options exist, the Slurm array ran, merged and gated")
