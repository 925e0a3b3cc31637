"""The experiments subpackage: spaces, published data, studies in SQLite, workers, report, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audioml.errors import AudioMLError
from audioml.experiments import compare, published, report, spaces, study
from audioml.experiments.objectives import (DenoiseData, MelodyData, denoise_objective,
                                            melody_objective)
from tests.support.factories import tone_words

ROOT = Path(__file__).resolve().parents[2]


# --- published data and search spaces -----------------------------------------------------------

def test_spaces_match_the_published_ranges():
    (arch,) = spaces.space("table1")
    assert arch.kind == "categorical" and arch.choices == ("2/32", "2/64", "3/32", "3/64", "4/32")
    t2 = {p.name: p for p in spaces.space("table2")}
    lr = t2["learning_rate"]
    assert (lr.kind, lr.low, lr.high, lr.log) == ("float", 0.00005, 0.001, True)
    assert (t2["batch_size"].kind, t2["batch_size"].low, t2["batch_size"].high) == ("int", 15, 50)
    assert (t2["epochs"].kind, t2["epochs"].low, t2["epochs"].high) == ("int", 60, 140)
    t3 = {p.name: p for p in spaces.space("table3")}
    assert (t3["units"].kind, t3["units"].low, t3["units"].high) == ("int", 100, 300)
    lr = t3["learning_rate"]
    assert (lr.kind, lr.low, lr.high, lr.log) == ("float", 0.0001, 0.01, True)
    assert (t3["batch_size"].low, t3["batch_size"].high) == (16, 64)
    assert (t3["epochs"].low, t3["epochs"].high) == (50, 100)
    dists = spaces.distributions("table3")
    assert dists["learning_rate"].log and (dists["units"].low, dists["units"].high) == (100, 300)


def test_table1_architectures_are_the_published_ones():
    archs = published.TABLE1_ARCHITECTURES
    assert archs["4/32"] == {"filters": [150, 100, 50, 50], "kernels": [5, 5, 5, 5],
                             "strides": [1, 2, 2, 1], "latent_dim": 32}
    assert [r["mse"] for r in published.TABLE1] == [0.0018, 0.0016, 0.002, 0.0019, 0.0015]


def test_published_rows_outside_the_stated_ranges_are_named():
    outside = published.outside_ranges("table2")
    assert [o["row"] for o in outside] == [0, 1, 2, 4]
    assert outside[0]["values"] == {"learning_rate": 0.00347, "epochs": 57}
    assert published.outside_ranges("table3") == []


def test_out_of_range_rows_are_counted_per_parameter():
    """Four learning rates above 0.001 and three epoch counts below 60 (63 is inside): the
    module's own account and the page's sentence both say so, counted from the rows."""
    rows = published.TABLE2
    above = sum(r["learning_rate"] > 0.001 for r in rows)
    below = sum(r["epochs"] < 60 for r in rows)
    assert (above, below) == (4, 3)
    assert published.outside_counts("table2") == [
        {"param": "learning_rate", "side": "above", "bound": 0.001, "rows": above},
        {"param": "epochs", "side": "below", "bound": 60, "rows": below}]
    assert published.outside_counts("table3") == []
    words = {3: "three", 4: "four"}
    assert (f"{words[above]} learning rates above 0.001 and {words[below]} epoch counts below 60"
            in " ".join(published.__doc__.split()))
    text = compare.discussion("table2", {"trials": [], "epochs_scale": None})
    assert f"({above} with η above 0.001, {below} with E below 60)" in text
    with pytest.raises(AudioMLError, match="choose one of units"):
        published.span("table3", "alpha")


def test_scaled_epochs_run_at_least_one():
    assert spaces.scaled_epochs(100, 0.03) == 3
    assert spaces.scaled_epochs(60, 0.001) == 1


@pytest.mark.parametrize("kwargs, needle", [
    ({"table": "table9"}, "table1, table2, table3"),
    ({"table": "table1", "trials": 0}, "at least 1"),
    ({"table": "table1", "epochs_scale": 0.0}, "(0, 1]"),
    ({"table": "table1", "epochs_scale": 1.5}, "(0, 1]"),
    ({"table": "table1", "sampler": "grid"}, "random, tpe"),
])
def test_bad_options_name_what_is_valid(kwargs, needle):
    with pytest.raises(AudioMLError, match=needle.replace("(", r"\(").replace("]", r"\]")):
        study.check_options(**kwargs)


@pytest.mark.parametrize("url", ["foo:bar", "redis://localhost/0", "not a url"])
def test_bad_storage_urls_are_refused(url):
    with pytest.raises(AudioMLError, match="storage URL"):
        study.storage_for(url)


# --- studies on tiny data ----------------------------------------------------------------------

def sqlite_url(tmp_path: Path, name: str = "studies.db") -> str:
    return f"sqlite:///{tmp_path / name}"


def test_a_two_trial_study_runs_end_to_end_and_lands_in_sqlite(tmp_path):
    import optuna

    data = DenoiseData.from_clips(tone_words(6), tone_words(2, seed=1), description="generated")
    objective = denoise_objective("table2", data, epochs_scale=0.01)
    url = sqlite_url(tmp_path)
    s = study.run_study("table2", trials=2, epochs_scale=0.01, storage=url, seed=0,
                        objective=objective, data_description="generated")
    assert (tmp_path / "studies.db").is_file()
    stored = optuna.load_study(study_name="table2", storage=url)
    trials = [t for t in stored.trials if t.state.name == "COMPLETE"]
    assert len(trials) == 2
    for t in trials:
        assert 0 <= t.value < 1
        assert set(t.params) == {"learning_rate", "batch_size", "epochs"}
        assert 0.00005 <= t.params["learning_rate"] <= 0.001
        assert t.user_attrs["epochs_run"] == 1 and t.user_attrs["epochs_scale"] == 0.01
        assert t.user_attrs["param_count"] > 1000 and t.user_attrs["training_time_s"] > 0
        assert t.user_attrs["training_cpu_s"] > 0
        assert t.user_attrs["config"]["filters"] == [100, 50]
    assert stored.user_attrs["table"] == "table2" and stored.user_attrs["sampler"] == "random"
    assert s.direction.name == "MINIMIZE"
    # Another scale on the same study is refused: one study never mixes scales.
    with pytest.raises(AudioMLError, match="epochs scale 0.01"):
        study.create_or_load("table2", storage=url, epochs_scale=0.5)
    with pytest.raises(AudioMLError, match="holds table2"):
        study.create_or_load("table3", storage=url, study_name="table2")

    # The report written from the storage reads back with the right shape.
    path = report.export_report(storage=url, path=tmp_path / "experiments.json")
    loaded = report.load_report(path)
    by_table = report.trials_by_table(loaded)
    assert set(by_table) == {"table1", "table2", "table3"}
    assert len(by_table["table2"]) == 2 and by_table["table1"] == []
    assert {"params", "metric", "training_time_s", "param_count"} <= set(by_table["table2"][0])
    assert loaded["tables"]["table2"]["epochs_scale"] == 0.01
    assert "2 of our trials finished" in compare.discussion("table2", loaded["tables"]["table2"])


def test_table1_tries_every_architecture_first(tmp_path):
    def fake(trial):
        return len(spaces.suggest(trial, "table1")["architecture"]) * 0.001

    s = study.run_study("table1", trials=5, storage=sqlite_url(tmp_path), objective=fake)
    assert sorted(t.params["architecture"] for t in s.trials) == list(published.TABLE1_ARCHITECTURES)


def test_tpe_sampler_is_an_option(tmp_path):
    s = study.create_or_load("table3", storage=sqlite_url(tmp_path), sampler="tpe", seed=1)
    assert type(s.sampler).__name__ == "TPESampler" and s.direction.name == "MAXIMIZE"


def test_table3_objective_trains_and_scores_the_lstm(tmp_path, toy_songs):
    songs = toy_songs(10)
    data = MelodyData(songs[:6], songs[6:8], songs[8:], "toy songs")
    s = study.run_study("table3", trials=1, epochs_scale=0.01, storage=sqlite_url(tmp_path), seed=0,
                        objective=melody_objective(data, epochs_scale=0.01))
    (t,) = s.trials
    assert 0 <= t.value <= 1 and t.user_attrs["epochs_run"] == 1
    assert t.user_attrs["config"]["units"] == [t.params["units"]]
    assert 0 <= t.user_attrs["always_hold"] <= 1


# --- two workers, one study ------------------------------------------------------------------

@pytest.fixture
def tiny_fsdd(tmp_path, make_fsdd) -> Path:
    made = tone_words(10, seed=3)
    return make_fsdd(tmp_path / "fsdd", speakers=("aaa", "bbb"), digits=range(5), takes=1,
                     clip=lambda digit, speaker, take: made[digit + 5 * (speaker == "bbb")])


def test_two_worker_processes_share_one_sqlite_study(tmp_path, tiny_fsdd):
    import optuna

    url = sqlite_url(tmp_path, "shared.db")
    # Created once up front, as a coordinator would; the workers then load it.
    study.create_or_load("table2", storage=url, study_name="shared", epochs_scale=0.01)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "audioml", "experiment", "table2", "--trials", "1",
               "--epochs-scale", "0.01", "--storage", url, "--study-name", "shared",
               "--data", str(tiny_fsdd)]
    workers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for w in workers:
        out, err = w.communicate(timeout=240)
        assert w.returncode == 0, err[-2000:]
        assert json.loads(out.strip().splitlines()[-1])["metric"] > 0
    shared = optuna.load_study(study_name="shared", storage=url)
    done = [t for t in shared.trials if t.state.name == "COMPLETE"]
    assert len(done) == 2
    assert len({t.user_attrs["worker"] for t in done}) == 2
    assert {t.user_attrs["worker"].rsplit(":", 1)[1] for t in done} == {str(w.pid) for w in workers}


# --- the CLI -------------------------------------------------------------------------------------

def test_cli_report_json_reads_the_shipped_report(capsys):
    from audioml.cli import main

    assert main(["experiment", "report", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"table1", "table2", "table3"}
    shipped = report.load_report()
    for table, trials in out.items():
        assert isinstance(trials, list)
        assert len(trials) == len(shipped["tables"].get(table, {}).get("trials", []))
        for t in trials:
            assert {"number", "params", "metric", "state"} <= set(t)
            if t["state"] == "complete":   # a running trial has no time yet
                assert t["training_time_s"] > 0


@pytest.mark.parametrize("argv, needle", [
    (["experiment", "table1", "--trials", "0"], "at least 1"),
    (["experiment", "table2", "--epochs-scale", "1.5"], "(0, 1]"),
    (["experiment", "table3", "--storage", "redis://x"], "redis"),
    (["experiment", "report", "--path", "/nonexistent/report.json"], "no experiments report"),
])
def test_cli_bad_input_is_one_line_and_exit_2(argv, needle, capsys):
    from audioml.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("audioml: error:") and needle in err and "\n" not in err


def test_report_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(AudioMLError, match="not valid JSON"):
        report.load_report(bad)
    bad.write_text(json.dumps({"tables": {"table7": {"trials": []}}}))
    with pytest.raises(AudioMLError, match="table1, table2, table3"):
        report.load_report(bad)


# --- comparisons shown on the page ----------------------------------------------------------------

def test_comparison_rows_and_notes():
    trials = [{"number": 0, "state": "complete", "params": {"architecture": "2/64"}, "metric": 0.01,
               "epochs_run": 2, "training_time_s": 3.0, "param_count": 10},
              {"number": 1, "state": "complete", "params": {"architecture": "2/64"}, "metric": 0.02},
              {"number": 2, "state": "fail", "params": {"architecture": "4/32"}, "metric": None}]
    rows = compare.table1_side_by_side(trials)
    assert [r["our mse"] for r in rows] == [None, 0.01, None, None, None]
    s = compare.summary("table1", trials)
    assert (s["our_best"], s["our_trials"], s["all_trials"], s["published_best"]) == (0.01, 2, 3, 0.0015)
    text = compare.discussion("table2", {"trials": [], "epochs_scale": None})
    assert "No trial" in text and "4 of the 6 published rows lie outside" in text
    assert "multiplied by 0.05" in compare.discussion("table1", {"trials": trials, "epochs_scale": 0.05})
    # CPU seconds get a column once a trial has them; trials from before show none there.
    assert "training CPU (s)" not in compare.our_rows("table1", trials)[0]
    timed = [{**trials[0], "training_cpu_s": 5.5}, trials[1]]
    assert [r["training CPU (s)"] for r in compare.our_rows("table1", timed)] == [5.5, None]
    assert compare.matching_architecture({"filters": [150, 100, 50], "kernels": [3, 3, 3],
                                          "strides": [2, 2, 2], "latent_dim": 64}) == "3/64"
    arch = published.TABLE1_ARCHITECTURES["2/64"]
    vae = {"task": "denoise", "epochs": 14, "config": {"architecture": "vae", **arch,
                                                        "learning_rate": 0.0005, "batch_size": 32}}
    assert "Table 1's 2/64 row" in compare.shipped_note(vae)
    lstm = {"task": "melody", "epochs": 70, "config": {"units": [184], "learning_rate": 0.0028,
                                                       "batch_size": 62}}
    assert "inside all of Table 3's ranges" in compare.shipped_note(lstm)


def test_shipped_note_describes_the_mask_net_from_its_card():
    card = json.loads((ROOT / "models" / "masknet_denoiser.json").read_text())
    note = compare.shipped_note(card)
    assert card["description"].rstrip(".") in note
    assert "fully convolutional" not in note and "GRU" in note


def test_config_rows_are_flat_and_rounded():
    rows = compare.config_rows({"learning_rate": 0.00030000000000000003, "dilations": [1, 2, 4],
                                "noise": {"white": 0.39999999999999997, "pink": 0.25},
                                "snr_range_db": [-5.0, 20.0], "loss": "mse", "init": None})
    assert rows == [{"setting": "learning rate", "value": "0.0003"},
                    {"setting": "dilations", "value": "1, 2, 4"},
                    {"setting": "noise: white", "value": "0.4"},
                    {"setting": "noise: pink", "value": "0.25"},
                    {"setting": "snr range db", "value": "-5, 20"},
                    {"setting": "loss", "value": "mse"},
                    {"setting": "init", "value": "—"}]


def test_seed_sentence_weighs_the_seed_spread_against_the_configurations():
    def trial(n, metric, seed=None):
        return {"number": n, "state": "complete", "metric": metric, "params": {"units": 100 + n},
                "seed": seed}

    entry = {"trials": [trial(0, 0.70), trial(1, 0.75), trial(2, 0.80)],
             "seeds": {"source_trial": 2, "params": {"units": 102},
                       "trials": [trial(0, 0.79, 1001), trial(1, 0.80, 1002), trial(2, 0.81, 1003)]}}
    summary = compare.seed_summary(entry)
    assert summary["seeds"] == 3 and summary["mean"] == pytest.approx(0.80)
    assert summary["between_configs"] == pytest.approx(0.10) and summary["source_metric"] == 0.80
    assert summary["close"] == []
    assert "no other configuration scored within one seed span" in compare.seed_sentence("table3", entry)
    entry["trials"][1]["metric"] = 0.785            # within the seeds' 0.02 of the chosen 0.80
    assert compare.seed_summary(entry)["close"] == [1]
    assert ("but trial 1 scored within one seed span of the chosen one"
            in compare.seed_sentence("table3", entry))
    entry["seeds"]["trials"][0]["metric"] = 0.74   # seeds now span 0.07 against 0.10
    assert "not settled by one run each" in compare.seed_sentence("table3", entry)
    assert compare.seed_sentence("table3", {"trials": entry["trials"]}) is None


def test_the_target_scaling_sentence_says_what_the_features_do():
    """Scale a clean and a noisy spectrogram as training does: the clean target sits on the
    range from the dB floor to the noisy maximum, which is what the page's sentence says, and not
    on the noisy clip's own range (its minimum lies far above the floor)."""
    import numpy as np

    from audioml.denoising.features import FLOOR_DB, PAPER_TRANSFORM, clip_db, paper_pair
    from audioml.noise import add_noise

    t = np.arange(2400) / 8000
    clean = np.zeros(PAPER_TRANSFORM.n_samples, np.float32)   # a burst, then the padding's silence
    clean[:2400] = 0.5 * np.sin(2 * np.pi * 440 * t) * np.hanning(2400)
    noisy = add_noise(clean, 10.0, seed=3)
    _, target = paper_pair(clean, noisy)
    clean_db, noisy_db = clip_db(clean), clip_db(noisy)

    claimed = np.clip((clean_db - FLOOR_DB) / (noisy_db.max() - FLOOR_DB), 0, 1)
    np.testing.assert_allclose(target, claimed, atol=1e-5)
    noisy_range = np.clip((clean_db - noisy_db.min()) / (noisy_db.max() - noisy_db.min()), 0, 1)
    assert noisy_db.min() > FLOOR_DB + 20 and np.abs(target - noisy_range).max() > 0.1

    assert f"{FLOOR_DB:g} dB floor to the noisy clip's maximum" in compare.TARGET_SCALING
    trials = [{"number": 0, "state": "complete", "params": {"architecture": "2/64"}, "metric": 0.01}]
    for table in ("table1", "table2"):
        text = compare.discussion(table, {"trials": trials, "epochs_scale": 1.0})
        assert compare.TARGET_SCALING in text and "noisy clip's range" not in text
    for name in ("vae_denoiser", "dcae_denoiser"):
        card = json.loads((ROOT / "models" / f"{name}.json").read_text())
        assert "floor to the noisy clip's maximum" in card["config"]["scaling"], name


