"""The denoiser commands end to end, on generated speech."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from audioml.audio import resample
from audioml.cli import main
from audioml.metrics import si_sdr
from audioml.noise import add_noise

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@pytest.fixture(scope="module")
def generated_fsdd(tmp_path_factory, speech, make_fsdd):
    """A small FSDD look-alike: two synthetic speakers saying each digit."""
    voices = {"ann": "en-us", "bob": "en"}
    return make_fsdd(tmp_path_factory.mktemp("fsdd"), speakers=tuple(voices), takes=1,
                     clip=lambda digit, speaker, take: speech(DIGITS[digit], voice=voices[speaker]))


@pytest.mark.parametrize("arch", ["masknet", "vae"])
def test_train_writes_weights_and_card(generated_fsdd, tmp_path, arch, capsys):
    code = main(["train", "denoiser", "--model", arch, "--data", str(generated_fsdd),
                 "--split", "speaker", "--test-speaker", "bob", "--epochs", "1", "--steps", "2",
                 "--batch-size", "4", "--out-dir", str(tmp_path), "--name", f"tiny_{arch}"])
    assert code == 0
    card = json.loads((tmp_path / f"tiny_{arch}.json").read_text())
    assert (tmp_path / f"tiny_{arch}.keras").exists()
    assert card["task"] == "denoise" and card["config"]["architecture"] == arch
    assert card["split_kind"] == "speaker" and card["test_speaker"] == "bob"
    assert card["retrain_command"].startswith(f"audioml train denoiser --model {arch} --name tiny_{arch}")
    assert "--epochs 1" in card["retrain_command"] and "--batch-size 4" in card["retrain_command"]
    assert "si_sdr_improvement_db" in card["metrics"]["model"]
    if arch == "masknet":
        # The mask's power and floor are picked on the training speaker's clips and used.
        best = card["mask_tuning"]["best"]
        assert card["mask_tuning"]["clips"] == 2  # every 8th of ann's 10 clips
        assert (card["config"]["mask_power"], card["config"]["mask_floor"]) == (best["power"],
                                                                               best["floor"])


def test_train_masknet_with_given_mask_shaping_skips_tuning(generated_fsdd, tmp_path):
    code = main(["train", "denoiser", "--model", "masknet", "--data", str(generated_fsdd),
                 "--split", "speaker", "--test-speaker", "bob", "--epochs", "1", "--steps", "1",
                 "--batch-size", "2", "--gru-units", "4", "--random-eq", "6", "--asymmetry", "4",
                 "--mask-power", "1.5", "--out-dir", str(tmp_path), "--name", "fixed"])
    assert code == 0
    card = json.loads((tmp_path / "fixed.json").read_text())
    assert "mask_tuning" not in card
    assert card["config"]["mask_power"] == 1.5 and card["config"]["mask_floor"] == 0.0
    assert card["config"]["gru_units"] == 4 and card["config"]["random_eq_db"] == 6.0
    assert card["config"]["asymmetry"] == 4.0 and "x4" in card["config"]["loss"]
    assert "--gru-units 4" in card["retrain_command"]
    assert "--mask-power 1.5" in card["retrain_command"]


def test_options_an_architecture_does_not_use_are_named(generated_fsdd, tmp_path, capsys):
    code = main(["train", "denoiser", "--model", "dcae", "--data", str(generated_fsdd),
                 "--split", "speaker", "--test-speaker", "bob", "--epochs", "1", "--steps", "3",
                 "--gru-units", "2", "--out-dir", str(tmp_path), "--name", "plain"])
    assert code == 0
    assert "dcae does not use --steps, --gru-units" in capsys.readouterr().err
    card = json.loads((tmp_path / "plain.json").read_text())
    assert card["config"]["architecture"] == "dcae" and "gru_units" not in card["config"]


def test_evaluate_reports_every_method(generated_fsdd, capsys):
    code = main(["evaluate", "denoiser", "--model", "masknet_denoiser", "--data", str(generated_fsdd),
                 "--split", "speaker", "--test-speaker", "bob", "--snr", "5", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["methods"]) == {"noisy", "masknet_denoiser", "noisereduce"}
    for figures in report["methods"].values():
        assert {"spectrogram_mse", "si_sdr_db", "pesq_nb", "pesq_failures"} <= set(figures)


def test_denoise_keeps_files_with_the_same_stem_apart(tmp_path, speech):
    clean = speech("one two", sr=16000)
    paths = [tmp_path / "talk.wav", tmp_path / "talk.flac"]
    for path in paths:
        sf.write(path, add_noise(clean, 5.0, sr=16000, seed=0), 16000)
    out = tmp_path / "out"
    assert main(["denoise", *map(str, paths), "--model", "masknet", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["talk_flac.wav", "talk_wav.wav"]


def test_denoise_writes_one_file_per_input(tmp_path, speech, capsys):
    clean = speech("the quick brown fox jumps over the lazy dog", sr=16000)
    paths = []
    for i in range(2):
        path = tmp_path / f"noisy{i}.wav"
        sf.write(path, add_noise(clean, 5.0, sr=16000, seed=i), 16000)
        paths.append(str(path))
    out = tmp_path / "out"
    assert main(["denoise", *paths, "--model", "masknet", "--out", str(out)]) == 0
    for i in range(2):
        y, sr = sf.read(out / f"noisy{i}.wav")
        assert sr == 16000 and len(y) == len(clean)
    # The models work at 8 kHz: compare in that band.
    y, _ = sf.read(out / "noisy0.wav", dtype="float32")
    noisy = add_noise(clean, 5.0, sr=16000, seed=0)
    clean8, y8, noisy8 = (resample(v, 16000, 8000) for v in (clean, y, noisy))
    assert si_sdr(clean8, y8) > si_sdr(clean8, noisy8) + 3


@pytest.mark.parametrize("content", [None, b"", b"not audio at all"])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, content):
    path = tmp_path / "bad.wav"
    if content is not None:
        path.write_bytes(content)
    assert main(["denoise", str(path), "--model", "masknet", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("audioml: error:")


def test_unknown_model_names_the_choices(tmp_path, speech, capsys):
    path = tmp_path / "x.wav"
    sf.write(path, speech("one"), 8000)
    assert main(["denoise", str(path), "--model", "nope", "--out", str(tmp_path)]) == 2
    assert "masknet_denoiser" in capsys.readouterr().err


def test_models_lists_the_denoisers(capsys):
    assert main(["models", "--task", "denoise", "--json"]) == 0
    cards = json.loads(capsys.readouterr().out)
    assert {"dcae_denoiser", "vae_denoiser", "masknet_denoiser"} <= {c["name"] for c in cards}
    assert all(c["task"] == "denoise" for c in cards)


def test_realistic_training_takes_a_noise_mix(generated_fsdd, make_realworld, tmp_path, monkeypatch):
    """--noise-mix reaches the training and the card, and its retrain command repeats it."""
    monkeypatch.setenv("AUDIOML_DATA", str(make_realworld(tmp_path / "data" / "realworld").parent))
    code = main(["train", "denoiser", "--model", "masknet", "--data", str(generated_fsdd),
                 "--split", "speaker", "--test-speaker", "bob", "--epochs", "1", "--steps", "2",
                 "--augmentation", "realistic", "--noise-mix", "recorded=0.5", "white=0.5",
                 "--mask-power", "1", "--mask-floor", "0", "--out-dir", str(tmp_path / "m")])
    assert code == 0
    card = json.loads((tmp_path / "m" / "masknet_denoiser.json").read_text())
    assert card["config"]["noise"] == {"recorded": 0.5, "white": 0.5}
    assert "--noise-mix recorded=0.5 white=0.5" in card["retrain_command"]


@pytest.mark.parametrize("mix", [["white=x"], ["traffic=1"], ["white=0"]])
def test_a_bad_noise_mix_is_one_line(generated_fsdd, tmp_path, mix, capsys):
    try:
        code = main(["train", "denoiser", "--model", "masknet", "--data", str(generated_fsdd),
                     "--augmentation", "realistic", "--noise-mix", *mix, "--epochs", "1",
                     "--out-dir", str(tmp_path)])
    except SystemExit as stop:   # argparse's own usage error
        code = stop.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) >= 1 and ("KIND=SHARE" in err or "noise mix" in err)


def test_test_figures_are_those_of_the_tuned_mask(generated_fsdd, tmp_path, monkeypatch):
    """The card's test figures are measured with the mask shaping the tuning chose, not with
    the net as it was loaded for the tuning."""
    import audioml.denoising.recipe as recipe
    from audioml.denoising.api import load_denoiser

    monkeypatch.setattr(recipe, "tune_shipped_mask", lambda name, models_dir, clips, progress: (
        load_denoiser(name, models_dir),   # the tuning loads (and so caches) the untuned net
        {"best": {"power": 2.0, "floor": 0.01, "pesq_nb": 3.0}, "clips": len(clips)})[1])
    seen = []
    monkeypatch.setattr(recipe, "card_metrics", lambda name, recs, split, test_speaker, models_dir: (
        seen.append(load_denoiser(name, models_dir).card["config"]), {})[1])
    assert main(["train", "denoiser", "--model", "masknet", "--data", str(generated_fsdd),
                 "--split", "speaker", "--test-speaker", "bob", "--epochs", "1", "--steps", "2",
                 "--out-dir", str(tmp_path)]) == 0
    assert seen[0]["mask_power"] == 2.0 and seen[0]["mask_floor"] == 0.01
