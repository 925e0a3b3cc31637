"""The sixteenth-grid encoding, seeds and vocabulary: pure Python, no music21, no Keras."""

from __future__ import annotations

import re
import sys

import pytest

from audioml.errors import AudioMLError
from audioml.melody.encoding import (Melody, Vocabulary, bar_steps_for, notes_to_symbols, parse_seed,
                                     pitch_range_text, step_positions, symbols_to_notes)


def test_scale_in_quarters_encodes_as_in_the_paper():
    assert " ".join(notes_to_symbols([(60, 4), (62, 4)])) == "60 _ _ _ 62 _ _ _"


@pytest.mark.parametrize("notes", [
    [(60, 4), (62, 4), (64, 2), (None, 2), (65, 1), (67, 3), (72, 16)],
    [(None, 1), (69, 6), (68, 2), (69, 8)],
])
def test_notes_symbols_round_trip(notes):
    symbols = notes_to_symbols(notes)
    assert symbols_to_notes(symbols) == notes
    assert len(symbols) == sum(d for _, d in notes)


def test_melody_text_and_notes():
    m = Melody(symbols=tuple("60 _ r _ 62".split()), meter="2/4", bar_steps=8)
    assert m.text == "60 _ r _ 62"
    assert m.notes() == [(60, 2), (None, 2), (62, 1)]


@pytest.mark.parametrize("text, needle", [
    ("", "empty"), ("   ", "empty"), ("_ 60", "starts with '_'"), ("60 x 62", "unknown seed symbol"),
    ("60 / 62", "delimiter"), ("60 _ 200", "not a MIDI pitch"), ("C4 _", "unknown"),
    (" ".join(["60", "_", "_", "_"] * 100), "too long"), ("60 " * 5000, "too long"),
])
def test_bad_seeds_name_what_is_valid(text, needle):
    with pytest.raises(AudioMLError) as err:
        parse_seed(text)
    assert needle in str(err.value)
    assert any(valid in str(err.value) for valid in ("MIDI", "start with a pitch", "at most"))


def test_a_seed_is_checked_against_the_vocabularys_range_and_errors_state_it_once():
    vocab = Vocabulary.build([["57", "_", "62", "r", "69"]])
    assert vocab.pitch_range == (57, 69)
    stated = pitch_range_text(57, 69)
    assert stated == "MIDI pitch numbers from 57 to 69 (A3 to A4; 60 is middle C)"
    for pitch in (57, 69):
        assert parse_seed(f"r _ {pitch} _", vocabulary=vocab) == ["r", "_", str(pitch), "_"]
    for bad in ("56", "70", "21", "108", "200"):
        with pytest.raises(AudioMLError) as err:
            parse_seed(f"60 _ {bad}", vocabulary=vocab)
        message = str(err.value)
        assert f"seed pitch {bad} is outside" in message and stated in message
        assert len(re.findall(r"\d+ to \d+", message)) == 1, message  # one range, stated once
    with pytest.raises(AudioMLError) as err:
        parse_seed("60 x", vocabulary=vocab.symbols)
    assert stated in str(err.value)


def test_positions_follow_bar_and_pickup():
    assert step_positions(6, bar_steps=4) == [1, 2, 3, 4, 1, 2]
    # A quarter-note upbeat in 3/4 starts at the bar's ninth sixteenth.
    assert step_positions(6, bar_steps=12, pickup_steps=4) == [9, 10, 11, 12, 1, 2]
    assert step_positions(2, bar_steps=8, start=7) == [8, 1]


@pytest.mark.parametrize("meter, steps", [("2/4", 8), ("3/4", 12), ("4/4", 16), ("6/8", 12), ("3/8", 6)])
def test_bar_steps(meter, steps):
    assert bar_steps_for(meter) == steps


@pytest.mark.parametrize("meter", ["x", "4", "5/0", "1/32", "13/4"])
def test_bad_meter(meter):
    with pytest.raises(AudioMLError, match="meter"):
        bar_steps_for(meter)


def test_vocabulary_json_round_trip_and_padding_is_delimiter():
    vocab = Vocabulary.build([["64", "_", "60", "r"], ["67", "_"]])
    assert vocab.symbols[:3] == ["/", "_", "r"]
    assert vocab.symbols[3:] == [str(p) for p in range(60, 68)]  # no gaps in the pitch range
    again = Vocabulary.from_json(vocab.to_json())
    assert again.symbols == vocab.symbols
    assert again.encode(["/", "_", "r", "60", "67"]) == [0, 1, 2, 3, 10]
    with pytest.raises(AudioMLError):
        vocab.encode(["90"])


def test_encoding_imports_neither_keras_nor_music21():
    import subprocess

    code = ("import sys, audioml.melody.encoding; "
            "print('keras' in sys.modules, 'music21' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]
