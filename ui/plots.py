"""Plotly figures shared by the pages, sized and lettered for a projector."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from audioml.spectral import SpectrogramImage, hz_to_mel

FONT = dict(size=16)
HEIGHT = 320


#: The toolbar (modebar) Streamlit shows on hover takes the top ~30 px of a chart.
MODEBAR_PX = 32


def title_layout(text: str, *, size: int = 18) -> tuple[dict, int]:
    """A chart title that the hover toolbar never covers, and the top margin it needs.

    The title sits just above the plotting area, left-aligned, below a strip kept free
    for the toolbar, so a long title or a narrow (phone) screen cannot put them on each other.
    """
    if not text:
        return dict(text=""), MODEBAR_PX
    title = dict(text=text, font=dict(size=size), x=0, xref="container", xanchor="left",
                 y=1, yref="paper", yanchor="bottom", pad=dict(l=10, b=10))
    return title, MODEBAR_PX + size + 22


def _layout(fig: go.Figure, *, title: str = "", height: int = HEIGHT, **kwargs) -> go.Figure:
    title_dict, top = title_layout(title)
    fig.update_layout(title=title_dict, height=height + top - 50, font=FONT,
                      margin=dict(l=60, r=20, t=top, b=50), **kwargs)
    return fig


#: Tick values of a logarithmic frequency axis, in Hz.
FREQ_TICKS = (20, 50, 100, 200, 500, 1000, 2000, 4000, 8000, 16000)


def _decades(lo: float, hi: float, mantissas: tuple[float, ...]) -> list[float]:
    ticks = []
    for e in range(int(np.floor(np.log10(lo))), int(np.floor(np.log10(hi))) + 1):
        ticks += [float(f"{m * 10.0 ** e:.6g}") for m in mantissas]
    return [t for t in ticks if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]


def log_ticks(lo: float, hi: float, *, max_ticks: int = 8) -> list[float]:
    """A few tick values a student can read on a log axis spanning [*lo*, *hi*] (both > 0).

    1, 2 and 5 of every decade; 1 of every decade (or of every other one) when that is too
    many; 1, 2, 3, 5 and then every digit when a narrow span holds fewer than three; the two
    ends, rounded, when even that holds fewer than two.
    """
    lo, hi = sorted((float(lo), float(hi)))
    ticks = _decades(lo, hi, (1, 2, 5))
    if len(ticks) > max_ticks:
        ticks = _decades(lo, hi, (1,))
        step = int(np.ceil(len(ticks) / max_ticks))
        ticks = ticks[::step]
    for mantissas in ((1, 2, 3, 5), tuple(range(1, 10))):
        if len(ticks) >= 3:
            break
        finer = _decades(lo, hi, mantissas)
        ticks = finer if len(finer) <= max_ticks else ticks
    if len(ticks) < 2:
        ticks = sorted({float(f"{lo:.2g}"), float(f"{hi:.2g}"), *ticks})
    return ticks


def hz_label(f: float) -> str:
    """50 -> "50", 1000 -> "1k", 2500 -> "2.5k"."""
    return f"{f / 1000:g}k" if f >= 1000 else f"{f:g}"


def number_label(v: float) -> str:
    """0.1 -> "0.1", 5e-05 -> "5e-5"."""
    text = f"{v:g}"
    return text.replace("e-0", "e-").replace("e+0", "e")


def log_axis(lo: float, hi: float, *, ticks: list[float] | None = None, label=number_label,
             pad: float = 1.0) -> dict:
    """Settings of a readable log axis over [*lo*, *hi*]: explicit ticks, no minor-tick labels.

    *ticks* default to :func:`log_ticks`; *pad* > 1 widens the shown range by that factor at
    both ends (bars need room below their smallest value).
    """
    lo, hi = sorted((float(lo), float(hi)))
    shown = (lo / pad, hi * pad)
    values = [t for t in (ticks if ticks is not None else log_ticks(*shown))
              if shown[0] * (1 - 1e-9) <= t <= shown[1] * (1 + 1e-9)]
    axis = dict(type="log", tickmode="array", tickvals=values, ticktext=[label(v) for v in values],
                minor=dict(ticks="", showgrid=False))
    if pad != 1.0:
        axis["range"] = [float(np.log10(shown[0])), float(np.log10(shown[1]))]
    return axis


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
    # An SVG line: at most 6,000 points draw quickly, while each WebGL plot costs the browser a
    # graphics context (slow to make without a GPU, and browsers keep only a few per page).
    fig = go.Figure(go.Scatter(x=t, y=v, mode="lines", line=dict(width=1, color="#3b5bdb"), name="signal"))
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


#: Frequencies (Hz) labelled on a mel axis: round numbers, spread evenly in mel.
MEL_TICKS = (0, 250, 500, 1000, 2000, 4000, 8000, 16000)


def mel_axis(freqs: np.ndarray) -> dict:
    """Settings of a frequency axis in mel, for bands whose centres (Hz) are *freqs*, labelled in Hz.

    The axis runs from 0 Hz to the top filter's upper edge (the Nyquist frequency), one band
    spacing above the top centre, as the filters do.
    """
    mels = hz_to_mel(freqs)
    top = float(mels[-1] + (mels[-1] - mels[-2] if len(mels) > 1 else mels[-1]))
    ticks = [f for f in MEL_TICKS if hz_to_mel(f) <= top * (1 + 1e-6)]
    return dict(type="linear", tickmode="array", tickvals=[float(v) for v in hz_to_mel(ticks)],
                ticktext=[hz_label(f) for f in ticks], range=[0.0, top])


def spectrogram(image: SpectrogramImage, *, title: str = "", zmin: float | None = None,
                zmax: float | None = None, mark_time: float | None = None,
                height: int = 380, colorscale: str = "Viridis") -> go.Figure:
    """Heatmap of a :class:`SpectrogramImage`: time (s) across, frequency up.

    Linear bins on a linear (or log) axis in Hz; mel bands on a mel axis, where they are
    equally spaced as the filters are, labelled in Hz.
    """
    mel = image.scale == "mel"
    fig = go.Figure(go.Heatmap(
        z=image.z, x=image.times, y=hz_to_mel(image.freqs) if mel else image.freqs,
        colorscale=colorscale, zmin=zmin, zmax=zmax, colorbar=dict(title=image.unit),
        # On a mel axis y is in mel; the hover names the band by its centre in Hz.
        customdata=np.broadcast_to(image.freqs[:, None], image.z.shape) if mel else None,
        hovertemplate=f"t = %{{x:.3f}} s<br>f = %{{{'customdata' if mel else 'y'}:.0f}} Hz"
                      "<br>%{z:.1f}<extra></extra>"))
    if mark_time is not None:
        fig.add_vline(x=mark_time, line=dict(color="#4dabf7", width=3))
    fig.update_xaxes(title="time (s)")
    fig.update_yaxes(title="frequency (Hz), mel scale" if mel else "frequency (Hz)", type="linear")
    if mel and len(image.freqs):
        fig.update_yaxes(**mel_axis(image.freqs))
    if image.scale == "log" and len(image.freqs):
        fig.update_yaxes(**log_axis(image.freqs[0], image.freqs[-1], ticks=list(FREQ_TICKS), label=hz_label))
    return _layout(fig, title=title, height=height)


def convergence(history: list[float], *, title: str = "Spectral convergence per iteration") -> go.Figure:
    """Griffin-Lim's || |STFT(y)| − M || / ||M|| against iteration, log scale."""
    fig = go.Figure(go.Scatter(x=np.arange(1, len(history) + 1), y=history, mode="lines+markers",
                               line=dict(color="#3b5bdb", width=2), marker=dict(size=5)))
    fig.update_xaxes(title="iteration")
    values = [v for v in history if v > 0]
    fig.update_yaxes(title="spectral convergence",
                     **(log_axis(min(values), max(values)) if values else dict(type="log")))
    return _layout(fig, title=title)


