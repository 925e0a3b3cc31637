"""The paper's figures under its own protocol: the SNR sweep of the autoencoders' MSE, and the
melody protocols' report (its rows and sentences; the training itself is tested in tests/melody)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from audioml.denoising.evaluate import crossing_snr, snr_sweep
from audioml.errors import AudioMLError
from audioml.experiments import fidelity

ROOT = Path(__file__).resolve().parents[2]


def words(n: int, seed: int = 0) -> list[np.ndarray]:
    """*n* short 'words' at 8 kHz: two gliding tones under an envelope, some shorter than 0.55 s."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        t = np.arange(int(rng.integers(3000, 5000))) / 8000
        f0, f1 = rng.uniform(150, 400), rng.uniform(800, 1800)
        env = np.sin(np.pi * t / t[-1]) ** 2
        y = env * (np.sin(2 * np.pi * f0 * t * (1 + 0.3 * t)) + 0.4 * np.sin(2 * np.pi * f1 * t))
        out.append((0.4 * y / np.abs(y).max()).astype(np.float32))
    return out


@pytest.fixture
def fake_fsdd(tmp_path, make_fsdd) -> Path:
    made = words(20, seed=5)
    return make_fsdd(tmp_path / "fsdd", speakers=("aaa", "bbb"), digits=range(10), takes=1,
                     clip=lambda digit, speaker, take: made[digit + 10 * (speaker == "bbb")])


def test_the_sweep_scores_every_condition_in_both_spaces(fake_fsdd):
    from audioml.denoising import fsdd

    _, test = fsdd.split(fsdd.list_recordings(fake_fsdd), kind="random")
    report = snr_sweep(["vae_denoiser", "dcae_denoiser"], test, snrs=(0.0, 20.0, 60.0, None))
    assert report["clips"] == len(test) == 4 and report["snrs_db"] == [0.0, 20.0, 60.0, None]
    assert [c["snr_db"] for c in report["conditions"]] == [0.0, 20.0, 60.0, None]
    for c in report["conditions"]:
        assert set(c["methods"]) == {"noisy", "vae_denoiser", "dcae_denoiser"}
        for figures in c["methods"].values():
            assert 0 <= figures["spectrogram_mse"] < 1 and 0 <= figures["spectrogram_mse_clean_range"] < 1
        assert 0 < c["references"]["clean_neighbour_oracle_mse"] < 0.05
    noisy = [c["methods"]["noisy"]["spectrogram_mse_clean_range"] for c in report["conditions"]]
    # Less noise, a noisy image closer to the clean one; without noise it is the clean image.
    assert noisy[0] > noisy[1] > noisy[2] > noisy[3] == 0
    # The oracle knows the clean image: the noise moves it only through the target's top end.
    oracle = [c["references"]["clean_neighbour_oracle_mse"] for c in report["conditions"]]
    assert max(oracle) == pytest.approx(min(oracle), rel=0.05)


def test_the_sweep_matches_the_evaluation_it_extends(fake_fsdd):
    """At one SNR the sweep gives what `audioml evaluate denoiser` gives on the same clips."""
    from audioml.denoising import fsdd
    from audioml.denoising.evaluate import evaluate

    _, test = fsdd.split(fsdd.list_recordings(fake_fsdd), kind="random")
    swept = snr_sweep(["vae_denoiser"], test, snrs=(10.0,))["conditions"][0]
    full = evaluate(["vae_denoiser"], test, snr_db=10.0, split="random", baseline=False)
    for method in ("noisy", "vae_denoiser"):
        for space in ("spectrogram_mse", "spectrogram_mse_clean_range"):
            assert swept["methods"][method][space] == pytest.approx(full["methods"][method][space],
                                                                    abs=2e-6)
    assert swept["references"] == full["references"]


def test_the_sweep_refuses_what_is_not_an_autoencoder(fake_fsdd):
    from audioml.denoising import fsdd

    with pytest.raises(AudioMLError, match="vae_denoiser, dcae_denoiser"):
        snr_sweep(["masknet_denoiser"], fsdd.list_recordings(fake_fsdd)[:2], snrs=(10.0,))


