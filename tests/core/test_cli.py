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


def test_griffinlim_message_names_the_iterations_its_figures_come_after(tmp_path, capsys):
    """history[0] is the signal after the first iteration (not the random start) and history[-1]
    that of the file written: the message says so, with the figures the JSON history holds."""
    from audioml import spectral
    from audioml.signals import chord

    wav = tmp_path / "chord.wav"
    sf.write(wav, 0.5 * chord(8000, 1.0), 8000, subtype="PCM_16")
    base = ["griffinlim", str(wav), "--out", str(tmp_path / "gl.wav"), "--n-fft", "256", "--hop", "64"]
    for n_iter in (1, 12):
        assert main([*base, "--iter", str(n_iter), "--json"]) == 0
        history = json.loads(capsys.readouterr().out)["spectral_convergence"]
        assert main([*base, "--iter", str(n_iter)]) == 0
        line = capsys.readouterr().out.strip()
        first = f"spectral convergence {history[0]:.3f} after 1 iteration"
        if n_iter == 1:
            assert line.endswith(first) and "->" not in line
        else:
            assert line.endswith(f"{first} -> {history[-1]:.3f} after {n_iter} iterations")
    # The last figure is the written signal's own (up to its 16-bit rounding).
    y, _ = sf.read(wav, dtype="float32")
    rebuilt, _ = sf.read(tmp_path / "gl.wav", dtype="float32")
    magnitude = np.abs(spectral.stft(y, n_fft=256, hop_length=64))
    written = spectral.spectral_convergence(rebuilt, magnitude, hop_length=64)
    assert written == pytest.approx(history[-1], abs=2e-3)


@pytest.mark.parametrize("n_fft", [256, 1024])
def test_mel_spectrogram_says_how_many_bands_and_why_fewer(tmp_path, capsys, n_fft):
    """At 48 kHz a 256-sample frame gives the lowest of 64 bands no bin: the picture gets fewer
    (spectral.mel_band_count), and the command says how many and why."""
    from audioml import spectral
    from audioml.signals import chord

    wav = tmp_path / "chord.wav"
    sf.write(wav, 0.5 * chord(48000, 0.5), 48000)
    out = tmp_path / "mel.npy"
    assert main(["spectrogram", str(wav), "--out", str(out), "--scale", "mel", "--n-fft", str(n_fft)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    bands = spectral.mel_band_count(48000, n_fft)
    assert np.load(out).shape[0] == bands
    assert lines[0] == f"{out}: {bands} mel bands x {np.load(out).shape[1]} frames"
    if bands < spectral.MEL_BANDS:
        assert len(lines) == 2
        assert lines[1].startswith(f"only {bands} mel bands, not {spectral.MEL_BANDS}: "
                                   f"with --n-fft {n_fft} at 48000 Hz")
    else:
        assert len(lines) == 1
    assert bands < spectral.MEL_BANDS if n_fft == 256 else bands == spectral.MEL_BANDS
