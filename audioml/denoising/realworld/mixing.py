"""Mixtures: clean clips with real noise at exact SNRs, dry or reverberant, seeded.

See :mod:`audioml.denoising.realworld` for the rules (reference, mixing, determinism).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from audioml.audio import check_audio, fix_length, resample
from audioml.denoising.realworld.inputs import (DIGIT_SR, SENTENCE_SR, load_noises, load_rirs,
                                                load_sentences)
from audioml.errors import AudioMLError

#: Peak above which clean and noisy are scaled down together.
PEAK_LIMIT = 0.99
#: What the scores compare against.
REFERENCE = ("reverberant clean speech (denoising only; the dry clean is Mixture.dry) when "
             "reverberation is on, else the dry clean")
KINDS = ("sentence", "digit")
# The quietest noise segment (RMS) that can still be scaled to an SNR.
_MIN_NOISE_RMS = 1e-5


def reverberate(dry: np.ndarray, rir: np.ndarray) -> np.ndarray:
    """Convolve *dry* with *rir*, aligned on the direct path and cut to the dry length.

    Parameters
    ----------
    dry : np.ndarray [shape=(n,)]
        Clean speech.
    rir : np.ndarray [shape=(m,)]
        A room impulse response; its direct path is its largest sample in magnitude.

    Returns
    -------
    np.ndarray [shape=(n,), dtype=float64]
        Reverberant speech whose direct path coincides in time with *dry*: the
        convolution is read from the direct-path delay on, so samples of *rir*
        before the direct path act as a small advance and its tail past the
        clip's end is cut.
    """
    from scipy.signal import fftconvolve

    rir = np.asarray(rir, np.float64)
    peak = int(np.argmax(np.abs(rir)))
    wet = fftconvolve(np.asarray(dry, np.float64), rir)
    return fix_length(wet[peak:], len(dry))


@dataclass(eq=False)
class Mixture:
    """One benchmark item: a clean clip with real noise at an exact SNR.

    Attributes
    ----------
    name : str
        Unique and readable: ``"<clip>+<noise>@<snr>dB"`` plus ``"+<rir>"`` when reverberant.
    kind : {"sentence", "digit"}
    clip : str
        Name of the clean clip.
    clean : np.ndarray [shape=(n,), dtype=float32]
        The scoring reference: reverberant clean speech when *rir* is set, else the dry clean.
    noisy : np.ndarray [shape=(n,), dtype=float32]
        ``clean`` plus noise, at *snr_db* against ``clean``.
    sr : int
        Sample rate in Hz (16000 for sentences, 8000 for digits).
    snr_db : float
        SNR of ``noisy`` against ``clean`` over the whole clip, in dB.
    noise : str
        Noise recording (file stem) the noise segment comes from.
    rir : str or None
        Room impulse response (file stem), None when dry.
    wideband : bool
        True for 16 kHz sentences (PESQ-wb is scored), False for 8 kHz digits.
    dry : np.ndarray [shape=(n,), dtype=float32]
        The dry clean speech at the same scale (equal to ``clean`` when *rir* is None).
    noise_start : int
        First sample of the segment in the noise's evaluation part, at *sr*.
    seed : int
        Seed of the build that made it.
    """

    name: str
    kind: str
    clip: str
    clean: np.ndarray
    noisy: np.ndarray
    sr: int
    snr_db: float
    noise: str
    rir: str | None
    wideband: bool
    dry: np.ndarray
    noise_start: int
    seed: int

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return len(self.noisy) / self.sr


def _check_options(snrs, reverb, seed) -> tuple[list[float], list[bool], int]:
    try:
        snrs = [float(s) + 0.0 for s in snrs]  # + 0.0 turns -0.0 into 0.0 for names
    except (TypeError, ValueError):
        raise AudioMLError(f"snrs must be numbers in dB; got {snrs!r}") from None
    if not snrs or not all(math.isfinite(s) for s in snrs) or len(set(snrs)) != len(snrs):
        raise AudioMLError(f"snrs must be a non-empty list of distinct finite dB values; got {snrs!r}")
    reverb = list(reverb)
    if (not reverb or not all(isinstance(r, (bool, np.bool_)) for r in reverb)
            or len(set(reverb)) != len(reverb)):
        raise AudioMLError(f"reverb must hold False and/or True, each once; got {reverb!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise AudioMLError(f"seed must be a non-negative integer; got {seed!r}")
    return snrs, [bool(r) for r in reverb], int(seed)


def _check_digits(digits) -> list[tuple[str, np.ndarray]]:
    out = []
    for item in digits:
        if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
            raise AudioMLError("each digit must be (name, y) or (name, y, sr); "
                               f"got {type(item).__name__}")
        name, y = item[0], item[1]
        sr = item[2] if len(item) == 3 else DIGIT_SR
        if not isinstance(name, str) or not name:
            raise AudioMLError(f"a digit's name must be a non-empty string; got {name!r}")
        y = check_audio(y, sr, name=f"digit {name}", allow_silent=False)
        out.append((name, np.asarray(resample(y, int(sr), DIGIT_SR), np.float32)))
    return out


def _name(clip: str, noise: str, snr: float, rir: str | None) -> str:
    return f"{clip}+{noise}@{snr:g}dB" + (f"+{rir}" if rir else "")


def _mix(ref: np.ndarray, dry: np.ndarray, segment: np.ndarray, snr: float, name: str):
    """Scale *segment* to *snr* against *ref*; limit the peak; return float32 (clean, noisy, dry)."""
    p_ref, p_noise = float(np.sum(ref**2)), float(np.sum(segment**2))
    if p_ref <= 0:
        raise AudioMLError(f"{name}: the clean speech is silent")
    noise = segment * math.sqrt(p_ref / (p_noise * 10 ** (snr / 10)))
    noisy = ref + noise
    peak = max(float(np.max(np.abs(noisy))), float(np.max(np.abs(ref))))
    gain = PEAK_LIMIT / peak if peak > PEAK_LIMIT else 1.0
    return ((ref * gain).astype(np.float32), (noisy * gain).astype(np.float32),
            (dry * gain).astype(np.float32))


def build_mixtures(*, digits: Iterable = (), folder=None, snrs=(0.0, 5.0, 10.0), seed: int = 0,
                   reverb=(False, True), sentences: bool = True) -> list[Mixture]:
    """Mix every clean clip with real noise at each SNR, dry and/or reverberant.

    For each clip (sentences first, in file-name order, then *digits* in the
    given order) × SNR × reverb choice, a noise is taken from a seeded rotation
    (a Latin square: clip *c* in condition *k* gets noise ``order[(c + k) % N]``,
    so within every condition the clips walk through all noises), and rooms
    likewise; the noise segment starts at a seeded random sample of the noise's
    evaluation part. See the module docstring for the rules.

    Parameters
    ----------
    digits : iterable of (str, np.ndarray) or (str, np.ndarray, int)
        Clean digit clips ``(name, y, sr=8000)`` (e.g. held-out-speaker FSDD
        recordings), resampled to 8 kHz and scored narrow-band only.
    folder : path-like, optional
        The realworld folder (see :func:`find_realworld`).
    snrs : sequence of float
        SNRs in dB, distinct.
    seed : int
        Non-negative seed; the same seed gives bit-identical mixtures.
    reverb : sequence of bool
        ``False`` for dry mixtures, ``True`` for reverberant ones.
    sentences : bool
        Include the 16 kHz sentences of ``speech/``.

    Returns
    -------
    list of Mixture
        ``(n_sentences + n_digits) * len(snrs) * len(reverb)`` mixtures.

    Raises
    ------
    AudioMLError
        Bad options, duplicate clip names, missing data, or no clip at all.
    """
    snrs, reverb, seed = _check_options(snrs, reverb, seed)
    clips = []
    if sentences:
        clips += [("sentence", name, y, SENTENCE_SR) for name, y in load_sentences(folder).items()]
    clips += [("digit", name, y, DIGIT_SR) for name, y in _check_digits(digits)]
    if not clips:
        raise AudioMLError("no clean clips: keep sentences=True or pass digits")
    names = [c[1] for c in clips]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise AudioMLError(f"clip names must be unique; repeated: {', '.join(dup)}")

    noises, rirs = {}, {}  # per sample rate
    for sr in sorted({c[3] for c in clips}):
        noises[sr] = load_noises(folder, part="eval", sr=sr)
        rirs[sr] = load_rirs(folder, sr=sr) if True in reverb else {}
    noise_names = sorted(next(iter(noises.values())))
    rir_names = sorted(next(iter(rirs.values())))
    noise_order = np.random.default_rng([seed, 0]).permutation(len(noise_names))
    rir_order = np.random.default_rng([seed, 1]).permutation(max(len(rir_names), 1))

    mixtures = []
    for ci, (kind, clip, dry, sr) in enumerate(clips):
        dry64 = np.asarray(dry, np.float64)
        n = len(dry64)
        for si, snr in enumerate(snrs):
            for ri, wet in enumerate(reverb):
                # Latin-square rotation: within each (SNR, reverb) condition the clips
                # walk through all noises (and rooms), so no noise is tied to a condition.
                condition = si * len(reverb) + ri
                noise = noise_names[noise_order[(ci + condition) % len(noise_names)]]
                rir = rir_names[rir_order[(ci + si) % len(rir_names)]] if wet else None
                ref = reverberate(dry64, rirs[sr][rir]) if wet else dry64
                name = _name(clip, noise, snr, rir)
                part = noises[sr][noise]
                rng = np.random.default_rng([seed, 2, KINDS.index(kind), ci, si, ri])
                start = int(rng.integers(0, len(part) - n + 1) if len(part) >= n
                            else rng.integers(0, len(part)))
                segment = np.take(part, start + np.arange(n), mode="wrap").astype(np.float64)
                if np.sqrt(np.mean(segment**2)) < _MIN_NOISE_RMS:
                    raise AudioMLError(f"{name}: the noise segment is silent")
                clean, noisy, dry32 = _mix(ref, dry64, segment, snr, name)
                mixtures.append(Mixture(name=name, kind=kind, clip=clip, clean=clean, noisy=noisy,
                                        sr=sr, snr_db=snr, noise=noise, rir=rir,
                                        wideband=kind == "sentence", dry=dry32,
                                        noise_start=start, seed=seed))
    return mixtures