def test_crossing_snr_interpolates_in_log_mse():
    assert crossing_snr([0, 10, 20], [0.1, 0.01, 0.001], 0.01) == 10.0
    assert crossing_snr([0, 10, 20], [0.1, 0.01, 0.001], 10 ** -2.5) == pytest.approx(15.0)
    assert crossing_snr([0, 10, None], [0.1, 0.01, 0.0001], 0.001) is None   # noise-free ignored
    assert crossing_snr([0, 10], [0.001, 0.01], 0.0015) == 0.0               # already under at 0 dB


def test_cli_writes_the_sweep_report_and_says_where_the_target_is_reached(fake_fsdd, tmp_path, capsys):
    from audioml.cli import main

    out = tmp_path / "sweep.json"
    assert main(["experiment", "snr-sweep", "--data", str(fake_fsdd), "--snr", "5", "--snr", "40",
                 "--model", "vae", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    report = fidelity.load_snr_sweep(out)
    assert [c["snr_db"] for c in report["conditions"]] == [5.0, 40.0, None]
    assert report["models"] == ["vae_denoiser"] and "random 80/20" in report["split"]
    assert set(report["summary"]) == set(fidelity.SPACES)
    assert "noise-free" in printed and "0.0015" in printed


def test_summary_and_sentence_on_a_made_up_sweep():
    def cond(snr, noisy, vae):
        return {"snr_db": snr, "methods": {"noisy": {"spectrogram_mse": noisy,
                                                     "spectrogram_mse_clean_range": noisy},
                                           "vae_denoiser": {"spectrogram_mse": vae,
                                                            "spectrogram_mse_clean_range": vae}},
                "references": {"clean_neighbour_oracle_mse": 0.0015}}

    report = {"clips": 3, "noise": "white", "models": ["vae_denoiser"], "published_mse": 0.0015,
              "conditions": [cond(0.0, 0.08, 0.02), cond(10.0, 0.06, 0.0015), cond(20.0, 0.001, 0.001),
                             cond(None, 0.0, 0.04)]}
    s = fidelity.snr_summary(report)["spectrogram_mse"]
    assert s["vae_denoiser"]["reaches_at_snr_db"] == 10.0 and s["noisy"]["reaches_at_snr_db"] > 10
    assert s["vae_denoiser"]["noise_free"] == 0.04 and s["vae_denoiser"]["mse_at_10db"] == 0.0015
    text = fidelity.sweep_sentence(report)
    assert "our VAE reaches it from about 10 dB" in text and "3 test clips" in text
    report["conditions"][1] = cond(10.0, 0.06, 0.012)
    report["conditions"][2] = cond(20.0, 0.03, 0.011)
    text = fidelity.sweep_sentence(report)
    assert "at no SNR of the sweep" in text and "0.0110, at 20 dB" in text


def test_shipped_sweep_report_reads_and_holds_the_published_levels():
    report = fidelity.load_snr_sweep()
    snrs = [c["snr_db"] for c in report["conditions"]]
    assert {0.0, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, None} <= set(snrs)
    assert set(report["models"]) == {"vae_denoiser", "dcae_denoiser"} and report["clips"] >= 200
    assert fidelity.sweep_sentence(report)


def test_missing_or_bad_reports_name_the_command(tmp_path):
    with pytest.raises(AudioMLError, match="audioml experiment snr-sweep"):
        fidelity.load_snr_sweep(tmp_path / "none.json")
    with pytest.raises(AudioMLError, match="audioml experiment melody-protocols"):
        fidelity.load_protocols(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"conditions": []}))
    with pytest.raises(AudioMLError, match="lacks models, clips"):
        fidelity.load_snr_sweep(bad)


