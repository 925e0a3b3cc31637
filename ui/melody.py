"""Streamlit helpers for the melody page: cached results, the score, and plotly figures.

Everything the page computes is cached by its inputs (``st.cache_data``), so a visitor who asks
for what someone asked before (the defaults, above all) costs almost nothing: the melody by
(model, seed, meter, upbeat, steps, temperature, random seed), and its score, analysis, files and
sound by the same key. ``st.cache_data`` hands every caller its own copy, so nothing a caller does
to a result can change what the next visitor gets.
"""

from __future__ import annotations

import base64
import html
from fractions import Fraction

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from audioml.audio import to_wav_bytes
from audioml.melody import analysis, corpus, encoding, score, synth
from audioml.melody import generate as generation
from audioml.paths import MODELS_DIR
from ui import cache

#: Downloads offered under the score: (format, button label, MIME type).
DOWNLOADS = [("mid", "MIDI", "audio/midi"), ("musicxml", "MusicXML", "application/vnd.recordare.musicxml+xml"),
             ("krn", "**kern", "text/plain"), ("svg", "SVG", "image/svg+xml"),
             ("json", "Symbols (JSON)", "application/json")]
#: Sample rate of the synthesised melody.
AUDIO_RATE = 22050
#: Below this window width (Streamlit's own phone breakpoint) the narrower engraving is shown.
PHONE_MAX_PX = 640

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
def seed_songs():
    """The songs offered as seeds (all pass preprocessing) and what was left out (shipped file)."""
    return corpus.seed_songs()


@st.cache_data(show_spinner="Writing the melody…", max_entries=1000)
def generated(name: str, seed: str | None, meter: str, pickup: int, steps: int, temperature: float,
              random_seed: int):
    """The melody model *name* continues *seed* with: computed once per distinct set of inputs."""
    return generation.generate(cache.load_model(name), seed, steps=steps, temperature=temperature,
                               random_seed=random_seed, meter=meter, pickup_steps=pickup)


@st.cache_data(show_spinner="Engraving the score…", max_entries=256)
def engraved(name: str, seed: str | None, meter: str, pickup: int, steps: int, temperature: float,
             random_seed: int) -> dict:
    """Score (wide and phone SVG), analysis and download files of :func:`generated`'s melody.

    The music21 stream is built once here and shared by all of them.
    """
    melody = generated(name, seed, meter, pickup, steps, temperature, random_seed)
    sheet = score.to_stream(melody)
    wide, phone = score.render_svgs(melody, stream=sheet)
    _, copy_index = training_stats(name)
    found = analysis.analyze(melody, copy_index=copy_index, skip_steps=melody.seed_steps, stream=sheet)
    files = {fmt: wide.encode() if fmt == "svg" else score.export_bytes(melody, fmt, stream=sheet)
             for fmt, _, _ in DOWNLOADS}
    return {"svg": wide, "svg_phone": phone, "analysis": found, "files": files}


@st.cache_data(show_spinner=False, max_entries=64)
def sound(name: str, seed: str | None, meter: str, pickup: int, steps: int, temperature: float,
          random_seed: int) -> bytes:
    """WAV bytes of :func:`generated`'s melody, synthesised in numpy."""
    melody = generated(name, seed, meter, pickup, steps, temperature, random_seed)
    return to_wav_bytes(synth.synthesize(melody), AUDIO_RATE)


@st.cache_data(show_spinner="Reading the song…", max_entries=8)
def uploaded_song(data: bytes, name: str):
    return corpus.read_song(data, name)


def _svg_uri(svg: str) -> str:
    start = svg.find("<svg")
    svg = svg[start:] if start > 0 else svg
    if "xmlns=" not in svg[:300]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def score_html(svg: str, svg_phone: str) -> str:
    """Both engravings as pictures; CSS shows the narrow one (fewer bars a line) on phones.

    Pictures, because ``st.html`` strips inline SVG; a wide score shrunk onto a phone would draw
    its staff some 12 px high.
    """
    return (f"<style>.melody-score img{{width:100%;height:auto;display:block}}"
            f".melody-score .phone{{display:none}}"
            f"@media (max-width:{PHONE_MAX_PX}px){{.melody-score .wide{{display:none}}"
            f".melody-score .phone{{display:block}}}}</style>"
            f'<div class="melody-score">'
            f'<img class="wide" alt="the melody as a score" src="{_svg_uri(svg)}">'
            f'<img class="phone" alt="the melody as a score" src="{_svg_uri(svg_phone)}"></div>')


