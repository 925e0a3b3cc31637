"""Streamlit helpers and plotly figures for the denoising page.

The page works at the input's own rate (up to :data:`MAX_SR`): the clean, noisy
and denoised clips are compared sample for sample, and a wide-band upload is
heard, seen and downloaded with its whole band.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from audioml.audio import load_audio, resample, to_wav_bytes
from audioml.denoising import DEFAULT_MODEL, SR, denoise, match_loudness, model_names
from audioml.denoising.analysis import saturation_study
from audioml.denoising.evaluate import clip_scores, heard_speaker
from audioml.denoising.features import PAPER_TRANSFORM, TARGET_SCALING
from audioml.errors import AudioMLError
from audioml.examples import EXAMPLES, load_example
from audioml.nn.inspect import describe_layers
from audioml.paths import PROJECT_ROOT
from audioml.noise import mix_without_clipping
from audioml.spectral import spectrogram_image
from ui import cache
from ui.common import UPLOAD_TYPES, audio_player, persistent, safe_text, upload_label, user_errors

#: Highest rate the page works at; a higher-rate upload is resampled to it.
MAX_SR = 48_000
#: Frames the spectrogram display draws at most, whatever the clip's length and rate.
MAX_FRAMES = 600
#: Colour scale of every spectrogram: dB re the loudest bin of the noisy clip.
DB_RANGE = (-80.0, 0.0)
#: Clips shown side by side at most; more go on the next row (on a phone, one per row).
PER_ROW = 3
#: Results kept per server process: enough for a class trying a few settings each.
CACHED = 256
SOURCES = ("Example clip", "Upload a file", "Record with the microphone")
#: What each family of denoiser does, in words. What each was trained on is not here: it is
#: read from the model's card (:func:`training_note`), so that it changes when the card does.
FAMILY_NOTES = {
    "dcae": "**DCAE** (the method's deep convolutional autoencoder). Two conv blocks squeeze a "
            "0.55 s, 257 × 18 spectrogram image into a point of a 64-D latent space; the "
            "decoder paints a clean image back from that point alone. Nothing keeps the "
            "points of neighbouring inputs close: they spread out, and the paper sees the output "
            "saturate in patches (section 5 measures it on your clip).",
    "vae": "**VAE** (the method's variational autoencoder: 100 and 50 filters, kernel 3, "
           "stride 2, latent 64, loss α · MSE + KL). Each input becomes a small Gaussian "
           "cloud in the latent space and the KL term pulls every cloud towards the standard "
           "normal, so codes stay packed near the origin and the decoder learns smooth, "
           "mid-range outputs.",
    "masknet": "**Mask net** (ours). No bottleneck: a stack of dilated 1-D convolutions "
               "reads the noisy magnitude (every frequency bin at once, about 2 s of context), a "
               "bidirectional GRU carries what it heard across the whole clip, and the net "
               "predicts how much of each time-frequency bin to keep; that gain is pressed "
               "down where the net is unsure (how hard was chosen on training voices). "
               "The noisy phase is kept and any length goes through in one pass. It hears at "
               "8 kHz, but its mask is carried onto the input's own spectrum, so a wide-band "
               "upload comes back wide-band (above 3.6 kHz each frame keeps the gain of its "
               "2.5–3.6 kHz band).",
    "pretrained": "**Pretrained elsewhere.** Not trained here: its authors trained it on many "
                  "voices, noises and rooms at 48 kHz, and it runs here from their compiled "
                  "library with the weights inside. That is why it copes with voices and noises "
                  "our models never met.",
}
#: How the paper's two models see a clip, for both their notes.
PAPER_IMAGES = (
    "Both see a clip as 0.55 s images: the noisy dB spectrogram min-max scaled to [0, 1]. They are "
    f"trained to paint the clean one as {TARGET_SCALING}; at inference their image is turned back "
    "into dB with that floor and the noisy clip's maximum, so nothing about the clean clip is "
    "needed. (Scaling the target by the noisy clip's own range instead would start it at the "
    "noisy clip's quietest bin, far above the floor, and clip the speech's quiet parts to 0.) "
    "A longer clip is cut into such windows, overlap-added.")
#: The real-world benchmark's report (``audioml evaluate denoiser --set realworld``).
REALWORLD_REPORT = PROJECT_ROOT / "reports" / "denoise_realworld.json"
#: FSDD's speaker that the real-world benchmark's digits come from.
DIGIT_SPEAKER = "theo"


def family_note(card: dict) -> str:
    """What the card's family of denoiser does (:data:`FAMILY_NOTES`), and for the paper's two
    how they see a clip (:data:`PAPER_IMAGES`)."""
    kind = family(card)
    note = FAMILY_NOTES.get(kind, "")
    return f"{note}\n\n{PAPER_IMAGES}" if kind in ("dcae", "vae") else note


# Read once per process: the report is about half a megabyte, and every run of the page asks.
@st.cache_data(show_spinner=False)
def recommended_model(report: Path = REALWORLD_REPORT, models_dir: Path | None = None) -> str:
    """The shipped denoiser to offer for a user's recording, chosen by the benchmark's figures.

    The one with the highest PESQ-wb on the real-world benchmark's read sentences (real noise,
    real rooms, 16 kHz), among those shipped; ``audioml``'s default model when the report is
    absent.
    """
    shipped = set(model_names(models_dir))
    if not Path(report).is_file():
        return DEFAULT_MODEL
    methods = json.loads(Path(report).read_text()).get("methods", {})
    scored = {name: figures.get("sentence", {}).get("pesq_wb") for name, figures in methods.items()
              if name in shipped}
    scored = {name: value for name, value in scored.items() if value is not None}
    return max(scored, key=scored.get) if scored else DEFAULT_MODEL


def for_listening(clips: dict[str, np.ndarray], *, reference: np.ndarray,
                  match: Iterable[str] = ()) -> dict[str, np.ndarray]:
    """The clips to play side by side: those named in *match* at *reference*'s loudness.

    Then one gain for all keeps the loudest under full scale, so the loudness
    match survives playback (a player that clipped one clip would change it).
    """
    match = set(match)
    played = {k: match_loudness(reference, v) if k in match else np.asarray(v, np.float32)
              for k, v in clips.items()}
    peak = max((float(np.abs(v).max()) for v in played.values()), default=0.0)
    gain = 0.99 / peak if peak > 0.99 else 1.0
    return {k: (v * gain).astype(np.float32) for k, v in played.items()}


def removed(noisy: np.ndarray, outputs: dict[str, np.ndarray],
            clean: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """What each model took out of *noisy* (``noisy - output``), and with a synthetic mix the
    noise that was added (``noisy - clean``) to hear them against. Kept at their own level:
    how loud the residual is belongs to what it says."""
    heard = {} if clean is None else {"the noise added": noisy - clean}
    return heard | {f"removed by {name}": noisy - y for name, y in outputs.items()}


def _noise_words(config: dict) -> str:
    noise = config.get("noise")
    if isinstance(noise, dict):
        shares = ", ".join(f"{kind} {share:.0%}" for kind, share in
                           sorted(noise.items(), key=lambda kv: -kv[1]))
        low, high = config.get("snr_range_db", (None, None))
        level = f" at {low:g} to {high:g} dB" if low is not None else ""
        return f"noise drawn from {len(noise)} families ({shares}){level}"
    if noise:
        return f"{noise} noise at {config.get('snr_db', '?'):g} dB"
    return "noise"


def training_note(card: dict) -> str:
    """What a denoiser was trained on, in a sentence or three, from its card alone.

    A model trained here says its split and what that means for the held-out speaker's
    figures, its noise, and any synthetic voices, rooms and band limits. A pretrained one
    gets nothing here: :func:`card_facts` quotes its card's account of its authors' data.
    """
    if card.get("trained_here") is False:
        return ""
    config = card.get("config", {})
    clips = card.get("train_clips", "?")
    if card.get("split_kind") == "speaker":
        speaker = card.get("test_speaker") or "?"
        heard = (f"Trained here on {clips} FSDD clips of every speaker but {speaker}: all of "
                 f"{speaker}'s recordings are held out, so its figures on {speaker} are on a "
                 "voice it never heard.")
    else:
        heard = (f"Trained here on {clips} FSDD clips drawn at random from all speakers "
                 f"({card.get('split', 'a random split')}), {DIGIT_SPEAKER} included: its test "
                 f"clips are new recordings of voices it trained on, and its real-world digit "
                 f"figures ({DIGIT_SPEAKER}'s) are partly on clips it was trained on.")
    extras = []
    if config.get("synthetic_voices"):
        extras.append(f"{config['synthetic_voices']} clips of synthetic voices of random "
                      "rate and pitch")
    if config.get("reverb"):
        extras.append(f"{config['reverb']:.0%} of mixtures in synthetic rooms")
    if config.get("band_limit"):
        extras.append(f"{config['band_limit']:.0%} band-limited")
    more = f"; with {', '.join(extras)}" if extras else ""
    recorded = (f" Recorded noise: {config['recorded_noise']}." if config.get("recorded_noise")
                else "")
    return f"{heard} Mixed with {_noise_words(config)}{more}.{recorded}"


def heard_digit_speaker(card: dict) -> bool:
    """Whether the model trained on any of :data:`DIGIT_SPEAKER`'s recordings."""
    return heard_speaker(card, DIGIT_SPEAKER)


