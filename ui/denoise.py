"""Streamlit helpers and plotly figures for the denoising page.

The page works at the input's own rate (up to :data:`MAX_SR`): the clean, noisy
and denoised clips are compared sample for sample, and a wide-band upload is
heard, seen and downloaded with its whole band.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from audioml.audio import load_audio, resample
from audioml.denoising import SR
from audioml.denoising.evaluate import clip_scores
from audioml.denoising.features import PAPER_TRANSFORM
from audioml.errors import AudioMLError
from audioml.examples import EXAMPLES, load_example
from audioml.spectral import spectrogram_image
from ui.common import UPLOAD_TYPES, safe_text, user_errors

#: Longest clip the page takes, in seconds; longer uploads get a message, not a wait.
MAX_SECONDS = 20.0
#: Highest rate the page works at; a higher-rate upload is resampled to it.
MAX_SR = 48_000
#: Frames the spectrogram display draws at most, whatever the clip's length and rate.
MAX_FRAMES = 600
#: Colour scale of every spectrogram: dB re the loudest bin of the noisy clip.
DB_RANGE = (-80.0, 0.0)
SOURCES = ("Example clip", "Upload a file", "Record with the microphone")
FAMILY_NOTES = {
    "dcae": "**DCAE** (the method's deep convolutional autoencoder). Two conv blocks squeeze a "
            "0.55 s, 257 × 18 spectrogram image into a point of a 64-D latent space; the "
            "decoder paints a clean image back from that point alone. Nothing keeps the "
            "points of neighbouring inputs close: they spread out, and the paper sees the output "
            "saturate in patches (section 5 measures it on your clip). Trained on the random "
            "split; the held-out speaker's clips were partly in its training set.",
    "vae": "**VAE** (the method's variational autoencoder: 100 and 50 filters, kernel 3, "
           "stride 2, latent 64, loss 50000 · MSE + KL). Each input becomes a small Gaussian "
           "cloud in the latent space and the KL term pulls every cloud towards the standard "
           "normal, so codes stay packed near the origin and the decoder learns smooth, "
           "mid-range outputs. Trained on the random split, like the paper.",
    "masknet": "**Mask net** (ours). No bottleneck: a stack of dilated 1-D convolutions "
               "reads the noisy magnitude (every frequency bin at once, 2 s of context), a "
               "bidirectional GRU carries what it heard across the whole clip, and the net "
               "predicts how much of each time-frequency bin to keep; that gain is pressed "
               "down where the net is unsure (how hard was chosen on training voices). "
               "The noisy phase is kept, "
               "any length goes through in one pass, and it was trained on white, pink and "
               "brown noise and hum at −5 to 20 dB, on four of FSDD's five speakers: its "
               "test figures are on the fifth, a voice it never heard. It hears at 8 kHz, but "
               "its mask is carried onto the input's own spectrum, so a wide-band upload comes "
               "back wide-band (above 3.6 kHz each frame keeps the gain of its 2.5–3.6 kHz band).",
    "pretrained": "**Pretrained elsewhere.** Not trained here: its authors trained it on hundreds "
                  "of hours of many voices, languages, noises and rooms, at 48 kHz, and it runs "
                  "here from their compiled library with the weights inside. That is why it "
                  "copes with voices and noises our models never met; our models learned from "
                  "four speakers saying digits, on one CPU, and the figures below show what "
                  "that costs on real recordings.",
}


# --- input ----------------------------------------------------------------------------------

def choose_input() -> tuple[np.ndarray, int, str, bool] | None:
    """Widgets for the input clip.

    Returns ``(y, sr, description, is_example)`` (at the clip's own rate, at most
    :data:`MAX_SR`), or None while no upload or recording has arrived.
    """
    source = st.radio("Input", SOURCES, horizontal=True, key="dn_source")
    if source == SOURCES[0]:
        name = st.selectbox("Example", list(EXAMPLES), key="dn_example",
                            format_func=lambda k: f"{k}: {EXAMPLES[k]}")
        with user_errors():
            y, sr = load_example(name)
        return y, sr, f"example “{name}” (synthetic speech)", True
    if source == SOURCES[1]:
        upload = st.file_uploader("Audio file (WAV, FLAC, OGG, MP3, AIFF; up to 20 s)",
                                  type=UPLOAD_TYPES, key="dn_upload")
    else:
        upload = st.audio_input("Record a few words", key="dn_mic")
    if upload is None:
        return None
    name = getattr(upload, "name", "recording.wav")
    with user_errors():
        if source == SOURCES[1]:
            check_suffix(name)
        y, sr = load_audio(upload, max_seconds=MAX_SECONDS, allow_silent=False)
        if sr > MAX_SR:
            y, sr = resample(y, sr, MAX_SR), MAX_SR
    return y, sr, f"“{safe_text(name, 60)}”", False


def check_suffix(name: str) -> None:
    """Raise :class:`AudioMLError` unless *name* ends in an audio extension the page reads."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in UPLOAD_TYPES:
        raise AudioMLError(f"“{safe_text(name, 60)}” is not an audio file the page reads; choose a "
                           f"{', '.join(t.upper() for t in UPLOAD_TYPES)} file")


