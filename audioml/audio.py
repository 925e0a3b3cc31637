"""Reading, checking and writing audio.

Everything a user uploads passes through :func:`load_audio`, which decodes in
memory with libsndfile (WAV, FLAC, OGG/Vorbis, MP3, AIFF), mixes down to mono,
resamples, and refuses what cannot be used with one :class:`AudioMLError`
whose message says what was wrong.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf

from audioml.errors import AudioMLError

#: Longest clip accepted, in seconds. Long enough for a sentence, short enough
#: that decoding and a spectrogram stay small in memory.
MAX_SECONDS = 30.0
#: Sample rates accepted anywhere, in Hz: from telephone-band toys to studio files.
MIN_SR, MAX_SR = 1000, 384_000
#: Shortest clip accepted, in seconds (one 512-sample frame at 8 kHz).
MIN_SECONDS = 0.064
#: Upload size limit in bytes, matched to ``server.maxUploadSize`` (20 MB).
MAX_BYTES = 20 * 1024 * 1024
#: The same limit as the messages state it: Streamlit's ``maxUploadSize = 20`` counts MB of 2**20 bytes.
MAX_MB = MAX_BYTES // 2**20
#: Audio formats accepted everywhere (decoded by libsndfile), as named to people ...
FORMATS = ("WAV", "FLAC", "OGG", "MP3", "AIFF")
#: ... and as file-name extensions (for upload widgets).
EXTENSIONS = ("wav", "flac", "ogg", "mp3", "aiff", "aif")
#: Peak below which a clip counts as silent (about -80 dBFS).
SILENCE_PEAK = 1e-4

AudioSource = str | os.PathLike | bytes | BinaryIO


def _read_bytes(source: AudioSource) -> tuple[bytes, str]:
    """Return the raw bytes of *source* and a name to quote in messages."""
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), "the audio data"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise AudioMLError(f"no such file: {path}")
        if path.is_dir():
            raise AudioMLError(f"{path} is a folder, not an audio file")
        if path.stat().st_size > MAX_BYTES:
            raise AudioMLError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MB; "
                               f"the limit is {MAX_MB} MB")
        return path.read_bytes(), path.name
    name = str(getattr(source, "name", "the upload"))
    if len(name) > 80:  # user-chosen names are quoted in messages: keep them short
        name = name[:77] + "..."
    data = source.getvalue() if hasattr(source, "getvalue") else source.read(MAX_BYTES + 1)
    return bytes(data), name


def load_audio(source: AudioSource, *, sr: int | None = None, max_seconds: float = MAX_SECONDS,
               allow_silent: bool = True) -> tuple[np.ndarray, int]:
    """Decode an audio file to a mono float32 signal.

    Parameters
    ----------
    source : path, bytes or binary file-like
        WAV, FLAC, OGG/Vorbis, MP3 or AIFF data.
    sr : int, optional
        Resample to this rate in Hz; keep the file's rate when None.
    max_seconds : float
        Refuse clips longer than this (checked from the header, before decoding).
    allow_silent : bool
        When False, an all-silent clip is refused.

    Returns
    -------
    y : np.ndarray [shape=(n,), dtype=float32]
        Samples in [-1, 1].
    sr : int
        Sample rate of *y* in Hz.

    Raises
    ------
    AudioMLError
        Empty, unreadable, too short, too long, non-finite or (optionally) silent audio.
    """
    data, name = _read_bytes(source)
    if not data:
        raise AudioMLError(f"{name} is empty (0 bytes)")
    if len(data) > MAX_BYTES:
        raise AudioMLError(f"{name} is larger than the {MAX_MB} MB limit")
    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            native_sr, frames, channels = f.samplerate, f.frames, f.channels
            if native_sr <= 0:
                raise AudioMLError(f"{name} has an invalid sample rate")
            # MP3 headers may not know their length; frames is then a huge sentinel.
            if frames > 0 and frames < 2**62 and frames / native_sr > max_seconds:
                raise AudioMLError(f"{name} lasts {frames / native_sr:.1f} s; "
                                   f"the limit is {max_seconds:.0f} s")
            limit = int(max_seconds * native_sr) + 1
            y = f.read(frames=limit, dtype="float32", always_2d=True)
            if len(y) >= limit:
                raise AudioMLError(f"{name} is longer than the {max_seconds:.0f} s limit")
    except AudioMLError:
        raise
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError, EOFError) as err:
        reason = ("its format is not recognised" if "not recognised" in str(err).lower()
                  else "it is damaged or not audio")
        raise AudioMLError(f"could not read {name} as audio: {reason} "
                           f"(accepted: {', '.join(FORMATS)})") from None
    if y.size == 0:
        raise AudioMLError(f"{name} holds no audio samples")
    y = y.mean(axis=1) if channels > 1 else y[:, 0]
    return validate_audio(y, native_sr, target_sr=sr, name=name, allow_silent=allow_silent)


def validate_audio(y: np.ndarray, sr: int, *, target_sr: int | None = None,
                   name: str = "the signal", allow_silent: bool = True) -> tuple[np.ndarray, int]:
    """Check a signal (see :func:`check_audio`) and resample it to *target_sr* when given."""
    y = check_audio(y, sr, name=name, allow_silent=allow_silent)
    if target_sr is not None and target_sr != sr:
        check_sample_rate(target_sr, name="target sample rate")
        y = resample(y, sr, int(target_sr))
        sr = int(target_sr)
    return y, int(sr)


def check_sample_rate(sr, *, name: str = "sample rate") -> int:
    """Return *sr* as an int if it is a whole number of Hz in [:data:`MIN_SR`, :data:`MAX_SR`]."""
    if isinstance(sr, bool) or not (isinstance(sr, (int, np.integer)) and MIN_SR <= sr <= MAX_SR):
        raise AudioMLError(f"{name} must be an integer between {MIN_SR} and {MAX_SR} Hz; got {sr!r}")
    return int(sr)


def check_audio(y: np.ndarray, sr: int, *, name: str = "the signal",
                allow_silent: bool = True) -> np.ndarray:
    """Return *y* as float32 mono after checking it; raise :class:`AudioMLError` otherwise.

    Checks: one dimension, a positive sample rate, at least :data:`MIN_SECONDS`
    long, only finite values, and (unless *allow_silent*) not silent.
    Samples beyond [-1, 1] are kept: clipping is the caller's choice.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise AudioMLError(f"{name} must be mono (1-D); got shape {y.shape}")
    check_sample_rate(sr)
    if len(y) < MIN_SECONDS * sr:
        raise AudioMLError(f"{name} is too short: {len(y)} samples ({len(y) / sr * 1000:.0f} ms); "
                           f"at least {MIN_SECONDS * 1000:.0f} ms is needed")
    if not np.all(np.isfinite(y)):
        raise AudioMLError(f"{name} contains NaN or infinite samples")
    if not allow_silent and np.max(np.abs(y)) < SILENCE_PEAK:
        raise AudioMLError(f"{name} is silent (peak below -80 dBFS)")
    return y.astype(np.float32, copy=False)


def resample(y: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Resample *y* from *sr_in* to *sr_out* Hz (soxr, high quality)."""
    import soxr

    if sr_in == sr_out:
        return y
    return soxr.resample(y, sr_in, sr_out, quality="HQ").astype(np.float32)


def to_wav_bytes(y: np.ndarray, sr: int) -> bytes:
    """Encode *y* as 16-bit PCM WAV bytes, clipping to [-1, 1].

    Use these bytes (not a float array) with ``st.audio`` when loudness must be
    compared: Streamlit rescales arrays to full scale, but plays bytes as they are.
    """
    buf = io.BytesIO()
    sf.write(buf, np.clip(np.asarray(y, dtype=np.float32), -1.0, 1.0), int(sr),
             format="WAV", subtype="PCM_16")
    return buf.getvalue()


def fix_length(y: np.ndarray, n: int) -> np.ndarray:
    """Trim or zero-pad *y* at the end to exactly *n* samples."""
    if len(y) >= n:
        return y[:n]
    return np.pad(y, (0, n - len(y)))


def zip_files(files: dict[str, bytes]) -> bytes:
    """A ZIP archive of ``{file name: bytes}``, built in memory."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buf.getvalue()
