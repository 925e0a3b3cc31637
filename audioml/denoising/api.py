"""Denoise speech with a shipped model: ``audioml.denoise(y, sr, model=..., phase=...)``.

The output has the input's rate and length. The models trained here work at
8 kHz (FSDD's rate): the DCAE and VAE hear the input resampled to 8 kHz and
give back the telephone band; the mask net predicts its mask at 8 kHz and
applies it at the input's own rate, so a wide-band upload keeps its band
(:meth:`audioml.denoising.denoisers.MaskDenoiser.process`). The pretrained
peers run at 48 kHz, the input resampled there and back
(:mod:`audioml.denoising.peers`).
Loaded models are kept per process, so only the first call pays for loading.
This is the denoising topic's public face: the CLI, the page and
``audioml.denoise`` call it, and it calls the rest of :mod:`audioml.denoising`.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from audioml.audio import check_audio
from audioml.errors import AudioMLError
from audioml.progress import ProgressFn, no_progress

DEFAULT_MODEL = "masknet_denoiser"
#: Short names accepted for the shipped models.
ALIASES = {"dcae": "dcae_denoiser", "vae": "vae_denoiser", "masknet": "masknet_denoiser",
           "dfn3": "deepfilternet3", "rnnoise": "rnnoise"}


def model_names(models_dir: Path | None = None) -> list[str]:
    """Names of the shipped denoisers (cards with ``task == "denoise"``)."""
    from audioml.registry import list_cards

    return [c["name"] for c in list_cards(task="denoise", models_dir=models_dir)]


@functools.lru_cache(maxsize=8)
def load_denoiser(name: str, models_dir: Path | None = None):
    """The shipped denoiser *name* (or a short alias: dcae, vae, masknet), loaded once per process.

    Returns an :class:`audioml.denoising.denoisers.Denoiser`.
    """
    from audioml.registry import get_card, model_path

    name = ALIASES.get(name, name)
    card = get_card(name, models_dir)
    if card.get("task") != "denoise":
        raise AudioMLError(f"{name!r} is not a denoiser; choose one of "
                           f"{', '.join(model_names(models_dir))}")
    path = model_path(name, models_dir)
    if path is not None and not path.exists():
        raise AudioMLError(f"weights of model {name!r} are missing: {path}")
    return load_from_card(card, path)


def load_from_card(card: dict, path: Path | None):
    """A denoiser from its card: a pretrained library when the card names no weight file
    (:mod:`audioml.denoising.peers`), else the ``.keras`` file at *path*."""
    if card.get("file") is None:
        from audioml.denoising.peers import load

        return load(card)
    from audioml.denoising.denoisers import load

    return load(card, path)


def denoise(y: np.ndarray, sr: int, *, model="masknet_denoiser", phase: str = "noisy",
            strength: float = 1.0, n_iter: int = 32) -> np.ndarray:
    """Denoise a speech clip.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono noisy speech, float in [-1, 1].
    sr : int
        Sample rate of *y* in Hz (1000-384000). The models trained here run at 8 kHz and
        the pretrained peers at 48 kHz; each answers at *sr*.
    model : str or audioml.denoising.denoisers.Denoiser
        A shipped denoiser (``audioml models --task denoise``): ``"masknet_denoiser"``
        (default), ``"vae_denoiser"``, ``"dcae_denoiser"``, or the short names
        ``"masknet"``, ``"vae"``, ``"dcae"``; or a denoiser already loaded.
    phase : {"noisy", "griffinlim"}
        Phase of the output: the noisy input's own, or Griffin-Lim's estimate
        from the denoised magnitude (as the method does).
    strength : float
        Share of the denoised signal in [0, 1]; the rest is the input (dry/wet).
    n_iter : int
        Griffin-Lim iterations.

    Returns
    -------
    np.ndarray [shape=(n,), dtype=float32]
        Denoised speech at *sr* Hz.

    Raises
    ------
    AudioMLError
        Bad audio, an unknown model or phase, or a strength outside [0, 1].

    Examples
    --------
    >>> import audioml
    >>> from audioml.examples import load_example
    >>> from audioml.noise import add_noise
    >>> y, sr = load_example("seven", sr=8000)
    >>> clean = audioml.denoise(add_noise(y, 5.0, seed=0), sr, model="masknet")
    """
    y, sr = check_audio(y, sr, name="the input"), int(sr)
    if not 0.0 <= float(strength) <= 1.0:
        raise AudioMLError(f"strength must be in [0, 1]; got {strength!r}")
    denoiser = model if hasattr(model, "process") else load_denoiser(str(model))
    wet = denoiser.process(y, sr, phase=phase, n_iter=n_iter)
    return (strength * wet + (1.0 - strength) * y).astype(np.float32)


def match_loudness(reference: np.ndarray, y: np.ndarray) -> np.ndarray:
    """*y* scaled to the RMS level of *reference*, so an A/B comparison is not won by volume."""
    rms_ref = float(np.sqrt(np.mean(np.square(reference, dtype=np.float64))))
    rms_y = float(np.sqrt(np.mean(np.square(y, dtype=np.float64))))
    return (np.asarray(y) * (rms_ref / rms_y if rms_y > 0 else 0.0)).astype(np.float32)


def output_names(file_names: list[str], *, suffix: str = "_denoised.wav") -> list[str]:
    """One distinct output name per input: ``talk.wav`` -> ``talk_denoised.wav``.

    Inputs that share a stem (``talk.wav``, ``talk.flac``) keep their extension
    in the name (``talk_wav_denoised.wav``, ``talk_flac_denoised.wav``), and any
    name still taken gets a number, so no output overwrites another in a folder or ZIP.
    """
    stems = [Path(n).stem for n in file_names]
    names, taken = [], set()
    for file_name, stem in zip(file_names, stems):
        ext = Path(file_name).suffix.lstrip(".").lower()
        base = f"{stem}_{ext}" if stems.count(stem) > 1 and ext else stem
        name, k = f"{base}{suffix}", 2
        while name in taken:
            name, k = f"{base}_{k}{suffix}", k + 1
        taken.add(name)
        names.append(name)
    return names


def denoise_files(files: list[tuple[str, object]], *, model=DEFAULT_MODEL, phase: str = "noisy",
                  strength: float = 1.0, max_seconds: float | None = None,
                  suffix: str = "_denoised.wav", strict: bool = False,
                  progress: ProgressFn = no_progress) -> tuple[dict[str, bytes], list[str]]:
    """Denoise several audio files; return ``({output name: WAV bytes}, [problems])``.

    Parameters
    ----------
    files : list of (str, path or bytes or file-like)
        Each file's name (for the output's name and messages) and its content.
    model, phase, strength
        As :func:`denoise`; each output keeps its input's sample rate.
    max_seconds : float, optional
        Longest file accepted (default :data:`audioml.audio.MAX_SECONDS`).
    suffix : str
        Ending of each output name (see :func:`output_names`).
    strict : bool
        Raise at the first file that cannot be denoised instead of listing it.

    Returns
    -------
    outputs : dict
        Names from :func:`output_names`, in input order, for the files that worked.
    problems : list of str
        ``"<name>: <reason>"`` for each file that could not be denoised.
    """
    from audioml.audio import MAX_SECONDS, load_audio, to_wav_bytes

    outputs, problems = {}, []
    for i, ((name, source), out_name) in enumerate(zip(files, output_names([f[0] for f in files], suffix=suffix))):
        try:
            y, sr = load_audio(source, max_seconds=max_seconds or MAX_SECONDS, allow_silent=False)
            outputs[out_name] = to_wav_bytes(
                denoise(y, sr, model=model, phase=phase, strength=strength), sr)
        except AudioMLError as err:
            # load_audio's messages already name a file-like upload; name it once.
            message = str(err) if name in str(err) else f"{name}: {err}"
            if strict:
                raise AudioMLError(message) from None
            problems.append(message)
        progress(i + 1, len(files), name)
    return outputs, problems
