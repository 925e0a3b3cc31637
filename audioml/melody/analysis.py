"""What a generated melody is like: key, notes in key, tonic ending, histograms, copying.

Copy detection asks how long a stretch of consecutive notes (pitch and duration) the
melody shares with any training song. The shipped model carries no songs, only a
sorted array of hashes of every run of :data:`COPY_K` consecutive training notes;
a chain of overlapping hits of length ``r`` means a shared stretch of about
``r + COPY_K - 1`` notes. (Consecutive hits could in principle come from different
songs, so the figure is an upper bound, tight in practice.)
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

from audioml.melody.encoding import Melody

#: Notes per hashed run in the copy index.
COPY_K = 6
#: A shared stretch this many notes long or longer is flagged as copying.
COPY_FLAG_NOTES = 16
#: Scale degrees counted as "in key", in semitones above the tonic. Minor includes the
#: raised 6th and 7th (melodic/harmonic minor), as folk tunes in minor use them.
SCALE = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 9, 10, 11)}
#: The key profiles of music21's ``analyze("key")`` (music21 10.5 maps "key" to its
#: ``AardenEssen`` class: the Krumhansl-Schmuckler correlation with Aarden-Essen weights).
KEY_PROFILES = "Aarden–Essen"
_MULT = np.uint64(1_000_003)


def _tokens(melody: Melody) -> np.ndarray:
    """One integer per note or rest: pitch (0 for a rest) and duration in sixteenths."""
    return np.array([(p or 0) * 256 + min(d, 255) for p, d in melody.notes()], dtype=np.uint64)


def _kgram_hashes(tokens: np.ndarray, k: int = COPY_K) -> np.ndarray:
    if len(tokens) < k:
        return np.zeros(0, np.uint64)
    h = np.zeros(len(tokens) - k + 1, np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _MULT + tokens[j:len(tokens) - k + 1 + j] + np.uint64(1)
    return h


def build_copy_index(songs: Sequence[Melody], k: int = COPY_K) -> np.ndarray:
    """Sorted unique hashes of every *k*-note run in *songs* [shape=(n,), uint64]."""
    if not songs:
        return np.zeros(0, np.uint64)
    return np.unique(np.concatenate([_kgram_hashes(_tokens(s), k) for s in songs]))


def longest_shared(melody: Melody, index: np.ndarray, *, k: int = COPY_K,
                   skip_steps: int = 0) -> dict:
    """Longest stretch of *melody*'s notes found in the training songs.

    Parameters
    ----------
    melody : Melody
    index : np.ndarray
        From :func:`build_copy_index`.
    skip_steps : int
        Ignore notes starting in the first *skip_steps* sixteenths (the seed).

    Returns
    -------
    dict
        ``notes`` (length of the longest shared stretch, 0 when below *k*), ``start_note``
        (index of its first note), ``of_notes`` (notes examined), ``flagged``.
    """
    notes = melody.notes()
    onset, first = 0, 0
    for i, (_, d) in enumerate(notes):
        if onset >= skip_steps:
            first = i
            break
        onset += d
    else:
        first = len(notes)
    tokens = _tokens(melody)[first:]
    hashes = _kgram_hashes(tokens, k)
    if len(hashes) == 0 or len(index) == 0:
        return {"notes": 0, "start_note": None, "of_notes": len(tokens), "flagged": False}
    pos = np.searchsorted(index, hashes)
    hit = (pos < len(index)) & (index[np.minimum(pos, len(index) - 1)] == hashes)
    best, best_start, run = 0, None, 0
    for i, h in enumerate(hit):
        run = run + 1 if h else 0
        if run and run + k - 1 > best:
            best, best_start = run + k - 1, first + i - run + 1
    return {"notes": best, "start_note": best_start, "of_notes": len(tokens),
            "flagged": best >= COPY_FLAG_NOTES}


def histograms(melodies: Sequence[Melody]) -> dict[str, dict[int, float]]:
    """Shares of notes by MIDI pitch and by duration (sixteenths); rests excluded."""
    pitches, durations = Counter(), Counter()
    for m in melodies:
        for p, d in m.notes():
            if p is not None:
                pitches[p] += 1
                durations[d] += 1
    n = max(sum(pitches.values()), 1)
    return {"pitch": {p: c / n for p, c in sorted(pitches.items())},
            "duration": {d: c / n for d, c in sorted(durations.items())}}


def key_of(melody: Melody, *, stream=None):
    """The key music21's analysis finds (a ``music21.key.Key``).

    *stream* is the melody's :func:`audioml.melody.score.to_stream`, built here when not given.
    """
    from audioml.melody import score

    return (score.to_stream(melody) if stream is None else stream).analyze("key")


def in_key_share(melody: Melody, tonic_pc: int, mode: str) -> float:
    """Share of notes whose pitch class belongs to the key (see :data:`SCALE`)."""
    allowed = {(tonic_pc + s) % 12 for s in SCALE.get(mode, SCALE["major"])}
    pitches = [p for p, _ in melody.notes() if p is not None]
    return sum(p % 12 in allowed for p in pitches) / max(len(pitches), 1)


def analyze(melody: Melody, *, copy_index: np.ndarray | None = None, skip_steps: int = 0,
            stream=None) -> dict:
    """Key, notes in key, tonic ending, histograms and (with an index) copying.

    Parameters
    ----------
    melody : Melody
    copy_index : np.ndarray, optional
        From :func:`build_copy_index`; without it there is no ``copy`` entry.
    skip_steps : int
        Sixteenths at the start (the seed) that copy detection ignores.
    stream : music21.stream.Score, optional
        The melody's :func:`audioml.melody.score.to_stream`, when the caller has built it.

    Returns
    -------
    dict
        ``key`` (music21's analysis, e.g. ``"F major"``), ``key_confidence`` (music21's
        correlation), ``in_key_share`` and ``ends_on_tonic`` (in that key); ``written``: the same
        three for the melody's own key (``melody.tonic``, ``melody.mode``: the key its score is
        engraved in); ``notes``, ``histograms`` and ``copy``.
    """
    import music21

    key = key_of(melody, stream=stream)
    pitched = [p for p, _ in melody.notes() if p is not None]

    def judged(tonic_pc: int, mode: str) -> dict:
        return {"in_key_share": in_key_share(melody, tonic_pc, mode),
                "ends_on_tonic": bool(pitched) and pitched[-1] % 12 == tonic_pc}

    written = music21.key.Key(melody.tonic, melody.mode)
    result = {
        "key": f"{key.tonic.name} {key.mode}",
        "key_confidence": float(key.correlationCoefficient or 0.0),
        **judged(key.tonic.pitchClass, key.mode),
        "written": {"key": f"{written.tonic.name} {written.mode}",
                    **judged(written.tonic.pitchClass, written.mode)},
        "notes": len(pitched),
        "histograms": histograms([melody]),
    }
    if copy_index is not None:
        result["copy"] = longest_shared(melody, copy_index, skip_steps=skip_steps)
    return result


def save_training_stats(songs: Sequence[Melody], folder: str | Path, name: str) -> tuple[Path, Path]:
    """Write ``<name>_stats.json`` (histograms) and ``<name>_copyindex.npy`` (hashes only)."""
    folder = Path(folder)
    stats = folder / f"{name}_stats.json"
    hist = histograms(songs)
    stats.write_text(json.dumps({"songs": len(songs), "copy_k": COPY_K,
                                 "copy_flag_notes": COPY_FLAG_NOTES,
                                 "pitch": {str(k): v for k, v in hist["pitch"].items()},
                                 "duration": {str(k): v for k, v in hist["duration"].items()}},
                                indent=1) + "\n")
    index = folder / f"{name}_copyindex.npy"
    np.save(index, build_copy_index(songs), allow_pickle=False)
    return stats, index


def load_training_stats(folder: str | Path, name: str) -> tuple[dict | None, np.ndarray | None]:
    """The shipped training histograms and copy index, or (None, None) when absent."""
    folder = Path(folder)
    stats_path, index_path = folder / f"{name}_stats.json", folder / f"{name}_copyindex.npy"
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else None
    if stats:
        stats["pitch"] = {int(k): v for k, v in stats["pitch"].items()}
        stats["duration"] = {int(k): v for k, v in stats["duration"].items()}
    index = np.load(index_path, allow_pickle=False) if index_path.exists() else None
    return stats, index
