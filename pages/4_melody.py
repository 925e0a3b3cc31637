"""Melody generation: an LSTM trained on German folk songs continues a melody you start."""

import streamlit as st

from audioml.melody import MODEL_NAME, analysis
from audioml.melody.generate import APP_STEPS, APP_TEMPERATURE, SEED_PRESETS, first_bars
from ui import cache
from ui import melody as view
from ui.common import persistent, safe_text, user_errors

METERS = ["2/4", "3/4", "4/4", "6/8", "3/8", "3/2"]
SOURCES = ["A preset", "Symbols I type", "The first bars of a song"]

st.title("Melody generation")
cards = cache.cards_or_stop("melody", "audioml train melody")
card = cards.get(MODEL_NAME) or next(iter(cards.values()))
st.markdown(
    f"An LSTM trained on {view.training_songs_text(card)}, read one sixteenth note at a time: a "
    "MIDI pitch where a note starts, `_` while it holds, `r` for a rest. Give it the start of a "
    "melody and it continues, one sampled symbol after another, until it ends the song or the "
    "step budget runs out; then it may write a few extra sixteenths (its allowance) to end the "
    "phrase on the key's home note, the tonic, at a bar line.")
with user_errors():
    model = cache.load_model(card["name"])
stats, _ = view.training_stats(card["name"])

# --- the seed and the controls ------------------------------------------------------------
left, right = st.columns([3, 2], gap="large")
with left:
    source = st.radio("Start from", SOURCES, **persistent("melody_seed_source"), horizontal=True)
    meter, pickup = "4/4", 0
    if source == SOURCES[0]:
        name = st.selectbox("Preset", list(SEED_PRESETS), index=1, **persistent("melody_preset"))
        text, meter, pickup = SEED_PRESETS[name]
        seed = text or None
        if text:
            st.code(text, language=None)
    elif source == SOURCES[1]:
        seed = st.text_input("Seed symbols", value="60 _ _ _ 62 _ _ _ 64 _ _ _", **persistent("melody_seed_text"),
                             help=view.seed_help(model.vocab))
        meter = st.selectbox("Meter", METERS, index=2, **persistent("melody_meter"))
    else:
        upload = st.file_uploader("A song file (optional)", type=["krn", "abc", "musicxml", "xml", "mxl"],
                                  key="melody_upload",
                                  help="One voice, with a meter and a key. Without a file, pick a song "
                                       "from music21's bundled Essen collection.")
        if upload is not None:
            with user_errors():
                songs = view.uploaded_song(upload.getvalue(), upload.name)
            titles = [f"{i + 1}. {' '.join(s.title.split())[:60] or 'untitled'}" for i, s in enumerate(songs)]
            song = songs[titles.index(st.selectbox("Tune", titles, key="melody_upload_tune"))]
        else:
            songs, summary = view.seed_songs()
            labels = [f"{s.extra.get('number', i + 1)}. {' '.join(s.title.split())[:60] or 'untitled'}"
                      for i, s in enumerate(songs)]
            song = songs[labels.index(st.selectbox("Song (music21's Essen folk songs)", labels,
                                                   **persistent("melody_song")))]
            left_out = summary["tunes_read"] - summary["kept"]
            reasons = ", ".join(f"{view.count(n)} {why}" for why, n in summary["dropped"].items())
            st.caption(f"The {view.count(summary['kept'])} songs of music21's `{summary['file']}` that "
                       f"preprocessing keeps; {view.count(left_out)} of its "
                       f"{view.count(summary['tunes_read'])} tunes are left out, as such songs were "
                       f"left out of the training data ({reasons}).")
        bars = st.slider("Bars of the song to keep as the seed", 1, 4, 2, **persistent("melody_seed_bars"))
        with user_errors():
            seed_melody = first_bars(song, bars)
        seed, meter, pickup = seed_melody.text, song.meter, song.pickup_steps
        st.markdown(f"**{safe_text(song.title or 'untitled')}** · {song.meter} · transposed to "
                    f"{song.tonic} {song.mode}")
        st.code(seed, language=None)
with right:
    low, high, default, step = APP_STEPS
    steps = st.slider("Steps to generate (sixteenths)", low, high, default, step=step, **persistent("melody_steps"))
    low, high, default, step = APP_TEMPERATURE
    temperature = st.slider("Temperature", low, high, default, step=step, **persistent("melody_temperature"),
                            help="Below 1 the likeliest symbols win more often; above 1 the "
                                 "unlikely ones get a chance.")
    random_seed = st.number_input("Random seed", 0, 2**31 - 1, 0, step=1, **persistent("melody_random_seed"))
    st.caption(view.limits_text())