def show_score(svg: str, svg_phone: str) -> None:
    """Show the engraved melody, readable on a desktop and on a phone."""
    st.html(score_html(svg, svg_phone))


#: What the page's "Key" is: the key the model writes in, which the score is engraved in.
KEY_HELP = (f"The model's key: its training songs were transposed to "
            f"{' or '.join(f'{name} {mode}' for mode, (_, name) in corpus.TRANSPOSED_TO.items())}, "
            f"so it writes in one of them (here the one the notes fit better). The score's key "
            f"signature is this key's.")


def count(n: int) -> str:
    """A count as the page writes every count: thousands separated, ``4,397``."""
    return f"{int(n):,}"


def share(x: float) -> str:
    """A share as the page writes every share: a whole percent, never rounded to 0% or 100%
    unless it is exactly that (99.6% is "99%")."""
    percent = round(100 * float(x))
    if 0 < x < 1:
        percent = min(max(percent, 1), 99)
    return f"{percent}%"


def durations_text(quarters) -> str:
    """Durations in quarter notes written as fractions of a whole note (the durations chart's labels)."""
    return ", ".join(duration_label(round(q * encoding.STEPS_PER_QUARTER)) for q in quarters)


def copy_texts(copy: dict) -> tuple[str, str]:
    """The "Longest copy" value and the sentence under it, for ``analysis.longest_shared``'s result.

    A stretch shorter than the runs looked for is reported as 0 notes: say that no run that long
    is shared, rather than "the longest shared run is 0 notes"."""
    k, flag = analysis.COPY_K, analysis.COPY_FLAG_NOTES
    if copy["flagged"]:
        return (f"{count(copy['notes'])} notes",
                f"{count(copy['notes'])} consecutive notes of this melody also occur in a training "
                f"song: at {flag} notes or more we call that copying.")
    if copy["notes"] < k:
        return (f"under {k} notes", f"No long copy: no run of {k} notes or more is shared with a "
                                    f"training song (flagged from {flag}).")
    return (f"{count(copy['notes'])} notes",
            f"No long copy: the longest run shared with a training song is {count(copy['notes'])} "
            f"notes (flagged from {flag}).")


#: What "Notes in the key" counts, from the scales the analysis uses.
IN_KEY_HELP = (f"Notes whose pitch class belongs to the key: {len(analysis.SCALE['major'])} of the 12 "
               f"in a major key; in a minor key {len(analysis.SCALE['minor'])}, the natural minor "
               f"scale and its raised 6th and 7th (melodic and harmonic minor), as folk tunes in "
               f"minor use them.")


def analysed_key_text(found: dict) -> str:
    """What music21's key analysis over all 24 keys makes of the melody (``analysis.analyze``)."""
    method = (f"music21's key analysis (`analyze('key')`: the notes' pitch classes, weighted by "
              f"duration, correlated with the {analysis.KEY_PROFILES} profile of each of the 24 keys)")
    if found["key"] == found["written"]["key"]:
        return f"{method} finds the same key, {found['key']}."
    return (f"{method} names {found['key']} instead, with {share(found['in_key_share'])} of the notes "
            f"in that key: on a short or repetitive melody it can name a neighbouring key. The "
            f"score keeps the model's key.")


def training_songs_text(card: dict) -> str:
    """How many songs the model trained on, from its card: "2,777 German folk songs"."""
    n = card.get("sequences", {}).get("train")
    return f"{n:,} German folk songs" if n else "German folk songs"


def inputs_text(config: dict) -> str:
    """What the LSTM's input $x_t$ is, as :func:`audioml.melody.model.build_model` builds it from
    *config* (and :meth:`~audioml.melody.model.MelodyModel.step` feeds it)."""
    size, joined = config["symbol_dim"], []
    if config.get("position_dim"):
        bar_dim = config["position_dim"] // 2 or 1
        joined.append(f"the next step's sixteenth within the bar ({config['position_dim']}) and the "
                      f"bar's length ({bar_dim})")
        size += config["position_dim"] + bar_dim
    back = list(config.get("lookback_bars") or [])
    if back and config.get("lookback_dim"):
        bars = " and ".join([", ".join(map(str, back[:-1])), str(back[-1])] if len(back) > 1 else [str(back[0])])
        joined.append(f"the symbols {bars} bar{'s' if back != [1] else ''} before the next step, as folk "
                      f"tunes repeat bar by bar ({config['lookback_dim']} each)")
        size += len(back) * config["lookback_dim"]
    text = f"the last symbol's embedding ({config['symbol_dim']} numbers)"
    if joined:
        text += f" joined with embeddings of {', and of '.join(joined)}: {size} numbers in all"
    return text


