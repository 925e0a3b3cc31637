"""Quality measures for denoised audio and reconstructed spectrograms."""

from __future__ import annotations

import math

import numpy as np

from audioml.errors import AudioMLError


def snr_db(reference: np.ndarray, estimate: np.ndarray) -> float:
    """10 log10(P_ref / P_(estimate - reference)) in dB."""
    reference, estimate = _pair(reference, estimate)
    err = np.sum((estimate - reference) ** 2)
    return float(10 * np.log10(np.sum(reference**2) / max(err, 1e-20)))


def si_sdr(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Scale-invariant signal-to-distortion ratio in dB (Le Roux et al., 2019).

    The reference is scaled to best fit the estimate; what is left is distortion.
    Both signals are made zero-mean first. Higher is better; it assumes the
    estimate keeps the reference's phase, so it says little about Griffin-Lim output.
    """
    reference, estimate = _pair(reference, estimate)
    reference = reference - reference.mean()
    estimate = estimate - estimate.mean()
    scale = np.dot(estimate, reference) / max(np.dot(reference, reference), 1e-20)
    target = scale * reference
    return float(10 * np.log10(np.sum(target**2) / max(np.sum((estimate - target) ** 2), 1e-20)))


def spectrogram_mse(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Mean squared error between two spectrograms of the same shape (e.g. scaled to [0, 1])."""
    reference, estimate = np.asarray(reference, np.float64), np.asarray(estimate, np.float64)
    if reference.shape != estimate.shape:
        raise AudioMLError(f"spectrogram shapes differ: {reference.shape} vs {estimate.shape}")
    return float(np.mean((reference - estimate) ** 2))


def pesq_nb(reference: np.ndarray, estimate: np.ndarray, sr: int = 8000) -> float:
    """Narrow-band PESQ (ITU-T P.862) at 8 kHz; NaN when PESQ cannot score the pair.

    PESQ refuses some clips (too short, no utterance detected); callers count NaNs.
    """
    return _pesq(reference, estimate, sr, rate=8000, mode="nb")


def pesq_wb(reference: np.ndarray, estimate: np.ndarray, sr: int = 16000) -> float:
    """Wide-band PESQ (ITU-T P.862.2) at 16 kHz; NaN when PESQ cannot score the pair.

    Inputs at another rate are resampled to 16 kHz; below 16 kHz there is no
    wide band to score, so that is an error.
    """
    if sr < 16000:
        raise AudioMLError(f"wide-band PESQ needs audio at 16 kHz or more; got {sr} Hz")
    return _pesq(reference, estimate, sr, rate=16000, mode="wb")


def _pesq(reference, estimate, sr: int, *, rate: int, mode: str) -> float:
    """PESQ in *mode* of the pair resampled from *sr* to *rate*; NaN when it cannot score."""
    from pesq import pesq

    from audioml.audio import resample

    reference, estimate = _pair(reference, estimate)
    if sr != rate:
        reference, estimate = resample(reference, sr, rate), resample(estimate, sr, rate)
    try:
        return float(pesq(rate, reference, estimate, mode))
    except Exception:  # noqa: BLE001 - the pesq package raises several types for unscorable clips
        return math.nan


def _pair(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    n = min(len(a), len(b))
    return a[:n], b[:n]
