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
#: A drawn spectrogram has at most this many cells (bins x frames): a 30 s upload at 44.1 kHz
#: with N = 64 and H = 8 has 165,376 frames, 5.5 million cells, 33 MB of chart that stalls the
#: browser for half a minute; its frames are pooled instead. Below the cap every frame is
#: drawn, so zooming into the chart still shows what the hop does.
MAX_CELLS = 500_000


@st.cache_data(show_spinner=False, max_entries=32)
def synthetic(name: str, sr: int, duration: float) -> np.ndarray:
    return make_signal(name, sr, duration)


@st.cache_data(show_spinner=False, max_entries=16)
def example(name: str, sr: int) -> np.ndarray:
    return load_example(name, sr=sr)[0]


def drawn_frames(n_fft: int) -> int:
    """Frames a spectrogram of frame size *n_fft* is drawn with at most."""
    return max(1, MAX_CELLS // (n_fft // 2 + 1))


@st.cache_data(show_spinner=False, max_entries=32)
def spectrogram(_y: np.ndarray, signal_id: str, sr: int, *, n_fft: int, hop: int, window: str,
                db: bool = True, scale: str = "linear") -> spectral.SpectrogramImage:
    """The spectrogram to draw of the signal *signal_id* (a digest of *_y* at *sr*), its
    frames pooled past :func:`drawn_frames`."""
    return spectral.spectrogram_image(_y, sr, n_fft=n_fft, hop_length=hop, window=window, db=db,
                                      scale=scale, max_frames=drawn_frames(n_fft))


def pooling_note(image: spectral.SpectrogramImage, n_samples: int, *, n_fft: int, hop: int) -> str | None:
    """A sentence saying that *image*'s frames were pooled, and how; None when they were not."""
    frames = 1 + n_samples // hop
    drawn = image.z.shape[1]
    if drawn >= frames:
        return None
    group = -(-frames // drawn_frames(n_fft))
    return (f"The {frames:,} frames are drawn as {drawn:,} columns, each the RMS of {group} neighbouring "
            f"frames (their energy is kept), so the browser draws {image.z.size:,} cells rather than "
            f"{frames * image.z.shape[0]:,}.")


@st.cache_data(show_spinner="Running Griffin–Lim…", max_entries=16)
def griffin_lim(y: np.ndarray, n_fft: int, hop: int, window: str, n_iter: int, momentum: float):
    magnitude = np.abs(spectral.stft(y, n_fft=n_fft, hop_length=hop, window=window))
    return spectral.griffin_lim(magnitude, hop_length=hop, window=window, n_iter=n_iter,
                                momentum=momentum, length=len(y), return_history=True)


def signal_input(sr: int) -> tuple[np.ndarray, str] | None:
    """The source widgets; returns (signal at *sr*, description) or None while waiting for input."""
    source = st.radio("Signal", SOURCES, horizontal=True, **persistent("stft_source"))
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