def seed_help(vocab) -> str:
    """How to type a seed for a model of vocabulary *vocab*: its pitch range, as its errors state it."""
    return (f"{encoding.pitch_range_text(*vocab.pitch_range)} where notes start, _ to hold one more "
            f"sixteenth, r for a rest, separated by spaces.")


STOP_REASONS = {"delimiter", "phrase end", "allowance spent"}


def stop_text(reason: str, steps: int) -> str:
    """Why generation stopped, in words (see :mod:`audioml.melody.generate`)."""
    extra = generation.ALLOWANCE_STEPS
    return {
        "delimiter": "the model ended the song itself (it wrote the end-of-song symbol)",
        "phrase end": f"the budget of {steps} steps was spent, so it went on only to the end of the "
                      f"phrase: the tonic reached at a bar line",
        "allowance spent": f"the budget of {steps} steps was spent, and in the {extra} extra sixteenths "
                           f"it may add to end the phrase (its allowance) it never reached the tonic "
                           f"at a bar line, so the melody stops mid-phrase",
    }.get(reason, html.escape(reason))


def limits_text() -> str:
    """The page's limits, read from the same constants as its sliders."""
    lo, hi, _, _ = generation.APP_STEPS
    t_lo, t_hi, _, _ = generation.APP_TEMPERATURE
    return (f"Steps: {lo} to {hi} sixteenths; temperature: {t_lo:g} to {t_hi:g}. When the steps are "
            f"spent the model may write up to {generation.ALLOWANCE_STEPS} extra sixteenths to end "
            f"its phrase on the tonic at a bar line.")


@st.fragment
def step_through(trace, temperature: float) -> None:
    """The step-through slider and its charts (a fragment: moving the slider reruns only this)."""
    if len(trace) > 1:
        number = st.slider("Generated step", 1, len(trace), 1, key="melody_trace_step",
                           help="1 is the first symbol the model wrote after the seed.")
    else:
        number = 1
    st.plotly_chart(candidates_figure(trace[number - 1], number=number), key="melody_candidates")
    st.caption(f"Temperature {temperature:g}: dividing log-probabilities by T > 1 "
               "flattens the distribution, T < 1 sharpens it.")
    st.plotly_chart(gates_figure(trace), key="melody_gates")


def candidates_figure(record: dict, *, number: int | None = None) -> go.Figure:
    """Top candidates of one step, before and after temperature, as grouped bars.

    *number* counts the generated steps from 1 (``record["step"]`` counts the seed too).
    """
    before = dict(record["top_before"])
    after = dict(record["top_after"])
    symbols = list(dict.fromkeys([s for s, _ in record["top_before"]] + [s for s, _ in record["top_after"]]))
    names = [_label(s) for s in symbols]
    fig = go.Figure([
        go.Bar(name="as trained (T = 1)", x=names, y=[before.get(s, 0.0) for s in symbols]),
        go.Bar(name="after temperature", x=names, y=[after.get(s, 0.0) for s in symbols]),
    ])
    title = ((f"generated step {number}" if number else f"step {record['step'] + 1}")
             + f": chose {_label(record['chosen'])}"
             + ("<br>(end refused: not on the tonic)" if record.get("end_refused") else ""))
    fig.update_layout(barmode="group", height=340, margin=dict(l=10, r=10, t=100, b=10),
                      yaxis_title="probability", title=_title(title), legend=_top_legend())
    fig.update_xaxes(tickfont=dict(size=TICK_PX), automargin=True)
    fig.update_yaxes(tickfont=dict(size=TICK_PX))
    return fig


def _label(symbol: str) -> str:
    names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"]
    if symbol.isdigit():
        p = int(symbol)
        return f"{symbol} ({names[p % 12]}{p // 12 - 1})"
    return {"_": "_ (hold)", "r": "r (rest)", "/": "/ (end)"}.get(symbol, symbol)


