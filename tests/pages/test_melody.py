"""AppTest of the melody page with the shipped model."""

from __future__ import annotations

import base64

import pytest

from audioml.melody import corpus, score
from audioml.melody.generate import first_bars
from audioml.registry import list_cards

PAGE = "pages/4_melody.py"

pytestmark = pytest.mark.skipif(not list_cards(task="melody"), reason="no melody model shipped")


def _symbols(at) -> str:
    """The generated melody's symbols (the code block inside the 'as symbols' expander)."""
    return at.expander[0].code[0].value


def _score_svg(at) -> str:
    """The SVG behind the page's one picture (st.image sends it as a data URI)."""
    (image,) = at.get("image")
    url = image.proto.imgs[0].url
    prefix = "data:image/svg+xml;base64,"
    assert url.startswith(prefix), url[:60]
    return base64.b64decode(url[len(prefix):]).decode()


@pytest.fixture(scope="module")
def at(open_page):
    return open_page(PAGE)


def test_default_page_renders(at):
    assert not at.error
    svg = _score_svg(at)
    assert svg.startswith("<svg") and "Verovio" in svg and svg.count("<use") >= 10  # an engraved score
    assert [b.proto.label for b in at.get("download_button")] == \
        ["MIDI", "MusicXML", "**kern", "SVG", "Symbols (JSON)"]
    assert len(at.latex) >= 3  # the gate equations
    assert {m.label for m in at.metric} >= {"Key (music21)", "Notes in the key", "Ends on the tonic"}
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
    number = corpus.bundled_tunes()[5][0]  # the page's default song
    seed = first_bars(corpus.read_bundled_tune(number), 1).text
    assert seed in [c.value for c in at.code]
    assert _symbols(at).startswith(seed)
    markdown = " ".join(m.value for m in at.markdown)
    assert "<img" not in markdown
