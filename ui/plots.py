"""Plotly figures shared by the pages, sized and lettered for a projector."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from audioml.spectral import SpectrogramImage

FONT = dict(size=16)
HEIGHT = 320


def _layout(fig: go.Figure, *, title: str = "", height: int = HEIGHT, **kwargs) -> go.Figure:
    fig.update_layout(title=dict(text=title, font=dict(size=18)), height=height, font=FONT,
                      margin=dict(l=60, r=20, t=50 if title else 20, b=50), **kwargs)
    return fig


def _decimate(t: np.ndarray, y: np.ndarray, max_points: int = 6000):
    """Keep plots light: min/max envelope of long signals, so peaks still show."""
    if len(y) <= max_points:
        return t, y
    step = int(np.ceil(len(y) / (max_points // 2)))
    n = len(y) // step * step
    blocks = y[:n].reshape(-1, step)
    tb = t[:n].reshape(-1, step)[:, 0]
    return np.repeat(tb, 2), np.column_stack([blocks.min(1), blocks.max(1)]).ravel()


def waveform(y: np.ndarray, sr: int, *, title: str = "Waveform", highlight: tuple[float, float] | None = None,
             window_curve: tuple[np.ndarray, np.ndarray] | None = None) -> go.Figure:
    """Amplitude against time (s); optionally shade one frame and draw the window over it."""
    t, v = _decimate(np.arange(len(y)) / sr, np.asarray(y))
    fig = go.Figure(go.Scattergl(x=t, y=v, mode="lines", line=dict(width=1, color="#3b5bdb"), name="signal"))
    if highlight is not None:
        fig.add_vrect(x0=highlight[0], x1=highlight[1], fillcolor="#f59f00", opacity=0.2, line_width=0)
    if window_curve is not None:
        fig.add_trace(go.Scatter(x=window_curve[0], y=window_curve[1], mode="lines",
                                 line=dict(color="#e8590c", width=2), name="window w(n − mH)"))
    fig.update_xaxes(title="time (s)")
    fig.update_yaxes(title="amplitude")
    return _layout(fig, title=title, showlegend=window_curve is not None)


def frame_plot(samples: np.ndarray, windowed: np.ndarray, sr: int, *, title: str) -> go.Figure:
    """One frame before (grey) and after (colour) multiplying by the window; x in ms."""
    ms = np.arange(len(samples)) / sr * 1000
    fig = go.Figure([
        go.Scatter(x=ms, y=samples, mode="lines", line=dict(color="#adb5bd", width=1), name="frame"),
        go.Scatter(x=ms, y=windowed, mode="lines", line=dict(color="#e8590c", width=2), name="× window"),
    ])
    fig.update_xaxes(title="time within the frame (ms)")
    return _layout(fig, title=title, legend=dict(orientation="h", y=-0.3))


def spectrum_plot(freqs: np.ndarray, magnitude: np.ndarray, *, title: str, db: bool = True,
                  ref: float | None = None, ref_label: str = "clip's peak") -> go.Figure:
    """|DFT| of one frame against frequency (Hz), linear or in dB re *ref*.

    Pass the whole clip's peak magnitude as *ref* (``spectral.frame_peaks(...).max()``) so a
    silent frame is drawn at the -100 dB floor; without it the frame's own peak is 0 dB.
    """
    if db:
        top = max(float(magnitude.max()) if ref is None else float(ref), 1e-5)
        v = np.maximum(20 * np.log10(np.maximum(magnitude, 1e-5) / top), -100.0)
    else:
        v = magnitude
    fig = go.Figure(go.Scatter(x=freqs, y=v, mode="lines", line=dict(color="#2b8a3e", width=2)))
    fig.update_xaxes(title="frequency (Hz)")
    label = "dB re " + (ref_label if ref is not None else "this frame's peak")
    fig.update_yaxes(title=label if db else "|X̂ₖ|", range=[-105, 5] if db else None)
    return _layout(fig, title=title)


def spectrogram(image: SpectrogramImage, *, title: str = "", zmin: float | None = None,
                zmax: float | None = None, mark_time: float | None = None,
                height: int = 380, colorscale: str = "Viridis") -> go.Figure:
    """Heatmap of a :class:`SpectrogramImage`: time (s) across, frequency (Hz) up."""
    fig = go.Figure(go.Heatmap(
        z=image.z, x=image.times, y=image.freqs, colorscale=colorscale, zmin=zmin, zmax=zmax,
        colorbar=dict(title=image.unit),
        hovertemplate="t = %{x:.3f} s<br>f = %{y:.0f} Hz<br>%{z:.1f}<extra></extra>"))
    if mark_time is not None:
        fig.add_vline(x=mark_time, line=dict(color="#4dabf7", width=3))
    fig.update_xaxes(title="time (s)")
    fig.update_yaxes(title="frequency (Hz)" + (" — mel bands" if image.scale == "mel" else ""),
                     type="log" if image.scale == "log" else "linear")
    return _layout(fig, title=title, height=height)


def convergence(history: list[float], *, title: str = "Spectral convergence per iteration") -> go.Figure:
    """Griffin-Lim's || |STFT(y)| − M || / ||M|| against iteration, log scale."""
    fig = go.Figure(go.Scatter(x=np.arange(1, len(history) + 1), y=history, mode="lines+markers",
                               line=dict(color="#3b5bdb", width=2), marker=dict(size=5)))
    fig.update_xaxes(title="iteration")
    fig.update_yaxes(title="spectral convergence", type="log", dtick="D2")
    return _layout(fig, title=title)
