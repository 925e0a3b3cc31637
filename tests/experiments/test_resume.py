"""Paper-scale trials survive their process: epoch checkpoints, retried trials, idempotent runs,
and the seed studies that repeat a search's choice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from audioml.errors import AudioMLError
from audioml.experiments import report, spaces, study
from audioml.nn.checkpoint import EpochCheckpoint
from tests.support.factories import tone_words as clips

ROOT = Path(__file__).resolve().parents[2]


def sqlite_url(tmp_path: Path, name: str = "studies.db") -> str:
    return f"sqlite:///{tmp_path / name}"

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def tiny_model(seed: int = 0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return model


def test_a_checkpoint_restores_weights_and_adam_state(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)), rng.normal(size=(32, 1))
    model = tiny_model()
    model.fit(x, y, epochs=2, verbose=0)
    cp = EpochCheckpoint(tmp_path / "run", {"lr": 0.01})
    cp.save(model, epochs_done=2, elapsed_s=1.5, history={"loss": [1.0, 0.9]}, cpu_s=2.5)

    other = tiny_model(seed=1)
    state = EpochCheckpoint(tmp_path / "run", {"lr": 0.01}).restore(other)
    assert state["epochs_done"] == 2 and state["elapsed_s"] == 1.5 and state["resumes"] == 1
    assert state["cpu_s"] == 2.5
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Adam's moments and step count came back too, so the next step is the one the first
    # model would take.
    for a, b in zip(model.optimizer.variables, other.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))
    model.fit(x, y, epochs=1, verbose=0, shuffle=False)
    other.fit(x, y, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_checkpoint_of_another_run_is_discarded(tmp_path):
    model = tiny_model()
    model.fit(np.ones((4, 4)), np.ones((4, 1)), verbose=0)
    EpochCheckpoint(tmp_path / "run", {"lr": 0.01}).save(model, epochs_done=1, elapsed_s=1.0,
                                                          history={})
    state = EpochCheckpoint(tmp_path / "run", {"lr": 0.02}).restore(tiny_model())
    assert state["epochs_done"] == 0
    assert not (tmp_path / "run").exists()


#: A VAE small enough to train a few epochs in seconds.
TINY_AE = {"filters": [8, 4], "kernels": [3, 3], "strides": [2, 2], "latent_dim": 4}


def test_a_stopped_autoencoder_run_resumes_where_it_stopped(tmp_path):
    from audioml.denoising.train import train_autoencoder

    data = clips(6)
    config = TINY_AE
    cp = EpochCheckpoint(tmp_path / "ae", {"config": config})
    # A wall-clock limit this small stops after the first epoch, as a killed process would.
    _, first = train_autoencoder("vae", data, epochs=3, batch_size=4, config=config,
                                 checkpoint=cp, max_seconds=1e-9)
    assert first["epochs"] == 1 and json.loads((tmp_path / "ae" / "state.json").read_text())[
        "epochs_done"] == 1
    _, resumed = train_autoencoder("vae", data, epochs=3, batch_size=4, config=config,
                                   checkpoint=cp)
    assert resumed["epochs"] == 3 and resumed["resumes"] == 1
    assert resumed["loss"][0] == first["loss"][0]
    assert resumed["training_time_s"] > first["training_time_s"]
    assert 0 < first["training_cpu_s"] < resumed["training_cpu_s"]


def test_a_run_resumed_from_a_checkpoint_without_cpu_time_has_none(tmp_path):
    """A checkpoint written before CPU seconds were kept: the resumed run's CPU time is unknown,
    not the part since the resume alone."""
    from audioml.denoising.train import train_autoencoder

    data = clips(6)
    config = TINY_AE
    cp = EpochCheckpoint(tmp_path / "ae", {"config": config})
    train_autoencoder("vae", data, epochs=2, batch_size=4, config=config, checkpoint=cp,
                      max_seconds=1e-9)
    state = json.loads((tmp_path / "ae" / "state.json").read_text())
    del state["cpu_s"]
    (tmp_path / "ae" / "state.json").write_text(json.dumps(state))
    _, resumed = train_autoencoder("vae", data, epochs=2, batch_size=4, config=config, checkpoint=cp)
    assert resumed["epochs"] == 2 and resumed["training_cpu_s"] is None
    assert resumed["training_time_s"] > 0


def test_a_killed_worker_s_trial_is_retried_and_resumed(tmp_path, monkeypatch, make_fsdd):
    """A worker killed mid-trial; the next worker fails its trial, queues it again and resumes
    it from the last saved epoch; the report lists the trial once."""
    import optuna

    made = clips(8, seed=5)
    fsdd = make_fsdd(tmp_path / "fsdd", speakers=("aaa", "bbb"), digits=range(4), takes=1,
                     clip=lambda digit, speaker, take: made[digit + 4 * (speaker == "bbb")])
    url = sqlite_url(tmp_path)
    runs = tmp_path / "runs"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT),
           "AUDIOML_RUNS": str(runs)}
    # Table 1 at a fifth of its 50 epochs: 10 short epochs of the 2/32 network.
    command = [sys.executable, "-m", "audioml", "experiment", "table1", "--total", "1",
               "--epochs-scale", "0.2", "--storage", url, "--data", str(fsdd)]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    states = []
    while time.monotonic() < deadline and worker.poll() is None:
        states = list(runs.glob("checkpoints/*/trial-0/state.json"))
        if states and json.loads(states[0].read_text())["epochs_done"] >= 2:
            break
        time.sleep(0.05)
    assert worker.poll() is None, f"the worker ended before it could be stopped: {worker.stderr.read()[-1500:]}"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    stopped_at = json.loads(states[0].read_text())["epochs_done"]
    assert 2 <= stopped_at < 10

    monkeypatch.setattr(study, "GRACE_S", 1)
    time.sleep(2.1)   # past the grace period on SQLite's whole-second clock (reads 2 or 3)
    from audioml.experiments.objectives import denoise_objective, load_denoise_data

    objective = denoise_objective("table1", load_denoise_data(str(fsdd)), epochs_scale=0.2,
                                  checkpoint_root=runs / "checkpoints")
    s = study.run_study("table1", total=1, epochs_scale=0.2, storage=url, objective=objective)
    by_state = {t.state.name: t for t in s.get_trials(deepcopy=False)}
    assert set(by_state) == {"FAIL", "COMPLETE"}
    done = by_state["COMPLETE"]
    assert done.user_attrs["first_attempt"] == 0 and done.number == 1
    assert done.user_attrs["resumes"] == 1 and done.user_attrs["epochs_run"] == 10
    assert done.user_attrs["seed"] == 0 and done.params == by_state["FAIL"].params
    assert not list(runs.glob("checkpoints/*/trial-0"))   # cleared once the result is stored
    # Started again, the same command finds nothing left to do.
    again = study.run_study("table1", total=1, epochs_scale=0.2, storage=url, objective=objective)
    assert len(again.get_trials(deepcopy=False)) == 2

    rows = report.study_summary(optuna.load_study(study_name="table1", storage=url))["trials"]
    assert [(r["number"], r["state"], r["resumes"]) for r in rows] == [(1, "complete", 1)]


@pytest.mark.filterwarnings("ignore:Heartbeat of storage")   # ask() stands in for a worker
def test_a_worker_restarted_right_after_one_died_still_ends_with_the_total(tmp_path, monkeypatch):
    """The dead worker's trial still has a fresh heartbeat when the new run counts what the study
    lacks; it goes stale during the run, and the run makes up for it."""
    monkeypatch.setattr(study, "GRACE_S", 2)
    url = sqlite_url(tmp_path)
    storage = study.storage_for(url)
    s = study.create_or_load("table2", storage=storage)
    dead = s.ask()                               # the killed worker's trial...
    storage.record_heartbeat(dead._trial_id)     # ...which beat just before it died

    def slow_objective(trial):
        time.sleep(3.1)   # past the grace period on SQLite's whole-second clock (reads 3 or 4)
        return fake_objective(trial)

    done = study.run_study("table2", total=2, storage=url, objective=slow_objective)
    states = sorted(t.state.name for t in done.get_trials(deepcopy=False))
    assert states == ["COMPLETE", "COMPLETE", "FAIL"]


@pytest.mark.filterwarnings("ignore:Heartbeat of storage")   # ask() stands in for a worker
def test_the_report_lists_a_dead_worker_s_trial_as_waiting_not_running(tmp_path, monkeypatch):
    from audioml.experiments.objectives import trial_key

    monkeypatch.setattr(study, "GRACE_S", 1)
    url = sqlite_url(tmp_path)
    storage = study.storage_for(url)
    s = study.create_or_load("table2", storage=storage)
    dead = s.ask()
    trial_key(dead)                              # as the objective does when a trial starts
    dead.set_user_attr("epochs_done", 7)
    storage.record_heartbeat(dead._trial_id)
    live = report.collect(url)["tables"]["table2"]["trials"]
    assert [(t["number"], t["state"]) for t in live] == [(0, "running")]

    time.sleep(2.1)   # past the grace period on SQLite's whole-second clock (reads 2 or 3)
    rows = report.collect(url)["tables"]["table2"]["trials"]
    assert [(t["number"], t["state"], t["first_attempt"], t["epochs_done"]) for t in rows] == [
        (1, "waiting", 0, 7)]


def test_a_trial_retried_twice_is_listed_once():
    import optuna
    from optuna.trial import TrialState, create_trial

    s = optuna.create_study()
    lr = optuna.distributions.FloatDistribution(1e-5, 1e-2, log=True)

    def attempt(state, value=None):
        s.add_trial(create_trial(state=state, value=value, params={"learning_rate": 1e-3},
                                 distributions={"learning_rate": lr},
                                 user_attrs={"first_attempt": 0, "epochs_done": 9}))

    attempt(TrialState.FAIL)              # the first attempt died...
    attempt(TrialState.FAIL)              # ...and so did its retry
    attempt(TrialState.COMPLETE, 0.01)    # the second retry finished
    s.add_trial(create_trial(state=TrialState.FAIL, params={"learning_rate": 1e-4},
                             distributions={"learning_rate": lr}, user_attrs={"first_attempt": 3}))
    rows = report.study_summary(s)["trials"]
    assert [(t["number"], t["state"]) for t in rows] == [(2, "complete"), (3, "fail")]


def fake_objective(trial):
    from audioml.experiments.objectives import training_seed

    values = spaces.suggest(trial, "table2")
    seed = training_seed(trial)
    trial.set_user_attr("seed", seed)
    return values["learning_rate"] * 1000 + (seed % 7) * 1e-3


def test_seeds_repeat_the_best_configuration_once_each(tmp_path):
    url = sqlite_url(tmp_path)
    search = study.run_study("table2", trials=4, storage=url, seed=3, objective=fake_objective)
    best = search.best_trial
    seeds = study.run_seeds("table2", seeds=3, storage=url, objective=fake_objective)
    trials = seeds.get_trials(deepcopy=False)
    assert seeds.study_name == "table2-seeds" and len(trials) == 3
    assert sorted(t.user_attrs["seed"] for t in trials) == list(study.SEEDS[:3])
    assert all(t.params == best.params and t.state.name == "COMPLETE" for t in trials)
    assert seeds.user_attrs["source_trial"] == best.number
    # Idempotent: asked again, it runs nothing; asked for more, it adds only the new ones.
    assert len(study.run_seeds("table2", seeds=3, storage=url, objective=fake_objective).trials) == 3
    assert len(study.run_seeds("table2", seeds=4, storage=url, objective=fake_objective).trials) == 4

    path = report.export_report(storage=url, path=tmp_path / "experiments.json")
    entry = report.load_report(path)["tables"]["table2"]
    assert entry["seeds"]["source_trial"] == best.number and len(entry["seeds"]["trials"]) == 4
    assert entry["seeds"]["params"] == best.params


@pytest.mark.filterwarnings("ignore:Heartbeat of storage")   # ask() makes an unrun trial
def test_two_workers_share_the_seeds_without_running_an_unqueued_trial(tmp_path):
    """Worker A plans three seeds; during its first, worker B starts and takes the other two.
    A must then stop, not train a configuration of the sampler's choosing."""
    url = sqlite_url(tmp_path)
    study.run_study("table2", trials=3, storage=url, seed=3, objective=fake_objective)
    started_b = []

    def worker_a(trial):
        if not started_b:
            started_b.append(True)
            study.run_seeds("table2", seeds=3, storage=url, objective=fake_objective)
        return fake_objective(trial)

    seeds = study.run_seeds("table2", seeds=3, storage=url, objective=worker_a)
    trials = seeds.get_trials(deepcopy=False)
    ran = [t for t in trials if t.state.name == "COMPLETE"]
    assert sorted(t.user_attrs["seed"] for t in ran) == list(study.SEEDS[:3])
    assert all(t.params == seeds.user_attrs["params"] for t in ran)
    assert len(trials) <= 4    # at most one unrun trial, pruned, when the last two raced
    from optuna.trial import TrialState

    unrun = seeds.ask()        # such a trial, made by hand: the report leaves it out
    seeds.tell(unrun, state=TrialState.PRUNED)
    entry = report.collect(url)["tables"]["table2"]["seeds"]
    assert sorted(t["seed"] for t in entry["trials"]) == list(study.SEEDS[:3])


