"""Audio I/O: every format we promise decodes; everything unusable is refused with AudioMLError."""

import io

import numpy as np
import pytest
import soundfile as sf

from audioml.audio import MAX_SECONDS, check_audio, fix_length, load_audio, to_wav_bytes
from audioml.errors import AudioMLError
from audioml.examples import EXAMPLES, load_example


def encode(y, sr, fmt, subtype=None):
    buf = io.BytesIO()
    sf.write(buf, y, sr, format=fmt, subtype=subtype)
    return buf.getvalue()


@pytest.fixture
def tone():
    t = np.arange(16000) / 16000
    return (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.mark.parametrize("fmt,subtype", [("WAV", "PCM_16"), ("WAV", "FLOAT"), ("FLAC", None),
                                         ("OGG", "VORBIS"), ("MP3", None), ("AIFF", None)])
def test_formats_decode(tone, fmt, subtype):
    y, sr = load_audio(encode(tone, 16000, fmt, subtype))
    assert sr == 16000 and y.dtype == np.float32
    assert abs(len(y) - len(tone)) < 2000  # MP3 adds encoder delay
    assert 0.3 < np.max(np.abs(y)) < 0.7


def test_stereo_mixes_down_and_resamples(tone):
    stereo = np.stack([tone, -tone * 0 + tone], axis=1)
    y, sr = load_audio(encode(stereo, 16000, "WAV"), sr=8000)
    assert sr == 8000 and y.ndim == 1 and abs(len(y) - 8000) <= 1


def test_six_channels_at_96k():
    y6 = np.random.default_rng(0).uniform(-0.5, 0.5, (9600, 6)).astype(np.float32)
    y, sr = load_audio(encode(y6, 96000, "WAV", "FLOAT"), sr=8000)
    assert sr == 8000 and y.ndim == 1 and len(y) == 800


def test_path_and_file_like(tmp_path, tone):
    path = tmp_path / "tone.wav"
    sf.write(path, tone, 16000)
    assert len(load_audio(path)[0]) == 16000
    assert len(load_audio(io.BytesIO(path.read_bytes()))[0]) == 16000


@pytest.mark.parametrize("data,match", [
    (b"", "empty"),
    (b"this is plain text, not sound" * 10, "could not read"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "could not read"),
    (np.random.default_rng(0).bytes(5000), "could not read"),
])
def test_unreadable_bytes(data, match):
    with pytest.raises(AudioMLError, match=match):
        load_audio(data)


def test_truncated_header(tone):
    with pytest.raises(AudioMLError):
        load_audio(encode(tone, 16000, "WAV")[:30])


def test_missing_path_and_directory(tmp_path):
    with pytest.raises(AudioMLError, match="no such file"):
        load_audio(tmp_path / "nope.wav")
    with pytest.raises(AudioMLError, match="folder"):
        load_audio(tmp_path)


def test_too_long_is_refused_from_the_header():
    long = np.zeros(int(8000 * (MAX_SECONDS + 5)), dtype=np.int16)
    with pytest.raises(AudioMLError, match="limit"):
        load_audio(encode(long, 8000, "WAV", "PCM_16"))


def test_too_short_silent_and_nonfinite():
    with pytest.raises(AudioMLError, match="too short"):
        load_audio(encode(np.full(20, 0.1, np.float32), 8000, "WAV"))
    silence = encode(np.zeros(8000, np.float32), 8000, "WAV")
    assert load_audio(silence)[0].max() == 0
    with pytest.raises(AudioMLError, match="silent"):
        load_audio(silence, allow_silent=False)
    bad = np.full(8000, 0.1, np.float32)
    bad[100] = np.nan
    with pytest.raises(AudioMLError, match="NaN"):
        load_audio(encode(bad, 8000, "WAV", "FLOAT"))


def test_check_audio_shape_and_rate():
    with pytest.raises(AudioMLError, match="mono"):
        check_audio(np.zeros((2, 8000)), 8000)
    with pytest.raises(AudioMLError, match="sample rate"):
        check_audio(np.zeros(8000), 12.5)


def test_wav_bytes_keep_loudness(tone):
    y, _ = load_audio(to_wav_bytes(0.1 * tone, 16000))
    assert np.max(np.abs(y)) == pytest.approx(0.05, abs=1e-3)  # not normalised to full scale


def test_fix_length():
    assert len(fix_length(np.ones(10), 4)) == 4
    padded = fix_length(np.ones(3), 5)
    assert padded.tolist() == [1, 1, 1, 0, 0]


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_shipped_examples_load(name):
    y, sr = load_example(name, sr=8000)
    assert sr == 8000 and len(y) > 0.3 * sr and np.max(np.abs(y)) > 0.3


def test_the_size_limit_is_stated_as_streamlit_counts_it():
    """20 MB in the messages, the README and Streamlit's maxUploadSize (MB of 2**20 bytes);
    the messages once said "21 MB" by counting MB of 10**6 bytes."""
    import re

    from audioml.audio import MAX_BYTES, MAX_MB
    from audioml.paths import PROJECT_ROOT

    config = (PROJECT_ROOT / ".streamlit" / "config.toml").read_text()
    assert int(re.search(r"maxUploadSize\s*=\s*(\d+)", config).group(1)) == MAX_MB == 20
    with pytest.raises(AudioMLError, match="larger than the 20 MB limit"):
        load_audio(b"\0" * (MAX_BYTES + 1))
