"""Small pieces every page uses: error display, audio inputs, audio players."""

from __future__ import annotations

import contextlib
import html

import numpy as np
import streamlit as st

from audioml.audio import load_audio, to_wav_bytes
from audioml.errors import AudioMLError

UPLOAD_TYPES = ["wav", "flac", "ogg", "mp3", "aiff", "aif"]


@contextlib.contextmanager
def user_errors():
    """Show an :class:`AudioMLError` as a clear message and stop the page, never a traceback."""
    try:
        yield
    except AudioMLError as err:
        # Messages may quote user text (file names): shown escaped, never as Markdown or HTML.
        st.error(safe_text(str(err), limit=500), icon="⚠️")
        st.stop()


def safe_text(text: str, limit: int = 200) -> str:
    """User-supplied text (file names, titles) made safe for Markdown: escaped and shortened."""
    text = " ".join(str(text).split())[:limit]
    return html.escape(text).replace("*", "\\*").replace("_", "\\_").replace("`", "\\`") \
        .replace("[", "\\[").replace("]", "\\]").replace("$", "\\$")


def audio_player(y: np.ndarray, sr: int, *, label: str | None = None) -> None:
    """Play *y* at its true loudness (WAV bytes, not an array that Streamlit would normalise)."""
    if label:
        st.caption(label)
    st.audio(to_wav_bytes(y, sr), format="audio/wav")


def read_upload(uploaded, *, sr: int | None = None, allow_silent: bool = False):
    """Decode an ``st.file_uploader``/``st.audio_input`` value; errors become page messages."""
    with user_errors():
        return load_audio(uploaded, sr=sr, allow_silent=allow_silent)
