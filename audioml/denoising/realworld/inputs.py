"""The realworld folder's inputs: clean sentences, the noise split, room impulse responses.

See :mod:`audioml.denoising.realworld` for the rules: the noise split is made
here (:func:`split_index`, :data:`NOISE_SPLIT`), on each file's native samples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from audioml.audio import MIN_SECONDS, SILENCE_PEAK, check_audio, load_audio, resample
from audioml.errors import AudioMLError
from audioml.paths import find_data

#: Sample rate of the sentence mixtures (wide-band), in Hz.
SENTENCE_SR = 16_000
#: Sample rate of the digit mixtures (narrow-band, as FSDD), in Hz.
DIGIT_SR = 8_000
#: Fraction of each (silence-trimmed) noise recording kept for evaluation: its end.
EVAL_FRACTION = 1 / 3
#: Parts of noise recordings shorter than this (seconds) are left out.
MIN_PART_SECONDS = 0.5
#: The noise split, in words (also stored in every report).
NOISE_SPLIT = ("digital silence trimmed from both ends of each noise file, then the first two "
               "thirds are for training and the last third for evaluation, split on the "
               "file's native samples before resampling; multichannel files use channel 0")
PARTS = ("eval", "train")
AUDIO_EXTENSIONS = (".wav", ".flac")
_HINT = ("The realworld set holds speech/, noise/ and rir/ folders "
         "(see ../shared/data/README.md); pass its folder or set $AUDIOML_DATA.")


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
