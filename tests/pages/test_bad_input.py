"""The malformed-input corpus through the pages: an error box or a result, never an exception."""

from __future__ import annotations

from tests.support.corpus import audio_cases

CASES = audio_cases()


def test_spectrogram_page_upload(open_page):
    """Every case uploaded to the spectrogram page: an error box or a spectrogram, never an exception."""
    at = open_page("pages/1_spectrogram.py")
    at.radio(key="stft_source").set_value("Upload a file").run()
    for name, data, expected in CASES:
        at.file_uploader(key="stft_upload").upload(name, data, "application/octet-stream").run()
        assert not at.exception, name
        if expected == "error":
            assert at.error, name
            assert "<" not in at.error[0].value, "user text must reach the page escaped"
        else:
            assert not at.error, (name, at.error[0].value if at.error else "")
            assert any("samples at 16000 Hz" in c.value for c in at.caption), name


def test_melody_seed_too_long(open_page):
    at = open_page("pages/4_melody.py")
    at.radio(key="melody_seed_source").set_value("Symbols I type").run()
    at.text_input(key="melody_seed_text").set_value("60 " * 3000).run()
    assert not at.exception
    assert at.error and "too long" in at.error[0].value
