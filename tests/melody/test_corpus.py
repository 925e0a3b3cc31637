"""Preprocessing with music21: duration filter, polyphony, transposition, files, the cache."""

from __future__ import annotations

import music21
import pytest

from audioml.errors import AudioMLError
from audioml.melody import corpus, score
from audioml.melody.encoding import Melody, notes_to_symbols

KERN_G_MAJOR = """!!!OTL: <b>Test</b> song
**kern
*M2/4
*k[f#]
*G:
8d
=1
4g
8a
8b
=2
4.a
16g
16f#
=3
2g
==
*-
"""


def parse_kern(text: str):
    return music21.converter.parseData(text, format="humdrum")


def test_kern_song_is_transposed_to_c_major_and_keeps_its_pickup():
    m = corpus.score_to_melody(parse_kern(KERN_G_MAJOR))
    assert isinstance(m, Melody)
    assert (m.tonic, m.mode, m.meter, m.bar_steps, m.pickup_steps) == ("C", "major", "2/4", 8, 2)
    # G major → C major is 5 semitones up (the nearer way): D4 (62) → G4 (67), G4 (67) → C5 (72).
    assert m.text.split()[:4] == ["67", "_", "72", "_"]
    assert m.notes()[-1] == (72, 8)
    assert m.title.startswith("<b>Test")  # kept as text; the page escapes it


def test_duration_filter_is_configurable():
    triplets = KERN_G_MAJOR.replace("4.a\n16g\n16f#", "12a\n12g\n12f#\n4a")
    assert corpus.score_to_melody(parse_kern(triplets)) == corpus.DROP_DURATION
    dotted_sixteenth = KERN_G_MAJOR.replace("4.a\n16g\n16f#", "4a\n16.g\n32f#")
    assert corpus.score_to_melody(parse_kern(dotted_sixteenth)) == corpus.DROP_DURATION
    wide = corpus.score_to_melody(parse_kern(KERN_G_MAJOR.replace("2g", "4g\n8g\n8g")),
                                  accepted=corpus.DURATION_SETS["wide"])
    assert isinstance(wide, Melody)


def test_polyphony_and_missing_meter_are_dropped_with_reasons():
    chord = music21.stream.Score([music21.stream.Part([music21.meter.TimeSignature("4/4"),
                                                       music21.chord.Chord(["C4", "E4"], quarterLength=4)])])
    assert corpus.score_to_melody(chord) == corpus.DROP_POLYPHONY
    two_parts = music21.stream.Score([music21.stream.Part([music21.note.Note("C4")]),
                                      music21.stream.Part([music21.note.Note("E4")])])
    assert corpus.score_to_melody(two_parts) == corpus.DROP_POLYPHONY
    no_meter = KERN_G_MAJOR.replace("*M2/4\n", "")
    assert corpus.score_to_melody(parse_kern(no_meter)) == corpus.DROP_NO_METER
    two_meters = KERN_G_MAJOR.replace("=2\n", "=2\n*M3/4\n")
    assert corpus.score_to_melody(parse_kern(two_meters)) == corpus.DROP_METER_CHANGE


def test_minor_song_goes_to_a_minor():
    m = Melody(symbols=tuple(notes_to_symbols([(62, 4), (65, 4), (69, 4), (62, 4)])), meter="4/4",
               tonic="D", mode="minor")
    back = corpus.score_to_melody(parse_kern(score.to_kern(m)))
    assert (back.tonic, back.mode) == ("A", "minor")
    assert back.notes()[0][0] % 12 == 9  # D → A


def test_kern_export_round_trips_with_ties_and_pickup():
    notes = [(67, 2), (72, 6), (74, 4), (76, 10), (None, 2), (72, 8)]  # 10 sixteenths cross a bar
    m = Melody(symbols=tuple(notes_to_symbols(notes)), meter="2/4", bar_steps=8, pickup_steps=2)
    back = corpus.score_to_melody(parse_kern(score.to_kern(m)), transpose=False)
    assert isinstance(back, Melody)
    assert back.notes() == notes
    assert back.pickup_steps == 2


def test_load_corpus_counts_drops_and_caches(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "RUNS_DIR", tmp_path / "runs")
    (tmp_path / "songs" / "a").mkdir(parents=True)
    (tmp_path / "songs" / "a" / "one.krn").write_text(KERN_G_MAJOR)
    (tmp_path / "songs" / "a" / "triplet.krn").write_text(
        KERN_G_MAJOR.replace("4.a\n16g\n16f#", "12a\n12g\n12f#\n4a"))
    (tmp_path / "songs" / "a" / "empty.krn").write_text("")
    c = corpus.load_corpus(tmp_path / "songs")
    assert c.counts["songs_kept"] == 1
    assert c.counts["dropped"] == {corpus.DROP_DURATION: 1, corpus.DROP_UNREADABLE: 1}
    assert c.songs[0].extra["collection"] == "a"
    assert list((tmp_path / "runs").glob("melody_corpus_*.json"))

    def no_parsing(*args, **kwargs):
        raise AssertionError("the second load parsed a file instead of reading the cache")

    monkeypatch.setattr(corpus, "parse_file", no_parsing)
    again = corpus.load_corpus(tmp_path / "songs")
    assert again.counts == c.counts and again.songs == c.songs
    with pytest.raises(AudioMLError, match="no song files"):
        corpus.load_corpus(tmp_path / "runs")


@pytest.mark.parametrize("data, name, needle", [
    (b"", "song.krn", "empty"),
    (b"\x00\x01 definitely not music", "song.musicxml", "could not read"),
    (b"hello", "song.txt", "not a song file"),
])
def test_bad_uploads_are_refused(data, name, needle):
    with pytest.raises(AudioMLError, match=needle):
        corpus.read_song(data, name)


def test_polyphonic_upload_is_refused_with_the_reason():
    chord = music21.stream.Score([music21.stream.Part([music21.meter.TimeSignature("4/4"),
                                                       music21.key.Key("C"),
                                                       music21.chord.Chord(["C4", "E4"], quarterLength=4)])])
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    data = GeneralObjectExporter(chord).parse()
    with pytest.raises(AudioMLError, match="polyphony"):
        corpus.read_song(data, "chords.musicxml")
    songs = corpus.read_song(KERN_G_MAJOR.encode(), "song.krn")
    assert songs[0].tonic == "C"


def test_bundled_tunes_list_titles_without_parsing(monkeypatch):
    def no_parsing(*args, **kwargs):
        raise AssertionError("bundled_tunes parsed the music")

    monkeypatch.setattr(music21.converter, "parse", no_parsing)
    monkeypatch.setattr(music21.converter, "parseData", no_parsing)
    tunes = corpus.bundled_tunes(limit=10)
    assert len(tunes) == 10 and all(isinstance(n, int) and t for n, t in tunes)
    assert len({n for n, _ in tunes}) == 10


def test_shipped_seed_songs_are_the_bundled_tunes_preprocessing_keeps():
    """The page's song list: every song passes preprocessing, and the file is what the code builds."""
    songs, summary = corpus.seed_songs()
    built = corpus.build_seed_songs()
    assert [corpus.melody_to_dict(s) for s in songs] == built["songs"]
    assert summary["tunes_read"] == built["tunes_read"] == summary["kept"] + sum(summary["dropped"].values())
    assert summary["kept"] >= 60 and summary["dropped"]
    assert all(s.extra["number"] > 0 and s.tonic in ("C", "A") for s in songs)


def test_seed_songs_are_built_when_the_file_is_missing(tmp_path):
    songs, summary = corpus.seed_songs(tmp_path / "absent.json")
    assert len(songs) == summary["kept"] > 0
