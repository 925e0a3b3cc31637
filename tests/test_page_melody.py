"""AppTest of the melody page with the shipped model."""

from __future__ import annotations

import pytest

from audioml.registry import list_cards
from tests.conftest import open_page

PAGE = "pages/4_melody.py"

pytestmark = pytest.mark.skipif(not list_cards(task="melody"), reason="no melody model shipped")


def _symbols(at) -> str:
    """The generated melody's symbols (the code block inside the 'as symbols' expander)."""
    return at.expander[0].code[0].value


@pytest.fixture(scope="module")
def at():
    return open_page(PAGE)


def test_default_page_renders(at):
    assert not at.error
    assert len(at.get("imgs")) >= 1 or len(at.get("image")) >= 1 or "svg" in str(at.main).lower()
    assert len(at.get("download_button")) == 5
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


def test_typed_seed_and_bad_seeds():
    at = open_page(PAGE)
    at.radio(key="melody_seed_source").set_value("Symbols I type").run()
    at.text_input(key="melody_seed_text").set_value("69 _ _ _ 72 _ 71 _").run()
    assert not at.exception and not at.error
    assert _symbols(at).startswith("69 _ _ _ 72 _ 71 _")
    for bad, needle in [("_ 60 _", "holds nothing"), ("60 do", "unknown seed symbol"), ("", "empty")]:
        at.text_input(key="melody_seed_text").set_value(bad).run()
        assert not at.exception
        assert at.error and needle in at.error[0].value


def test_song_seed_from_the_bundled_collection():
    at = open_page(PAGE)
    at.radio(key="melody_seed_source").set_value("The first bars of a song").run()
    assert not at.exception
    assert not at.error, at.error[0].value if at.error else ""
    at.slider(key="melody_seed_bars").set_value(1).run()
    assert not at.exception
    markdown = " ".join(m.value for m in at.markdown)
    assert "<img" not in markdown
