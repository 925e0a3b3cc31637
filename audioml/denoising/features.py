"""The method's spectrogram images: fixed-size, dB, min-max scaled to [0, 1], and back.

The method turns a clip into an image: 0.55 s of 8 kHz speech, |STFT| with a
512-sample frame and a 256-sample hop, dB, min-max scaled to [0, 1]
(:class:`SpectrogramTransform`, :data:`PAPER_TRANSFORM`: 257 x 18).

The [0, 1] scaling of a training pair (:func:`paper_pair`): the noisy input is
min-max scaled with its own min and max, as the method does. The clean target
is put on the range from the -100 dB floor of
:func:`audioml.spectral.amplitude_to_db` to the noisy clip's maximum. Both ends
are known at inference, so the output is undone without anything from the
clean clip. It is also close to the method's own target space (the clean
clip's min and max): a clip padded to 0.55 s has its minimum at the floor, and
at 0 dB SNR or better its maximum is the noisy one's within a dB or so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from audioml.audio import fix_length
from audioml.denoising.fsdd import SR
from audioml.errors import AudioMLError
from audioml.noise import add_noise
from audioml.spectral import (AMIN, amplitude_to_db, db_to_amplitude, griffin_lim, istft,
                              minmax_scale, minmax_unscale, stft)

PhaseMethod = Literal["noisy", "griffinlim"]


@dataclass(frozen=True)
class SpectrogramTransform:
    """The denoisers' fixed-size spectrogram: clip -> [0, 1] image -> clip.

    Steps (as the method): trim or zero-pad to *duration* seconds; |STFT| with
    frame *n_fft* and hop *hop_length*; dB; min-max to [0, 1]. The scaling's min
    and max (and the phase) are returned, so :meth:`inverse` undoes every step.
    At 8 kHz, 0.55 s, n_fft 512 and hop 256 the image is 257 x 18.
    """

    sr: int = SR
    n_fft: int = 512
    hop_length: int = 256
    duration: float = 0.55
    window: str = "hann"

    @property
    def n_samples(self) -> int:
        return int(round(self.duration * self.sr))

    @property
    def shape(self) -> tuple[int, int]:
        """(frequency bins, frames) of one spectrogram."""
        return 1 + self.n_fft // 2, 1 + self.n_samples // self.hop_length

    def forward(self, y: np.ndarray, *, lo: float | None = None, hi: float | None = None
                ) -> tuple[np.ndarray, dict]:
        """Signal -> scaled dB magnitude in [0, 1] of shape :attr:`shape`, and the state to invert it.

        *lo* and *hi* fix the scaling range (in dB) instead of the clip's own min and max.
        The state holds ``lo``, ``hi`` and ``phase`` (radians, same shape).
        """
        S = stft(fix_length(np.asarray(y, np.float32), self.n_samples), n_fft=self.n_fft,
                 hop_length=self.hop_length, window=self.window)
        db = amplitude_to_db(np.abs(S))
        x01, lo, hi = minmax_scale(db, lo, hi)
        return x01, {"lo": lo, "hi": hi, "phase": np.angle(S)}

    def magnitude(self, x01: np.ndarray, state: dict) -> np.ndarray:
        """Undo the scaling and dB: [0, 1] image -> linear |STFT|."""
        return db_to_amplitude(minmax_unscale(x01, state["lo"], state["hi"]))

    def inverse(self, x01: np.ndarray, state: dict, *, phase: PhaseMethod = "noisy",
                n_iter: int = 32, momentum: float = 0.99) -> np.ndarray:
        """Scaled image -> signal of :attr:`n_samples` samples.

        ``phase="noisy"`` reuses ``state["phase"]`` (the phase of the clip that
        :meth:`forward` saw); ``"griffinlim"`` estimates a phase from the magnitude.
        """
        mag = self.magnitude(x01, state)
        if phase == "noisy":
            return istft(mag * np.exp(1j * state["phase"]), hop_length=self.hop_length,
                         window=self.window, length=self.n_samples)
        if phase == "griffinlim":
            return griffin_lim(mag, hop_length=self.hop_length, window=self.window, n_iter=n_iter,
                               momentum=momentum, length=self.n_samples)
        raise AudioMLError(f"phase must be 'noisy' or 'griffinlim'; got {phase!r}")


#: The method's preprocessing: 0.55 s, frame 512, hop 256, dB, min-max to [0, 1].
PAPER_TRANSFORM = SpectrogramTransform(sr=SR, n_fft=512, hop_length=256, duration=0.55)
#: Bottom of the target range in dB: the floor every magnitude is clipped to.
FLOOR_DB = float(amplitude_to_db(np.array(AMIN)))
#: The paper's images in words, for every place that states them (cards, pages): the clean
#: target runs from the fixed floor to the noisy clip's maximum, not over the noisy clip's own
#: range, whose minimum lies far above the floor (:func:`paper_pair`, :func:`target_state`).
TARGET_SCALING = f"clean dB from the {FLOOR_DB:g} dB floor to the noisy clip's maximum, clipped"
SCALING = (f"input: noisy dB min-max to [0, 1]; target: {TARGET_SCALING} (undone with that floor "
           "and the noisy maximum at inference)")


def clip_db(y: np.ndarray, transform: SpectrogramTransform = PAPER_TRANSFORM) -> np.ndarray:
    """dB magnitude of *y* trimmed or padded to the transform's duration, shape ``transform.shape``."""
    S = stft(fix_length(np.asarray(y, np.float32), transform.n_samples), n_fft=transform.n_fft,
             hop_length=transform.hop_length, window=transform.window)
    return amplitude_to_db(np.abs(S))


