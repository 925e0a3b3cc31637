"""Shared fixtures: generated audio and speech, a fake FSDD, toy songs, real-data folders, pages.

Test modules take these as fixtures and import no other test module; the
builders behind them live in :mod:`tests.support.factories`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

# Studies and checkpoints the tests make go to a folder of their own, never to the project's
# runs/ (which holds real searches); set before audioml.paths is first imported, and passed on
# to the workers and servers the tests start.
os.environ["AUDIOML_RUNS"] = tempfile.mkdtemp(prefix="audioml-test-runs-")
atexit.register(shutil.rmtree, os.environ["AUDIOML_RUNS"], ignore_errors=True)

import pytest  # noqa: E402

from tests.support import factories  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def speech():
    """``speech(text, sr=8000, voice="en-us", speed=140)``: espeak-ng speech, float32 (skips without it)."""
    return factories.speak


@pytest.fixture(scope="session")
def wav_bytes():
    """``wav_bytes(y, sr=8000, fmt="WAV", subtype=None)``: an audio file's bytes in memory."""
    return factories.wav_bytes


@pytest.fixture(scope="session")
def make_fsdd():
    """``make_fsdd(folder, speakers=..., digits=..., takes=2, clip=None)``: an FSDD-shaped folder."""
    return factories.make_fsdd


@pytest.fixture(scope="session")
def make_realworld():
    """``make_realworld(folder)``: a realworld-shaped folder of speech-like sentences, noises, a room."""
    return factories.make_realworld


@pytest.fixture(scope="session")
def toy_songs():
    """``toy_songs(n=24, seed=0)``: short C major tunes in 4/4."""
    return factories.toy_songs


@pytest.fixture(scope="session")
def shared_data():
    """``shared_data(name)``: the real dataset folder ../shared/data/<name>, or skip with a reason."""

    def find(name: str) -> Path:
        path = Path(os.environ.get("AUDIOML_DATA", SHARED_DATA)) / name
        if not path.is_dir():
            pytest.skip(f"real {name} data not found at {path}")
        return path

    return find


@pytest.fixture(scope="session")
def open_page():
    """``open_page(path, timeout=120)``: run a page once in AppTest; fails on any exception."""
    from streamlit.testing.v1 import AppTest

    def run(path: str, *, timeout: float = 120):
        at = AppTest.from_file(str(ROOT / path), default_timeout=timeout).run()
        assert not at.exception, at.exception
        return at

    return run


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Each test starts with empty Streamlit caches (models, data)."""
    yield
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_resource.clear()
        st.cache_data.clear()