# --- figures --------------------------------------------------------------------------------

def spectrogram_grid(clips: dict[str, np.ndarray], sr: int, *, reference: np.ndarray) -> go.Figure:
    """Spectrograms of *clips* side by side on one colour scale (dB re *reference*'s peak bin).

    The frame is 512 samples at any rate, and the hop grows with the clip so that
    no panel draws more than :data:`MAX_FRAMES` frames.
    """
    n_fft = 512
    hop = max(n_fft // 8, -(-len(reference) // MAX_FRAMES))
    peak = float(spectrogram_image(reference, sr, n_fft=n_fft, hop_length=hop, db=False).z.max())
    fig = make_subplots(rows=1, cols=len(clips), shared_yaxes=True,
                        subplot_titles=[html.escape(k[:40]) for k in clips], horizontal_spacing=0.02)
    for i, (name, y) in enumerate(clips.items(), start=1):
        image = spectrogram_image(y, sr, n_fft=n_fft, hop_length=hop, ref=peak)
        fig.add_trace(go.Heatmap(z=np.maximum(image.z, DB_RANGE[0]), x=image.times, y=image.freqs,
                                 zmin=DB_RANGE[0], zmax=DB_RANGE[1], colorscale="Viridis",
                                 showscale=i == len(clips), colorbar=dict(title="dB"),
                                 hovertemplate="%{x:.2f} s, %{y:.0f} Hz: %{z:.0f} dB<extra></extra>"),
                      row=1, col=i)
        fig.update_xaxes(title_text="time (s)", row=1, col=i)
    fig.update_yaxes(title_text="frequency (Hz)", row=1, col=1)
    fig.update_layout(height=340, margin=dict(l=60, r=20, t=40, b=50))
    return fig


def image_grid(images: dict[str, np.ndarray], *, title: str = "") -> go.Figure:
    """[0, 1] spectrogram images (257 × 18) side by side on one scale; 1 = the clip's loudest."""
    fig = make_subplots(rows=1, cols=len(images), shared_yaxes=True,
                        subplot_titles=list(images), horizontal_spacing=0.03)
    freqs = np.fft.rfftfreq(PAPER_TRANSFORM.n_fft, 1 / SR)
    for i, image in enumerate(images.values(), start=1):
        fig.add_trace(go.Heatmap(z=image, y=freqs, coloraxis="coloraxis",
                                 hovertemplate="frame %{x}, %{y:.0f} Hz: %{z:.2f}<extra></extra>"),
                      row=1, col=i)
        fig.update_xaxes(title_text="frame", row=1, col=i)
    fig.update_yaxes(title_text="frequency (Hz)", row=1, col=1)
    fig.update_layout(coloraxis=dict(colorscale="Viridis", cmin=0, cmax=1), height=320,
                      title=title, margin=dict(l=60, r=20, t=60 if title else 40, b=50))
    return fig


def latent_histogram(codes: dict[str, np.ndarray]) -> go.Figure:
    """Histogram of every latent coordinate of every window, one trace per model."""
    fig = go.Figure([go.Histogram(x=c.ravel(), name=name, opacity=0.6, nbinsx=60)
                     for name, c in codes.items()])
    fig.update_layout(barmode="overlay", height=300, xaxis_title="latent coordinate value",
                      yaxis_title="count", margin=dict(l=60, r=20, t=30, b=50),
                      legend=dict(orientation="h", y=1.12))
    return fig


def architecture_dot(layers: list[dict], *, title: str) -> str:
    """A Graphviz DOT drawing of a layer stack (from :func:`audioml.nn.inspect.describe_layers`).

    One box per layer, top to bottom, with its type, output shape (``T`` is a free
    number of frames) and parameter count, and an arrow from each layer that feeds
    it (so residual connections and the VAE's two heads show); sub-models
    (encoder, decoder) are framed.
    """
    def esc(text) -> str:
        return str(text).replace("\\", "\\\\").replace('"', '\\"')

    def shape(s) -> str:
        dims = s if isinstance(s, tuple) else s[0]
        return " × ".join("T" if d is None else str(d) for d in dims)

    lines = ["digraph G {", 'rankdir=TB; nodesep=0.15; ranksep=0.18;',
             'node [shape=box, style="rounded,filled", fillcolor="#f1f3f5", fontname="Helvetica", '
             'fontsize=10, height=0.3];', f'label="{esc(title)}"; labelloc=t; fontname="Helvetica";']
    shown = [row for row in layers if not (row["type"] == "InputLayer" and "/" in row["name"])]
    index = {row["name"]: i for i, row in enumerate(shown)}
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(shown):
        group = row["name"].split("/")[0] if "/" in row["name"] else ""
        groups.setdefault(group, []).append(i)
        colour = "#d0ebff" if row["params"] else "#f1f3f5"
        params = f"{row['params']:,} params" if row["params"] else "no params"
        lines.append(f'n{i} [label="{esc(row["name"].split("/")[-1])}: {esc(row["type"])}\\n'
                     f'{esc(shape(row["shape"]))} · {params}", fillcolor="{colour}"];')
    for group, members in groups.items():
        if group:
            lines.append(f'subgraph cluster_{esc(group)} {{ label="{esc(group)}"; style=dashed; '
                         + " ".join(f"n{i};" for i in members) + " }")
    for i, row in enumerate(shown):
        feeds = [index[name] for name in row.get("inputs", []) if name in index]
        if not feeds and i > 0 and "inputs" not in row:
            feeds = [i - 1]  # no graph recorded: draw the stack in order
        lines += [f"n{j} -> n{i};" for j in dict.fromkeys(feeds)]
    lines.append("}")
    return "\n".join(lines)


# --- scores -------------------------------------------------------------------------------

def score_table(clean: np.ndarray, outputs: dict[str, np.ndarray], sr: int) -> list[dict]:
    """Rows of the scores table: SI-SDR, its gain, PESQ-nb and (at 16 kHz or more) PESQ-wb."""
    rows = clip_scores(clean, outputs, sr)
    return [{"clip": r["clip"], "SI-SDR (dB)": r["si_sdr_db"], "SI-SDR gain (dB)": r["si_sdr_gain_db"],
             "PESQ-nb": r["pesq_nb"], **({"PESQ-wb": r["pesq_wb"]} if sr >= 16000 else {})}
            for r in rows]


def card_facts(card: dict) -> str:
    """A model card as a short Markdown list: where it was trained, on what, how it scores."""
    if card.get("trained_here") is False:
        lines = [f"- Source: {card.get('source', '?')}", f"- Licence: {card.get('licence', '?')}",
                 f"- Trained on: {card.get('data', '?')}"]
    else:
        lines = [f"- Trained here on: {card.get('data', '?')}; split **{card.get('split', '?')}**, "
                 f"{card.get('train_clips', '?')} training clips",
                 f"- {card.get('epochs', '?')} epochs in {(card.get('training_time_s') or 0) / 60:.1f} "
                 f"min on a 2-core CPU; {card.get('parameters', 0):,} parameters"]
        facts = card.get("metrics", {}).get("model", {})
        if facts:
            lines.append(f"- Test ({card['metrics'].get('condition', '')}): spectrogram MSE "
                         f"{facts.get('spectrogram_mse', float('nan')):.4f}, SI-SDR gain "
                         f"{facts.get('si_sdr_improvement_db', float('nan')):+.1f} dB, PESQ-nb "
                         f"{facts.get('pesq_nb', float('nan')):.2f}")
    real = card.get("metrics", {}).get("realworld")
    if real:
        lines.append(f"- Real recordings ({real.get('condition', '')}): PESQ-wb "
                     f"{real.get('sentence_pesq_wb', float('nan')):.2f} on read sentences, PESQ-nb "
                     f"{real.get('digit_pesq_nb', float('nan')):.2f} on spoken digits")
    lines.append(f"- Retrain: `{card.get('retrain_command', '')}`" if card.get("trained_here", True)
                 else f"- Comes with: `{card.get('package', '')}`")
    return "\n".join(lines)


def family(card: dict) -> str:
    """What a denoiser's card names: ``"dcae"``, ``"vae"``, ``"masknet"``, or ``"pretrained"``
    for a model trained elsewhere."""
    if card.get("trained_here") is False:
        return "pretrained"
    return card.get("config", {}).get("architecture", "")
