"""From song files to encoded melodies: parse, filter, transpose, encode, cache.

A chain of small stages, each a function (as Magenta's melody pipeline):

1. :func:`song_files` lists ``.krn``, ``.abc``, ``.musicxml``/``.mxl``/``.xml`` files;
2. :func:`parse_file` reads one with music21 (an ABC file may hold many tunes);
3. :func:`score_to_melody` checks a score (one voice, durations in the accepted
   set, a meter, a key), transposes it to C major or A minor and encodes it, or
   says why it was dropped;
4. :func:`load_corpus` runs the chain over a folder, counts what was dropped and
   why, and caches the result under ``runs/`` (parsing thousands of files takes
   minutes).

Everything here needs music21, nothing needs Keras.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Sequence

from audioml.errors import AudioMLError
from audioml.melody.encoding import MAX_BAR_STEPS, STEPS_PER_QUARTER, Melody, notes_to_symbols
from audioml.paths import RUNS_DIR, find_data
from audioml.progress import ProgressFn, no_progress

#: Durations kept, in quarter notes (the paper): sixteenth, eighth, dotted eighth, quarter,
#: dotted quarter, half, dotted half, whole. Named sets, chosen with ``accepted=``.
DURATION_SETS = {
    "paper": (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0),
    "paper+dotted-sixteenth": (0.25, 0.375, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0),
    "wide": (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0),
}
DEFAULT_DURATIONS = DURATION_SETS["paper"]
SONG_SUFFIXES = (".krn", ".abc", ".musicxml", ".mxl", ".xml")
#: The sub-collection of essen-deutschl never used for training: "songs from collections the
#: model never saw".
HELDOUT_COLLECTION = "fink"
#: The key every kept song is transposed to, by mode: (tonic pitch class, tonic name). Both
#: share one key signature, without sharps or flats; they are the keys the model writes in.
TRANSPOSED_TO = {"major": (0, "C"), "minor": (9, "A")}
#: Bump when the encoding changes so that old caches are not reused.
CORPUS_VERSION = 3

# Drop reasons, as shown to users.
DROP_DURATION = "duration outside the set"
DROP_POLYPHONY = "polyphony"
DROP_NO_KEY = "no key"
DROP_NO_METER = "no meter"
DROP_METER_CHANGE = "meter changes"
DROP_UNREADABLE = "not readable as music"
DROP_EMPTY = "no notes"


@dataclass
class Corpus:
    """Encoded songs plus what preprocessing kept and dropped.

    Attributes
    ----------
    songs : list of Melody
        Kept songs, transposed to C major / A minor. ``extra["collection"]`` names the
        sub-folder a song came from.
    dropped : Counter
        Songs dropped, by reason.
    source : str
        The folder or file read.
    accepted : tuple of float
        The accepted durations, in quarter notes.
    """

    songs: list[Melody]
    dropped: Counter = field(default_factory=Counter)
    source: str = ""
    accepted: tuple[float, ...] = DEFAULT_DURATIONS

    @property
    def counts(self) -> dict:
        """Songs read, kept and dropped by reason: the numbers a user should see."""
        kept = len(self.songs)
        dropped = dict(self.dropped.most_common())
        return {"songs_read": kept + sum(dropped.values()), "songs_kept": kept,
                "dropped": dropped, "accepted_durations": list(self.accepted)}

    def split(self, *, heldout: str | None = HELDOUT_COLLECTION, test_share: float = 0.2,
              val_share: float = 0.1) -> dict[str, list[Melody]]:
        """Deterministic split: a held-out collection, then 80/20 by a hash of the file name.

        A slice of the training share (*val_share* of it) is kept apart for choosing the best
        epoch, so the test share is never looked at during training.
        """
        parts: dict[str, list[Melody]] = {"train": [], "val": [], "test": [], "heldout": []}
        for song in self.songs:
            if heldout and song.extra.get("collection") == heldout:
                parts["heldout"].append(song)
                continue
            u = zlib.crc32(f"{song.source}#{song.extra.get('index', 0)}".encode()) / 2**32
            if u < test_share:
                parts["test"].append(song)
            elif u < test_share + (1 - test_share) * val_share:
                parts["val"].append(song)
            else:
                parts["train"].append(song)
        return parts


def song_files(path: str | os.PathLike) -> list[Path]:
    """Song files under *path* (a file or a folder, searched recursively), sorted."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise AudioMLError(f"no such file or folder: {path}")
    return sorted(p for p in path.rglob("*") if p.suffix.lower() in SONG_SUFFIXES and p.is_file())