# --- parameter importances over bootstrap resamples ----------------------------------------------

def _table2_trials(n=6):
    import numpy as np

    rng = np.random.default_rng(4)
    return [{"number": i, "state": "complete", "metric": float(0.01 + 0.002 * rng.random()),
             "params": {"learning_rate": float(10 ** rng.uniform(-4.3, -3)),
                        "batch_size": int(rng.integers(15, 51)), "epochs": int(rng.integers(60, 141))}}
            for i in range(n)]


def test_importance_spread_is_taken_over_resamples_of_the_trials(monkeypatch):
    """The spread's quantiles are those of the importances of resampled trial sets, each as many
    trials as there are, drawn with replacement."""
    import numpy as np

    from audioml.experiments import importance

    trials = _table2_trials()
    seen = []

    def fake(table, drawn, **kwargs):
        seen.append([t["params"]["epochs"] for t in drawn])
        lr = sum(t["params"]["learning_rate"] > 2e-4 for t in drawn) / len(drawn)
        return {"learning_rate": lr, "batch_size": (1 - lr) / 2, "epochs": (1 - lr) / 2}

    monkeypatch.setattr(importance, "importances", fake)
    spread = importance.importance_spread("table2", trials, resamples=25, seed=1)
    assert spread["trials"] == 6 and spread["resamples"] == 25 and len(seen) == 26
    everyone = sorted(t["params"]["epochs"] for t in trials)
    assert sorted(seen[0]) == everyone                      # the trials themselves, once each
    assert all(len(s) == 6 for s in seen[1:])
    assert any(len(set(s)) < 6 for s in seen[1:])          # drawn with replacement
    assert len({tuple(s) for s in seen[1:]}) > 5            # and each drawn anew
    shares = [sum(e in {t["params"]["epochs"] for t in trials if t["params"]["learning_rate"] > 2e-4}
                  for e in s) / 6 for s in seen[1:]]
    lr = spread["params"]["learning_rate"]
    assert lr["median"] == pytest.approx(np.median(shares))
    assert (lr["low"], lr["high"]) == pytest.approx(tuple(np.quantile(shares, [0.1, 0.9])))
    assert lr["low"] < lr["high"]


