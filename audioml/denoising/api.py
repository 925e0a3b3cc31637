"""Denoise speech with a shipped model: ``audioml.denoise(y, sr, model=..., phase=...)``.

The models work at 8 kHz (FSDD's rate), so the input is resampled to 8 kHz,
denoised, and resampled back; the output has the input's rate and length.
Loaded models are kept per process, so only the first call pays for loading.
"""

from __future__ import annotations

import functools
import sys
import types

import numpy as np

from audioml.audio import check_audio, resample
from audioml.errors import AudioMLError

MODEL_SR = 8000
DEFAULT_MODEL = "masknet_denoiser"
#: Short names accepted for the shipped models.
ALIASES = {"dcae": "dcae_denoiser", "vae": "vae_denoiser", "masknet": "masknet_denoiser"}


def model_names() -> list[str]:
    """Names of the shipped denoisers (cards with ``task == "denoise"``)."""
    from audioml.registry import list_cards

    return [c["name"] for c in list_cards(task="denoise")]


@functools.lru_cache(maxsize=8)
def load_denoiser(name: str):
    """The shipped denoiser *name* (or a short alias: dcae, vae, masknet), loaded once per process.

    Returns an :class:`audioml.denoisers.Denoiser`.
    """
    from audioml.registry import get_card, load_model

    name = ALIASES.get(name, name)
    card = get_card(name)
    if card.get("task") != "denoise":
        raise AudioMLError(f"{name!r} is not a denoiser; choose one of {', '.join(model_names())}")
    return load_model(name)


def denoise(y: np.ndarray, sr: int, *, model="masknet_denoiser", phase: str = "noisy",
            strength: float = 1.0, n_iter: int = 32) -> np.ndarray:
    """Denoise a speech clip.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        Mono noisy speech, float in [-1, 1].
    sr : int
        Sample rate of *y* in Hz (1000-384000); the models run at 8 kHz.
    model : str or audioml.denoisers.Denoiser
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
    y = check_audio(y, sr, name="the input")
    if not 0.0 <= float(strength) <= 1.0:
        raise AudioMLError(f"strength must be in [0, 1]; got {strength!r}")
    denoiser = model if hasattr(model, "enhance") else load_denoiser(str(model))
    x = resample(y, int(sr), MODEL_SR)
    wet = denoiser.enhance(x, phase=phase, n_iter=n_iter)
    wet = resample(wet, MODEL_SR, int(sr))
    wet = np.pad(wet, (0, max(0, len(y) - len(wet))))[:len(y)]
    return (strength * wet + (1.0 - strength) * y).astype(np.float32)


def match_loudness(reference: np.ndarray, y: np.ndarray) -> np.ndarray:
    """*y* scaled to the RMS level of *reference*, so an A/B comparison is not won by volume."""
    rms_ref = float(np.sqrt(np.mean(np.square(reference, dtype=np.float64))))
    rms_y = float(np.sqrt(np.mean(np.square(y, dtype=np.float64))))
    return (np.asarray(y) * (rms_ref / rms_y if rms_y > 0 else 0.0)).astype(np.float32)


def denoise_batch(clips: list[tuple[np.ndarray, int]], *, model: str = DEFAULT_MODEL,
                  phase: str = "noisy", strength: float = 1.0, progress=None) -> list[np.ndarray]:
    """:func:`denoise` over several ``(y, sr)`` pairs, reporting ``progress(done, total, message)``."""
    out = []
    for i, (y, sr) in enumerate(clips):
        out.append(denoise(y, sr, model=model, phase=phase, strength=strength))
        if progress:
            progress(i + 1, len(clips), f"clip {i + 1}")
    return out


class _CallableModule(types.ModuleType):
    """Lets ``audioml.denoise(...)`` work even after the import system binds this module there.

    Importing ``audioml.denoise`` sets the package attribute ``denoise`` to this
    module, which would shadow the lazily exported function; calling the module
    calls the function.
    """

    def __call__(self, *args, **kwargs):
        return denoise(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
