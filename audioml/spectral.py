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

    ``"rectangular"`` is the step function w[n] = 1 for 0 <= n < N (N = *n_fft*);
    ``"hann"`` and ``"hamming"`` are the periodic (DFT-even) forms.

    :func:`istft` gives the signal back wherever the squared windows, overlap-added, do
    not sum to zero, ``sum_m w[n - mH]**2 != 0`` (NOLA, nonzero overlap-add): every hop
    H < N meets it, and at H = N the rectangular and Hamming windows do while Hann,
    zero at its ends, does not. The windows need not add up to a constant (COLA).
    """
    if name not in WINDOWS:
        raise AudioMLError(f"unknown window {name!r}; choose one of {', '.join(WINDOWS)}")
    if name == "rectangular":
        return np.ones(n_fft)
    cosine = np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    return 0.5 - 0.5 * cosine if name == "hann" else 0.54 - 0.46 * cosine


def stft(y: np.ndarray, *, n_fft: int = 512, hop_length: int = 256, window: str = "hann",
         center: bool = True) -> np.ndarray:
    """Complex STFT ``S(m, k) = sum_{n=0}^{N-1} x[n + mH - N/2] w[n] exp(-2 pi i n k / N)``.

    Frame m is centred on sample mH (with *center*; without it, ``x[n + mH]``), x is zero
    outside the signal, and the phase of every bin is measured from the frame's first
    sample, not from the start of the signal: the convention of librosa.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono signal.
    n_fft : int
        Frame (and DFT) size N in samples; the window has length N too.
    hop_length : int
        Hop H between frames in samples.
    window : {"rectangular", "hann", "hamming"}
    center : bool
        Centre frame m on sample mH (pad N/2 zeros at both ends) rather than start it there.

    Returns
    -------
    np.ndarray [shape=(1 + n_fft // 2, n_frames), dtype=complex64]
        ``S[k, m]``: frequency bin k (k sr / N Hz) on axis 0, frame m on axis 1.
    """
    _check_fft(n_fft, hop_length)
    import librosa  # imported on first use: it takes seconds, and the CLI should start fast

    return librosa.stft(np.asarray(y, dtype=np.float32), n_fft=n_fft, hop_length=hop_length,
                        window=get_window(window, n_fft), center=center)


def istft(S: np.ndarray, *, hop_length: int = 256, window: str = "hann",
          length: int | None = None, center: bool = True) -> np.ndarray:
    """Inverse STFT by weighted overlap-add (divided by the summed squared window).

    Exact for a complex STFT of the same settings at every sample that a frame holds and
    where the summed squared window is not zero (NOLA, see :func:`get_window`);
    :func:`inverse_coverage` says which samples those are.
    """
    n_fft = 2 * (S.shape[0] - 1)
    _check_fft(n_fft, hop_length)
    import librosa

    return librosa.istft(S, hop_length=hop_length, n_fft=n_fft, window=get_window(window, n_fft),
                         length=length, center=center)


#: A sample whose summed squared window is below this share of the sum's peak counts as
#: "near zero": the inverse divides by it, and float32 rounding grows past 1e-4 there.
WEAK_SUM = 1e-3


@dataclass(frozen=True)
class InverseCoverage:
    """Which samples the inverse STFT can give back, and why others are lost.

    ``lost`` marks, per sample of the signal, those the inverse cannot be trusted on:
    the *uncovered_tail* (the last samples, after the end of the last frame: no frame
    holds them) and the *weak* ones (frames hold them, but the summed squared window
    there is near zero, as between Hann windows at hop N).
    """

    n_samples: int
    n_fft: int
    hop_length: int
    window: str
    uncovered_tail: int
    weak: int
    lost: np.ndarray  # bool, shape (n_samples,)

    @property
    def exact(self) -> bool:
        return not self.lost.any()

    def reason(self, sr: int) -> str | None:
        """One or two sentences saying why the inverse is not exact here; None when it is."""
        parts = []
        if self.uncovered_tail:
            k = self.uncovered_tail
            parts.append(
                f"the last {k} samples ({k / sr * 1000:.0f} ms) come after the end of the last "
                f"frame: frames are centred every H = {self.hop_length} samples and reach only "
                f"N/2 = {self.n_fft // 2} past the last centre, so no frame holds those samples and "
                "they cannot be recovered (a smaller hop, or a length that is a multiple of H, "
                "covers them)")
        if self.weak:
            parts.append(
                f"the {self.window} window falls to near zero at its edges and with H = "
                f"{self.hop_length} the overlapping windows' squared sum is near zero at "
                f"{self.weak} samples between frames, so the inverse divides by almost nothing "
                "there (a smaller hop makes the windows overlap)")
        if not parts:
            return None
        text = "; and ".join(parts)
        return f"Not exact here: {text}."


def inverse_coverage(n_samples: int, *, n_fft: int, hop_length: int, window: str = "hann",
                     center: bool = True) -> InverseCoverage:
    """Where :func:`istft` of :func:`stft` with these settings cannot give back the signal.

    Parameters
    ----------
    n_samples : int
        Length of the signal in samples.
    n_fft, hop_length, window, center
        The STFT's settings.

    Returns
    -------
    InverseCoverage
    """
    _check_fft(n_fft, hop_length)
    import librosa

    w = get_window(window, n_fft)
    offset = n_fft // 2 if center else 0
    starts = frame_starts(n_samples, n_fft=n_fft, hop_length=hop_length, center=center)
    # The summed squared window that istft divides by, on the padded signal's time axis
    # (frame m starts at m * H there), cut to the signal's own samples.
    total = librosa.filters.window_sumsquare(window=w, n_frames=len(starts), hop_length=hop_length,
                                             n_fft=n_fft, dtype=np.float64)
    total = np.pad(total, (0, max(0, offset + n_samples - len(total))))[offset:offset + n_samples]
    w2 = w ** 2
    covered_to = int(starts[-1] + n_fft) if len(starts) else 0
    tail = np.arange(n_samples) >= covered_to
    weak = ~tail & (total < WEAK_SUM * w2.max())
    return InverseCoverage(n_samples=n_samples, n_fft=n_fft, hop_length=hop_length, window=window,
                           uncovered_tail=int(tail.sum()), weak=int(weak.sum()), lost=tail | weak)


def resolution_bins(window: str, n_fft: int = 512) -> float:
    """Width in DFT bins of the window's main lobe at -6 dB: how far apart two equally loud
    tones must be to show as two peaks (about 1.2 bins rectangular, 1.8 Hamming, 2 Hann).

    The bins are sr / N apart; what a window can tell apart is this many times that.
    """
    oversample = 64
    spectrum = np.abs(np.fft.rfft(get_window(window, n_fft), n_fft * oversample))
    below = np.flatnonzero(spectrum < spectrum[0] * 10 ** (-6 / 20))[0]
    # Interpolate the crossing between the last sample above and the first below.
    a, b = spectrum[below - 1], spectrum[below]
    crossing = below - 1 + (a - spectrum[0] * 10 ** (-6 / 20)) / (a - b)
    return float(2 * crossing / oversample)


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
    history : list of float [length n_iter], only when *return_history*
        ``history[i]`` is the :func:`spectral_convergence` of the signal made from the
        phase after ``i + 1`` iterations, so ``history[-1]`` is that of the returned *y*
        (the random- or *init_phase* start is not in it).
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

    def rebuild(angles):
        y = istft(magnitude * angles, hop_length=hop_length, window=window, length=length)
        return y, stft(y, n_fft=n_fft, hop_length=hop_length, window=window)[:, :magnitude.shape[1]]

    def convergence(rebuilt):
        return float(np.linalg.norm(np.abs(rebuilt) - magnitude) / norm)

    for i in range(n_iter):
        y, rebuilt = rebuild(angles)
        if return_history and i > 0:  # the signal made from the phase of iteration i
            history.append(convergence(rebuilt))
        accelerated = rebuilt - (momentum / (1.0 + momentum)) * previous
        previous = rebuilt
        angles = (accelerated / np.maximum(np.abs(accelerated), 1e-16)).astype(np.complex64)
    if not return_history:
        return istft(magnitude * angles, hop_length=hop_length, window=window, length=length)
    y, rebuilt = rebuild(angles)  # one more STFT, so the last entry measures the signal returned
    history.append(convergence(rebuilt))
    return y, history


#: Mel bands of a mel spectrogram at most; fewer where the frame is too short to fill them.
MEL_BANDS = 64


def mel_filterbank(sr: int, n_fft: int, n_mels: int = MEL_BANDS) -> np.ndarray:
    """Triangular mel filters, shape ``(n_mels, 1 + n_fft // 2)`` (Slaney scale, as librosa)."""
    import librosa

    return librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels)


def mel_band_count(sr: int, n_fft: int, n_mels: int = MEL_BANDS) -> int:
    """The most mel bands, up to *n_mels*, whose every filter holds at least one DFT bin.

    Bands are equally spaced in mel, and below 1 kHz a mel is a fixed number of Hz, so
    the lowest bands are the narrowest: with a short frame (bins sr / N apart) their
    triangles fall between two bins and the band is empty, a stripe of silence in the
    picture. Fewer, wider bands avoid that.
    """
    import warnings

    for n in range(n_mels, 0, -1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # librosa warns of the empty filters we look for
            if np.all(mel_filterbank(sr, n_fft, n).max(axis=1) > 0):
                return n
    raise AudioMLError(f"no mel band holds a bin at sr={sr}, n_fft={n_fft}")


def hz_to_mel(freqs) -> np.ndarray:
    """Frequency in Hz to mel (Slaney: linear below 1 kHz, logarithmic above), as the filters."""
    import librosa

    return np.asarray(librosa.hz_to_mel(np.asarray(freqs, dtype=float)))


FrequencyScale = Literal["linear", "log", "mel"]


@dataclass(frozen=True)
class SpectrogramImage:
    """A spectrogram ready to draw: values ``z[f, t]`` with their axes."""

    z: np.ndarray          # shape (n_bins, n_frames)
    times: np.ndarray      # frame centres in seconds, shape (n_frames,)
    freqs: np.ndarray      # bin (or mel band) centre frequencies in Hz, shape (n_bins,);
                           # mel bands are equally spaced in mel, not in Hz
    unit: str              # "dB" or "|S|"
    scale: str             # "linear", "log" or "mel"


def spectrogram_image(y: np.ndarray, sr: int, *, n_fft: int = 512, hop_length: int = 128,
                      window: str = "hann", db: bool = True, scale: FrequencyScale = "linear",
                      n_mels: int = MEL_BANDS, ref: float | None = None,
                      max_frames: int | None = None) -> SpectrogramImage:
    """Magnitude spectrogram of *y* for display.

    *max_frames* caps the frames drawn, for a long clip: consecutive frames are pooled
    in groups (:func:`pool_frames`), so the image keeps the STFT's frequency resolution
    and covers the whole clip.

    ``scale="mel"`` pools the linear bins with a triangular mel filterbank of
    *n_mels* bands, or of fewer where *n_fft* is too short to give every band a bin
    (:func:`mel_band_count`); ``"log"`` keeps the linear bins (the plot's axis is made
    logarithmic) but drops the 0 Hz bin, which has no place on a log axis.
    ``db=True`` converts to dB re *ref* (a magnitude; by default the loudest bin,
    so 0 dB is the peak), floored at -100 dB. Pass one clip's peak as *ref* to put
    several clips on one colour scale.
    """
    if scale not in ("linear", "log", "mel"):
        raise AudioMLError(f"frequency scale must be linear, log or mel; got {scale!r}")
    mag = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length, window=window))
    centres = np.arange(mag.shape[1]) * hop_length / sr
    if max_frames is not None:
        mag, centres = pool_frames(mag, centres, max_frames)
    freqs = np.fft.rfftfreq(n_fft, 1 / sr)
    if scale == "mel":
        import librosa

        n_mels = mel_band_count(sr, n_fft, n_mels)
        mag = mel_filterbank(sr, n_fft, n_mels) @ mag
        freqs = librosa.mel_frequencies(n_mels=n_mels + 2, fmax=sr / 2)[1:-1]
    elif scale == "log":
        mag, freqs = mag[1:], freqs[1:]
    times = centres
    if db:
        peak = float(mag.max()) if ref is None else float(ref)
        z = amplitude_to_db(mag) - 20 * np.log10(max(peak, AMIN))
        z = np.maximum(z, -100.0)
    else:
        z = mag
    return SpectrogramImage(z=z.astype(np.float32), times=times, freqs=freqs,
                            unit="dB" if db else "|S|", scale=scale)


def pool_frames(mag: np.ndarray, times: np.ndarray, max_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """At most *max_frames* frames of a magnitude spectrogram, by pooling neighbours.

    Parameters
    ----------
    mag : np.ndarray [shape=(n_bins, n_frames)]
        Magnitudes.
    times : np.ndarray [shape=(n_frames,)]
        Frame centres in seconds.
    max_frames : int
        Frames wanted at most (>= 1).

    Returns
    -------
    mag : np.ndarray [shape=(n_bins, ceil(n_frames / g))]
        The root mean square of each group of g = ceil(n_frames / max_frames) consecutive
        frames (the last group may be shorter): the energy of the group is kept, as a
        longer hop would not (it skips the samples between frames).
    times : np.ndarray [shape=(ceil(n_frames / g),)]
        The mean centre of each group, in seconds.
    """
    if not (isinstance(max_frames, (int, np.integer)) and max_frames >= 1):
        raise AudioMLError(f"max_frames must be a positive integer; got {max_frames!r}")
    group = -(-mag.shape[1] // max_frames)
    if group <= 1:
        return mag, times
    starts = np.arange(0, mag.shape[1], group)
    counts = np.diff(np.append(starts, mag.shape[1]))
    power = np.add.reduceat(mag.astype(np.float64) ** 2, starts, axis=1) / counts
    return np.sqrt(power).astype(mag.dtype), np.add.reduceat(times, starts) / counts


def dft_magnitude(frame_samples: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """|DFT| of one (windowed) frame: ``(freqs in Hz, magnitudes)``, each of shape (N/2 + 1,)."""
    return np.fft.rfftfreq(len(frame_samples), 1 / sr), np.abs(np.fft.rfft(frame_samples))


def frame_peaks(y: np.ndarray, *, n_fft: int, hop_length: int, window: str = "hann",
                center: bool = True) -> np.ndarray:
    """Largest |DFT| of every (windowed) frame, shape ``(n_frames,)``.

    Its maximum is the whole clip's peak magnitude: the reference that draws a silent
    frame as silence (far below 0 dB) rather than as its own 0 dB.
    """
    return np.abs(stft(y, n_fft=n_fft, hop_length=hop_length, window=window, center=center)).max(axis=0)


def frame_with_sound(peaks: np.ndarray, *, at: float = 1 / 3, within_db: float = 20.0) -> int:
    """Index of a frame worth showing first: of the frames within *within_db* of the loudest,
    the one nearest the fraction *at* of the way through the clip."""
    peaks = np.asarray(peaks, dtype=float)
    if peaks.size == 0:
        raise AudioMLError("no frames to choose from")
    loud = np.flatnonzero(peaks >= peaks.max() * 10 ** (-within_db / 20))
    target = at * (len(peaks) - 1)
    return int(loud[np.argmin(np.abs(loud - target))])