def gates_figure(trace) -> go.Figure:
    """Mean gate activations of the last LSTM layer over the generated steps (numbered from 1)."""
    steps = [i for i, r in enumerate(trace, start=1) if "gates" in r]
    fig = go.Figure()
    for gate in ("input", "forget", "output"):
        fig.add_scatter(x=steps, y=[r["gates"][gate] for r in trace if "gates" in r], name=f"{gate} gate",
                        mode="lines")
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=80, b=10), xaxis_title="generated step",
                      yaxis_title="mean activation", yaxis_range=[0, 1], title=_title("Gate activity"),
                      legend=_top_legend())
    fig.update_xaxes(tickfont=dict(size=TICK_PX))
    fig.update_yaxes(tickfont=dict(size=TICK_PX))
    return fig


#: Font size of every axis's tick labels and of the legends, in px: readable on a projector and
#: on a phone.
TICK_PX = 13
#: Chart titles, one line each at 390 px.
TITLE_PX = 16


def _title(text: str) -> dict:
    """A title on its own line at the top left, above a legend placed by :func:`_top_legend`."""
    return dict(text=text, x=0, xanchor="left", xref="paper", y=1, yanchor="top", yref="container",
                pad=dict(t=6), font=dict(size=TITLE_PX))


def _top_legend() -> dict:
    """A one-row legend under the title, above the plot: it never covers the title or the bars."""
    return dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom", font=dict(size=TICK_PX))


def histogram_figure(generated: dict, training: dict | None, *, title: str, label, hover=None,
                     labelled=None, axis_title: str | None = None) -> go.Figure:
    """Shares of the melody's notes against the training songs' (pitch or duration).

    *label* gives a bar's short tick label and *hover* a longer name shown on hover. Every bar is
    labelled unless *labelled* (a test on a key) picks the ones that are: a pitch axis of some
    fifty semitones labels its Cs and Gs, so the labels stay horizontal and large on a phone.
    Labels stand upright only when they would collide side by side.
    """
    hover = hover or label
    keys = sorted(set(generated) | set(training or {}))
    names = [label(k) for k in keys]
    longer = [hover(k) for k in keys]
    fig = go.Figure([go.Bar(name="this melody", x=names, y=[generated.get(k, 0.0) for k in keys],
                            customdata=longer, hovertemplate="%{customdata}: %{y:.1%}<extra></extra>")])
    if training:
        fig.add_bar(name="training songs", x=names, y=[training.get(k, 0.0) for k in keys],
                    customdata=longer, hovertemplate="%{customdata}: %{y:.1%}<extra></extra>")
    fig.update_layout(barmode="group", height=340, margin=dict(l=10, r=10, t=80, b=10), title=_title(title),
                      yaxis_title="share of notes", yaxis_tickformat=".0%", legend=_top_legend())
    shown = [n for k, n in zip(keys, names) if labelled is None or labelled(k)]
    # Listed explicitly: plotly would otherwise skip labels that might collide. Horizontal where
    # they fit, else upright (a slant of 30 degrees still collides at 390 px).
    fig.update_xaxes(type="category", tickmode="array", tickvals=shown, ticktext=shown, autotickangles=[0, 90],
                     tickfont=dict(size=TICK_PX), automargin=True, title_text=axis_title)
    fig.update_yaxes(tickfont=dict(size=TICK_PX))
    return fig


def pitch_ticks(p: int) -> bool:
    """Which pitches the pitch histogram labels: every C and G."""
    return p % 12 in (0, 7)


def pitch_label(p: int) -> str:
    """A pitch's short name for an axis: ``C4``."""
    return _label(str(p)).split("(")[-1].rstrip(")")


def pitch_hover(p: int) -> str:
    return f"MIDI {_label(str(p))}"


def duration_label(d: int) -> str:
    """A duration of *d* sixteenths as a fraction of a whole note: ``1/8``, ``3/16``, ``1``."""
    f = Fraction(int(d), 16)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def duration_hover(d: int) -> str:
    names = {1: "sixteenth", 2: "eighth", 3: "dotted eighth", 4: "quarter", 6: "dotted quarter",
             8: "half", 12: "dotted half", 16: "whole"}
    return f"{duration_label(d)} ({names.get(d, f'{d} sixteenths')})"


