"""`audioml train melody`, `audioml evaluate melody` and `audioml generate` on a tiny model."""

from __future__ import annotations

import json
import shlex

import music21
import pytest

import audioml.melody
from audioml import cli, registry
from audioml.melody import corpus, score
from audioml.melody.model import preset


@pytest.fixture(scope="module")
def trained(tmp_path_factory, toy_songs):
    """Toy songs as **kern files in two collections, and a tiny model trained on them by the CLI."""
    root = tmp_path_factory.mktemp("melody_cli")
    for i, song in enumerate(toy_songs(30)):
        folder = root / "songs" / ("a" if i < 24 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"song{i}.krn").write_text(score.to_kern(song))
    mp = pytest.MonkeyPatch()
    mp.setattr(corpus, "RUNS_DIR", root / "runs")
    code = cli.main(["train", "melody", "--data", str(root / "songs"), "--preset", "tiny", "--epochs", "3",
                     "--heldout", "b", "--out", str(root / "models"), "--report", str(root / "report.json")])
    mp.setattr(registry, "MODELS_DIR", root / "models")
    audioml.melody.shipped_model.cache_clear()
    yield root, code
    audioml.melody.shipped_model.cache_clear()
    mp.undo()


def test_train_writes_model_card_and_report(trained):
    root, code = trained
    assert code == 0
    card = json.loads((root / "models" / "melody_lstm.json").read_text())
    assert card["task"] == "melody" and "module" not in card
    # The options given, with the recipe's defaults filled in: running it again makes this model.
    assert card["retrain_command"] == (
        f"audioml train melody --data {shlex.quote(str(root / 'songs'))} --preset tiny --epochs 3 --durations paper "
        "--heldout b --name melody_lstm --seed 0")
    assert card["config"] == preset("tiny")
    assert card["preprocessing"]["songs_kept"] == 30
    assert card["sequences"]["heldout"] == 6
    assert (root / "models" / "melody_lstm_vocab.json").exists()
    report = json.loads((root / "report.json").read_text())
    for key in ("test", "unseen_collection", "ngram_baseline", "generation"):
        assert key in report["metrics"]
    # The card's generation figures are the report's, in both keys, and it says how they were made.
    generation = report["metrics"]["generation"]
    assert card["metrics"]["tonic_endings_model_key"] == generation["tonic_endings_model_key"]
    assert card["metrics"]["tonic_endings"] == generation["tonic_endings"]
    assert card["metrics"]["tonic_endings_without_cadence_rule_model_key"] == (
        report["metrics"]["generation_without_cadence_rule"]["tonic_endings_model_key"])
    assert card["generation"]["melodies"] == generation["melodies"]
    assert card["generation"]["steps"] == generation["steps"]


def test_evaluate_prints_json(trained, capsys):
    root, _ = trained
    assert cli.main(["evaluate", "melody", "--data", str(root / "songs" / "b"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"accuracy", "onset_accuracy", "nll", "songs_kept"} <= set(result)
    assert result["songs"] == 6 and 0 <= result["accuracy"] <= 1
    assert cli.main(["evaluate", "melody", "--data", str(root / "songs"), "--split", "heldout",
                     "--heldout", "b", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["songs"] == 6


def _pitches(data: bytes, fmt: str) -> list[int]:
    """The pitches of a written file, read back by music21 (symbols for JSON)."""
    if fmt == "json":
        return [int(s) for s in json.loads(data)["symbols"].split() if s.isdigit()]
    parsed = music21.converter.parseData(data if fmt == "mid" else data.decode(),
                                         format={"mid": "midi", "krn": "humdrum"}.get(fmt, fmt))
    return [n.pitch.midi for n in parsed.stripTies().flatten().notes]


@pytest.mark.parametrize("ext", ["json", "mid", "musicxml", "krn"])
def test_generate_writes_each_format(trained, tmp_path, ext, capsys):
    out = tmp_path / f"m.{ext}"
    args = ["generate", "--seed", "60 _ 62 _", "--steps", "32", "--temperature", "0.8", "--random-seed", "4"]
    assert cli.main(args) == 0
    printed = capsys.readouterr().out.split()
    assert cli.main([*args, "--out", str(out)]) == 0
    pitches = [int(s) for s in printed if s.isdigit()]
    assert pitches[:2] == [60, 62]
    assert _pitches(out.read_bytes(), ext) == pitches  # the same melody in every format


def test_generate_writes_svg(trained, tmp_path):
    out = tmp_path / "m.svg"
    assert cli.main(["generate", "--seed", "60 _ 62 _", "--steps", "32", "--random-seed", "4",
                     "--out", str(out)]) == 0
    svg = out.read_text()
    assert "<svg" in svg[:200] and svg.rstrip().endswith("</svg>") and svg.count("<use") >= 5


def test_generate_prints_symbols(trained, capsys):
    assert cli.main(["generate", "--steps", "16", "--random-seed", "1"]) == 0
    assert capsys.readouterr().out.split()[0].isdigit()


def _help(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as stop:
        cli.main([*argv, "--help"])
    assert stop.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines at the terminal width


def test_seed_help_states_the_pitch_range_the_seed_check_enforces(trained, capsys):
    """The help's pitch range is the model's vocabulary's (here the tiny model's, not the shipped
    one's), stated in the words of the error a pitch outside it gets."""
    from audioml.melody import shipped_vocabulary
    from audioml.melody.encoding import pitch_range_text

    low, high = shipped_vocabulary().pitch_range
    stated = pitch_range_text(low, high)
    assert stated in _help(capsys, "generate")
    assert cli.main(["generate", "--seed", f"{high + 1} _", "--steps", "8"]) == 2
    error = capsys.readouterr().err
    assert "outside the pitches the model knows" in error and stated in error
    assert cli.main(["generate", "--seed", f"{high} _", "--steps", "8", "--random-seed", "0"]) == 0


def test_seed_help_without_a_shipped_model(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(registry, "MODELS_DIR", tmp_path)
    text = _help(capsys, "generate")
    assert "seed symbols separated by spaces: MIDI pitch numbers where notes start" in text
