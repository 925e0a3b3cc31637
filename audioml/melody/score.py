"""Melodies as scores: a music21 stream with meter and key, Verovio SVG, and file exports.

Exports: MIDI and MusicXML through music21, **kern written here (music21 reads
but does not write Humdrum), SVG through Verovio, JSON of the symbols.

Building the music21 stream (bars, ties, accidentals, beams) is the costly part.
Every function that needs one takes it as ``stream=`` (from :func:`to_stream`), so
a caller that shows a melody several ways builds it once; none of them changes it.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

from audioml.errors import AudioMLError
from audioml.melody.encoding import STEPS_PER_QUARTER, Melody

EXPORT_FORMATS = ("json", "mid", "musicxml", "krn", "svg")
#: Verovio drawing options: one system per line of a page as wide as the app's column.
VEROVIO_OPTIONS = {"pageWidth": 2100, "pageHeight": 60000, "scale": 40, "adjustPageHeight": True,
                   "breaks": "auto", "footer": "none", "header": "none", "pageMarginTop": 20,
                   "pageMarginBottom": 20, "pageMarginLeft": 20, "pageMarginRight": 20}
#: A page half as wide for phones: fewer bars a line, so the staff stays about twice as tall
#: (some 24 px on a 390 px wide phone instead of 12).
PHONE_PAGE_WIDTH = 1050


def to_stream(melody: Melody):
    """A music21 ``Score`` of *melody*: one part with its meter, key and bars (pickup kept).

    Pass it as ``stream=`` to :func:`render_svg`, :func:`export_bytes` and
    :func:`audioml.melody.analysis.analyze` to build it once for all of them.

    Raises
    ------
    AudioMLError
        When the melody has no notes.
    """
    import music21

    notes = melody.notes()
    if not notes:
        raise AudioMLError("the melody has no notes to write")
    part = music21.stream.Part()
    part.append(music21.meter.TimeSignature(melody.meter))
    part.append(music21.key.Key(melody.tonic, melody.mode))
    lead = (melody.bar_steps - melody.pickup_steps) % melody.bar_steps
    if lead and melody.pickup_steps:
        # Fill the bar before the upbeat, then cut it away below (music21 makes whole bars).
        part.append(music21.note.Rest(quarterLength=lead / STEPS_PER_QUARTER))
    for pitch, steps in notes:
        ql = steps / STEPS_PER_QUARTER
        if pitch is None:
            element = music21.note.Rest(quarterLength=ql)
        else:
            element = music21.note.Note(pitch, quarterLength=ql)
            if element.pitch.accidental is not None and element.pitch.accidental.name == "natural":
                element.pitch.accidental = None  # a MIDI number gives explicit naturals: drop them
        part.append(element)
    measured = part.makeMeasures()
    measured.makeTies(inPlace=True)
    # Values such as five sixteenths have no single note symbol: write them as tied notes.
    measured.splitAtDurations(recurse=True)
    measured.makeAccidentals(inPlace=True)
    measured.makeBeams(inPlace=True)
    if lead and melody.pickup_steps:
        first = measured.getElementsByClass(music21.stream.Measure).first()
        first.number = 0
        shift = lead / STEPS_PER_QUARTER
        for element in list(first.notesAndRests):
            if element.offset < shift:
                first.remove(element)
            else:
                element.offset -= shift
        first.paddingLeft = shift
        for m in measured.getElementsByClass(music21.stream.Measure)[1:]:
            m.offset -= shift
    score = music21.stream.Score()
    score.metadata = music21.metadata.Metadata(title=melody.title or "Melody")
    score.insert(0, measured)
    return score


def _stream(melody: Melody, stream):
    return to_stream(melody) if stream is None else stream


def to_musicxml(melody: Melody, *, stream=None) -> bytes:
    """MusicXML bytes of *melody* (*stream*: its :func:`to_stream`, built here when not given).

    :func:`to_stream` has already made bars, ties, accidentals and beams, so the exporter skips
    music21's general notation pass (about ten times faster, which keeps the page instant).
    """
    from music21.musicxml.m21ToXml import ScoreExporter

    exporter = ScoreExporter(_stream(melody, stream), makeNotation=False)
    exporter.parse()
    return exporter.asBytes()


def to_midi(melody: Melody, *, tempo_bpm: float = 100.0, stream=None) -> bytes:
    """Standard MIDI file bytes of *melody* at *tempo_bpm* quarter notes a minute.

    The metronome mark goes into a copy of *stream* (the score shown stays without one).
    """
    import music21
    from music21 import midi

    timed = copy.deepcopy(_stream(melody, stream))
    first = timed.parts[0].getElementsByClass(music21.stream.Measure).first()
    first.insert(0, music21.tempo.MetronomeMark(number=tempo_bpm))
    mf = midi.translate.streamToMidiFile(timed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "melody.mid"
        mf.open(str(path), "wb")
        mf.write()
        mf.close()
        return path.read_bytes()


_KERN_DURATIONS = {16: "1", 12: "2.", 14: "2..", 8: "2", 6: "4.", 7: "4..", 4: "4", 3: "8.", 2: "8",
                   1: "16"}
_NAMES = ["c", "c#", "d", "e-", "e", "f", "f#", "g", "g#", "a", "b-", "b"]


def _kern_pitch(midi: int) -> str:
    name = _NAMES[midi % 12]
    letter, accidental = name[0], name[1:]
    octave = midi // 12 - 1
    # **kern: c = middle C (C4), cc = C5, C = C3, CC = C2.
    text = letter * (octave - 3) if octave >= 4 else letter.upper() * (4 - octave)
    return text + accidental


def _split_steps(steps: int) -> list[int]:
    parts = []
    while steps:
        part = max(d for d in _KERN_DURATIONS if d <= steps)
        parts.append(part)
        steps -= part
    return parts


def to_kern(melody: Melody) -> str:
    """A Humdrum **kern text of *melody*, with barlines, and ties where a note crosses one."""
    key = f"*{melody.tonic.upper() if melody.mode == 'major' else melody.tonic.lower()}:"
    title = " ".join((melody.title or "Melody").split())
    lines = [f"!!!OTL: {title}", "**kern", f"*M{melody.meter}", "*k[]", key]
    bar_steps = melody.bar_steps
    clock = (bar_steps - melody.pickup_steps) % bar_steps  # position in the bar
    bar = 1
    if not melody.pickup_steps:
        lines.append("=1-")
        bar = 2
    for pitch, steps in melody.notes():
        pieces: list[tuple[int, bool]] = []  # (sixteenths, a barline follows)
        remaining = steps
        while remaining:
            take = min(bar_steps - clock, remaining)
            split = _split_steps(take)
            clock = (clock + take) % bar_steps
            remaining -= take
            pieces += [(d, False) for d in split[:-1]] + [(split[-1], clock == 0)]
        for j, (d, barline) in enumerate(pieces):
            token = _KERN_DURATIONS[d] + ("r" if pitch is None else _kern_pitch(pitch))
            if pitch is not None and len(pieces) > 1:
                token = "[" + token if j == 0 else token + ("]" if j == len(pieces) - 1 else "_")
            lines.append(token)
            if barline:
                lines.append(f"={bar}")
                bar += 1
    if lines[-1].startswith("="):
        lines[-1] = "=="
    else:
        lines.append("==")
    lines.append("*-")
    return "\n".join(lines) + "\n"


_TOOLKIT_DATA: str | None = None


def _toolkit():
    """A Verovio toolkit that can find its fonts in any thread.

    A toolkit made in Streamlit's script thread draws an empty score unless its
    resource path is set explicitly to the package's ``data`` folder.
    """
    global _TOOLKIT_DATA
    import verovio

    if _TOOLKIT_DATA is None:
        _TOOLKIT_DATA = str(Path(verovio.__file__).parent / "data")
    tk = verovio.toolkit(False)
    tk.setResourcePath(_TOOLKIT_DATA)
    return tk


def render_svg(melody: Melody, *, stream=None, page_width: int | None = None) -> str:
    """Engrave *melody* with Verovio; return one SVG document (all systems on one page).

    *stream* is the melody's :func:`to_stream`, built here when not given; *page_width* replaces
    :data:`VEROVIO_OPTIONS`' (a narrower page puts fewer bars on a line).

    Raises
    ------
    AudioMLError
        When Verovio cannot load the score.
    """
    return render_svgs(melody, stream=stream, page_widths=(page_width or VEROVIO_OPTIONS["pageWidth"],))[0]


def render_svgs(melody: Melody, *, stream=None,
                page_widths=(VEROVIO_OPTIONS["pageWidth"], PHONE_PAGE_WIDTH)) -> list[str]:
    """Engrave *melody* once per page width (the score is loaded once): one SVG for each.

    Raises
    ------
    AudioMLError
        When Verovio cannot load the score.
    """
    tk = _toolkit()
    tk.setOptions(VEROVIO_OPTIONS)
    if not tk.loadData(to_musicxml(melody, stream=stream).decode("utf-8")):
        raise AudioMLError("Verovio could not load the melody's MusicXML")
    svgs = []
    for width in page_widths:
        if width != tk.getOptions().get("pageWidth"):
            tk.setOptions({"pageWidth": int(width)})
            tk.redoLayout()
        svg = tk.renderToSVG(1)
        if "<svg" not in svg:
            raise AudioMLError("Verovio drew no score")
        svgs.append(svg)
    return svgs


def export_bytes(melody: Melody, fmt: str, *, stream=None) -> bytes:
    """*melody* as a file of format *fmt* (``json``, ``mid``, ``musicxml``, ``krn``, ``svg``).

    *stream* is the melody's :func:`to_stream` (MIDI, MusicXML and SVG need one; built here
    when not given).
    """
    fmt = fmt.lower().lstrip(".")
    if fmt == "json":
        data = {"symbols": melody.text, "meter": melody.meter, "pickup_steps": melody.pickup_steps,
                "key": f"{melody.tonic} {melody.mode}", "title": melody.title}
        for extra in ("seed_steps", "temperature", "stop_reason"):
            if hasattr(melody, extra):
                data[extra] = getattr(melody, extra)
        return (json.dumps(data, indent=1) + "\n").encode()
    if fmt in ("mid", "midi"):
        return to_midi(melody, stream=stream)
    if fmt in ("musicxml", "xml"):
        return to_musicxml(melody, stream=stream)
    if fmt in ("krn", "kern"):
        return to_kern(melody).encode()
    if fmt == "svg":
        return render_svg(melody, stream=stream).encode()
    raise AudioMLError(f"unknown output format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")


def export_format(path: str | Path) -> str:
    """The export format *path*'s suffix names, one of :data:`EXPORT_FORMATS`.

    Raises
    ------
    AudioMLError
        For any other suffix; the message lists the valid ones.
    """
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise AudioMLError(f"the output file must end in one of .{', .'.join(EXPORT_FORMATS)}; "
                           f"got {str(path)!r}")
    return fmt


def write(melody: Melody, path: str | Path) -> Path:
    """Write *melody* to *path*, the format chosen by its suffix (see :func:`export_format`)."""
    path = Path(path)
    path.write_bytes(export_bytes(melody, export_format(path)))
    return path