def test_protocol_rows_and_sentence():
    def proto(acc, leak, train):
        return {"split": "x", "train_windows": 80, "test_windows": 20, "test_songs": 2,
                "leakage": {"target_in_training_inputs": leak, "continuation_in_training": leak,
                            "test_windows": 15},
                "test": {"accuracy": acc, "accuracy_all": acc + 0.05, "onset_accuracy": 0.3,
                         "always_hold": 0.69, "windows": 20, "musical_windows": 15},
                "train": {"accuracy": train, "accuracy_all": train, "onset_accuracy": 0.4,
                          "always_hold": 0.7, "windows": 20, "musical_windows": 15},
                "history": {"epochs_run": 3, "training_time_s": 1.0, "loss": [], "accuracy": []}}

    report = {"songs": 58, "windows": 15000, "published_accuracy": 0.85,
              "protocols": {"random-windows": proto(0.84, 1.0, 0.86), "song-split": proto(0.74, 0.0, 0.86)}}
    rows = fidelity.protocol_rows(report)
    assert [r["protocol"] for r in rows] == ["random-windows", "song-split"]
    assert rows[0]["test answers inside training windows"] == 1.0
    text = fidelity.protocol_sentence(report)
    assert "0.840" in text and "0.740" in text and "100% of the test answers" in text
    assert "15,000 windows" in text
    assert "Both protocols" in fidelity.protocol_sentence({"protocols": {}})


def test_a_longer_run_names_the_units_of_table_3s_rows(monkeypatch):
    """The sentence on a longer run quotes the span of the published rows' units, read from them."""
    from audioml.experiments import published

    report = fidelity.load_protocols()
    if not report.get("longer_runs"):
        report = fidelity.add_longer_run(dict(report), {**report, "protocols": {
            "random-windows": report["protocols"]["random-windows"]}})
    units = [r["units"] for r in published.TABLE3]
    assert f"had {min(units)} to {max(units)} units" in fidelity.protocol_sentence(report)
    assert published.span("table3", "units") == (133, 256)
    monkeypatch.setattr(published, "TABLE3", [*published.TABLE3, {**published.TABLE3[0], "units": 99}])
    monkeypatch.setitem(published.TABLES["table3"], "rows", published.TABLE3)
    assert "had 99 to 256 units" in fidelity.protocol_sentence(report)


def test_run_protocols_trains_both_on_the_same_windows(toy_songs, tmp_path):
    songs = toy_songs(10)
    report = fidelity.run_protocols(songs, description="toy songs", window=16, units=8, epochs=1,
                                    minutes=None)
    assert report["songs"] == 10 and set(report["protocols"]) == {"random-windows", "song-split"}
    rnd, song = report["protocols"]["random-windows"], report["protocols"]["song-split"]
    assert rnd["train_windows"] + rnd["test_windows"] == report["windows"]
    assert song["train_windows"] + song["test_windows"] == report["windows"]
    assert rnd["leakage"]["target_in_training_inputs"] > 0.9
    assert song["leakage"]["target_in_training_inputs"] == 0 and song["test_songs"] == 2
    for p in (rnd, song):
        assert 0 <= p["test"]["accuracy"] <= 1 and p["history"]["epochs_run"] == 1
    path = fidelity.write_report(report, tmp_path / "protocols.json")
    assert fidelity.load_protocols(path)["windows"] == report["windows"]
    assert len(fidelity.protocol_rows(report)) == 2 and "toy" not in fidelity.protocol_sentence(report)
    with pytest.raises(AudioMLError, match="random-windows, song-split"):
        fidelity.run_protocols(songs, protocols=["by-phase-of-moon"])


# --- the experiments page shows both ------------------------------------------------------------

def test_page_shows_the_sweep_and_the_protocols(monkeypatch, open_page):
    import ui.experiments as ex

    monkeypatch.setattr(ex, "live_report", lambda: None)
    at = open_page("pages/5_experiments.py")
    markdown = " ".join(m.value for m in at.markdown)
    assert "the published MSE of 0.0015 and the noise level" in markdown
    assert "The published accuracy of 0.85 and the paper's split" in markdown
    infos = " ".join(i.value for i in at.info)
    assert "reaches 0.0015" in infos and "our VAE" in infos
    shown = [d.value for d in at.dataframe if "protocol" in d.value.columns]
    assert len(shown) == 1 and list(shown[0]["protocol"])[:2] == ["random-windows", "song-split"]
    assert "inside a training window" in infos
    assert sum(1 for c in at.get("plotly_chart")) >= 2   # the sweep and the learning curves
    # The paper's space: another sentence from the same report.
    at.toggle(key="ex_sweep_space").set_value(True).run()
    assert not at.exception
    assert "reaches 0.0015" in " ".join(i.value for i in at.info)