def paper_pair(clean: np.ndarray, noisy: np.ndarray, transform: SpectrogramTransform = PAPER_TRANSFORM
               ) -> tuple[np.ndarray, np.ndarray]:
    """One training pair: (noisy image, clean image), each ``transform.shape`` in [0, 1].

    The noisy image is min-max scaled by its own dB range; the clean image is
    scaled to [:data:`FLOOR_DB`, the noisy maximum] and clipped (see
    :func:`target_state`), so a prediction can be undone at inference without
    knowing anything about the clean clip.
    """
    x01, state = transform.forward(noisy)
    target = target_state(state)
    y01, _, _ = minmax_scale(clip_db(clean, transform), target["lo"], target["hi"])
    return x01, np.clip(y01, 0.0, 1.0)


def target_state(state: dict) -> dict:
    """The state that undoes a *denoised* image, from the noisy image's *state*.

    Same phase and maximum as the noisy clip; the minimum is the fixed -100 dB floor.
    """
    return {**state, "lo": FLOOR_DB}


def paper_dataset(clips: list[np.ndarray], *, snr_db: float = 10.0, kind: str = "white",
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy and clean images of every clip, trimmed or padded to 0.55 s.

    Parameters
    ----------
    clips : list of np.ndarray [shape=(n_i,)]
        Clean speech at 8 kHz.
    snr_db : float
        SNR of the added noise in dB.
    kind : {"white", "pink", "brown", "hum"}
    seed : int
        Clip *i* gets noise seed ``seed * 1_000_003 + i``: fixed test sets, fresh noise per epoch.

    Returns
    -------
    noisy, clean : np.ndarray [shape=(len(clips), 257, 18, 1), dtype=float32]
    """
    n = PAPER_TRANSFORM.n_samples
    xs, ys = [], []
    for i, clip in enumerate(clips):
        clip = fix_length(clip, n)
        noisy = add_noise(clip, snr_db, kind=kind, sr=SR, seed=seed * 1_000_003 + i)
        x, y = paper_pair(clip, noisy)
        xs.append(x)
        ys.append(y)
    return np.stack(xs)[..., None].astype(np.float32), np.stack(ys)[..., None].astype(np.float32)