def test_seeds_need_a_finished_search(tmp_path):
    url = sqlite_url(tmp_path)
    with pytest.raises(AudioMLError, match="run `audioml experiment table2` first"):
        study.run_seeds("table2", storage=url, objective=fake_objective)
    study.create_or_load("table2", storage=url)
    with pytest.raises(AudioMLError, match="no completed trial"):
        study.run_seeds("table2", storage=url, objective=fake_objective)
    with pytest.raises(AudioMLError, match="from 1 to 5"):
        study.run_seeds("table2", seeds=9, storage=url, objective=fake_objective)


def test_total_runs_only_what_is_missing(tmp_path):
    url = sqlite_url(tmp_path)
    study.run_study("table2", total=2, storage=url, objective=fake_objective)
    s = study.run_study("table2", total=3, storage=url, objective=fake_objective)
    assert len(s.trials) == 3
    with pytest.raises(AudioMLError, match="either trials"):
        study.run_study("table2", trials=1, total=1, storage=url, objective=fake_objective)


def test_the_background_script_runs_the_planned_trials_and_seeds():
    import re

    script = (ROOT / "scripts" / "paper_tables.sh").read_text()
    totals = dict(re.findall(r"run (table\d) --total (\d+)", script))
    assert {t: int(n) for t, n in totals.items()} == study.PAPER_SCALE_TRIALS
    seeds = dict(re.findall(r"run seeds (table\d) --seeds (\d+)", script))
    assert set(seeds) == set(study.PAPER_SCALE_TRIALS)
    assert {int(n) for n in seeds.values()} == {study.PAPER_SCALE_SEEDS}
    # Table 3 (minutes per trial) runs before the hour-long Tables 1 and 2.
    assert script.index("run table3") < script.index("run table1") < script.index("run table2")