def test_sweep_figure_has_the_published_line_and_a_log_axis():
    import ui.experiments as ex

    report = fidelity.load_snr_sweep()
    fig = ex.snr_sweep_figure(report)
    assert fig.layout.yaxis.type == "log"
    assert any(getattr(s, "y0", None) == 0.0015 for s in fig.layout.shapes)
    names = [t.name for t in fig.data]
    assert {"VAE (vae_denoiser)", "DCAE (dcae_denoiser)", "noisy input"} <= set(names)
    assert list(fig.layout.xaxis.ticktext)[-1] == "no noise"
    rows = ex.sweep_table(report, "spectrogram_mse_clean_range")
    assert rows[-1]["SNR"] == "no noise" and rows[-1]["noisy input mse"] == 0


def test_protocol_curves_figure_draws_both_splits():
    import ui.experiments as ex

    def proto(test_curve):
        return {"test": {"always_hold": 0.7}, "history": {"test_accuracy": test_curve,
                                                          "train_accuracy": [0.7, 0.8, 0.9]}}

    report = {"published_accuracy": 0.85, "protocols": {"random-windows": proto([0.7, 0.78, 0.84]),
                                                        "song-split": proto([0.7, 0.69, 0.67])}}
    fig = ex.protocol_curves_figure(report)
    assert [t.name for t in fig.data] == ["random-windows: test windows", "random-windows: training windows",
                                          "song-split: test windows", "song-split: training windows"]
    assert {s.y0 for s in fig.layout.shapes} == {0.85, 0.7}
    assert ex.protocol_curves_figure({"protocols": {}}) is None


def test_shipped_protocols_report_shows_the_leak_and_its_effect():
    report = fidelity.load_protocols()
    rnd, song = report["protocols"]["random-windows"], report["protocols"]["song-split"]
    assert report["songs"] == 58 and report["window"] == 64
    assert rnd["leakage"]["target_in_training_inputs"] > 0.95
    assert song["leakage"]["target_in_training_inputs"] == 0
    assert rnd["history"]["epochs_run"] == song["history"]["epochs_run"]   # the same training
    assert len(rnd["history"]["test_accuracy"]) == rnd["history"]["epochs_run"]
    assert rnd["test"]["accuracy"] > song["test"]["accuracy"]
    for name, run in report.get("longer_runs", {}).items():
        assert name.startswith("random-windows, ") and run["history"]["epochs_run"] > rnd["history"]["epochs_run"]
        assert run["train"]["accuracy"] > rnd["train"]["accuracy"]


def test_a_longer_run_must_use_the_same_windows():
    report = {"songs": 58, "windows": 100, "protocols": {}}
    longer = {"songs": 58, "windows": 100, "config": {"units": 8}, "protocols": {"random-windows": {
        "split": "x", "test_windows": 20, "test_songs": 5, "leakage": {"target_in_training_inputs": 1.0},
        "test": {"accuracy": 0.7, "accuracy_all": 0.8, "onset_accuracy": 0.3, "always_hold": 0.69},
        "train": {"accuracy": 0.95}, "history": {"epochs_run": 80}}}}
    fidelity.add_longer_run(report, longer)
    assert list(report["longer_runs"]) == ["random-windows, 80 epochs"]
    assert fidelity.protocol_rows(report)[0]["epochs"] == 80
    with pytest.raises(AudioMLError, match="same ones"):
        fidelity.add_longer_run(report, {**longer, "windows": 99})


def test_cli_runs_one_protocol_and_adds_a_longer_run(toy_songs, tmp_path, monkeypatch, capsys):
    from audioml.cli import main

    monkeypatch.setattr(fidelity, "protocol_songs", lambda data, **_: (toy_songs(10), "toy songs"))
    out = tmp_path / "protocols.json"
    args = ["experiment", "melody-protocols", "--window", "16", "--units", "4", "--out", str(out)]
    assert main([*args, "--epochs", "1"]) == 0
    assert set(fidelity.load_protocols(out)["protocols"]) == {"random-windows", "song-split"}
    assert main([*args, "--epochs", "2", "--protocol", "random-windows", "--longer-run"]) == 0
    report = fidelity.load_protocols(out)
    assert list(report["longer_runs"]) == ["random-windows, 2 epochs"]
    assert "Trained longer" in capsys.readouterr().out
    assert main([*args, "--longer-run", "--out", str(tmp_path / "none.json")]) == 2
