"""Speech denoisers: a trained network plus how to run it on a clip of any length.

Two families, one interface (:class:`Denoiser`, ``enhance(y)`` at 8 kHz):

* :class:`AutoencoderDenoiser` wraps the method's DCAE or VAE
  (:func:`audioml.nn.autoencoder.build_dcae` / ``build_vae``). They see a fixed
  0.55 s image (257 x 18 at 8 kHz, :data:`~audioml.denoising.features.PAPER_TRANSFORM`),
  so a clip of any length is cut into overlapping 0.55 s windows whose outputs
  are overlap-added (:func:`~audioml.denoising.windows.overlap_add`).
* :class:`MaskDenoiser` wraps the mask net
  (:func:`~audioml.denoising.masknet.build_masknet`), which predicts a [0, 1]
  gain on the noisy STFT magnitude of the whole clip and keeps the noisy phase
  (or hands the masked magnitude to Griffin-Lim).

:func:`load` is the loader :mod:`audioml.shipped` uses for cards of task ``"denoise"``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audioml.denoising.features import PAPER_TRANSFORM, target_state
from audioml.denoising.masknet import INPUT_FLOOR_PERCENTILE, MASK_HOP, MASK_N_FFT, shape_mask
from audioml.denoising.windows import frames_of, overlap_add
from audioml.errors import AudioMLError
from audioml.spectral import griffin_lim, istft, stft

PHASES = ("noisy", "griffinlim")


class Denoiser:
    """A trained denoiser: ``enhance(y)`` maps 8 kHz noisy speech to denoised speech.

    Attributes
    ----------
    name : str
        The model's name (its card's).
    model : keras.Model
        The network; the page draws its layers.
    card : dict
        The model card.
    """

    family = ""

    def __init__(self, model, card: dict | None = None):
        self.model = model
        self.card = dict(card or {})
        self.name = self.card.get("name", model.name)

    def enhance(self, y: np.ndarray, *, phase: str = "noisy", n_iter: int = 32) -> np.ndarray:
        """Denoise *y* (8 kHz, shape ``(n,)``); return ``(n,)`` float32 at 8 kHz."""
        raise NotImplementedError

    def _check_phase(self, phase: str) -> None:
        if phase not in PHASES:
            raise AudioMLError(f"phase must be one of {', '.join(PHASES)}; got {phase!r}")


class AutoencoderDenoiser(Denoiser):
    """The method's DCAE or VAE run over overlapping 0.55 s windows.

    Windows overlap by half; each is scaled by its own dB range, denoised,
    unscaled with that same range, turned back into sound with the window's
    noisy phase or Griffin-Lim, and overlap-added.
    """

    family = "autoencoder"
    transform = PAPER_TRANSFORM

    def images(self, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[dict]]:
        """Noisy and denoised [0, 1] images of each window, and the states that undo them.

        Returns ``(noisy, denoised, states)`` with images of shape ``(n_windows, 257, 18)``.
        """
        pairs = [self.transform.forward(w) for w in windows]
        noisy = np.stack([p[0] for p in pairs]).astype(np.float32)
        out = np.asarray(self.model(noisy[..., None], training=False))[..., 0]
        return noisy, out, [p[1] for p in pairs]

    def enhance(self, y, *, phase="noisy", n_iter=32):
        self._check_phase(phase)
        win = self.transform.n_samples

        def process(windows):
            _, out, states = self.images(windows)
            return np.stack([self.transform.inverse(o, target_state(s), phase=phase, n_iter=n_iter)
                             for o, s in zip(out, states)])

        return overlap_add(y, process, win=win, hop=win // 2, pad_mode="reflect")

    def windows(self, y: np.ndarray) -> np.ndarray:
        """The 0.55 s windows of *y* as :meth:`enhance` cuts them, shape ``(n_windows, 4400)``."""
        win = self.transform.n_samples
        return frames_of(y, win=win, hop=win // 2, pad_mode="reflect")


class MaskDenoiser(Denoiser):
    """The mask net on the whole clip: mask the noisy STFT, keep its phase or run Griffin-Lim."""

    family = "mask"

    def _predict(self, magnitude: np.ndarray):
        """The net on ``(1, frames, bins)``, traced once for any number of frames.

        Run eagerly, a recurrent layer steps through Python frame by frame (about
        2 s for a 5 s clip); one graph with a free time axis takes ~50 ms.
        """
        if getattr(self, "_graph", None) is None:
            import tensorflow as tf

            spec = tf.TensorSpec((None, None, magnitude.shape[-1]), tf.float32)
            self._graph = tf.function(lambda x: self.model(x, training=False), input_signature=[spec])
        return self._graph(magnitude)

    def raw_mask(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The noisy STFT ``(257, frames)`` and the net's mask of the same shape, unshaped.

        The net sees the magnitude raised to at least its own
        :data:`INPUT_FLOOR_PERCENTILE`-th percentile. A band the input never had
        (a phone's or a resampler's cut above ~3.6 kHz) would otherwise read as
        -100 dB, inflate the per-utterance normalisation and blind the net: on
        FSDD at 5 dB, low-passing the input at 3.6 kHz took the convolution-only
        net's gain from +6.8 dB to +0.1 dB without the floor and +5.1 dB with it,
        at no cost on full-band input. The mask still applies to the true STFT.
        """
        S = stft(y, n_fft=MASK_N_FFT, hop_length=MASK_HOP)
        magnitude = np.abs(S)
        magnitude = np.maximum(magnitude, np.percentile(magnitude, INPUT_FLOOR_PERCENTILE))
        return S, np.asarray(self._predict(magnitude.T[None].astype(np.float32)))[0].T

    def mask(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`raw_mask` shaped by the card's ``mask_power`` and ``mask_floor``.

        See :func:`shape_mask`; 1 and 0 when absent. Training picks them on
        training speakers' clips (:func:`audioml.denoising.tune.tune_mask`).
        """
        S, m = self.raw_mask(y)
        config = self.card.get("config", {})
        return S, shape_mask(m, power=float(config.get("mask_power") or 1.0),
                             floor=float(config.get("mask_floor") or 0.0))

    def enhance(self, y, *, phase="noisy", n_iter=32):
        self._check_phase(phase)
        S, m = self.mask(np.asarray(y, np.float32))
        if phase == "noisy":
            return istft(m * S, hop_length=MASK_HOP, length=len(y)).astype(np.float32)
        return griffin_lim(m * np.abs(S), hop_length=MASK_HOP, n_iter=n_iter,
                           length=len(y)).astype(np.float32)


FAMILIES = {"dcae": AutoencoderDenoiser, "vae": AutoencoderDenoiser, "masknet": MaskDenoiser}


def wrap(model, card: dict) -> Denoiser:
    """Wrap a Keras *model* as the denoiser its card's ``config["architecture"]`` names."""
    arch = card.get("config", {}).get("architecture")
    if arch not in FAMILIES:
        raise AudioMLError(f"unknown denoiser architecture {arch!r}; choose one of {', '.join(FAMILIES)}")
    return FAMILIES[arch](model, card)


def load(card: dict, path: str | Path) -> Denoiser:
    """Load a denoiser's ``.keras`` file with safe mode on and wrap it as its card says."""
    from audioml.registry import load_keras_model

    return wrap(load_keras_model(path), card)
