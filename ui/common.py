"""Small pieces every page uses: error display, audio inputs, audio players, lasting widget state."""

from __future__ import annotations

import contextlib
import html
import math

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitAPIException

from audioml.audio import EXTENSIONS, FORMATS, MAX_SECONDS, load_audio, to_wav_bytes
from audioml.errors import AudioMLError

UPLOAD_TYPES = list(EXTENSIONS)


def upload_label(noun: str = "Audio file", *, max_seconds: float = MAX_SECONDS) -> str:
    """An upload widget's label naming the accepted formats and the length limit, from
    :mod:`audioml.audio` (``FORMATS``, ``MAX_SECONDS``): "Audio file (WAV, ...; up to 30 s)"."""
    return f"{noun} ({', '.join(FORMATS)}; up to {max_seconds:g} s)"


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
    if len(y) < sr:   # the browser's player counts whole seconds: a 0.55 s clip reads "0:00 / 0:00"
        st.caption(f"{len(y) / sr:.2f} s")


def read_upload(uploaded, *, sr: int | None = None, allow_silent: bool = False):
    """Decode an ``st.file_uploader``/``st.audio_input`` value; errors become page messages."""
    with user_errors():
        return load_audio(uploaded, sr=sr, allow_silent=allow_silent)


def persistent(key: str, *, bookmark: bool = True) -> dict:
    """Widget keyword arguments that keep the widget's value through runs that do not draw it,
    and, with *bookmark*, keep it in the page's URL.

    Streamlit forgets a widget's state after a run that does not draw it (the page stopped
    early at ``st.stop()``, a tab or branch was skipped): next time the widget shows its
    default while the script may still be given the old value. This is Streamlit's documented
    remedy: every change is copied to a second session-state key, which is copied back
    before the widget is drawn again. Use it as ``st.slider(..., **persistent("my_key"))``;
    it sets ``key``, ``on_change`` and ``bind``, so pass none of them yourself.

    A bookmarked widget (the default: a lesson's settings) is bound to a query parameter named
    by its key, whose value is the option as the widget shows it (``?stft_nfft=1024&
    stft_window=hann``): a change rewrites the address bar without reloading the page, and a
    shared link or a reload opens the page set up as it says, in the same single script run.
    Streamlit does the checking: a value the widget does not offer (an unknown option, a
    number out of range, garbage) is dropped from the URL and the widget keeps its default; a
    value is only ever compared with the widget's options or parsed as a number, never run or
    shown as HTML. Defaults stay out of the URL, and a page switch drops the parameters bound
    to the page left behind. Pass ``bookmark=False`` for what a link should not carry.
    """
    shadow = f"_persistent_{key}"
    if shadow in st.session_state:
        # Set on every run, not only when the key is missing: after a run that did not draw the
        # widget the server may still hold its value while the browser has forgotten it.
        st.session_state[key] = st.session_state[shadow]

    def remember() -> None:
        st.session_state[shadow] = st.session_state[key]

    if bookmark and not _finite_or_text(st.query_params.get(key)):
        # Streamlit 1.67 checks a whole-number input's URL value only after int(), which raises
        # on "inf" (or "1e999"): such a value is dropped here, and the widget is drawn unbound
        # this once (later runs start from its value in the browser, not from the URL).
        with contextlib.suppress(KeyError, StreamlitAPIException):
            del st.query_params[key]
        bookmark = False
    return {"key": key, "on_change": remember} | ({"bind": "query-params"} if bookmark else {})


def _finite_or_text(value: str | None) -> bool:
    """Whether a URL value is anything but a number that is not finite ("inf", "-1e999", "nan")."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return True
