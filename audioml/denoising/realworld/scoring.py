"""Scoring one estimate: undo its delay against the clean reference, then PESQ and SI-SDR."""

from __future__ import annotations

import numpy as np

from audioml.audio import fix_length
from audioml.metrics import pesq_nb, pesq_wb, si_sdr

#: Largest delay searched when aligning an estimate with the clean reference, in seconds.
MAX_LAG_SECONDS = 0.05


def align(estimate: np.ndarray, clean: np.ndarray, sr: int, *,
          max_lag_s: float = MAX_LAG_SECONDS) -> tuple[np.ndarray, int]:
    """Undo an integer delay of *estimate* against *clean*.

    The lag in ``±max_lag_s`` that maximises the cross-correlation (computed by
    FFT) is removed, and the result is zero-padded or trimmed to the clean length.

    Parameters
    ----------
    estimate : np.ndarray [shape=(m,)]
    clean : np.ndarray [shape=(n,)]
    sr : int
        Sample rate of both, in Hz.
    max_lag_s : float
        Largest delay searched, in seconds.

    Returns
    -------
    aligned : np.ndarray [shape=(n,), dtype=float64]
    lag : int
        Samples by which *estimate* was late (negative: early).
    """
    from scipy.signal import correlate, correlation_lags

    estimate, clean = np.asarray(estimate, np.float64), np.asarray(clean, np.float64)
    corr = correlate(estimate, clean, mode="full", method="fft")
    lags = correlation_lags(len(estimate), len(clean), mode="full")
    window = np.abs(lags) <= int(round(max_lag_s * sr))
    corr, lags = corr[window], lags[window]
    lag = int(lags[np.argmax(corr)]) if corr.size and np.max(corr) > 0 else 0
    shifted = estimate[lag:] if lag >= 0 else np.concatenate([np.zeros(-lag), estimate])
    return fix_length(shifted, len(clean)), lag


def score(clean: np.ndarray, estimate: np.ndarray, sr: int, *, wideband: bool,
          max_lag_s: float = MAX_LAG_SECONDS) -> dict:
    """Score *estimate* against *clean* after undoing its delay (see :func:`align`).

    Parameters
    ----------
    clean : np.ndarray [shape=(n,)]
        The reference.
    estimate : np.ndarray [shape=(m,)]
        The denoised signal at the same rate; padded or trimmed to *n* after alignment.
    sr : int
        Sample rate in Hz.
    wideband : bool
        Also score PESQ-wb at 16 kHz (needs ``sr >= 16000``).
    max_lag_s : float
        Largest delay compensated, in seconds.

    Returns
    -------
    dict
        ``pesq_nb`` (P.862 at 8 kHz, NaN when PESQ refuses the pair), ``pesq_wb``
        (P.862.2 at 16 kHz, NaN on failure, None when not *wideband*), ``si_sdr``
        (dB) and ``lag`` (samples the estimate was late).
    """
    clean = np.asarray(clean, np.float64)
    aligned, lag = align(estimate, clean, sr, max_lag_s=max_lag_s)
    return {"pesq_nb": pesq_nb(clean, aligned, sr),
            "pesq_wb": pesq_wb(clean, aligned, sr) if wideband else None,
            "si_sdr": si_sdr(clean, aligned), "lag": lag}