def parse_file(path: str | os.PathLike, *, data: bytes | None = None, fmt: str | None = None) -> list:
    """Parse one song file with music21; return its scores (an ABC file may hold many).

    Raises
    ------
    AudioMLError
        Empty or unreadable files.
    """
    import music21

    name = Path(path).name
    if data is not None and not data:
        raise AudioMLError(f"{name} is empty (0 bytes)")
    if data is None and Path(path).stat().st_size == 0:
        raise AudioMLError(f"{name} is empty (0 bytes)")
    try:
        if data is not None:
            text = data if fmt in ("mxl",) else data.decode("utf-8", errors="replace")
            parsed = music21.converter.parseData(text, format=fmt)
        else:
            parsed = music21.converter.parse(str(path), forceSource=True)
    except Exception as err:  # noqa: BLE001 - music21 raises many types on bad files
        raise AudioMLError(f"could not read {name} as music (**kern, ABC or MusicXML): "
                           f"{type(err).__name__}") from None
    if isinstance(parsed, music21.stream.Opus):
        return list(parsed.scores)
    return [parsed]


def score_to_melody(score, *, accepted: Sequence[float] = DEFAULT_DURATIONS, source: str = "",
                    transpose: bool = True) -> Melody | str:
    """Check, transpose and encode one music21 score.

    Returns
    -------
    Melody or str
        The encoded melody, or the reason it was dropped (one of the ``DROP_*`` texts).
    """
    import music21

    parts = list(score.parts) if hasattr(score, "parts") and len(score.parts) else [score]
    if len(parts) > 1:
        return DROP_POLYPHONY
    part = parts[0]
    flat = part.flatten()
    if flat.getElementsByClass(music21.chord.Chord):
        return DROP_POLYPHONY
    notes = [n for n in flat.notesAndRests if not n.duration.isGrace]
    if not any(n.isNote for n in notes):
        return DROP_EMPTY
    accepted_q = {Fraction(a).limit_denominator(64) for a in accepted}
    for n in notes:
        if Fraction(n.quarterLength).limit_denominator(64) not in accepted_q:
            return DROP_DURATION
    end = Fraction(0)
    for n in notes:  # one voice: nothing may start before the previous element ended
        if Fraction(n.offset).limit_denominator(64) < end:
            return DROP_POLYPHONY
        end = Fraction(n.offset).limit_denominator(64) + Fraction(n.quarterLength).limit_denominator(64)
    meters = {ts.ratioString for ts in flat.getElementsByClass(music21.meter.TimeSignature)}
    if not meters:
        return DROP_NO_METER
    if len(meters) > 1:
        return DROP_METER_CHANGE
    ts = flat.getElementsByClass(music21.meter.TimeSignature).first()
    bar_steps = round(ts.barDuration.quarterLength * STEPS_PER_QUARTER)
    if not 1 <= bar_steps <= MAX_BAR_STEPS:
        return DROP_METER_CHANGE
    song_key = _find_key(score, flat)
    if song_key is None:
        return DROP_NO_KEY
    shift = 0
    if transpose:
        target = TRANSPOSED_TO[song_key.mode][0]
        shift = ((target - song_key.tonic.pitchClass + 6) % 12) - 6
    # Tied notes become one note on the grid; the filter above judged them as written.
    tied = part.stripTies().flatten()
    events, clock = [], Fraction(0)
    for n in tied.notesAndRests:
        if n.duration.isGrace:
            continue
        offset = Fraction(n.offset).limit_denominator(64)
        if offset > clock:  # a gap between events is a rest
            events.append((None, int((offset - clock) * STEPS_PER_QUARTER)))
        steps = Fraction(n.quarterLength).limit_denominator(64) * STEPS_PER_QUARTER
        if steps.denominator != 1:
            return DROP_DURATION
        events.append((None if n.isRest else n.pitch.midi + shift, int(steps)))
        clock = offset + Fraction(n.quarterLength).limit_denominator(64)
    while events and events[-1][0] is None:  # trailing rests carry no melody
        events.pop()
    if not events or any(s < 1 for _, s in events):
        return DROP_EMPTY
    measures = list(part.getElementsByClass(music21.stream.Measure))
    pickup = 0
    if measures:
        first = round(measures[0].duration.quarterLength * STEPS_PER_QUARTER)
        if 0 < first < bar_steps:
            pickup = first
    tonic = TRANSPOSED_TO[song_key.mode][1] if transpose else song_key.tonic.name
    title = ""
    if score.metadata is not None and score.metadata.title:
        title = str(score.metadata.title)
    return Melody(symbols=tuple(notes_to_symbols(events)), bar_steps=bar_steps, pickup_steps=pickup,
                  meter=ts.ratioString, tonic=tonic, mode=song_key.mode, title=title[:200],
                  source=source)


