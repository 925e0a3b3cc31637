"""Test data made on the fly: WAV bytes, generated speech, a fake FSDD folder, toy songs.

Plain functions, so collection-time case lists (:mod:`tests.support.corpus`) can
use them too; test modules get them through the fixtures in ``tests/conftest.py``.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
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


def speak(text: str, sr: int = 8000, voice: str = "en-us", speed: int = 140) -> np.ndarray:
    """Synthesise *text* with espeak-ng, resampled by sox to *sr* Hz mono; float32 in [-1, 1]."""
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox are needed to generate speech (apt-get install espeak-ng sox)")
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"audioml_speech_{os.getpid()}"
    tmp.mkdir(exist_ok=True)
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
