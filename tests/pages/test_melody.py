"""AppTest of the melody page with the shipped model."""

from __future__ import annotations

import base64

import pytest

from audioml.melody import corpus, score
from audioml.melody.encoding import Melody, notes_to_symbols
from audioml.melody.generate import first_bars
from audioml.registry import list_cards

PAGE = "pages/4_melody.py"

pytestmark = pytest.mark.skipif(not list_cards(task="melody"), reason="no melody model shipped")


def _symbols(at) -> str:
    """The generated melody's symbols (the code block inside the 'as symbols' expander)."""
    return at.expander[0].code[0].value


def _score_svg(at, which: str = "wide") -> str:
    """The SVG behind the score's picture for a desktop (*which* "wide") or a phone ("phone")."""
    import re

    (block,) = at.get("html")
    url = re.search(rf'<img class="{which}"[^>]* src="([^"]+)"', block.proto.body).group(1)
    prefix = "data:image/svg+xml;base64,"
    assert url.startswith(prefix), url[:60]
    return base64.b64decode(url[len(prefix):]).decode()


@pytest.fixture(scope="module")
def at(open_page):
    return open_page(PAGE)


def test_default_page_renders(at):
    assert not at.error
    for which in ("wide", "phone"):
        svg = _score_svg(at, which)
        assert svg.startswith("<svg") and "Verovio" in svg and svg.count("<use") >= 10  # an engraved score
    assert [b.proto.label for b in at.get("download_button")] == \
        ["MIDI", "MusicXML", "**kern", "SVG", "Symbols (JSON)"]
    assert len(at.latex) >= 3  # the gate equations
    assert {m.label for m in at.metric} >= {"Key", "Notes in the key", "Ends on the tonic"}
    assert _symbols(at).startswith("60 _ _ _ 62 _ _ _ 64")


def test_controls_change_the_output(at):
    first = _symbols(at)
    at.number_input(key="melody_random_seed").set_value(7).run()
    assert not at.exception
    second = _symbols(at)
    assert second != first
    at.slider(key="melody_temperature").set_value(0.3).run()
    assert not at.exception and _symbols(at) != second
    at.slider(key="melody_trace_step").set_value(3).run()
    assert not at.exception
    at.selectbox(key="melody_preset").set_value("Upbeat into C major (3/4)").run()
    assert not at.exception and _symbols(at).startswith("67 _ _ _ 72")


def test_the_score_is_built_once_per_run(open_page, monkeypatch):
    """The engraving, the key analysis and the MIDI and MusicXML downloads share one music21 stream."""
    built = []
    real = score.to_stream

    def counted(melody):
        built.append(melody.text)
        return real(melody)

    monkeypatch.setattr(score, "to_stream", counted)
    at = open_page(PAGE)
    assert built == [_symbols(at)]
    at.number_input(key="melody_random_seed").set_value(3).run()
    assert not at.exception
    assert len(built) == 2 and built[1] == _symbols(at)


def test_typed_seed_and_bad_seeds(open_page):
    at = open_page(PAGE)
    at.radio(key="melody_seed_source").set_value("Symbols I type").run()
    at.text_input(key="melody_seed_text").set_value("69 _ _ _ 72 _ 71 _").run()
    assert not at.exception and not at.error
    assert _symbols(at).startswith("69 _ _ _ 72 _ 71 _")
    for bad, needle in [("_ 60 _", "holds nothing"), ("60 do", "unknown seed symbol"), ("", "empty")]:
        at.text_input(key="melody_seed_text").set_value(bad).run()
        assert not at.exception
        assert at.error and needle in at.error[0].value


def test_song_seed_from_the_bundled_collection(open_page):
    at = open_page(PAGE)
    at.radio(key="melody_seed_source").set_value("The first bars of a song").run()
    assert not at.exception
    assert not at.error, at.error[0].value if at.error else ""
    at.slider(key="melody_seed_bars").set_value(1).run()
    assert not at.exception
    seed = first_bars(corpus.seed_songs()[0][0], 1).text  # the page's default song
    assert seed in [c.value for c in at.code]
    assert _symbols(at).startswith(seed)
    markdown = " ".join(m.value for m in at.markdown)
    assert "<img" not in markdown


# --- defects from the tracker: each test failed on the page before its fix -------------------

def _chart(at, key: str) -> dict:
    """The plotly figure (as a dict) of the chart with widget key *key*."""
    import json

    for element in at.get("plotly_chart"):
        if key in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart {key}")


def _texts(at) -> str:
    return " ".join([c.value for c in at.caption] + [m.value for m in at.markdown] +
                    [i.value for i in at.info] + [w.value for w in at.warning])