def _find_key(score, flat):
    """The key written in the file, or music21's analysis when none is written or it is modal."""
    import music21

    written = [k for k in flat.getElementsByClass(music21.key.Key) if k.mode in ("major", "minor")]
    if written:
        return written[0]
    try:
        found = score.analyze("key")
    except Exception:  # noqa: BLE001 - analysis fails on pathological input
        return None
    if found is None or found.mode not in ("major", "minor"):
        return None
    return found


def _read_one(args) -> tuple[list[dict], Counter]:
    """Worker: parse one file, return its kept songs (as dicts) and its drop counts."""
    path, root, accepted = args
    songs, dropped = [], Counter()
    rel = str(Path(path).relative_to(root)) if Path(root) in Path(path).parents else Path(path).name
    collection = Path(rel).parts[0] if len(Path(rel).parts) > 1 else ""
    try:
        scores = parse_file(path)
    except AudioMLError:
        dropped[DROP_UNREADABLE] += 1
        return songs, dropped
    for index, score in enumerate(scores):
        try:
            result = score_to_melody(score, accepted=accepted, source=rel)
        except Exception:  # noqa: BLE001 - one odd tune must not stop a corpus
            result = DROP_UNREADABLE
        if isinstance(result, str):
            dropped[result] += 1
        else:
            songs.append(melody_to_dict(result, collection=collection, index=index))
    return songs, dropped


def melody_to_dict(m: Melody, **extra) -> dict:
    """A JSON-ready dict of *m* (symbols as one string)."""
    return {"symbols": m.text, "bar_steps": m.bar_steps, "pickup_steps": m.pickup_steps,
            "meter": m.meter, "tonic": m.tonic, "mode": m.mode, "title": m.title,
            "source": m.source, **{**m.extra, **extra}}


def melody_from_dict(d: dict) -> Melody:
    """Inverse of :func:`melody_to_dict`."""
    known = {"symbols", "bar_steps", "pickup_steps", "meter", "tonic", "mode", "title", "source"}
    return Melody(symbols=tuple(d["symbols"].split()), bar_steps=d["bar_steps"],
                  pickup_steps=d["pickup_steps"], meter=d["meter"], tonic=d["tonic"],
                  mode=d["mode"], title=d.get("title", ""), source=d.get("source", ""),
                  extra={k: v for k, v in d.items() if k not in known})


def default_data_path(data: str | os.PathLike | None = None) -> Path:
    """Where to read songs: *data*, else the kern dataset folder, else music21's Essen ABC files."""
    if data is not None:
        path = Path(data).expanduser()
        if not path.exists():
            raise AudioMLError(f"no such file or folder: {path}")
        return path
    try:
        kern = find_data("kern")
        return kern / "essen-deutschl" if (kern / "essen-deutschl").is_dir() else kern
    except AudioMLError:
        return bundled_corpus_path()


def bundled_corpus_path() -> Path:
    """music21's bundled Essen folk songs in ABC notation (the offline default)."""
    import music21

    return Path(music21.__file__).parent / "corpus" / "essenFolksong"


