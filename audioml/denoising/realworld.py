"""A reproducible real-world benchmark for speech denoisers.

Clean read sentences (and, optionally, clean FSDD digits supplied by the caller)
are mixed with real noise recordings at exact SNRs, optionally after
convolution with a measured room impulse response, and every denoiser is scored
on the same mixtures with PESQ (narrow- and wide-band) and SI-SDR.

The data is the ``realworld`` folder (see the data README): ``speech/`` (16 kHz
sentences), ``noise/`` (real noise, 16 or 44.1 kHz, multichannel files use
channel 0) and ``rir/`` (16 kHz room impulse responses). It is found with
:func:`audioml.paths.find_data`.

Design rules, fixed so that figures are comparable between runs:

* **Noise split** (:data:`NOISE_SPLIT`). Digital silence (``|y| <``
  :data:`audioml.audio.SILENCE_PEAK`) is trimmed from both ends of each
  recording, then the first two thirds are the *training* part and the last
  third the *evaluation* part (:func:`split_index`). The split is made on the
  file's own samples, before any resampling, so no evaluation sample reaches
  the training part. Training code must use ``load_noises(part="train")``.
  A part shorter than :data:`MIN_PART_SECONDS` is left out (an ESC-50 clip that
  holds one short dog bark has a 0.1 s evaluation part: tiled, it would be a
  buzz, not the recording).
* **Reference**. With reverberation the task is denoising only: the reference
  (``Mixture.clean``) is the *reverberant* clean speech, and the dry speech is
  kept in ``Mixture.dry``. The impulse response is divided by its direct-path
  value (its largest sample, sign included) and shifted so the direct path is
  at sample 0: the reverberant clean is time-aligned with the dry clean and has
  it at unit gain, plus reflections; the tail past the clip's end is cut.
* **Mixing**. The noise segment starts at a random sample of the evaluation
  part (tiled when shorter than the clip) and is scaled so that
  ``10 log10(sum(clean**2) / sum(noise**2))`` is exactly the SNR over the clip.
  When the peak of the noisy (or clean) clip exceeds 0.99 both are scaled by
  the same factor, which keeps the SNR.
* **Determinism**. Noises are used in turn in a seeded order, balanced over
  the SNR and reverb conditions (every noise is used in each condition when
  there are at least as many clips as noises), impulse responses likewise, and
  each mixture's noise start comes from its own seeded generator: a build is
  bit-identical for a given seed, and adding digits does not change the
  sentence mixtures.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import soundfile as sf

from audioml.audio import MIN_SECONDS, SILENCE_PEAK, check_audio, fix_length, load_audio, resample
from audioml.errors import AudioMLError
from audioml.metrics import pesq_nb, pesq_wb, si_sdr
from audioml.paths import find_data
from audioml.progress import ProgressFn, no_progress

#: Sample rate of the sentence mixtures (wide-band), in Hz.
SENTENCE_SR = 16_000
#: Sample rate of the digit mixtures (narrow-band, as FSDD), in Hz.
DIGIT_SR = 8_000
#: Fraction of each (silence-trimmed) noise recording kept for evaluation: its end.
EVAL_FRACTION = 1 / 3
#: Parts of noise recordings shorter than this (seconds) are left out.
MIN_PART_SECONDS = 0.5
#: Largest delay searched when aligning an estimate with the clean reference, in seconds.
MAX_LAG_SECONDS = 0.05
#: Peak above which clean and noisy are scaled down together.
PEAK_LIMIT = 0.99
#: The noise split, in words (also stored in every report).
NOISE_SPLIT = ("digital silence trimmed from both ends of each noise file, then the first two "
               "thirds are for training and the last third for evaluation, split on the "
               "file's native samples before resampling; multichannel files use channel 0")
#: What the scores compare against.
REFERENCE = ("reverberant clean speech (denoising only; the dry clean is Mixture.dry) when "
             "reverberation is on, else the dry clean")
PARTS = ("eval", "train")
KINDS = ("sentence", "digit")
AUDIO_EXTENSIONS = (".wav", ".flac")
_HINT = ("The realworld set holds speech/, noise/ and rir/ folders "
         "(see ../shared/data/README.md); pass its folder or set $AUDIOML_DATA.")
# The quietest noise segment (RMS) that can still be scaled to an SNR.
_MIN_NOISE_RMS = 1e-5


# --------------------------------------------------------------------------- data


def find_realworld(folder=None) -> Path:
    """Return the ``realworld`` data folder, checking its layout.

    Parameters
    ----------
    folder : path-like, optional
        An explicit folder; else ``$AUDIOML_DATA/realworld`` or ``../shared/data/realworld``.

    Returns
    -------
    Path
        A folder with non-empty ``speech/``, ``noise/`` and ``rir/`` sub-folders.

    Raises
    ------
    AudioMLError
        When no folder is found or a sub-folder is missing or holds no audio.
    """
    root = find_data("realworld", folder, hint=_HINT)
    for sub in ("speech", "noise", "rir"):
        if not _audio_files(root / sub):
            raise AudioMLError(f"{root} has no audio files (.wav, .flac) in {sub}/. {_HINT}")
    return root


def _audio_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_EXTENSIONS)


def _read_channel0(path: Path) -> tuple[np.ndarray, int]:
    """Channel 0 of an audio file as float64 at its own rate."""
    try:
        y, sr = sf.read(str(path), dtype="float64", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as err:
        raise AudioMLError(f"could not read {path.name} as audio: {err}") from None
    if y.size == 0:
        raise AudioMLError(f"{path.name} holds no audio samples")
    y = y[:, 0]
    if not np.all(np.isfinite(y)):
        raise AudioMLError(f"{path.name} contains NaN or infinite samples")
    return y, int(sr)


def split_index(n: int) -> int:
    """Index where the evaluation part of an *n*-sample (trimmed) noise begins.

    ``y[:split_index(len(y))]`` is the training part (two thirds) and
    ``y[split_index(len(y)):]`` the evaluation part (:data:`EVAL_FRACTION`).
    """
    return n - int(round(n * EVAL_FRACTION))


def _trim_silence(y: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(y) >= SILENCE_PEAK)
    return y[loud[0]:loud[-1] + 1] if loud.size else y[:0]


def load_noises(folder=None, *, part: str = "eval", sr: int,
                min_seconds: float = MIN_PART_SECONDS) -> dict[str, np.ndarray]:
    """Load one part of every noise recording, mono and resampled.

    Parameters
    ----------
    folder : path-like, optional
        The realworld folder (see :func:`find_realworld`).
    part : {"eval", "train"}
        ``"eval"``: the last third of each recording, for benchmarks only;
        ``"train"``: the first two thirds (see :data:`NOISE_SPLIT`).
    sr : int
        Sample rate of the returned signals, in Hz.
    min_seconds : float
        Parts shorter than this (after trimming silence; at least
        :data:`audioml.audio.MIN_SECONDS`) are left out.

    Returns
    -------
    dict of str to np.ndarray [shape=(n,), dtype=float32]
        File stem to the part's samples at *sr*, in file-name order.

    Raises
    ------
    AudioMLError
        Unknown *part*, bad *sr*, no data, or every part too short.
    """
    if part not in PARTS:
        raise AudioMLError(f"part must be one of {', '.join(PARTS)}; got {part!r}")
    root = find_realworld(folder)
    noises = {}
    for path in _audio_files(root / "noise"):
        y, native = _read_channel0(path)
        y = _trim_silence(y)
        cut = split_index(len(y))
        piece = y[cut:] if part == "eval" else y[:cut]
        if len(piece) < max(min_seconds, MIN_SECONDS) * native:
            continue
        piece = check_audio(piece.astype(np.float32), native, name=f"{part} part of {path.name}")
        noises[path.stem] = np.asarray(resample(piece, native, int(sr)), np.float32)
    if not noises:
        raise AudioMLError(f"no noise in {root / 'noise'} has a {part} part of at least "
                           f"{min_seconds:g} s")
    return noises


def load_sentences(folder=None, *, sr: int = SENTENCE_SR) -> dict[str, np.ndarray]:
    """The clean sentences of ``speech/``: file stem to float32 samples at *sr* Hz."""
    root = find_realworld(folder)
    return {p.stem: load_audio(p, sr=sr)[0] for p in _audio_files(root / "speech")}


def load_rirs(folder=None, *, sr: int = SENTENCE_SR) -> dict[str, np.ndarray]:
    """Room impulse responses resampled to *sr*, normalised to a direct path of 1.

    Parameters
    ----------
    folder : path-like, optional
        The realworld folder (see :func:`find_realworld`).
    sr : int
        Sample rate of the returned responses, in Hz.

    Returns
    -------
    dict of str to np.ndarray [shape=(m,), dtype=float64]
        File stem to the response divided by its direct-path sample (see :func:`normalise_rir`).
    """
    root = find_realworld(folder)
    rirs = {}
    for path in _audio_files(root / "rir"):
        h, native = _read_channel0(path)
        rirs[path.stem] = normalise_rir(resample(h, native, int(sr)), name=path.name)
    return rirs


def normalise_rir(h: np.ndarray, *, name: str = "the impulse response") -> np.ndarray:
    """Divide *h* by its direct-path sample, its largest in magnitude (sign included).

    Parameters
    ----------
    h : np.ndarray [shape=(m,)]
        A room impulse response.

    Returns
    -------
    np.ndarray [shape=(m,), dtype=float64]
        The response with value exactly 1 at the direct path, so reverberant speech
        keeps the dry speech at unit gain and with its polarity.
    """
    h = np.asarray(h, np.float64)
    if h.ndim != 1 or h.size == 0 or not np.all(np.isfinite(h)) or not np.any(h):
        raise AudioMLError(f"{name} must be a non-empty, finite, non-silent 1-D signal")
    return h / h[int(np.argmax(np.abs(h)))]


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


# ----------------------------------------------------------------------- mixtures


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


# ------------------------------------------------------------------------ scoring


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


# --------------------------------------------------------------------- evaluation


def _passthrough(noisy: np.ndarray, sr: int) -> np.ndarray:
    return noisy


def _check_output(out, method: str, mixture: Mixture) -> np.ndarray:
    try:
        out = np.asarray(out, np.float64)
    except (TypeError, ValueError):
        raise AudioMLError(f"method {method!r} returned no audio array on {mixture.name}") from None
    if out.ndim != 1 or out.size == 0:
        raise AudioMLError(f"method {method!r} must return a non-empty 1-D signal; "
                           f"got shape {out.shape} on {mixture.name}")
    if not np.all(np.isfinite(out)):
        raise AudioMLError(f"method {method!r} returned NaN or infinite samples on {mixture.name}")
    return out


def _mean(values) -> float | None:
    values = np.asarray([v for v in values if v is not None], np.float64)
    values = values[~np.isnan(values)]
    return float(np.mean(values)) if values.size else None


def _clean_json(x):
    """Turn numpy scalars into Python ones and non-finite floats into None, recursively."""
    if isinstance(x, dict):
        return {str(k): _clean_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean_json(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return round(float(x), 4) if math.isfinite(x) else None
    return x


def _summary(rows: list[dict], mixtures: dict[str, Mixture]) -> dict:
    seconds = sum(r["seconds"] for r in rows)
    audio = sum(mixtures[r["mixture"]].seconds for r in rows)
    wide = [r for r in rows if mixtures[r["mixture"]].wideband]
    snrs = sorted({r["snr_db"] for r in rows})
    return {
        "n": len(rows),
        "pesq_nb": _mean(r["pesq_nb"] for r in rows),
        "pesq_wb": _mean(r["pesq_wb"] for r in wide) if wide else None,
        "si_sdr": _mean(r["si_sdr"] for r in rows),
        "si_sdr_gain": _mean(r["si_sdr_gain"] for r in rows),
        "pesq_nb_failures": sum(math.isnan(r["pesq_nb"]) for r in rows),
        "pesq_wb_failures": sum(math.isnan(r["pesq_wb"]) for r in wide),
        "seconds": seconds,
        "audio_seconds": audio,
        "rtf": seconds / audio if audio else None,
        "pesq_nb_by_snr": {f"{s:g}": _mean(r["pesq_nb"] for r in rows if r["snr_db"] == s)
                           for s in snrs},
    }


def _conditions(mixtures: list[Mixture], methods: list[str], warmup: bool) -> dict:
    def counts(values):
        values = list(values)
        return {v: values.count(v) for v in sorted(set(values))}

    seeds = sorted({m.seed for m in mixtures})
    return {
        "seed": seeds[0] if len(seeds) == 1 else seeds,
        "snrs_db": sorted({m.snr_db for m in mixtures}),
        "reverb": sorted({m.rir is not None for m in mixtures}),
        "reference": REFERENCE,
        "noise_split": NOISE_SPLIT,
        "noises": counts(m.noise for m in mixtures),
        "rirs": counts(m.rir for m in mixtures if m.rir is not None),
        "counts": {"mixtures": len(mixtures), **counts(m.kind for m in mixtures),
                   "clips": {k: len({m.clip for m in mixtures if m.kind == k})
                             for k in KINDS if any(m.kind == k for m in mixtures)}},
        "sample_rates": {k: sorted({m.sr for m in mixtures if m.kind == k})
                         for k in KINDS if any(m.kind == k for m in mixtures)},
        "max_lag_ms": MAX_LAG_SECONDS * 1000,
        "methods": methods,
        "warmup": warmup,
    }


def evaluate(methods: dict[str, Callable[[np.ndarray, int], np.ndarray]], mixtures: list[Mixture],
             *, progress: ProgressFn = no_progress, warmup: bool = True) -> dict:
    """Run and score every method on every mixture, beside the noisy input itself.

    Parameters
    ----------
    methods : dict of str to callable
        ``method(noisy, sr) -> estimate``: *noisy* is float32 of shape (n,) at
        *sr* Hz; the estimate is audio at the same rate (any length: it is
        delay-compensated and padded or trimmed). The name "noisy" is reserved:
        the unprocessed input is always scored first under it.
    mixtures : list of Mixture
        From :func:`build_mixtures`.
    progress : callable
        ``progress(done, total, message)``, once per method and mixture.
    warmup : bool
        Call each method once on the first mixture, untimed, so imports and
        first-call set-up do not count in its real-time factor.

    Returns
    -------
    dict
        JSON-serialisable (NaN and infinities become None, floats rounded to 4 places):
        ``conditions`` (seed, SNRs, reverb, reference, noise split, noises and
        rooms used with counts, mixture counts), ``methods`` ({method: {kind:
        figures}}, figures: ``n``, ``pesq_nb``, ``pesq_wb`` (sentences; None for
        digits), ``si_sdr`` (dB), ``si_sdr_gain`` (mean paired gain over "noisy",
        dB), ``pesq_nb_failures``, ``pesq_wb_failures``, ``seconds``,
        ``audio_seconds``, ``rtf`` (compute seconds / audio seconds),
        ``pesq_nb_by_snr``) and ``per_mixture`` ({method: rows}).

    Raises
    ------
    AudioMLError
        No mixtures, a bad method, a reserved or repeated name, or bad method output.
    """
    if not isinstance(methods, dict) or not all(callable(f) for f in methods.values()):
        raise AudioMLError("methods must be a dict of name to callable(noisy, sr) -> audio")
    if "noisy" in methods:
        raise AudioMLError('"noisy" is reserved for the unprocessed input; rename that method')
    mixtures = list(mixtures)
    if not mixtures or not all(isinstance(m, Mixture) for m in mixtures):
        raise AudioMLError("mixtures must be a non-empty list of Mixture (see build_mixtures)")
    by_name = {m.name: m for m in mixtures}
    if len(by_name) != len(mixtures):
        raise AudioMLError("mixture names must be unique")
    runs = {"noisy": _passthrough, **methods}
    total, done = len(runs) * len(mixtures), 0
    per_mixture: dict[str, list[dict]] = {}
    for method, fn in runs.items():
        if warmup:
            fn(mixtures[0].noisy.copy(), mixtures[0].sr)
        rows = []
        for i, m in enumerate(mixtures):
            start = time.perf_counter()
            out = fn(m.noisy.copy(), m.sr)
            seconds = time.perf_counter() - start
            figures = score(m.clean, _check_output(out, method, m), m.sr, wideband=m.wideband)
            base = per_mixture["noisy"][i]["si_sdr"] if method != "noisy" else figures["si_sdr"]
            rows.append({"mixture": m.name, "kind": m.kind, "snr_db": m.snr_db, **figures,
                         "si_sdr_gain": figures["si_sdr"] - base, "seconds": seconds})
            done += 1
            progress(done, total, f"{method}: {m.name}")
        per_mixture[method] = rows
    summary = {method: {kind: _summary([r for r in rows if r["kind"] == kind], by_name)
                        for kind in KINDS if any(r["kind"] == kind for r in rows)}
               for method, rows in per_mixture.items()}
    return _clean_json({"conditions": _conditions(mixtures, list(runs), warmup),
                        "methods": summary, "per_mixture": per_mixture})


def format_report(report: dict) -> str:
    """A plain-text table of :func:`evaluate`'s report, one block per kind of clip."""
    c = report["conditions"]
    counts = c["counts"]
    kinds = ", ".join(f"{counts[k]} {k}" for k in KINDS if k in counts)
    reverb = "/".join("on" if r else "off" for r in c["reverb"])
    seed = c["seed"]
    lines = [f"Real-world denoising benchmark: {counts['mixtures']} mixtures ({kinds}), seed {seed}, "
             f"SNRs {', '.join(f'{s:g}' for s in c['snrs_db'])} dB, reverb {reverb}",
             f"reference: {c['reference']}",
             "noises: " + ", ".join(f"{k} x{v}" for k, v in c["noises"].items())]
    if c["rirs"]:
        lines.append("rooms: " + ", ".join(f"{k} x{v}" for k, v in c["rirs"].items()))

    def cell(v, fmt="{:.2f}"):
        return "-" if v is None else fmt.format(v)

    for kind in KINDS:
        if kind not in counts:
            continue
        snrs = next(iter(report["methods"].values()))[kind]["pesq_nb_by_snr"]
        rates = "/".join(f"{sr // 1000} kHz" for sr in c["sample_rates"][kind])
        lines += ["", f"[{kind}s, {rates}, {counts[kind]} mixtures]",
                  f"{'method':<22}{'PESQ-nb':>8}{'PESQ-wb':>8}{'SI-SDR':>8}{'gain':>7}"
                  f"{'fails':>6}{'RTF':>8}  PESQ-nb at " + " ".join(f"{s:>6}" for s in
                                                                 (f"{k}dB" for k in snrs))]
        for method, by_kind in report["methods"].items():
            f = by_kind[kind]
            fails = f["pesq_nb_failures"] + f["pesq_wb_failures"]
            lines.append(f"{method[:21]:<22}{cell(f['pesq_nb']):>8}{cell(f['pesq_wb']):>8}"
                         f"{cell(f['si_sdr'], '{:.1f}'):>8}{cell(f['si_sdr_gain'], '{:+.1f}'):>7}"
                         f"{fails:>6}{cell(f['rtf'], '{:.3f}'):>8}            "
                         + " ".join(f"{cell(v):>6}" for v in f["pesq_nb_by_snr"].values()))
    return "\n".join(lines)