# --- input ----------------------------------------------------------------------------------

def choose_input() -> tuple[np.ndarray, int, str, bool] | None:
    """Widgets for the input clip.

    Returns ``(y, sr, description, is_example)`` (at the clip's own rate, at most
    :data:`MAX_SR`), or None while no upload or recording has arrived.
    """
    source = st.radio("Input", SOURCES, horizontal=True, **persistent("dn_source"))
    if source == SOURCES[0]:
        name = st.selectbox("Example", list(EXAMPLES), **persistent("dn_example"),
                            format_func=lambda k: f"{k}: {EXAMPLES[k]}")
        with user_errors():
            y, sr = load_example(name)
        return y, sr, f"example “{name}” (synthetic speech)", True
    if source == SOURCES[1]:
        upload = st.file_uploader(upload_label(),
                                  type=UPLOAD_TYPES, key="dn_upload")
    else:
        upload = st.audio_input("Record a few words", key="dn_mic")
    if upload is None:
        return None
    name = getattr(upload, "name", "recording.wav")
    with user_errors():
        if source == SOURCES[1]:
            check_suffix(name)
        y, sr = load_audio(upload, allow_silent=False)
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

def clip_key(y: np.ndarray) -> str:
    """A short digest of a clip's samples: the cache key the cached steps below use, so a
    clip is hashed once per run (Streamlit would otherwise hash the array at every call)."""
    return hashlib.blake2b(np.ascontiguousarray(y, np.float32).tobytes(), digest_size=16).hexdigest()


