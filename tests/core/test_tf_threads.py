"""TensorFlow's thread pools are sized for the machine's CPU budget before the first model loads."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from ui import cache
cache.load_model("latent_vae")
cache.load_model("latent_dcae")
import tensorflow as tf
print(json.dumps({"intra": tf.config.threading.get_intra_op_parallelism_threads(),
                  "inter": tf.config.threading.get_inter_op_parallelism_threads(),
                  "budget": cache.cpu_budget()}))
"""


def run_server_side(env: dict) -> dict:
    """What the server process ends up with (a fresh process, as TensorFlow's pools are set once)."""
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env}, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.count("audioml: TensorFlow threads") == 1, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_thread_pools_follow_the_cpu_budget():
    found = run_server_side({})
    assert found["budget"] >= 1
    assert found["intra"] == found["budget"]
    assert found["inter"] == 1


def test_thread_budget_can_be_set():
    found = run_server_side({"AUDIOML_TF_THREADS": "1"})
    assert (found["intra"], found["inter"], found["budget"]) == (1, 1, 1)


def test_cpu_budget_reads_the_container_quota(tmp_path, monkeypatch):
    import os

    from ui.cache import cpu_budget

    monkeypatch.delenv("AUDIOML_TF_THREADS", raising=False)
    cpus = len(os.sched_getaffinity(0))
    assert cpu_budget(tmp_path) == cpus  # no cgroup files: the affinity mask
    (tmp_path / "cpu.max").write_text("50000 100000\n")  # half a CPU (cgroup v2)
    assert cpu_budget(tmp_path) == 1
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert cpu_budget(tmp_path) == cpus
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("100000\n")  # one CPU (cgroup v1)
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert cpu_budget(tmp_path) == 1
