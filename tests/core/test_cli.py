"""The `audioml` command: help, model listing, spectrogram tools, and one-line errors."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from audioml.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "audioml", *args], capture_output=True, text=True,
                          timeout=300)


def test_help_lists_subcommands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("models", "train", "evaluate", "sample", "spectrogram", "griffinlim"):
        assert command in result.stdout


def test_models_json_is_an_array_of_cards(capsys):
    assert main(["models", "--json"]) == 0
    cards = json.loads(capsys.readouterr().out)
    assert isinstance(cards, list)
    for card in cards:
        assert {"name", "task", "card"} <= set(card)
        assert card["task"] in ("denoise", "latent", "melody")


def test_spectrogram_and_griffinlim(tmp_path, speech, capsys):
    wav = tmp_path / "say.wav"
    sf.write(wav, speech("seven", sr=16000), 16000)
    assert main(["spectrogram", str(wav), "--out", str(tmp_path / "s.npy"), "--n-fft", "256", "--hop", "64"]) == 0
    spec = np.load(tmp_path / "s.npy")
    assert spec.shape[0] == 129 and spec.max() == pytest.approx(0, abs=1e-3)
    assert main(["spectrogram", str(wav), "--out", str(tmp_path / "s.png"), "--scale", "mel"]) == 0
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    capsys.readouterr()
    assert main(["griffinlim", str(wav), "--out", str(tmp_path / "gl.wav"), "--iter", "20", "--json"]) == 0
    history = json.loads(capsys.readouterr().out)["spectral_convergence"]
    assert len(history) == 20 and history[-1] < history[0]
    assert sf.info(tmp_path / "gl.wav").samplerate == 16000


@pytest.mark.parametrize("args,needle", [
    (["spectrogram", "/no/such.wav", "--out", "x.npy"], "no such file"),
    (["spectrogram", "{dir}", "--out", "x.npy"], "folder"),
    (["spectrogram", "{text}", "--out", "x.npy"], "could not read"),
    (["spectrogram", "{wav}", "--out", "x.txt"], ".npy or .png"),
    (["spectrogram", "{wav}", "--out", "x.npy", "--hop", "0"], "hop length"),
    (["griffinlim", "{wav}", "--out", "x.wav", "--iter", "0"], "n_iter"),
    (["griffinlim", "{wav}", "--out", "x.wav", "--momentum", "1"], "momentum"),
])
def test_bad_input_exits_nonzero_with_one_line(tmp_path, args, needle):
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    wav = tmp_path / "ok.wav"
    sf.write(wav, 0.3 * np.sin(np.arange(8000) / 5.0), 8000)
    args = [a.format(dir=tmp_path, text=text, wav=wav) for a in args]
    result = run(*args)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert "Traceback" not in result.stderr
