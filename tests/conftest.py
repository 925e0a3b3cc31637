"""Shared fixtures: generated speech, the real-data folders, and a clean Streamlit cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SHARED_DATA = ROOT.parent / "shared" / "data"


def speak(text: str, sr: int = 8000, voice: str = "en-us", speed: int = 140) -> np.ndarray:
    """Synthesise *text* with espeak-ng, resampled by sox to *sr* Hz mono; float32 in [-1, 1]."""
    import soundfile as sf

    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox are needed to generate speech (apt-get install espeak-ng sox)")
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"audioml_speech_{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    raw, out = tmp / "raw.wav", tmp / f"speech_{abs(hash((text, sr, voice, speed)))}.wav"
    if not out.exists():
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True)
        subprocess.run(["sox", str(raw), "-r", str(sr), "-c", "1", "-b", "16", str(out), "norm", "-3"],
                       check=True)
    y, _ = sf.read(out, dtype="float32")
    return y


@pytest.fixture(scope="session")
def speech():
    """A function ``speech(text, sr=8000, voice="en-us")`` returning generated speech."""
    return speak


def shared_data(name: str) -> Path:
    """The real dataset folder ../shared/data/<name>, or skip the test with a reason."""
    path = Path(os.environ.get("AUDIOML_DATA", SHARED_DATA)) / name
    if not path.is_dir():
        pytest.skip(f"real {name} data not found at {path}")
    return path


def open_page(path: str, *, timeout: float = 120):
    """*path* (from the repository root) run once in Streamlit's AppTest; fails on any exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Each test starts with empty Streamlit caches (models, data)."""
    yield
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_resource.clear()
        st.cache_data.clear()
