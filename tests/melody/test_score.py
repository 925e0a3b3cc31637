"""Scores: the music21 stream built once, Verovio's SVG, and the MIDI, MusicXML and JSON exports."""

from __future__ import annotations

import json
import re

import music21
import pytest

from audioml.errors import AudioMLError
from audioml.melody import analysis, score
from audioml.melody.encoding import Melody, notes_to_symbols

UPBEAT = Melody(symbols=tuple(notes_to_symbols([(67, 4), (72, 8), (71, 4), (None, 4), (72, 12), (74, 5),
                                                (76, 3)])), meter="3/4", bar_steps=12, pickup_steps=4)


def _without_ids(musicxml: bytes) -> str:
    """music21 writes a fresh random part id and today's date into each MusicXML file."""
    text = musicxml.decode()
    for found in set(re.findall(r'\bid="([^"]+)"', text)):
        text = text.replace(found, "ID")
    return re.sub(r"<encoding-date>[^<]*", "", text)


def test_verovio_draws_glyphs():
    m = Melody(symbols=tuple(notes_to_symbols([(67, 4), (72, 8), (71, 4), (None, 4), (72, 12)])),
               meter="3/4", bar_steps=12, pickup_steps=4, title="<script>alert(1)</script>")
    svg = score.render_svg(m)
    assert svg.lstrip().startswith(("<svg", "<?xml")) and svg.rstrip().endswith("</svg>")
    assert svg.count("<use") >= 5  # noteheads, clef, time signature... drawn from the font
    assert "<script>" not in svg


def test_musicxml_and_midi_exports_parse_back():
    m = Melody(symbols=tuple("60 _ _ _ 62 _ 64 _ r _ 65 _ _ _ _ _".split()), meter="4/4")
    xml = music21.converter.parseData(score.to_musicxml(m).decode(), format="musicxml")
    assert [n.pitch.midi for n in xml.flatten().notes] == [60, 62, 64, 65]
    midi = music21.converter.parseData(score.to_midi(m, tempo_bpm=100), format="midi")
    assert [(n.pitch.midi, n.quarterLength) for n in midi.flatten().notes] == \
        [(60, 1.0), (62, 0.5), (64, 0.5), (65, 1.5)]
    assert [t.number for t in midi.flatten().getElementsByClass(music21.tempo.MetronomeMark)] == [100]
    data = json.loads(score.export_bytes(m, "json"))
    assert data["symbols"] == m.text and data["meter"] == "4/4" and data["key"] == "C major"
    with pytest.raises(AudioMLError, match="choose one of"):
        score.export_bytes(m, "pdf")


@pytest.mark.parametrize("name, fmt", [("a.mid", "mid"), ("b.MusicXML", "musicxml"), ("c.svg", "svg")])
def test_export_format_from_the_file_name(name, fmt):
    assert score.export_format(name) == fmt


@pytest.mark.parametrize("name", ["melody.pdf", "melody", "melody.midi"])
def test_unknown_export_suffix_names_the_valid_ones(name):
    with pytest.raises(AudioMLError, match=r"\.json, \.mid, \.musicxml, \.krn, \.svg"):
        score.export_format(name)


def test_complex_durations_are_written_as_tied_notes():
    notes = [(60, 5), (62, 3), (64, 7), (65, 1), (67, 9), (69, 7), (None, 5), (72, 11)]
    m = Melody(symbols=tuple(notes_to_symbols(notes)), meter="4/4")
    back = music21.converter.parseData(score.to_musicxml(m).decode(), format="musicxml").stripTies()
    got = [(n.pitch.midi if n.isNote else None, int(n.quarterLength * 4))
           for n in back.flatten().notesAndRests]
    merged = []
    for p, d in got:  # consecutive rests are one rest on the grid
        if merged and p is None and merged[-1][0] is None:
            merged[-1] = (None, merged[-1][1] + d)
        else:
            merged.append((p, d))
    assert merged == notes


def test_one_stream_serves_every_view_unchanged(monkeypatch):
    """The page builds the stream once and hands it to the score, the key analysis and the
    exports: each gives what it gives from the melody alone, and none builds another."""
    monkeypatch.setitem(score.VEROVIO_OPTIONS, "xmlIdSeed", 1)  # the same element ids every time
    fresh = {"svg": score.render_svg(UPBEAT),
             "analysis": analysis.analyze(UPBEAT),
             "mid": score.export_bytes(UPBEAT, "mid"),
             "musicxml": _without_ids(score.export_bytes(UPBEAT, "musicxml"))}
    stream = score.to_stream(UPBEAT)
    built = []
    monkeypatch.setattr(score, "to_stream", lambda melody: built.append(melody))
    shared = {"svg": score.render_svg(UPBEAT, stream=stream),  # in the page's order
              "analysis": analysis.analyze(UPBEAT, stream=stream),
              "mid": score.export_bytes(UPBEAT, "mid", stream=stream),
              "musicxml": _without_ids(score.export_bytes(UPBEAT, "musicxml", stream=stream))}
    assert built == []
    assert shared == fresh
    # MIDI gets its tempo on a copy: the shared score still has no metronome mark.
    assert not stream.recurse().getElementsByClass(music21.tempo.MetronomeMark)


def test_phone_engraving_puts_fewer_bars_a_line():
    import re

    m = Melody(symbols=tuple("60 _ _ _ 62 _ _ _ 64 _ _ _ 65 _ _ _".split() * 8), bar_steps=16,
               pickup_steps=0, meter="4/4", tonic="C", mode="major")
    wide, phone = score.render_svgs(m)
    width = [float(re.search(r'width="([\d.]+)px"', svg).group(1)) for svg in (wide, phone)]
    assert width[1] == width[0] * score.PHONE_PAGE_WIDTH / score.VEROVIO_OPTIONS["pageWidth"]
    assert phone.count('class="system"') > wide.count('class="system"')  # more lines of fewer bars


def test_pickup_steps_is_the_length_of_the_upbeat():
    """A quarter-note upbeat in 4/4 (pickup_steps 4): a bar 0 one quarter long, whose note
    sits on the bar's 13th sixteenth."""
    from audioml.melody.encoding import step_positions

    m = Melody(symbols=tuple(notes_to_symbols([(67, 4), (72, 16), (71, 16)])), pickup_steps=4)
    assert step_positions(1, bar_steps=16, pickup_steps=4) == [13]
    bars = score.to_stream(m).parts[0].getElementsByClass(music21.stream.Measure)
    assert bars[0].number == 0 and bars[0].duration.quarterLength == 1.0
    assert [n.pitch.midi for n in bars[0].notes] == [67]