# Every step below is cached by its inputs, once per server process: the hundredth visitor
# at the default settings gets the example's results without running a model. The arrays
# are passed with a leading underscore (not hashed) beside their clip_key.

@st.cache_data(max_entries=CACHED, show_spinner=False)
def mixed(_y: np.ndarray, key: str, sr: int, kind: str, snr: float) -> tuple[np.ndarray, np.ndarray]:
    """``(clean, noisy)``: *_y* with *kind* noise at *snr* dB, both kept in [-1, 1] (seed 0)."""
    return mix_without_clipping(_y, float(snr), kind=kind, sr=sr, seed=0)


@st.cache_data(max_entries=CACHED, show_spinner=False)
def denoised(_noisy: np.ndarray, key: str, sr: int, name: str, phase: str, strength: float) -> np.ndarray:
    """*_noisy* denoised by the shipped model *name* (see :func:`audioml.denoising.denoise`)."""
    return denoise(_noisy, sr, model=cache.load_model(name), phase=phase, strength=strength)


@st.cache_data(max_entries=CACHED, show_spinner=False)
def scores(_clips: dict[str, np.ndarray], keys: tuple[str, ...], sr: int) -> list[dict]:
    """:func:`score_table` of ``_clips["clean"]`` against the other clips."""
    clean = _clips["clean"]
    return score_table(clean, {k: v for k, v in _clips.items() if k != "clean"}, sr)


