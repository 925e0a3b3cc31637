"""Streamlit helpers for the melody page: cached data, the score, and plotly figures."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from audioml.melody import analysis, corpus
from audioml.paths import MODELS_DIR

#: The LSTM's equations, typeset beside the step-through (Keras' gate order i, f, c, o).
LSTM_EQUATIONS = [
    r"i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i)",
    r"f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f)",
    r"o_t = \sigma(W_o x_t + U_o h_{t-1} + b_o)",
    r"\tilde c_t = \tanh(W_c x_t + U_c h_{t-1} + b_c)",
    r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t",
    r"h_t = o_t \odot \tanh(c_t)",
    r"p(s_{t+1}) = \operatorname{softmax}(V h_t + d)",
    r"p_T(s) = \frac{p(s)^{1/T}}{\sum_{s'} p(s')^{1/T}}",
]


@st.cache_resource(show_spinner=False)
def training_stats(name: str):
    """The shipped model's training histograms and copy index (read-only; shared by sessions)."""
    return analysis.load_training_stats(MODELS_DIR, name)


@st.cache_data(show_spinner=False)
def bundled_tunes() -> list[tuple[int, str]]:
    """Tunes of music21's bundled Essen ABC file offered as seeds."""
    return corpus.bundled_tunes()


@st.cache_data(show_spinner="Reading the song…")
def bundled_tune(number: int):
    return corpus.read_bundled_tune(number)


@st.cache_data(show_spinner="Reading the song…", max_entries=8)
def uploaded_song(data: bytes, name: str):
    return corpus.read_song(data, name)


def show_score(svg: str) -> None:
    """Show Verovio's SVG as a picture (``st.html`` would strip inline SVG)."""
    start = svg.find("<svg")
    st.image(svg[start:] if start > 0 else svg, width="stretch")


def candidates_figure(record: dict) -> go.Figure:
    """Top candidates of one step, before and after temperature, as grouped bars."""
    before = dict(record["top_before"])
    after = dict(record["top_after"])
    symbols = list(dict.fromkeys([s for s, _ in record["top_before"]] + [s for s, _ in record["top_after"]]))
    names = [_label(s) for s in symbols]
    fig = go.Figure([
        go.Bar(name="as trained (T = 1)", x=names, y=[before.get(s, 0.0) for s in symbols]),
        go.Bar(name="after temperature", x=names, y=[after.get(s, 0.0) for s in symbols]),
    ])
    fig.update_layout(barmode="group", height=300, margin=dict(l=10, r=10, t=30, b=10),
                      yaxis_title="probability",
                      title=f"step {record['step']}: chose {_label(record['chosen'])}"
                            + (" (the end was refused: not on the tonic)" if record.get("end_refused") else ""))
    return fig


def _label(symbol: str) -> str:
    names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"]
    if symbol.isdigit():
        p = int(symbol)
        return f"{symbol} ({names[p % 12]}{p // 12 - 1})"
    return {"_": "_ (hold)", "r": "r (rest)", "/": "/ (end)"}.get(symbol, symbol)


def gates_figure(trace) -> go.Figure:
    """Mean gate activations of the last LSTM layer over the generated steps."""
    steps = [r["step"] for r in trace if "gates" in r]
    fig = go.Figure()
    for gate in ("input", "forget", "output"):
        fig.add_scatter(x=steps, y=[r["gates"][gate] for r in trace if "gates" in r], name=f"{gate} gate",
                        mode="lines")
    fig.update_layout(height=260, margin=dict(l=10, r=10, t=30, b=10), xaxis_title="step",
                      yaxis_title="mean activation", yaxis_range=[0, 1], title="Gate activity")
    return fig


def histogram_figure(generated: dict, training: dict | None, *, title: str, label) -> go.Figure:
    """Shares of the melody's notes against the training songs' (pitch or duration)."""
    keys = sorted(set(generated) | set(training or {}))
    fig = go.Figure([go.Bar(name="this melody", x=[label(k) for k in keys],
                            y=[generated.get(k, 0.0) for k in keys])])
    if training:
        fig.add_bar(name="training songs", x=[label(k) for k in keys], y=[training.get(k, 0.0) for k in keys])
    fig.update_layout(barmode="group", height=280, margin=dict(l=10, r=10, t=30, b=10), title=title,
                      yaxis_title="share of notes")
    return fig


def pitch_label(p: int) -> str:
    return _label(str(p))


def duration_label(d: int) -> str:
    names = {1: "16th", 2: "8th", 3: "dotted 8th", 4: "quarter", 6: "dotted quarter", 8: "half",
             12: "dotted half", 16: "whole"}
    return names.get(d, f"{d}/16")


def drops_figure(counts: dict) -> go.Figure:
    """Songs kept and dropped by reason."""
    # The reasons users most need to see are listed even when nothing was dropped for them.
    dropped = {corpus.DROP_DURATION: 0, corpus.DROP_POLYPHONY: 0, corpus.DROP_NO_KEY: 0,
               **counts.get("dropped", {})}
    labels = ["kept"] + list(dropped)
    values = [counts.get("songs_kept", 0)] + list(dropped.values())
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", text=values, textposition="outside",
                           cliponaxis=False))
    fig.update_layout(height=60 + 40 * len(labels), margin=dict(l=10, r=10, t=10, b=10), xaxis_title="songs",
                      yaxis=dict(autorange="reversed"))
    return fig
