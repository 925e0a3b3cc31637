"""Cached computations and inputs for the spectrogram page."""

from __future__ import annotations

import numpy as np
import streamlit as st

from audioml import spectral
from audioml.examples import EXAMPLES, load_example
from audioml.signals import SIGNALS, make_signal
from audioml.audio import MAX_SECONDS
from ui import plots
from ui.common import UPLOAD_TYPES, persistent, read_upload, upload_label

SOURCES = ("Synthetic", "Spoken example", "Upload a file", "Record")
#: The phase demo runs on at most this many seconds, so Griffin-Lim stays interactive.
PHASE_SECONDS = 4.0


@st.cache_data(show_spinner=False, max_entries=32)
def synthetic(name: str, sr: int, duration: float) -> np.ndarray:
    return make_signal(name, sr, duration)


@st.cache_data(show_spinner=False, max_entries=16)
def example(name: str, sr: int) -> np.ndarray:
    return load_example(name, sr=sr)[0]


@st.cache_data(show_spinner="Running Griffin–Lim…", max_entries=16)
def griffin_lim(y: np.ndarray, n_fft: int, hop: int, window: str, n_iter: int, momentum: float):
    magnitude = np.abs(spectral.stft(y, n_fft=n_fft, hop_length=hop, window=window))
    return spectral.griffin_lim(magnitude, hop_length=hop, window=window, n_iter=n_iter,
                                momentum=momentum, length=len(y), return_history=True)


def signal_input(sr: int) -> tuple[np.ndarray, str] | None:
    """The source widgets; returns (signal at *sr*, description) or None while waiting for input."""
    source = st.radio("Signal", SOURCES, horizontal=True, key="stft_source")
    if source == "Synthetic":
        c1, c2 = st.columns([2, 1])
        name = c1.selectbox("Synthetic signal", list(SIGNALS), index=1, **persistent("stft_synth"))
        duration = c2.slider("Duration (s)", 0.25, 4.0, 1.5, 0.25, **persistent("stft_duration"))
        return synthetic(name, sr, duration), name
    if source == "Spoken example":
        name = st.selectbox("Example clip", list(EXAMPLES), format_func=lambda k: EXAMPLES[k],
                            **persistent("stft_example"))
        return example(name, sr), f"spoken example: {EXAMPLES[name]}"
    if source == "Upload a file":
        uploaded = st.file_uploader(upload_label(), type=UPLOAD_TYPES, key="stft_upload")
    else:
        uploaded = st.audio_input(f"Record a few seconds (up to {MAX_SECONDS:g} s)", key="stft_record")
    if uploaded is None:
        st.info("Choose a file or record a clip to continue.")
        return None
    y, _ = read_upload(uploaded, sr=sr, allow_silent=False)
    return y, "your recording" if source == "Record" else "your upload"


def frame_in_context(y: np.ndarray, sr: int, m: int, *, n_fft: int, hop: int, window: str):
    """The waveform around frame *m* (two frames before it, three after), the frame shaded
    and its window, scaled to the clip's peak, drawn over it; time from the zoom's start."""
    starts = spectral.frame_starts(len(y), n_fft=n_fft, hop_length=hop)
    start = int(starts[m])
    lo, hi = max(0, start - 2 * n_fft), min(len(y), start + 3 * n_fft)
    zoom = y[lo:hi] if hi > lo else y
    peak = float(np.max(np.abs(y))) or 1.0
    fig = plots.waveform(zoom, sr, title=f"Frame {m}: samples {start}–{start + n_fft - 1}",
                         highlight=((start - lo) / sr, (start + n_fft - lo) / sr),
                         window_curve=((start - lo + np.arange(n_fft)) / sr,
                                       peak * spectral.get_window(window, n_fft)))
    fig.update_xaxes(title=f"time (s) from {lo / sr:.3f} s")
    return fig
