"""Noise to add to clean speech, at an exact signal-to-noise ratio."""

from __future__ import annotations

import numpy as np

from audioml.errors import AudioMLError

NOISE_KINDS = ("white", "pink", "brown", "hum")


def make_noise(n: int, kind: str = "white", *, sr: int = 8000, seed: int | None = None) -> np.ndarray:
    """Unit-power noise of *n* samples.

    ``white`` is flat; ``pink`` falls 3 dB per octave (1/f power); ``brown``
    6 dB per octave (1/f^2); ``hum`` is mains hum at 50 Hz with odd and even
    harmonics and a little white noise, as cheap recordings carry.
    """
    if kind not in NOISE_KINDS:
        raise AudioMLError(f"unknown noise {kind!r}; choose one of {', '.join(NOISE_KINDS)}")
    rng = np.random.default_rng(seed)
    if kind == "hum":
        t = np.arange(n) / sr
        f0 = 50.0 + rng.uniform(-0.5, 0.5)
        x = sum(np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 2 * np.pi)) / h for h in range(1, 8)
                if f0 * h < sr / 2)
        x = x + 0.05 * rng.standard_normal(n)
    else:
        white = rng.standard_normal(n)
        if kind == "white":
            x = white
        else:
            spectrum = np.fft.rfft(white)
            f = np.fft.rfftfreq(n)
            f[0] = f[1] if n > 1 else 1.0
            exponent = 0.5 if kind == "pink" else 1.0
            x = np.fft.irfft(spectrum / f**exponent, n)
    x = x - x.mean()
    return (x / max(np.sqrt(np.mean(x**2)), 1e-12)).astype(np.float32)


def add_noise(y: np.ndarray, snr_db: float, *, kind: str = "white", sr: int = 8000,
              seed: int | None = None) -> np.ndarray:
    """Return ``y + noise`` with the noise scaled so that 10 log10(P_y / P_noise) = *snr_db*.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Clean signal; must not be silent.
    snr_db : float
        Target SNR in dB, e.g. 10.0.
    kind : {"white", "pink", "brown", "hum"}
    """
    y = np.asarray(y, dtype=np.float32)
    if not np.isfinite(snr_db) or not -30 <= snr_db <= 60:
        raise AudioMLError(f"SNR must be a number of dB in [-30, 60]; got {snr_db!r}")
    power = float(np.mean(y.astype(np.float64) ** 2))
    if power <= 0:
        raise AudioMLError("cannot set an SNR on a silent signal")
    noise = make_noise(len(y), kind, sr=sr, seed=seed)
    noise *= np.sqrt(power / 10 ** (snr_db / 10) / np.mean(noise.astype(np.float64) ** 2))
    return (y + noise).astype(np.float32)


def mix_without_clipping(clean: np.ndarray, snr_db: float, *, kind: str = "white", sr: int = 8000,
                         seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(clean, noisy)`` at *snr_db*, both scaled by one gain so the mixture stays in [-1, 1].

    Scaling both together keeps the SNR exact, and the clean clip stays the
    reference of the noisy one sample for sample.
    """
    noisy = add_noise(clean, snr_db, kind=kind, sr=sr, seed=seed)
    gain = min(1.0, 0.99 / max(float(np.abs(noisy).max()), 1e-9))
    return (np.asarray(clean, np.float32) * gain).astype(np.float32), (noisy * gain).astype(np.float32)