@st.cache_data(max_entries=CACHED, show_spinner=False)
def saturation(_noisy: np.ndarray, _clean: np.ndarray | None, keys: tuple[str, ...], sr: int,
               dcae: str, vae: str) -> dict:
    """:func:`audioml.denoising.analysis.saturation_study` of the shipped DCAE and VAE."""
    return saturation_study(cache.load_model(dcae), cache.load_model(vae), _noisy, _clean, sr=sr)


@st.cache_data(show_spinner=False)
def architecture(name: str) -> str:
    """The Graphviz drawing of the shipped net *name* (:func:`architecture_dot`)."""
    return architecture_dot(describe_layers(cache.load_model(name).model), title=name)


def display_hop(n: int, n_fft: int = 512) -> int:
    """The hop for a clip of *n* samples: the one that spans it in :data:`MAX_FRAMES` frames,
    within [n_fft / 8, n_fft]. A hop beyond the frame would skip samples, so a clip longer
    than that has its frames pooled instead (``max_frames`` of :func:`spectrogram_image`)."""
    return min(n_fft, max(n_fft // 8, -(-n // MAX_FRAMES)))


# A figure is read-only once made (st.plotly_chart copies it), so one object serves every
# session; st.cache_resource skips the copy that st.cache_data would make of its large arrays.
@st.cache_resource(max_entries=CACHED, show_spinner=False)
def spectrogram_panel(_y: np.ndarray, key: str, sr: int, *, title: str, peak: float,
                      colorbar: bool) -> go.Figure:
    """One clip's spectrogram on the page's colour scale: dB re *peak* (a magnitude).

    The frame is 512 samples at any rate, and the hop grows with the clip (frames are
    pooled past a hop of one frame) so that no panel draws more than :data:`MAX_FRAMES`.
    """
    image = spectrogram_image(_y, sr, n_fft=512, hop_length=display_hop(len(_y)), ref=peak,
                              max_frames=MAX_FRAMES)
    fig = go.Figure(go.Heatmap(
        z=np.maximum(image.z, DB_RANGE[0]), x=image.times, y=image.freqs, zmin=DB_RANGE[0],
        zmax=DB_RANGE[1], colorscale="Viridis", showscale=colorbar,
        colorbar=dict(title="dB", thickness=12),
        hovertemplate="%{x:.2f} s, %{y:.0f} Hz: %{z:.0f} dB<extra></extra>"))
    fig.update_layout(height=280, margin=dict(l=55, r=10, t=36, b=45),
                      title=dict(text=html.escape(title[:40]), x=0.02, y=0.97, font=dict(size=14)),
                      xaxis_title="time (s)", yaxis_title="frequency (Hz)")
    return fig


@st.cache_data(max_entries=CACHED, show_spinner=False)
def reference_peak(_y: np.ndarray, key: str, sr: int) -> float:
    """The loudest bin of *_y*'s display spectrogram: 0 dB of every panel."""
    return float(spectrogram_image(_y, sr, n_fft=512, hop_length=display_hop(len(_y)), db=False,
                                   max_frames=MAX_FRAMES).z.max())


def clip_grid(clips: dict[str, np.ndarray], keys: dict[str, str], sr: int, *, reference: str,
              played: dict[str, np.ndarray], downloads: set[str]) -> None:
    """Each clip in a panel of its own: its spectrogram, a player and (for outputs) a download.

    Panels go :data:`PER_ROW` to a row, all on one colour scale (dB re the loudest bin
    of ``clips[reference]``); on a narrow screen Streamlit stacks them one per row.
    *played* holds what each player plays (e.g. loudness-matched clips).
    """
    peak = reference_peak(clips[reference], keys[reference], sr)
    names = list(clips)
    for row in range(0, len(names), PER_ROW):
        for column, name in zip(st.columns(PER_ROW), names[row:row + PER_ROW]):
            with column:
                st.plotly_chart(spectrogram_panel(clips[name], keys[name], sr, title=name, peak=peak,
                                                  colorbar=name == names[-1]),
                                key=f"dn_spectrogram_{name}", theme=None,
                                config={"displayModeBar": False})
                audio_player(played[name], sr)
                if name in downloads:
                    st.download_button("Download WAV", to_wav_bytes(clips[name], sr),
                                       file_name=f"denoised_{name}.wav", mime="audio/wav",
                                       key=f"dn_download_{name}", on_click="ignore")


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


def show_saturation(study: dict) -> None:
    """The saturation study of one clip (:func:`saturation`): images, code histogram, verdict."""
    st.plotly_chart(image_grid(study["images"], title="As the models see it: [0, 1] images, 257 × 18"),
                    key="dn_images", theme=None)
    st.plotly_chart(latent_histogram(study["codes"]), key="dn_latent")
    spread_d, spread_v = study["spread"]["DCAE"], study["spread"]["VAE"]
    sat_d, sat_v = study["saturated"]["DCAE"], study["saturated"]["VAE"]
    st.markdown(
        f"- **Spread of the codes** of this clip's windows: DCAE {spread_d:.2f}, VAE "
        f"{spread_v:.2f}, so the DCAE's points are **{spread_d / max(spread_v, 1e-9):.1f}×** as "
        "spread out.\n"
        f"- **Saturated pixels** (within 0.02 of 0 or 1): DCAE **{sat_d:.1%}**, VAE **{sat_v:.1%}**.")
    if sat_d > sat_v + 0.01:
        st.markdown("On this clip the DCAE's output does run into the sigmoid's ends in patches "
                    "where the VAE's stays graded: the paper's observation, live.")
    else:
        st.markdown(
            "On this clip neither output runs into the sigmoid's ends. The spread is there, but "
            "our DCAE has batch normalisation after every convolution, which keeps its decoder's "
            "pre-activations moderate, and its codes stay within the range it was trained on. "
            "What both do show is blur: 64 numbers cannot hold the harmonics of a 257 × 18 image, "
            "so both paint a smooth average of speech. That is why their spectrogram MSE is far "
            "below the noisy input's while their SI-SDR, which needs the fine structure, is poor; "
            "the mask net keeps the input's detail and only turns bins down.")


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
    """Rows of the scores table: PESQ-nb, (at 16 kHz or more) PESQ-wb, SI-SDR and its gain."""
    rows = clip_scores(clean, outputs, sr)
    return [{"clip": r["clip"], "PESQ-nb": r["pesq_nb"],
             **({"PESQ-wb": r["pesq_wb"]} if sr >= 16000 else {}),
             "SI-SDR gain (dB)": r["si_sdr_gain_db"], "SI-SDR (dB)": r["si_sdr_db"]}
            for r in rows]


#: How the scores table writes each column: PESQ to two decimals, dB to one, gains signed.
SCORE_FORMATS = {"PESQ-nb": "{:.2f}", "PESQ-wb": "{:.2f}", "SI-SDR gain (dB)": "{:+.1f}",
                 "SI-SDR (dB)": "{:.1f}"}


def show_scores(rows: list[dict]) -> None:
    """The scores as a static table, whose cells wrap, so that every column stays in view on a
    phone (a scrolling data grid hid PESQ behind the clip names at 390 px)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    formats = {c: f for c, f in SCORE_FORMATS.items() if c in frame}
    st.table(frame.style.format(formats, na_rep="–").hide(axis="index"))


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
        partly = (f" ({DIGIT_SPEAKER}'s, partly clips it trained on)" if heard_digit_speaker(card)
                  else f" ({DIGIT_SPEAKER}'s, a voice it never heard)" if card.get("trained_here", True)
                  else "")
        lines.append(f"- Real recordings ({real.get('condition', '')}): PESQ-wb "
                     f"{real.get('sentence_pesq_wb', float('nan')):.2f} on read sentences, PESQ-nb "
                     f"{real.get('digit_pesq_nb', float('nan')):.2f} on spoken digits{partly}")
    lines.append(f"- Retrain: `{card.get('retrain_command', '')}`" if card.get("trained_here", True)
                 else f"- Comes with: `{card.get('package', '')}`")
    return "\n".join(lines)


def family(card: dict) -> str:
    """What a denoiser's card names: ``"dcae"``, ``"vae"``, ``"masknet"``, or ``"pretrained"``
    for a model trained elsewhere."""
    if card.get("trained_here") is False:
        return "pretrained"
    return card.get("config", {}).get("architecture", "")
