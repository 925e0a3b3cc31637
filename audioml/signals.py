"""Synthetic test signals for the spectrogram page and the tests.

Each generator takes the sample rate and duration and returns float32 samples
in [-1, 1]; :data:`SIGNALS` maps a display name to its generator.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from audioml.audio import check_sample_rate
from audioml.errors import AudioMLError

MIDDLE_C_HZ = 261.6256


def _time(sr: int, duration: float) -> np.ndarray:
    check_sample_rate(sr)
    if not 0.05 <= duration <= 30:
        raise AudioMLError(f"duration must be between 0.05 and 30 s; got {duration!r}")
    return np.arange(int(round(sr * duration))) / sr


def sine(sr: int, duration: float = 1.0, *, freq: float = 440.0, amplitude: float = 0.5) -> np.ndarray:
    """A pure tone of *freq* Hz."""
    if not 0 < freq < sr / 2:
        raise AudioMLError(f"frequency must be between 0 and the Nyquist frequency {sr / 2:g} Hz; got {freq!r}")
    return (amplitude * np.sin(2 * np.pi * freq * _time(sr, duration))).astype(np.float32)


def piano_note(sr: int, duration: float = 1.5, *, freq: float = MIDDLE_C_HZ) -> np.ndarray:
    """A piano-like note: harmonics k*f0 with amplitude 1/k, slightly stretched, each decaying
    faster the higher it is, after a 5 ms attack."""
    t = _time(sr, duration)
    y = np.zeros_like(t)
    for k in range(1, 16):
        fk = k * freq * np.sqrt(1 + 0.0004 * k * k)  # piano strings are slightly inharmonic
        if fk >= sr / 2:
            break
        y += np.sin(2 * np.pi * fk * t) * np.exp(-t * (1.5 + 0.8 * k)) / k
    y *= np.minimum(t / 0.005, 1.0)
    return (0.8 * y / max(np.max(np.abs(y)), 1e-9)).astype(np.float32)


def chord(sr: int, duration: float = 1.5, *, root: float = MIDDLE_C_HZ) -> np.ndarray:
    """A C major triad (root, major third, fifth) of piano-like notes."""
    notes = [piano_note(sr, duration, freq=root * 2 ** (s / 12)) for s in (0, 4, 7)]
    y = np.sum(notes, axis=0)
    return (0.8 * y / max(np.max(np.abs(y)), 1e-9)).astype(np.float32)


def chirp(sr: int, duration: float = 2.0, *, f0: float = 100.0, f1: float | None = None) -> np.ndarray:
    """A logarithmic sweep from *f0* to *f1* Hz (default: 90% of Nyquist)."""
    f1 = 0.9 * sr / 2 if f1 is None else f1
    t = _time(sr, duration)
    k = np.log(f1 / f0) / duration
    return (0.5 * np.sin(2 * np.pi * f0 * (np.exp(k * t) - 1) / k)).astype(np.float32)


def white_noise(sr: int, duration: float = 1.0, *, seed: int = 0) -> np.ndarray:
    """Gaussian white noise at about -12 dBFS RMS."""
    rng = np.random.default_rng(seed)
    return np.clip(0.25 * rng.standard_normal(len(_time(sr, duration))), -1, 1).astype(np.float32)


def click_train(sr: int, duration: float = 1.0, *, rate: float = 8.0) -> np.ndarray:
    """Single-sample clicks *rate* times a second: broadband in frequency, sharp in time."""
    y = np.zeros(len(_time(sr, duration)), dtype=np.float32)
    y[(np.arange(0, duration, 1 / rate) * sr).astype(int)] = 0.9
    return y


SIGNALS: dict[str, Callable[..., np.ndarray]] = {
    "Sine 440 Hz": sine,
    "Piano note (middle C)": piano_note,
    "C major chord": chord,
    "Chirp (log sweep)": chirp,
    "White noise": white_noise,
    "Click train": click_train,
}


def make_signal(name: str, sr: int, duration: float) -> np.ndarray:
    """Generate the synthetic signal called *name* (a key of :data:`SIGNALS`)."""
    if name not in SIGNALS:
        raise AudioMLError(f"unknown signal {name!r}; choose one of {', '.join(SIGNALS)}")
    return SIGNALS[name](sr, duration)