# One key for every result: the same inputs (the defaults, above all) are computed once per server.
inputs = (card["name"], seed, meter, int(pickup), int(steps), float(temperature), int(random_seed))
with user_errors():
    melody = view.generated(*inputs)
    result = view.engraved(*inputs)
found = result["analysis"]

# --- the result --------------------------------------------------------------------------
st.subheader("The melody")
view.show_score(result["svg"], result["svg_phone"])
st.caption(f"{view.count(len(melody))} sixteenths ({view.count(melody.seed_steps)} from the seed) in {melody.meter}; "
           f"stopped because {view.stop_text(melody.stop_reason, int(steps))}.")
with st.expander("The melody as symbols"):
    st.code(melody.text, language=None, wrap_lines=True)
st.caption("Listen (synthesised in numpy, 100 quarter notes a minute)")
st.audio(view.sound(*inputs), format="audio/wav")
downloads = st.columns(len(view.DOWNLOADS))
for column, (fmt, label, mime) in zip(downloads, view.DOWNLOADS):
    # on_click="ignore": downloading does not rerun the page.
    column.download_button(label, result["files"][fmt], file_name=f"melody.{fmt}", mime=mime,
                           key=f"melody_download_{fmt}", on_click="ignore")

tab_analysis, tab_steps, tab_data, tab_model = st.tabs(
    ["Analysis", "Step through", "Training data", "Model"])

with tab_analysis:
    written = found["written"]
    cols = st.columns(4)
    cols[0].metric("Key", written["key"], help=view.KEY_HELP)
    cols[1].metric("Notes in the key", view.share(written["in_key_share"]), help=view.IN_KEY_HELP)
    cols[2].metric("Ends on the tonic", "yes" if written["ends_on_tonic"] else "no")
    copy = found.get("copy")
    if copy is not None:
        value, message = view.copy_texts(copy)
        cols[3].metric("Longest copy", value,
                       help=f"The longest run of consecutive notes (pitch and duration) this melody "
                            f"shares with a training song, not counting the seed; runs of "
                            f"{analysis.COPY_K} or more notes are looked for.")
        (st.warning if copy["flagged"] else st.success)(message)
    else:
        st.info("The copy index of the training songs is not shipped with this model.")
    st.caption(view.analysed_key_text(found))
    hist = found["histograms"]
    # One under the other, full width: a duration axis of some fifteen labels stays horizontal.
    st.plotly_chart(view.histogram_figure(hist["pitch"], stats and stats["pitch"], title="Pitches",
                                          label=view.pitch_label, hover=view.pitch_hover,
                                          labelled=view.pitch_ticks, axis_title="pitch (C4 is middle C)"),
                    key="melody_pitch_hist")
    st.plotly_chart(view.histogram_figure(hist["duration"], stats and stats["duration"], title="Durations",
                                          label=view.duration_label, hover=view.duration_hover,
                                          axis_title="fraction of a whole note"),
                    key="melody_duration_hist")

with tab_steps:
    if not melody.trace:
        st.info("Nothing was generated.")
    else:
        eq, chart = st.columns([1, 1])
        with eq:
            st.markdown(f"Each step the LSTM reads $x_t$: {view.inputs_text(model.config)}. It "
                        "updates its memory $c_t$ through the input gate $i_t$, the forget gate "
                        "$f_t$ and the output gate $o_t$, and scores every symbol; temperature $T$ "
                        "reshapes the scores before sampling:")
            for line in view.LSTM_EQUATIONS:
                st.latex(line)
        with chart:
            view.step_through(melody.trace, melody.temperature)

with tab_data:
    prep = card.get("preprocessing", {})
    if prep:
        st.markdown(f"Preprocessing read **{view.count(prep['songs_read'])}** songs and kept "
                    f"**{view.count(prep['songs_kept'])}**; kept songs were transposed to "
                    f"{prep.get('transposed_to', 'C major / A minor')}. Accepted durations (fractions "
                    f"of a whole note, as in the chart of durations): "
                    f"{view.durations_text(prep['accepted_durations'])}.")
        st.plotly_chart(view.drops_figure(prep), key="melody_drops")
    if card.get("sequences"):
        st.markdown("Songs per split: " + ", ".join(f"{k} {view.count(v)}" for k, v in card["sequences"].items()))
    st.caption(safe_text(card.get("split", "")))

with tab_model:
    st.markdown(safe_text(card.get("description", "")))
    st.table(view.card_table(card))
    curves = cache.training_curves(card["name"])
    if curves is not None:
        st.plotly_chart(curves, key="melody_history")
        st.caption(view.history_caption(card["history"]))
    st.markdown("Retrain it:")
    st.code(card.get("retrain_command", "audioml train melody"), language="bash")
    st.caption(safe_text(card.get("data", ""), limit=400))
