"""The short-time Fourier transform, its inverse, and Griffin-Lim, in one place.

Conventions (as librosa): a spectrogram has shape ``(1 + n_fft // 2, n_frames)``,
frequency bins on axis 0; frames are centred (the signal is zero-padded by
``n_fft // 2`` at both ends), so frame ``m`` is centred on sample ``m * hop``.

dB and min-max scaling are here too; the denoisers' fixed-size image built from
them is :class:`audioml.denoising.features.SpectrogramTransform`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from audioml.audio import fix_length
from audioml.errors import AudioMLError

WINDOWS = ("rectangular", "hann", "hamming")
#: Floor of the magnitude before taking dB: -100 dB, so silence stays finite.
AMIN = 1e-5


def _check_fft(n_fft: int, hop_length: int) -> None:
    if not (isinstance(n_fft, (int, np.integer)) and 16 <= n_fft <= 16384):
        raise AudioMLError(f"frame size n_fft must be an integer in [16, 16384]; got {n_fft!r}")
    if not (isinstance(hop_length, (int, np.integer)) and 1 <= hop_length <= n_fft):
        raise AudioMLError(f"hop length must be an integer in [1, n_fft={n_fft}]; got {hop_length!r}")


def get_window(name: str, n_fft: int) -> np.ndarray:
    """Analysis window of length *n_fft*.

    ``"rectangular"`` is the step function w(n; f) = 1 for 0 <= n < f;
    ``"hann"`` and ``"hamming"`` are the periodic (DFT-even) forms, which add up
    to a constant at hop n_fft / 2 and n_fft / 4.
    """
    if name not in WINDOWS:
        raise AudioMLError(f"unknown window {name!r}; choose one of {', '.join(WINDOWS)}")
    if name == "rectangular":
        return np.ones(n_fft)
    cosine = np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    return 0.5 - 0.5 * cosine if name == "hann" else 0.54 - 0.46 * cosine


def stft(y: np.ndarray, *, n_fft: int = 512, hop_length: int = 256, window: str = "hann",
         center: bool = True) -> np.ndarray:
    """Complex STFT ``S(m, k) = sum_n x[n] w(n - mH) exp(-2 pi i n k / N)``.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono signal.
    n_fft : int
        Frame (and DFT) size N in samples.
    hop_length : int
        Hop H between frames in samples.
    window : {"rectangular", "hann", "hamming"}

    Returns
    -------
    np.ndarray [shape=(1 + n_fft // 2, n_frames), dtype=complex64]
    """
    _check_fft(n_fft, hop_length)
    import librosa  # imported on first use: it takes seconds, and the CLI should start fast

    return librosa.stft(np.asarray(y, dtype=np.float32), n_fft=n_fft, hop_length=hop_length,
                        window=get_window(window, n_fft), center=center)


def istft(S: np.ndarray, *, hop_length: int = 256, window: str = "hann",
          length: int | None = None, center: bool = True) -> np.ndarray:
    """Inverse STFT by weighted overlap-add; exact for a complex STFT of the same settings."""
    n_fft = 2 * (S.shape[0] - 1)
    _check_fft(n_fft, hop_length)
    import librosa

    return librosa.istft(S, hop_length=hop_length, n_fft=n_fft, window=get_window(window, n_fft),
                         length=length, center=center)


def frame_starts(n_samples: int, *, n_fft: int, hop_length: int, center: bool = True) -> np.ndarray:
    """Start sample (in the original signal's time, possibly negative) of every STFT frame."""
    _check_fft(n_fft, hop_length)
    if center:
        n_frames = 1 + n_samples // hop_length
        return np.arange(n_frames) * hop_length - n_fft // 2
    n_frames = 1 + max(0, n_samples - n_fft) // hop_length
    return np.arange(n_frames) * hop_length


def frame(y: np.ndarray, m: int, *, n_fft: int, hop_length: int, window: str = "hann",
          center: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The *m*-th frame of *y*, before and after windowing (zero beyond the signal's ends)."""
    starts = frame_starts(len(y), n_fft=n_fft, hop_length=hop_length, center=center)
    if not 0 <= m < len(starts):
        raise AudioMLError(f"frame index must be in [0, {len(starts) - 1}]; got {m}")
    start = starts[m]
    raw = np.zeros(n_fft, dtype=np.float32)
    lo, hi = max(start, 0), min(start + n_fft, len(y))
    if hi > lo:
        raw[lo - start:hi - start] = y[lo:hi]
    return raw, raw * get_window(window, n_fft)


def amplitude_to_db(magnitude: np.ndarray) -> np.ndarray:
    """``20 log10(max(|S|, AMIN))`` in dB re 1.0; invertible above the floor."""
    return 20.0 * np.log10(np.maximum(magnitude, AMIN))


def db_to_amplitude(db: np.ndarray) -> np.ndarray:
    """Inverse of :func:`amplitude_to_db`."""
    return np.power(10.0, np.asarray(db) / 20.0)


def minmax_scale(x: np.ndarray, lo: float | None = None, hi: float | None = None
                 ) -> tuple[np.ndarray, float, float]:
    """Scale *x* to [0, 1]; return the scaled array and the (lo, hi) that undo it.

    A constant input maps to zeros (its range is taken as 1 to avoid dividing by 0).
    """
    lo = float(np.min(x)) if lo is None else float(lo)
    hi = float(np.max(x)) if hi is None else float(hi)
    span = hi - lo if hi > lo else 1.0
    return ((x - lo) / span).astype(np.float32), lo, hi


def minmax_unscale(x01: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Inverse of :func:`minmax_scale`."""
    span = hi - lo if hi > lo else 1.0
    return np.asarray(x01, dtype=np.float64) * span + lo


def spectral_convergence(y: np.ndarray, magnitude: np.ndarray, *, hop_length: int,
                         window: str = "hann") -> float:
    """``|| |STFT(y)| - M ||_F / || M ||_F``: 0 when *y*'s magnitude is exactly *M*."""
    n_fft = 2 * (magnitude.shape[0] - 1)
    est = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length, window=window))
    n = min(est.shape[1], magnitude.shape[1])
    return float(np.linalg.norm(est[:, :n] - magnitude[:, :n]) / max(np.linalg.norm(magnitude), 1e-12))


def griffin_lim(magnitude: np.ndarray, *, hop_length: int = 256, window: str = "hann",
                n_iter: int = 32, momentum: float = 0.99, length: int | None = None,
                init_phase: np.ndarray | None = None, seed: int = 0,
                return_history: bool = False):
    """Estimate a signal whose STFT magnitude is *magnitude* (fast Griffin-Lim).

    Alternates projections: impose the target magnitude, go to the time domain
    and back. Fast GLA (Perraudin, Balazs and Sondergaard, 2013) extrapolates
    each step by *momentum*; momentum 0 is the original Griffin-Lim (1984).

    Parameters
    ----------
    magnitude : np.ndarray [shape=(1 + n_fft // 2, n_frames)]
        Target |STFT|, non-negative.
    hop_length : int
        Hop used to make *magnitude* (librosa's default, n_fft // 4, is rarely it).
    n_iter : int
        Iterations, >= 1.
    momentum : float
        In [0, 1); values near 1 converge fastest, 0.99 is the usual choice.
    init_phase : np.ndarray, optional
        Starting phase in radians (e.g. a noisy input's); random when None.
    return_history : bool
        Also return the spectral convergence after every iteration.

    Returns
    -------
    y : np.ndarray [shape=(length,)]
    history : list of float, only when *return_history*
    """
    magnitude = np.asarray(magnitude, dtype=np.float32)
    if magnitude.ndim != 2 or np.any(magnitude < 0) or not np.all(np.isfinite(magnitude)):
        raise AudioMLError("magnitude must be a finite, non-negative 2-D array")
    if not (isinstance(n_iter, (int, np.integer)) and 1 <= n_iter <= 2000):
        raise AudioMLError(f"n_iter must be an integer in [1, 2000]; got {n_iter!r}")
    if not 0.0 <= momentum < 1.0:
        raise AudioMLError(f"momentum must be in [0, 1); got {momentum!r}")
    n_fft = 2 * (magnitude.shape[0] - 1)
    if init_phase is None:
        rng = np.random.default_rng(seed)
        angles = np.exp(2j * np.pi * rng.random(magnitude.shape))
    else:
        angles = np.exp(1j * np.asarray(init_phase))
    angles = angles.astype(np.complex64)  # single precision throughout: twice as fast, same result
    norm = max(float(np.linalg.norm(magnitude)), 1e-12)
    previous = np.zeros_like(angles)
    history = []
    for _ in range(n_iter):
        y = istft(magnitude * angles, hop_length=hop_length, window=window, length=length)
        rebuilt = stft(y, n_fft=n_fft, hop_length=hop_length, window=window)[:, :magnitude.shape[1]]
        if return_history:
            history.append(float(np.linalg.norm(np.abs(rebuilt) - magnitude) / norm))
        accelerated = rebuilt - (momentum / (1.0 + momentum)) * previous
        previous = rebuilt
        angles = (accelerated / np.maximum(np.abs(accelerated), 1e-16)).astype(np.complex64)
    y = istft(magnitude * angles, hop_length=hop_length, window=window, length=length)
    return (y, history) if return_history else y


def mel_filterbank(sr: int, n_fft: int, n_mels: int = 64) -> np.ndarray:
    """Triangular mel filters, shape ``(n_mels, 1 + n_fft // 2)`` (Slaney scale, as librosa)."""
    import librosa

    return librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels)


FrequencyScale = Literal["linear", "log", "mel"]


@dataclass(frozen=True)
class SpectrogramImage:
    """A spectrogram ready to draw: values ``z[f, t]`` with their axes."""

    z: np.ndarray          # shape (n_bins, n_frames)
    times: np.ndarray      # frame centres in seconds, shape (n_frames,)
    freqs: np.ndarray      # bin (or mel band) centre frequencies in Hz, shape (n_bins,)
    unit: str              # "dB" or "|S|"
    scale: str             # "linear", "log" or "mel"


def spectrogram_image(y: np.ndarray, sr: int, *, n_fft: int = 512, hop_length: int = 128,
                      window: str = "hann", db: bool = True, scale: FrequencyScale = "linear",
                      n_mels: int = 64, ref: float | None = None) -> SpectrogramImage:
    """Magnitude spectrogram of *y* for display.

    ``scale="mel"`` pools the linear bins with a triangular mel filterbank of
    *n_mels* bands; ``"log"`` keeps the linear bins (the plot's axis is made
    logarithmic) but drops the 0 Hz bin, which has no place on a log axis.
    ``db=True`` converts to dB re *ref* (a magnitude; by default the loudest bin,
    so 0 dB is the peak), floored at -100 dB. Pass one clip's peak as *ref* to put
    several clips on one colour scale.
    """
    if scale not in ("linear", "log", "mel"):
        raise AudioMLError(f"frequency scale must be linear, log or mel; got {scale!r}")
    mag = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length, window=window))
    freqs = np.fft.rfftfreq(n_fft, 1 / sr)
    if scale == "mel":
        import librosa

        mag = mel_filterbank(sr, n_fft, n_mels) @ mag
        freqs = librosa.mel_frequencies(n_mels=n_mels + 2, fmax=sr / 2)[1:-1]
    elif scale == "log":
        mag, freqs = mag[1:], freqs[1:]
    times = np.arange(mag.shape[1]) * hop_length / sr
    if db:
        peak = float(mag.max()) if ref is None else float(ref)
        z = amplitude_to_db(mag) - 20 * np.log10(max(peak, AMIN))
        z = np.maximum(z, -100.0)
    else:
        z = mag
    return SpectrogramImage(z=z.astype(np.float32), times=times, freqs=freqs,
                            unit="dB" if db else "|S|", scale=scale)


def dft_magnitude(frame_samples: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """|DFT| of one (windowed) frame: ``(freqs in Hz, magnitudes)``, each of shape (N/2 + 1,)."""
    return np.fft.rfftfreq(len(frame_samples), 1 / sr), np.abs(np.fft.rfft(frame_samples))
