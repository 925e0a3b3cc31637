"""Realistic training conditions: recorded noise, babble, transients, rooms, band limits, voices.

The mask net first learned on white, pink and brown noise and hum
(:func:`audioml.denoising.train.noisy_batch`); a user's upload brings a café,
a street, a dog, rain, other voices, a room and a phone's band. :func:`realistic_batch`
builds each training pair from such conditions:

* **noise**, one kind per crop, drawn from :data:`REALISTIC_NOISE`: the
  *training* part of the real recordings (:func:`audioml.denoising.realworld.load_noises`,
  never the evaluation part), babble made of other training clips,
  keyboard-like clicks and bumps over a traffic-like rumble, or the synthetic kinds;
* **a room**: with probability *reverb*, the clean crop goes through a synthetic
  impulse response (:func:`synthetic_rir`: exponentially decaying noise, RT60
  0.15-0.8 s). The target is then the reverberant clean speech, as in the
  benchmark: the net learns to remove noise, not the room;
* **a band limit**: with probability *band_limit*, both clean and noisy are
  low-passed at 2.8-3.8 kHz, as a phone or a resampler leaves them.

Extra voices come from espeak-ng (:func:`synthetic_voices`): many speakers,
rates and pitches saying digits and short phrases, beside FSDD's four.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audioml.denoising.fsdd import SR
from audioml.errors import AudioMLError
from audioml.noise import make_noise

#: Noise mix of the realistic training: (kind, probability).
REALISTIC_NOISE = {"recorded": 0.35, "babble": 0.2, "transients": 0.1, "white": 0.15, "pink": 0.1,
                   "brown": 0.05, "hum": 0.05}
#: espeak-ng voices (each with variants) and words for :func:`synthetic_voices`.
VOICES = ("en", "en-us", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-gb-x-gbclan")
VARIANTS = ("", "+m1", "+m3", "+m5", "+f1", "+f2", "+f4", "+croak", "+klatt")
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "hello there", "see you later", "the quick brown fox", "turn left at the corner",
         "what time is it", "please call me back", "seven eight nine", "one two three")


@dataclass
class NoiseBank:
    """The noise sources of :func:`realistic_batch`.

    Attributes
    ----------
    recorded : list of np.ndarray
        Real noise recordings at 8 kHz (their training parts).
    talkers : list of np.ndarray
        Clean clips that babble is made of (training speakers only).
    """

    recorded: list = field(default_factory=list)
    talkers: list = field(default_factory=list)

    def draw(self, kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
        """*n* samples of noise *kind* at unit power."""
        if kind == "recorded":
            if not self.recorded:
                raise AudioMLError("no recorded noise in the bank; load the realworld training part")
            x = _segment(self.recorded[rng.integers(len(self.recorded))], n, rng)
        elif kind == "babble":
            if len(self.talkers) < 2:
                raise AudioMLError("babble needs at least two clips of talkers")
            x = babble(self.talkers, n, rng=rng)
        elif kind == "transients":
            x = transients(n, rng=rng)
        else:
            x = make_noise(n, kind, sr=SR, seed=int(rng.integers(2**31)))
        x = x - x.mean()
        return (x / max(float(np.sqrt(np.mean(x.astype(np.float64) ** 2))), 1e-9)).astype(np.float32)


def _segment(y: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """*n* samples of *y* from a random start, tiled when *y* is shorter."""
    if len(y) < n:
        y = np.tile(y, int(np.ceil(n / len(y))) + 1)
    start = int(rng.integers(0, len(y) - n + 1))
    return np.asarray(y[start:start + n], np.float32)


def babble(talkers: list[np.ndarray], n: int, *, rng: np.random.Generator,
           voices: tuple[int, int] = (3, 7)) -> np.ndarray:
    """Several talkers at once: 3-6 clips strung into *n* samples each and summed at random levels."""
    out = np.zeros(n, np.float32)
    for _ in range(int(rng.integers(*voices))):
        pieces, total = [], 0
        while total < n:
            clip = talkers[rng.integers(len(talkers))]
            pieces.append(clip)
            total += len(clip)
        voice = np.concatenate(pieces)
        start = int(rng.integers(0, len(voice) - n + 1))
        out += voice[start:start + n] * 10 ** (rng.uniform(-6, 0) / 20)
    return out


def transients(n: int, *, rng: np.random.Generator) -> np.ndarray:
    """Keyboard-like clicks and door-like bumps over a low traffic rumble, *n* samples at 8 kHz."""
    out = 0.1 * make_noise(n, "brown", sr=SR, seed=int(rng.integers(2**31)))
    for _ in range(int(rng.integers(3, 25) * n / SR)):
        length = int(rng.integers(40, 400))
        at = int(rng.integers(0, max(1, n - length)))
        burst = rng.standard_normal(length) * np.exp(-np.arange(length) / (length / 5))
        if rng.random() < 0.3:  # a bump: low and longer
            burst = np.convolve(burst, np.ones(16) / 16, mode="same")
        out[at:at + length] += rng.uniform(0.3, 3.0) * burst[:len(out[at:at + length])]
    return out.astype(np.float32)


def synthetic_rir(*, rng: np.random.Generator, sr: int = SR,
                  rt60: tuple[float, float] = (0.15, 0.8)) -> np.ndarray:
    """A room impulse response: a unit direct path, then noise decaying 60 dB in RT60 seconds.

    The early reflections start 2-10 ms after the direct path, 6-20 dB below it.
    """
    t60 = rng.uniform(*rt60)
    length = int(t60 * sr)
    t = np.arange(length) / sr
    tail = rng.standard_normal(length) * 10 ** (-3 * t / t60)
    gap = int(rng.uniform(0.002, 0.010) * sr)
    tail[:gap] = 0.0
    tail *= 10 ** (-rng.uniform(6, 20) / 20) / max(float(np.max(np.abs(tail))), 1e-9)
    tail[0] = 1.0
    return tail.astype(np.float32)


def band_limit(y: np.ndarray, cutoff_hz: float, *, sr: int = SR) -> np.ndarray:
    """*y* low-passed at *cutoff_hz* by zeroing its spectrum above (as a resampler's cut)."""
    spectrum = np.fft.rfft(y)
    spectrum[np.fft.rfftfreq(len(y), 1 / sr) > cutoff_hz] = 0
    return np.fft.irfft(spectrum, n=len(y)).astype(np.float32)


def realistic_batch(clean: np.ndarray, *, snr_range: tuple[float, float], rng: np.random.Generator,
                    bank: NoiseBank, kinds: dict[str, float] = REALISTIC_NOISE,
                    reverb: float = 0.3, band_limit_p: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """Training pairs under realistic conditions: ``(targets, noisy)``, each shaped like *clean*.

    Parameters
    ----------
    clean : np.ndarray [shape=(batch, n)]
        Clean 8 kHz crops.
    snr_range : (float, float)
        SNR in dB, drawn per crop (against the target, reverberant or not).
    kinds : dict
        Noise kind to probability (see :class:`NoiseBank` and :data:`REALISTIC_NOISE`).
    reverb, band_limit_p : float
        Probabilities of a synthetic room and of a band limit, per crop.
    """
    names, probs = list(kinds), np.array(list(kinds.values()), float)
    targets = np.empty_like(clean)
    noisy = np.empty_like(clean)
    for i, row in enumerate(clean):
        if rng.random() < reverb:
            row = np.convolve(row, synthetic_rir(rng=rng))[:len(row)].astype(np.float32)
        if float(np.mean(row.astype(np.float64) ** 2)) < 1e-10:
            targets[i] = noisy[i] = row
            continue
        kind = names[rng.choice(len(names), p=probs / probs.sum())]
        noise = bank.draw(kind, len(row), rng)
        power = float(np.mean(row.astype(np.float64) ** 2))
        mixed = row + noise * np.sqrt(power / 10 ** (rng.uniform(*snr_range) / 10))
        if rng.random() < band_limit_p:
            cutoff = rng.uniform(2800, 3800)
            row, mixed = band_limit(row, cutoff), band_limit(mixed, cutoff)
        targets[i], noisy[i] = row, mixed
    return targets, noisy


def synthetic_voices(n: int, *, seed: int = 0, sr: int = SR) -> list[np.ndarray]:
    """*n* clips of espeak-ng speech: random voices, variants, rates and pitches, at *sr* Hz.

    Raises
    ------
    AudioMLError
        When espeak-ng is not installed.
    """
    from audioml.audio import load_audio

    if not shutil.which("espeak-ng"):
        raise AudioMLError("synthetic voices need espeak-ng (apt-get install espeak-ng)")
    rng = np.random.default_rng(seed)
    clips = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "voice.wav"
        for _ in range(n):
            voice = VOICES[rng.integers(len(VOICES))] + VARIANTS[rng.integers(len(VARIANTS))]
            args = ["espeak-ng", "-v", voice, "-s", str(int(rng.integers(110, 210))),
                    "-p", str(int(rng.integers(15, 85))), "-w", str(path),
                    WORDS[rng.integers(len(WORDS))]]
            subprocess.run(args, check=True, capture_output=True, timeout=30)
            y, _ = load_audio(path, sr=sr)
            clips.append(y / max(float(np.max(np.abs(y))), 1e-6) * 0.5)
    return clips


__all__ = ["NoiseBank", "REALISTIC_NOISE", "babble", "band_limit", "realistic_batch",
           "synthetic_rir", "synthetic_voices", "transients"]