def test_every_offered_song_passes_preprocessing(open_page):
    at = open_page(PAGE)
    at.radio(key="melody_seed_source").set_value("The first bars of a song").run()
    songs = at.selectbox(key="melody_song")
    offered, summary = corpus.seed_songs()
    assert len(songs.options) == len(offered) == summary["kept"]
    for option in songs.options[:3]:  # the list's first songs used to be refused
        at.selectbox(key="melody_song").set_value(option).run()
        assert not at.exception
        assert not at.error, at.error[0].value
        assert at.slider(key="melody_seed_bars").value >= 1  # the bars slider stays
    left_out = summary["tunes_read"] - summary["kept"]
    assert left_out > 0 and f"{left_out}" in _texts(at) and "left out" in _texts(at)


def test_song_seeds_need_no_dataset(open_page, tmp_path, monkeypatch):
    """A fresh install (a Hugging Face Space): no kern data anywhere, the song list still works."""
    from audioml import paths

    monkeypatch.setenv("AUDIOML_DATA", str(tmp_path))
    monkeypatch.setattr(paths, "data_candidates", lambda name: [tmp_path / name])
    at = open_page(PAGE)
    at.radio(key="melody_seed_source").set_value("The first bars of a song").run()
    assert not at.exception and not at.error
    assert len(at.selectbox(key="melody_song").options) > 20
    assert "not found" not in _texts(at).lower()


def test_the_limits_stated_are_the_sliders_limits(at):
    steps, temperature = at.slider(key="melody_steps"), at.slider(key="melody_temperature")
    limits = [c.value for c in at.caption if "temperature" in c.value.lower() and "step" in c.value.lower()]
    assert limits, "no caption states the limits"
    assert f"{steps.max:g}" in limits[0] and f"{temperature.max:g}" in limits[0], limits[0]
    assert f"{steps.min:g}" in limits[0] and f"{temperature.min:g}" in limits[0], limits[0]
    from audioml.melody.generate import MAX_STEPS
    assert f"{MAX_STEPS}" not in limits[0]


def test_the_allowance_is_explained(open_page):
    """Seed 4 at temperature 2.5 with a 16-step budget runs out of its allowance."""
    from audioml.melody.generate import ALLOWANCE_STEPS

    at = open_page(PAGE)
    at.slider(key="melody_steps").set_value(16)
    at.slider(key="melody_temperature").set_value(2.5)
    at.number_input(key="melody_random_seed").set_value(4).run()
    assert not at.exception
    (stopped,) = [c.value for c in at.caption if "stopped" in c.value]
    assert "allowance" not in stopped or "extra" in stopped, stopped
    assert f"{ALLOWANCE_STEPS} extra" in stopped and "tonic" in stopped, stopped


def test_the_step_through_numbers_generated_steps(at):
    step = at.slider(key="melody_trace_step")
    step.set_value(step.min).run()
    title = _chart(at, "melody_candidates")["layout"]["title"]["text"]
    assert title.startswith(f"generated step {step.min:g}:"), title
    assert step.min == 1


def test_model_card_is_a_readable_table(at):
    assert not at.get("json"), "raw JSON shown"
    (table,) = at.table
    frame = table.value
    text = frame.to_string()
    assert "Test accuracy" in text
    import re
    assert not re.search(r"\d\.\d{4,}", text), text  # rounded


def test_downloads_do_not_rerun_the_page(at):
    buttons = at.get("download_button")
    assert len(buttons) == 5
    assert all(b.proto.ignore_rerun for b in buttons)


def test_results_are_cached_by_their_inputs(open_page, monkeypatch):
    """The same settings again (another visitor, a display widget) cost no generation or engraving."""
    from audioml.melody import generate as generation

    calls = {"generate": 0, "stream": 0}
    real_generate, real_stream = generation.generate, score.to_stream

    def counted_generate(*args, **kwargs):
        calls["generate"] += 1
        return real_generate(*args, **kwargs)

    def counted_stream(melody):
        calls["stream"] += 1
        return real_stream(melody)

    monkeypatch.setattr(generation, "generate", counted_generate)
    monkeypatch.setattr(score, "to_stream", counted_stream)
    at = open_page(PAGE)
    assert calls == {"generate": 1, "stream": 1}
    at.run()  # a second visit at the same settings
    at.slider(key="melody_trace_step").set_value(2).run()  # a display-only widget
    assert not at.exception
    assert calls == {"generate": 1, "stream": 1}
    first = _symbols(at)
    at.number_input(key="melody_random_seed").set_value(5).run()
    at.number_input(key="melody_random_seed").set_value(0).run()
    assert calls == {"generate": 2, "stream": 2} and _symbols(at) == first


