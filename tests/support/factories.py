"""Test data made on the fly: WAV bytes, generated speech, a fake FSDD folder, toy songs.

Plain functions, so collection-time case lists (:mod:`tests.support.corpus`) can
use them too; test modules get them through the fixtures in ``tests/conftest.py``.
"""

from __future__ import annotations

import atexit
import functools
import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import soundfile as sf


def wav_bytes(y, sr: int = 8000, *, fmt: str = "WAV", subtype: str | None = None) -> bytes:
    """*y* encoded as an audio file in memory (WAV by default; any format soundfile writes)."""
    buf = io.BytesIO()
    sf.write(buf, np.asarray(y), sr, format=fmt, subtype=subtype)
    return buf.getvalue()


@functools.cache
def _speech_folder() -> Path:
    """This process's cache of synthesised speech: made once, removed when the process ends."""
    folder = Path(tempfile.mkdtemp(prefix="audioml_speech_"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def speak(text: str, sr: int = 8000, voice: str = "en-us", speed: int = 140) -> np.ndarray:
    """Synthesise *text* with espeak-ng, resampled by sox to *sr* Hz mono; float32 in [-1, 1]."""
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox are needed to generate speech (apt-get install espeak-ng sox)")
    tmp = _speech_folder()
    raw, out = tmp / "raw.wav", tmp / f"speech_{abs(hash((text, sr, voice, speed)))}.wav"
    if not out.exists():
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True)
        subprocess.run(["sox", str(raw), "-r", str(sr), "-c", "1", "-b", "16", str(out), "norm", "-3"],
                       check=True)
    y, _ = sf.read(out, dtype="float32")
    return y


def make_fsdd(folder: Path, *, speakers=("ann", "bob", "cat"), digits=range(10), takes: int = 2,
              clip: Callable[[int, str, int], np.ndarray] | None = None) -> Path:
    """An FSDD-shaped folder: ``folder/recordings/<digit>_<speaker>_<take>.wav`` at 8 kHz.

    *clip(digit, speaker, take)* gives each recording's samples; by default 3,000
    samples of quiet noise. A stray README checks that loaders skip non-recordings.
    """
    rec = Path(folder) / "recordings"
    rec.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for speaker in speakers:
        for digit in digits:
            for take in range(takes):
                y = clip(digit, speaker, take) if clip else 0.1 * rng.standard_normal(3000)
                sf.write(rec / f"{digit}_{speaker}_{take}.wav", np.asarray(y, np.float32), 8000,
                         subtype="PCM_16")
    (rec / "README.txt").write_text("not audio")
    return Path(folder)


def toy_songs(n: int = 24, seed: int = 0):
    """Short C major tunes in 4/4: quarters and eighths stepping around, ending on a long C."""
    from audioml.melody.encoding import Melody, notes_to_symbols

    rng = np.random.default_rng(seed)
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    songs = []
    for _ in range(n):
        notes, i, total = [], int(rng.integers(0, 5)), 0
        while total < 48:
            d = min(int(rng.choice([2, 4])), 48 - total)
            notes.append((scale[i], d))
            total += d
            i = int(np.clip(i + rng.choice([-1, 1]), 0, 7))
        notes.append((60, 16))
        songs.append(Melody(symbols=tuple(notes_to_symbols(notes)), meter="4/4"))
    return songs


#: Seconds of the marker noise in :func:`make_realworld`.
MARKER_SECONDS = 3.0


def tone_words(n: int, seed: int = 0) -> list[np.ndarray]:
    """*n* 0.5 s 'words' at 8 kHz: two gliding tones under an envelope (FSDD-sized clips)."""
    rng = np.random.default_rng(seed)
    t = np.arange(4000) / 8000
    out = []
    for _ in range(n):
        f0, f1 = rng.uniform(150, 400), rng.uniform(800, 1800)
        env = np.sin(np.pi * t / t[-1]) ** 2
        y = env * (np.sin(2 * np.pi * f0 * t * (1 + 0.3 * t)) + 0.4 * np.sin(2 * np.pi * f1 * t))
        out.append((0.4 * y / np.abs(y).max()).astype(np.float32))
    return out


def speech_like(seconds: float, sr: int, f0: float, seed: int) -> np.ndarray:
    """Speech-like test signal: a gliding harmonic tone under a 4 Hz syllable envelope."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    pitch = f0 * (1 + 0.15 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, np.pi)))
    phase = 2 * np.pi * np.cumsum(pitch) / sr
    y = sum(np.sin(k * phase) / k for k in range(1, int(0.45 * sr / (1.2 * f0))))
    envelope = np.clip(np.sin(2 * np.pi * 2.0 * t), 0, None) ** 2  # 4 syllables a second
    envelope[t < 0.1] = 0  # a short lead-in of silence, as in read speech
    y = y * envelope
    return (0.9 * y / np.max(np.abs(y))).astype(np.float32)


def make_realworld(root: Path) -> Path:
    """A realworld-shaped folder: two speech-like sentences, a marker noise (positive in its
    training part, negative in its evaluation part), a hiss at 44.1 kHz and one room."""
    from audioml.denoising import realworld as rw

    SR = 16_000
    root = Path(root)
    for sub in ("speech", "noise", "rir"):
        (root / sub).mkdir(parents=True)
    sf.write(root / "speech" / "spkA_snt1.wav", speech_like(1.5, SR, 120, 1), SR, subtype="FLOAT")
    sf.write(root / "speech" / "spkB_snt1.wav", speech_like(1.5, SR, 190, 2), SR, subtype="FLOAT")
    rng = np.random.default_rng(0)
    n = int(MARKER_SECONDS * SR)
    marker = np.abs(rng.standard_normal(n)) * 0.1 + 0.05
    marker[rw.split_index(n):] *= -1
    sf.write(root / "noise" / "marker.wav", marker.astype(np.float32), SR, subtype="FLOAT")
    sf.write(root / "noise" / "hiss.wav", (0.2 * rng.standard_normal(2 * 44_100)).astype(np.float32),
             44_100, subtype="FLOAT")
    t = np.arange(int(0.15 * SR)) / SR
    rir = 0.05 * rng.standard_normal(len(t)) * np.exp(-t / 0.02)  # direct-to-reverb ~ +4 dB
    rir[:20] = 0
    rir[20] = 1.0  # direct path 20 samples in
    sf.write(root / "rir" / "room.wav", rir.astype(np.float32), SR, subtype="FLOAT")
    return root