def load_corpus(data: str | os.PathLike | None = None, *,
                accepted: Sequence[float] = DEFAULT_DURATIONS, limit: int | None = None,
                workers: int = 1, cache: bool = True, progress: ProgressFn = no_progress) -> Corpus:
    """Parse, filter, transpose and encode every song under *data*.

    Parameters
    ----------
    data : path-like, optional
        A file or folder of ``.krn``, ``.abc``, ``.musicxml``/``.mxl`` songs; see
        :func:`default_data_path` for the default.
    accepted : sequence of float
        Note and rest durations kept, in quarter notes (see :data:`DURATION_SETS`).
    limit : int, optional
        Read only the first *limit* files (quick runs).
    workers : int
        Parallel parser processes.
    cache : bool
        Reuse / write ``runs/melody_corpus_<hash>.json``.
    progress : callable
        ``progress(done, total, message)`` per file.

    Raises
    ------
    AudioMLError
        When the path does not exist or holds no song files.
    """
    root = default_data_path(data)
    files = song_files(root)
    if limit:
        files = files[:limit]
    if not files:
        raise AudioMLError(f"no song files (.krn, .abc, .musicxml, .mxl) found in {root}")
    accepted = tuple(sorted(float(a) for a in accepted))
    if not accepted or any(a <= 0 for a in accepted):
        raise AudioMLError(f"accepted durations must be positive quarter-note values; got {accepted}")
    key = hashlib.sha1(json.dumps([str(root.resolve()), len(files), accepted, limit,
                                   CORPUS_VERSION]).encode()).hexdigest()[:12]
    cache_path = RUNS_DIR / f"melody_corpus_{key}.json"
    if cache and cache_path.exists():
        stored = json.loads(cache_path.read_text())
        progress(len(files), len(files), "cached")
        return Corpus([melody_from_dict(d) for d in stored["songs"]], Counter(stored["dropped"]),
                      stored["source"], tuple(stored["accepted"]))
    base = root if root.is_dir() else root.parent
    jobs = [(str(f), str(base), accepted) for f in files]
    songs: list[dict] = []
    dropped: Counter = Counter()
    for done, (kept, drops) in enumerate(_map(jobs, workers), start=1):
        songs.extend(kept)
        dropped.update(drops)
        if done % 20 == 0 or done == len(jobs):
            progress(done, len(jobs), f"kept {len(songs)}")
    if cache:
        RUNS_DIR.mkdir(parents=True, exist_ok=True)
        cache_path.write_text(json.dumps({"songs": songs, "dropped": dict(dropped),
                                          "source": str(root), "accepted": list(accepted)}))
    return Corpus([melody_from_dict(d) for d in songs], dropped, str(root), accepted)


def _map(jobs: list, workers: int) -> Iterable:
    if workers <= 1:
        return map(_read_one, jobs)
    import multiprocessing

    pool = multiprocessing.get_context("spawn").Pool(workers)
    return pool.imap(_read_one, jobs, chunksize=16)


def read_song(data: bytes, name: str, *, accepted: Sequence[float] = DEFAULT_DURATIONS) -> list[Melody]:
    """Read an uploaded song file (bytes) into melodies; refuse what cannot be used.

    Raises
    ------
    AudioMLError
        Empty data, a file that is not music, or one whose every tune is polyphonic or
        otherwise unusable; the message says why and what is accepted.
    """
    suffix = Path(name).suffix.lower()
    formats = {".krn": "humdrum", ".abc": "abc", ".musicxml": "musicxml", ".xml": "musicxml",
               ".mxl": "mxl"}
    if suffix not in formats:
        raise AudioMLError(f"{Path(name).name[:60]!r} is not a song file; use .krn, .abc, "
                           f".musicxml, .xml or .mxl")
    scores = parse_file(name, data=data, fmt=formats[suffix])
    melodies, reasons = [], Counter()
    for index, score in enumerate(scores):
        try:
            result = score_to_melody(score, accepted=accepted, source=Path(name).name)
        except Exception:  # noqa: BLE001
            result = DROP_UNREADABLE
        if isinstance(result, str):
            reasons[result] += 1
        else:
            melodies.append(result)
    if not melodies:
        why = ", ".join(f"{r} ({c})" for r, c in reasons.most_common()) or "no tunes"
        raise AudioMLError(f"no usable melody in {Path(name).name[:60]!r}: {why}. A song must be "
                           f"one voice (monophonic), with a meter and a key, and note values in "
                           f"{', '.join(str(a) for a in accepted)} quarter notes")
    return melodies