def test_importance_spread_with_fanova_and_its_note():
    from audioml.experiments import importance

    trials = _table2_trials()
    spread = importance.importance_spread("table2", trials, resamples=6)
    params = spread["params"]
    assert set(params) == {"learning_rate", "batch_size", "epochs"}
    assert sum(p["all"] for p in params.values()) == pytest.approx(1)
    assert all(0 <= p["low"] <= p["median"] <= p["high"] <= 1 for p in params.values())
    medians = [p["median"] for p in params.values()]
    assert medians == sorted(medians, reverse=True)
    note = importance.spread_note(spread)
    assert "6 bootstrap resamples of the 6 trials" in note and "10–90% range" in note
    wide = {**spread, "params": {k: {**p, "low": 0.0, "high": 1.0} for k, p in params.items()}}
    assert "within noise" in importance.spread_note(wide)
    alike = [{**t, "metric": 0.01} for t in trials]
    assert importance.importance_spread("table2", alike) is None
    assert importance.importance_spread("table2", trials[:1]) is None
    with pytest.raises(AudioMLError, match="resamples"):
        importance.importance_spread("table2", trials, resamples=0)


def test_published_decimals_are_read_from_the_paper_rows():
    """Each published column keeps the decimals its rows need (no more, no fewer), and the one
    value printed shorter (Table 1's 0.002) is named in the page's note on precision."""
    for name in published.TABLES:
        for key, d in published.printed_decimals(name).items():
            values = [row[key] for row in published.table(name)["rows"]]
            assert all(round(v, d) == v for v in values), (name, key)
            assert any(round(v, d - 1) != v for v in values), (name, key)
    assert published.printed_decimals("table2") == {"learning_rate": 5, "mse": 4}
    assert published.shorter_values("table1", "mse") == [2]
    assert compare.published_decimals("table3") == {"η": 4, "published accuracy": 2}
    assert compare.published_figure("table3", 0.85) == "0.85"
    assert compare.published_figure("table1", 0.002) == "0.0020"
    assert compare.our_figure("table3", 0.7) == "0.700"
    note = compare.precision_note()
    assert "Table 2: η to 5, MSE to 4" in note and "0.002 for Table 1's 3/32 reads 0.0020" in note
    text = compare.discussion("table3", {"trials": [{"number": 0, "state": "complete", "metric": 0.7,
                                                      "params": {"units": 120}}], "epochs_scale": 1.0})
    assert "best test next-step accuracy 0.700, published best 0.85)" in text