def test_the_key_shown_is_the_models_key(open_page):
    """A loop on C, C, B, A, G: the page's key is the model's (C major or A minor), the one the
    score is engraved in; music21's 24-key analysis (F major) is named beside it."""
    at = open_page(PAGE)
    at.radio(key="melody_seed_source").set_value("Symbols I type").run()
    at.text_input(key="melody_seed_text").set_value("67 _ _ _ 67 _ 69 _ 71 _ _ _ r _ _ _ 72 _ _ _")
    at.selectbox(key="melody_meter").set_value("3/4")
    at.slider(key="melody_temperature").set_value(0.1)
    at.slider(key="melody_steps").set_value(512).run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Key"] in ("C major", "A minor"), metrics
    assert metrics["Notes in the key"] == "100%" and metrics["Ends on the tonic"] == "yes"
    assert "F major" in _texts(at)


def test_seed_help_errors_and_checks_state_one_pitch_range(open_page):
    """The seed's help, its error and its check all use the model's vocabulary range."""
    from audioml.melody import shipped_vocabulary
    from audioml.melody.encoding import pitch_range_text

    low, high = shipped_vocabulary().pitch_range
    stated = pitch_range_text(low, high)
    at = open_page(PAGE)
    at.radio(key="melody_seed_source").set_value("Symbols I type").run()
    assert stated in at.text_input(key="melody_seed_text").help
    at.text_input(key="melody_seed_text").set_value(f"{low} _ _ _ {high} _ _ _").run()
    assert not at.exception and not at.error
    for bad in (low - 1, high + 1):
        at.text_input(key="melody_seed_text").set_value(f"60 _ {bad} _").run()
        assert not at.exception
        assert at.error and stated in at.error[0].value, at.error[0].value if at.error else ""


def test_texts_are_true_to_the_card_music21_and_the_network(at):
    """The number of training songs is the card's; the key analysis named is the one music21
    runs; "notes in the key" says what it counts; x_t is what the LSTM is fed."""
    from music21.analysis.discrete import analysisClassFromMethodName

    from audioml.melody import analysis, shipped_model
    from audioml.registry import get_card

    texts = _texts(at)
    card = get_card("melody_lstm")
    assert f"trained on {card['sequences']['train']:,} German folk songs" in texts
    assert "thousand" not in texts
    assert analysisClassFromMethodName("key").__name__ == "AardenEssen"
    assert "Aarden–Essen" in texts and "Krumhansl-Schmuckler key finding" not in texts
    helps = {m.label: m.help for m in at.metric}
    in_key = helps["Notes in the key"]
    assert f"in a minor key {len(analysis.SCALE['minor'])}" in in_key and "raised 6th and 7th" in in_key
    a_minor = Melody(symbols=tuple(notes_to_symbols([(57 + i, 1) for i in range(12)])), tonic="A",
                     mode="minor")
    assert analysis.in_key_share(a_minor, 9, "minor") == len(analysis.SCALE["minor"]) / 12
    model = shipped_model()
    lstm_inputs = model.keras_model.get_layer("lstm_0").get_weights()[0].shape[0]
    assert f"{lstm_inputs} numbers in all" in texts
    bars = model.config["lookback_bars"]
    assert f"{', '.join(map(str, bars[:-1]))} and {bars[-1]} bars before the next step" in texts


def test_copy_below_the_runs_looked_for_is_not_a_run_of_0_notes():
    from audioml.melody import analysis
    from ui import melody as view

    value, message = view.copy_texts({"notes": 0, "flagged": False})
    assert "0 notes" not in value + message
    assert f"no run of {analysis.COPY_K} notes or more is shared" in message
    value, message = view.copy_texts({"notes": analysis.COPY_K + 2, "flagged": False})
    assert value == f"{analysis.COPY_K + 2} notes" and f"is {analysis.COPY_K + 2} notes" in message


def _all_texts(at) -> str:
    """Every text a reader sees on the page, the model card's table and the drops chart included."""
    texts = [_texts(at), " ".join(m.value for m in at.metric), at.table[0].value.to_string()]
    texts += [" ".join(map(str, _chart(at, "melody_drops")["data"][0]["text"]))]
    return " ".join(texts)


def test_numbers_are_written_one_way(at):
    """Counts with thousands separated, shares as whole percents, durations as the chart's fractions."""
    import re

    texts = _all_texts(at)
    assert not re.findall(r"(?<![\d.,])\d{4,}(?![\d.,])", texts), re.findall(r"(?<![\d.,])\d{4,}(?![\d.,])", texts)
    assert not re.findall(r"\d[.,]\d+\s*%", texts), re.findall(r"\d[.,]\d+\s*%", texts)
    assert re.search(r"\b\d+%", texts)
    stated = re.search(r"Accepted durations[^:]*: ([^.]+)\.", texts).group(1).split(", ")
    assert all(re.fullmatch(r"\d+(/\d+)?", d) for d in stated), stated  # as the chart's labels
