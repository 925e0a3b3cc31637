"""A corpus of malformed and awkward audio files, made on the fly.

Each case is (file name, bytes, expectation): "error" means a clear AudioMLError
message is the right answer; "ok" means a correct, finite result is.
"""

from __future__ import annotations

import struct

import numpy as np

from tests.support.factories import wav_bytes

SR = 8000


def _encode(y, sr=SR, fmt="WAV", subtype=None) -> bytes:
    return wav_bytes(y, sr, fmt=fmt, subtype=subtype)


def _tone(seconds=1.0, sr=SR, amp=0.5, channels=1):
    t = np.arange(int(seconds * sr)) / sr
    y = amp * np.sin(2 * np.pi * 440 * t) * (1 + 0.3 * np.sin(2 * np.pi * 3 * t))
    return np.repeat(y[:, None], channels, axis=1) if channels > 1 else y


def _wav_header_only(frames_claimed: int, sr: int = SR) -> bytes:
    data_bytes = frames_claimed * 2
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, 1, 1, sr, sr * 2, 2, 16) + b"data" + struct.pack("<I", data_bytes))


def audio_cases() -> list[tuple[str, bytes, str]]:
    rng = np.random.default_rng(7)
    good = _encode(_tone())
    nan = _tone().astype(np.float32)
    nan[1000:1010] = np.nan
    inf = _tone().astype(np.float32)
    inf[500] = np.inf
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
    return [
        ("zero_bytes.wav", b"", "error"),
        ("text.wav", b"Dear diary, today I recorded nothing.\n" * 20, "error"),
        ("image.wav", png, "error"),
        ("image.png.mp3", png, "error"),
        ("html.ogg", b"<html><script>alert('x')</script></html>" * 10, "error"),
        ("truncated_header.wav", good[:30], "error"),
        ("header_only.wav", _wav_header_only(8000), "error"),
        ("cut_in_half.wav", good[: len(good) // 2], "ok"),
        ("nan_samples.wav", _encode(nan, subtype="FLOAT"), "error"),
        ("inf_samples.wav", _encode(inf, subtype="FLOAT"), "error"),
        ("six_channels_96k.wav", _encode(_tone(1.0, 96000, channels=6), 96000, subtype="PCM_16"), "ok"),
        ("few_samples.wav", _encode(_tone(0.001)), "error"),
        ("one_sample.wav", _encode(np.array([0.5])), "error"),
        ("silence.wav", _encode(np.zeros(SR)), "error"),
        ("clipping.wav", _encode(np.sign(_tone()) * 1.0), "ok"),
        ("too_long.wav", _encode(np.zeros(SR * 40, np.int16) + 100, subtype="PCM_16"), "error"),
        ("random_bytes.mp3", rng.bytes(20000), "error"),
        ("random_bytes.flac", rng.bytes(5000), "error"),
        ("random_bytes.wav", rng.bytes(5000), "error"),
        ("valid.mp3", _encode(_tone(1.0, 16000), 16000, "MP3"), "ok"),
        ("valid.ogg", _encode(_tone(1.0, 16000), 16000, "OGG", "VORBIS"), "ok"),
        ("valid.flac", _encode(_tone(), fmt="FLAC"), "ok"),
        ("unsigned_8bit.wav", _encode(_tone(), subtype="PCM_U8"), "ok"),
        ("pcm24_48k.wav", _encode(_tone(1.0, 48000), 48000, subtype="PCM_24"), "ok"),
        ("loud_float.wav", _encode(_tone(amp=50.0).astype(np.float32), subtype="FLOAT"), "ok"),
        ("dc_offset.wav", _encode(np.full(SR, 0.5)), "ok"),
        ("<b>markup</b>_name.wav", good, "ok"),
        ("tiny_rate.wav", _encode(_tone(1.0, 100), 100), "error"),
        ("noise_only.wav", _encode(0.3 * rng.standard_normal(SR)), "ok"),
        ("stereo_opposite_phase.wav", _encode(np.stack([_tone(), -_tone()], 1)), "error"),
    ]