#: What each per-epoch series of a card's ``history`` measures, as a chart names it.
HISTORY_LABELS = {"loss": "training loss", "mse": "training MSE", "si_sdr": "training SI-SDR (dB)",
                  "val_accuracy": "validation accuracy", "val_onset_accuracy": "validation onset accuracy",
                  "val_nll": "validation NLL (nats)"}


def history_series(card: dict) -> tuple[dict[str, list[float]], list[int]]:
    """A card's per-epoch curves, with a staged training's stages one after another.

    Returns ``(series, starts)``: each series of :data:`HISTORY_LABELS` that the card's
    ``history`` (or each of its ``stages``' histories, in order) holds, a series equal to one
    already kept left out (a loss that is the MSE), and the epoch at which each stage after the
    first starts. Empty when the card keeps no history.
    """
    parts = [s.get("history") or {} for s in card.get("stages", [])] or [card.get("history") or {}]
    series: dict[str, list[float]] = {}
    starts, done = [], 0
    for i, history in enumerate(parts):
        lengths = [len(history[k]) for k in HISTORY_LABELS if isinstance(history.get(k), list)]
        if not lengths:
            continue
        if i and done:
            starts.append(done)
        for key in HISTORY_LABELS:
            values = history.get(key)
            if isinstance(values, list) and len(values) == max(lengths):
                series.setdefault(key, [float("nan")] * done)
                series[key] += [float(v) for v in values]
        done += max(lengths)
        for values in series.values():
            values += [float("nan")] * (done - len(values))
    kept: dict[str, list[float]] = {}
    for key, values in series.items():
        if not any(values == other for other in kept.values()):
            kept[key] = values
    return kept, starts


def training_curves(card: dict, *, title: str = "How it learned, epoch by epoch") -> go.Figure | None:
    """The card's :func:`history_series`, one panel per series, stage starts marked; None
    when the card keeps no history (a model trained elsewhere)."""
    from plotly.subplots import make_subplots

    series, starts = history_series(card)
    if not series:
        return None
    fig = make_subplots(rows=len(series), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=[HISTORY_LABELS[k] for k in series])
    for row, values in enumerate(series.values(), start=1):
        fig.add_trace(go.Scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines",
                                 showlegend=False, hovertemplate="epoch %{x}: %{y:.4g}<extra></extra>"),
                      row=row, col=1)
        for start in starts:
            fig.add_vline(x=start + 0.5, line=dict(color="#adb5bd", dash="dot", width=1), row=row, col=1)
    fig.update_xaxes(title_text="epoch" + (" (dotted: a new training stage)" if starts else ""),
                     row=len(series), col=1)
    fig.update_annotations(font=dict(size=14))
    fig.update_xaxes(showticklabels=True)   # every panel read on its own, on a projector too
    fig = _layout(fig, title=title, height=170 * len(series) + 60)
    # The first panel's own title sits where the chart's would: lift the chart's above it.
    fig.update_layout(title_pad_b=34, margin_t=fig.layout.margin.t + 24)
    return fig