def bundled_tunes(file: str = "altdeu10.abc", *, limit: int = 60) -> list[tuple[int, str]]:
    """(tune number, title) of the first *limit* tunes in one of music21's bundled Essen ABC files.

    Read from the ABC text (``X:`` and ``T:`` lines) without parsing the music, so it is instant.
    """
    import re

    path = bundled_corpus_path() / file
    if not path.is_file():
        raise AudioMLError(f"music21's bundled song file {file!r} is missing")
    tunes, number = [], None
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("X:"):
            number = int(re.sub(r"\D", "", line) or 0)
        elif line.startswith("T:") and number is not None:
            tunes.append((number, line[2:].strip()[:80]))
            number = None
            if len(tunes) >= limit:
                break
    return tunes


def read_bundled_tune(number: int, file: str = "altdeu10.abc", *,
                      accepted: Sequence[float] = DEFAULT_DURATIONS) -> Melody:
    """Parse tune *number* of a bundled Essen ABC file, preprocessed as the training songs.

    Raises
    ------
    AudioMLError
        When preprocessing drops the tune; the message gives the reason.
    """
    import music21

    path = bundled_corpus_path() / file
    try:
        score = music21.converter.parse(str(path), number=int(number), forceSource=True)
    except Exception as err:  # noqa: BLE001
        raise AudioMLError(f"could not read tune {number} of {file}: {type(err).__name__}") from None
    result = score_to_melody(score, accepted=accepted, source=f"{file}#{number}")
    if isinstance(result, str):
        raise AudioMLError(f"preprocessing drops this song ({result}), as it dropped such songs from "
                           f"the training data; pick another")
    return result


#: music21's bundled Essen file the app's song seeds come from (always installed with music21).
SEED_FILE = "altdeu10.abc"
#: The seed songs derived from :data:`SEED_FILE`: only those preprocessing keeps, shipped beside
#: this module so that the page lists them instantly, with or without any dataset.
SEED_SONGS_PATH = Path(__file__).with_name("seed_songs.json")


def build_seed_songs(file: str = SEED_FILE, *, accepted: Sequence[float] = DEFAULT_DURATIONS) -> dict:
    """Preprocess every tune of a bundled Essen ABC file as the training songs were.

    Returns
    -------
    dict
        ``file``, ``tunes_read``, ``dropped`` (tunes left out, by reason) and ``songs``: the kept
        tunes as :func:`melody_to_dict` dicts with their tune ``number`` (the file's ``X:``).
    """
    path = bundled_corpus_path() / file
    if not path.is_file():
        raise AudioMLError(f"music21's bundled song file {file!r} is missing")
    scores = parse_file(path)
    songs, dropped = [], Counter()
    for index, score in enumerate(scores, start=1):
        number = index
        if score.metadata is not None and score.metadata.number:
            number = int("".join(c for c in str(score.metadata.number) if c.isdigit()) or index)
        try:
            result = score_to_melody(score, accepted=accepted, source=f"{file}#{number}")
        except Exception:  # noqa: BLE001 - one odd tune must not stop the list
            result = DROP_UNREADABLE
        if isinstance(result, str):
            dropped[result] += 1
        else:
            songs.append(melody_to_dict(result, number=number))
    return {"file": file, "tunes_read": len(scores), "dropped": dict(dropped.most_common()),
            "accepted_durations": [float(a) for a in accepted], "songs": songs}


def write_seed_songs(path: str | os.PathLike = SEED_SONGS_PATH) -> Path:
    """Rebuild the shipped seed-song file (:data:`SEED_SONGS_PATH`) from music21's corpus."""
    path = Path(path)
    path.write_text(json.dumps(build_seed_songs(), separators=(",", ":")) + "\n")
    return path


def seed_songs(path: str | os.PathLike = SEED_SONGS_PATH) -> tuple[list[Melody], dict]:
    """The songs offered as seeds (each passes preprocessing) and what was left out.

    Read from the shipped :data:`SEED_SONGS_PATH`; built from music21's bundled corpus when that
    file is missing (a few seconds). The melodies' ``extra["number"]`` is the tune's number in
    :data:`SEED_FILE`.

    Returns
    -------
    songs : list of Melody
    summary : dict
        ``file``, ``tunes_read``, ``kept`` and ``dropped`` (by reason).
    """
    path = Path(path)
    stored = json.loads(path.read_text()) if path.is_file() else build_seed_songs()
    songs = [melody_from_dict(d) for d in stored["songs"]]
    summary = {"file": stored["file"], "tunes_read": stored["tunes_read"], "kept": len(songs),
               "dropped": dict(stored["dropped"])}
    return songs, summary
