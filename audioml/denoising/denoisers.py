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

from audioml.audio import fix_length, resample
from audioml.denoising.features import PAPER_TRANSFORM, target_state
from audioml.denoising.fsdd import SR
from audioml.denoising.masknet import INPUT_FLOOR_PERCENTILE, MASK_HOP, MASK_N_FFT, shape_mask
from audioml.denoising.windows import frames_of, overlap_add
from audioml.errors import AudioMLError
from audioml.spectral import griffin_lim, istft, stft

PHASES = ("noisy", "griffinlim")
#: Above this frequency the 8 kHz net's mask is replaced by the reference band's mean gain.
HIGH_BAND_HZ = 3600.0
#: The band whose mean gain each frame carries above :data:`HIGH_BAND_HZ`.
REFERENCE_BAND_HZ = (2500.0, 3600.0)


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
    #: Whether :meth:`process` keeps a wide-band input's band above 4 kHz.
    full_band = False

    def __init__(self, model, card: dict | None = None):
        self.model = model
        self.card = dict(card or {})
        self.name = self.card.get("name", model.name)

    def enhance(self, y: np.ndarray, *, phase: str = "noisy", n_iter: int = 32) -> np.ndarray:
        """Denoise *y* (8 kHz, shape ``(n,)``); return ``(n,)`` float32 at 8 kHz."""
        raise NotImplementedError

    def process(self, y: np.ndarray, sr: int, *, phase: str = "noisy", n_iter: int = 32) -> np.ndarray:
        """Denoise *y* at its own rate *sr*; return the same length at *sr*.

        The models work at 8 kHz: *y* is resampled there, enhanced and resampled
        back, so the output holds nothing above 4 kHz (telephone band).
        """
        out = resample(self.enhance(resample(y, sr, SR), phase=phase, n_iter=n_iter), SR, sr)
        return fix_length(out, len(y))

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
    full_band = True

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

    def process(self, y, sr, *, phase="noisy", n_iter=32):
        """Denoise at *sr*, keeping the whole band of a wide-band input (noisy phase).

        The net sees *y* resampled to 8 kHz and predicts its mask there; the mask
        is then carried onto *y*'s own STFT (same 64 ms frame and 16 ms hop in
        seconds) by linear interpolation in time and frequency, and applied at
        *y*'s rate, so nothing is resampled on the way out. Above
        :data:`HIGH_BAND_HZ` the net has no reliable view (the 8 kHz signal's
        resampler rolls off there), so each frame's gain is the mean of its mask
        over :data:`REFERENCE_BAND_HZ`: the top of the band the net hears carried
        up, which keeps fricatives where there is speech and turns the high band
        down where there is none. With Griffin-Lim phase, or at 8 kHz, this is
        :meth:`Denoiser.process`.
        """
        if sr == SR or phase != "noisy":
            return super().process(y, sr, phase=phase, n_iter=n_iter)
        self._check_phase(phase)
        y = np.asarray(y, np.float32)
        _, m8 = self.mask(resample(y, sr, SR))
        n_fft, hop = int(round(MASK_N_FFT * sr / SR)), int(round(MASK_HOP * sr / SR))
        n_fft += n_fft % 2
        S = stft(y, n_fft=n_fft, hop_length=hop)
        mask = carry_mask(m8, n_frames=S.shape[1], frame_seconds=hop / sr,
                          freqs=np.fft.rfftfreq(n_fft, 1 / sr))
        return istft(mask * S, hop_length=hop, length=len(y)).astype(np.float32)


def carry_mask(mask: np.ndarray, *, n_frames: int, frame_seconds: float,
               freqs: np.ndarray) -> np.ndarray:
    """The mask net's 8 kHz mask carried onto another STFT grid.

    Parameters
    ----------
    mask : np.ndarray [shape=(257, frames)]
        Gains on the mask net's grid (bins every 15.6 Hz, frames every 16 ms).
    n_frames : int
        Frames of the target STFT.
    frame_seconds : float
        The target's hop in seconds.
    freqs : np.ndarray [shape=(bins,)]
        The target's bin frequencies in Hz.

    Returns
    -------
    np.ndarray [shape=(bins, n_frames), dtype=float32]
        Linear interpolation of *mask* in time and frequency up to
        :data:`HIGH_BAND_HZ`; above it each frame's mean gain over
        :data:`REFERENCE_BAND_HZ`.
    """
    from scipy.interpolate import RegularGridInterpolator

    src_freqs = np.arange(mask.shape[0]) * SR / MASK_N_FFT
    src_times = np.arange(mask.shape[1]) * MASK_HOP / SR
    # Frames past the net's last one (the target's grid may run a little longer) keep its gains.
    at = np.clip(np.arange(n_frames) * frame_seconds, 0, src_times[-1])
    if mask.shape[1] == 1:  # one frame is constant in time; linear needs two points an axis
        mask, src_times = np.repeat(mask, 2, axis=1), np.array([0.0, MASK_HOP / SR])
    bilinear = RegularGridInterpolator((src_freqs, src_times), mask, method="linear")

    def on(bin_freqs):
        return bilinear(tuple(np.meshgrid(bin_freqs, at, indexing="ij")))

    low = freqs <= HIGH_BAND_HZ
    out = np.empty((len(freqs), n_frames), np.float32)
    out[low] = on(freqs[low])
    ref = (src_freqs >= REFERENCE_BAND_HZ[0]) & (src_freqs <= REFERENCE_BAND_HZ[1])
    out[~low] = on(src_freqs[ref]).mean(axis=0)
    return out


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