#: The model card's metrics as a reader names them, and how each is written.
METRIC_NAMES = {
    "train_accuracy": "Training accuracy (next symbol)",
    "test_accuracy": "Test accuracy (next symbol)",
    "test_onset_accuracy": "Test accuracy where a note starts",
    "test_nll": "Test loss (negative log-likelihood per symbol)",
    "unseen_accuracy": "Accuracy on the held-out collection",
    "unseen_onset_accuracy": "Accuracy on the held-out collection where a note starts",
    "unseen_nll": "Loss on the held-out collection",
    "ngram_test_accuracy": "n-gram baseline: test accuracy",
    "ngram_test_nll": "n-gram baseline: test loss",
    "in_key_share": "Generated notes in the key music21 finds",
    "tonic_endings": "Generated melodies ending on the tonic of the key music21 finds",
    "tonic_endings_without_cadence_rule": "… without the cadence rule",
    "in_key_share_without_cadence_rule": "Generated notes in the key music21 finds, without the cadence rule",
    "in_key_share_model_key": "Generated notes in the model's key (C major or A minor)",
    "tonic_endings_model_key": "Generated melodies ending on the tonic of the model's key",
    "in_key_share_without_cadence_rule_model_key": "Generated notes in the model's key, without "
                                                   "the cadence rule",
    "tonic_endings_without_cadence_rule_model_key": "Generated melodies ending on the tonic of the "
                                                    "model's key, without the cadence rule",
    "generate_and_render_median_s": "Time to generate and engrave (median)",
}


def _metric_value(key: str, value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if key.endswith("_s"):
        return f"{value:.2f} s"
    if "accuracy" in key or "share" in key or "endings" in key:
        return share(value)
    if float(value).is_integer():
        return count(value)
    return f"{value:.3f}"


def card_table(card: dict) -> pd.DataFrame:
    """The model card's figures as a table of rounded, named values (not raw JSON)."""
    rows = [(METRIC_NAMES.get(k, k.replace("_", " ").capitalize()), _metric_value(k, v))
            for k, v in card.get("metrics", {}).items()]
    if card.get("epochs_run") or card.get("epochs"):
        rows.append(("Epochs run (the best one kept)", f"{card.get('epochs_run', '?')} (epoch {card.get('epochs', '?')})"))
    if card.get("training_time_s"):
        rows.append(("Training time", f"{card['training_time_s'] / 60:.0f} min"))
    for key in ("units", "dropout", "learning_rate", "batch_size"):
        if key in card.get("config", {}):
            value = card["config"][key]
            rows.append((key.replace("_", " ").capitalize(),
                         ", ".join(map(str, value)) if isinstance(value, list) else f"{value:g}"))
    return pd.DataFrame(rows, columns=["Measure", "Value"]).set_index("Measure")


def drops_figure(counts: dict) -> go.Figure:
    """Songs kept and dropped by reason."""
    # The reasons users most need to see are listed even when nothing was dropped for them.
    dropped = {corpus.DROP_DURATION: 0, corpus.DROP_POLYPHONY: 0, corpus.DROP_NO_KEY: 0,
               **counts.get("dropped", {})}
    labels = ["kept"] + list(dropped)
    values = [counts.get("songs_kept", 0)] + list(dropped.values())
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", text=[count(v) for v in values],
                           textposition="outside", cliponaxis=False))
    fig.update_layout(height=60 + 40 * len(labels), margin=dict(l=10, r=10, t=10, b=10), xaxis_title="songs",
                      yaxis=dict(autorange="reversed", tickfont=dict(size=TICK_PX)),
                      xaxis=dict(tickfont=dict(size=TICK_PX), tickformat=",d"), font=dict(size=TICK_PX))
    return fig


def history_caption(history: dict) -> str:
    """What the melody card's training curves show, from the history the recipe kept."""
    text = (f"Validation figures are on held-out songs, after each of {history['epochs_run']} "
            f"epochs. The shipped weights are epoch {history['best_epoch']}'s, the lowest "
            "validation NLL")
    halved = history.get("lr_halved_at") or []
    if halved:
        text += (f"; the learning rate was halved after each of the {len(halved)} epochs that did "
                 f"not lower it (the first: epoch {halved[0]})")
    return text + "."
