"""Melodies as symbols on a sixteenth-note grid, and symbols as integers.

Pure Python: no music21, no Keras, so the encoding is tested on its own.

One symbol per sixteenth note:

* a MIDI pitch number (``"60"``) where a note starts,
* ``"_"`` for every further sixteenth the note (or rest) holds,
* ``"r"`` where a rest starts,
* ``"/"`` the song delimiter, which ends a song (and pads the context before it).

The start of a C major scale in quarter notes is ``60 _ _ _ 62 _ _ _``.

A :class:`Melody` carries the symbols with the bar they live in (steps per bar and
the pickup), because *where a step falls in the bar* is what makes a hold or an
onset likely; :func:`step_positions` turns that into one number per step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from audioml.errors import AudioMLError

HOLD = "_"
REST = "r"
DELIMITER = "/"
#: Sixteenths per quarter note: the grid resolution.
STEPS_PER_QUARTER = 4
#: Highest MIDI pitch number. The pitches a seed may use are those of the model's vocabulary
#: (:attr:`Vocabulary.pitch_range`); this bound only applies where no vocabulary is given.
MAX_MIDI_PITCH = 127
#: Position ids are capped here: 0 means "no position" (delimiter padding),
#: 1..MAX_BAR_STEPS the sixteenth within the bar plus one.
MAX_BAR_STEPS = 48


@dataclass(frozen=True)
class Melody:
    """A monophonic melody on the sixteenth grid.

    Attributes
    ----------
    symbols : tuple of str
        Pitches, holds and rests, one per sixteenth; no delimiter.
    bar_steps : int
        Sixteenths per bar (16 for 4/4, 12 for 3/4 or 6/8, 8 for 2/4).
    pickup_steps : int
        Length of the upbeat in sixteenths: the steps before the first bar line (0 when the
        song starts on the downbeat). A quarter-note upbeat in 4/4 is 4: the first step is
        the 13th sixteenth of its bar (:func:`step_positions`).
    meter : str
        Time signature as text, e.g. ``"3/4"``.
    tonic : str
        Key tonic name (``"C"``, ``"A"``) and *mode* ``"major"``/``"minor"``.
    title : str
        Free text from the source file; never trusted as markup.
    """

    symbols: tuple[str, ...]
    bar_steps: int = 16
    pickup_steps: int = 0
    meter: str = "4/4"
    tonic: str = "C"
    mode: str = "major"
    title: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    def __len__(self) -> int:
        return len(self.symbols)

    @property
    def text(self) -> str:
        """The symbols joined by spaces: the form a seed is typed in."""
        return " ".join(self.symbols)

    def notes(self) -> list[tuple[int | None, int]]:
        """(MIDI pitch or None for a rest, duration in sixteenths) for each note and rest."""
        return symbols_to_notes(self.symbols)

    def with_symbols(self, symbols: Sequence[str]) -> "Melody":
        """A copy with other symbols (same bar, key and title)."""
        return replace(self, symbols=tuple(symbols))


def is_pitch(symbol: str) -> bool:
    """True when *symbol* is a MIDI pitch number."""
    return symbol.isdigit()


def is_onset(symbol: str) -> bool:
    """True when *symbol* starts a note or a rest."""
    return symbol == REST or is_pitch(symbol)


def notes_to_symbols(notes: Iterable[tuple[int | None, int]]) -> list[str]:
    """Encode (pitch or None for a rest, duration in sixteenths) pairs as grid symbols.

    >>> notes_to_symbols([(60, 4), (None, 2), (62, 1)])
    ['60', '_', '_', '_', 'r', '_', '62']
    """
    symbols: list[str] = []
    for pitch, steps in notes:
        if steps < 1:
            raise AudioMLError(f"a note lasts at least one sixteenth; got {steps}")
        symbols.append(REST if pitch is None else str(int(pitch)))
        symbols.extend([HOLD] * (int(steps) - 1))
    return symbols


def symbols_to_notes(symbols: Sequence[str]) -> list[tuple[int | None, int]]:
    """Decode grid symbols back to (pitch or None, duration in sixteenths) pairs.

    Leading holds (no note to hold) and delimiters are skipped.
    """
    notes: list[list] = []
    for symbol in symbols:
        if symbol == DELIMITER:
            continue
        if symbol == HOLD:
            if notes:
                notes[-1][1] += 1
            continue
        notes.append([None if symbol == REST else int(symbol), 1])
    return [(p, d) for p, d in notes]


#: Longest seed accepted: 16 bars of 4/4. Longer seeds are not "a start of a melody", and a
#: huge one would only slow the page down.
MAX_SEED_SYMBOLS = 256


_NOTE_NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"]


def pitch_name(pitch: int) -> str:
    """The scientific name of MIDI pitch *pitch*: ``60`` → ``"C4"`` (middle C)."""
    return f"{_NOTE_NAMES[int(pitch) % 12]}{int(pitch) // 12 - 1}"


def pitch_range_text(low: int, high: int) -> str:
    """The pitches *low* to *high* as help and error messages state them."""
    return (f"MIDI pitch numbers from {low} to {high} ({pitch_name(low)} to {pitch_name(high)}; "
            f"60 is middle C)")


def parse_seed(text: str, *, vocabulary: "Vocabulary | Sequence[str] | None" = None) -> list[str]:
    """Check a seed typed as symbols (``"60 _ _ _ 62 _"``) and return its symbols.

    With a *vocabulary* (a :class:`Vocabulary` or its symbols) a pitch must be one of its
    pitches, and every message states their range (:func:`pitch_range_text`); without one, any
    MIDI pitch number passes.

    Raises
    ------
    AudioMLError
        Empty or over-long text, an unknown symbol, a seed that starts with ``_``, or a pitch
        the vocabulary does not know; the message names what is valid.
    """
    known = None if vocabulary is None else set(getattr(vocabulary, "symbols", vocabulary))
    known_pitches = sorted(int(s) for s in known or () if is_pitch(s))
    pitches = (pitch_range_text(known_pitches[0], known_pitches[-1]) if known_pitches
               else "MIDI pitch numbers (60 is middle C)")
    valid = (f"use {pitches}, '{HOLD}' to hold for another sixteenth and '{REST}' for a rest, "
             f"separated by spaces, e.g. \"60 _ _ _ 62 _ _ _\"")
    if not isinstance(text, str) or not text.split():
        raise AudioMLError(f"the seed is empty; {valid}")
    if len(text) > 8 * MAX_SEED_SYMBOLS or len(text.split()) > MAX_SEED_SYMBOLS:
        raise AudioMLError(f"the seed is too long: at most {MAX_SEED_SYMBOLS} symbols (16 bars of 4/4)")
    symbols = text.split()
    for symbol in symbols:
        if symbol == DELIMITER:
            raise AudioMLError(f"the seed must not contain the song delimiter '{DELIMITER}'; {valid}")
        if symbol in (HOLD, REST):
            continue
        if not symbol.isdigit():
            shown = symbol[:20]
            raise AudioMLError(f"unknown seed symbol {shown!r}; {valid}")
        if known is not None and symbol not in known:
            raise AudioMLError(f"seed pitch {symbol[:20]} is outside the pitches the model knows; {valid}")
        if int(symbol) > MAX_MIDI_PITCH:
            raise AudioMLError(f"seed pitch {symbol[:20]} is not a MIDI pitch number; {valid}")
    if symbols[0] == HOLD:
        raise AudioMLError(f"the seed starts with '{HOLD}', which holds nothing; start with a pitch "
                           f"or '{REST}'")
    return symbols


def step_positions(n_steps: int, *, bar_steps: int, pickup_steps: int = 0, start: int = 0) -> list[int]:
    """Position ids (1 = downbeat) of steps ``start .. start + n_steps - 1`` of a melody.

    The first step of a melody with a pickup of *pickup_steps* sixteenths sits at
    ``bar_steps - pickup_steps`` within its bar.
    """
    if bar_steps < 1:
        raise AudioMLError(f"a bar holds at least one sixteenth; got {bar_steps}")
    first = (bar_steps - pickup_steps) % bar_steps
    return [min((first + start + i) % bar_steps, MAX_BAR_STEPS - 1) + 1 for i in range(n_steps)]


def bar_steps_for(meter: str) -> int:
    """Sixteenths in one bar of *meter* (``"3/4"`` → 12, ``"6/8"`` → 12)."""
    try:
        num, den = (int(x) for x in meter.split("/"))
        steps = num * 16 / den
    except (ValueError, ZeroDivisionError):
        raise AudioMLError(f"meter must look like '3/4' or '6/8'; got {meter!r}") from None
    if steps != int(steps) or not 1 <= steps <= MAX_BAR_STEPS:
        raise AudioMLError(f"meter {meter} does not fit a sixteenth grid of at most "
                           f"{MAX_BAR_STEPS} steps a bar")
    return int(steps)


# --- the vocabulary: symbols <-> integers ----------------------------------------------------

class Vocabulary:
    """A fixed mapping between symbols and integers, saved as JSON beside the model.

    Index 0 is always the delimiter, so padding is the delimiter.
    """

    def __init__(self, symbols: Sequence[str]):
        symbols = list(symbols)
        if not symbols or symbols[0] != DELIMITER:
            symbols = [DELIMITER] + [s for s in symbols if s != DELIMITER]
        self.symbols = symbols
        self.index = {s: i for i, s in enumerate(symbols)}

    @classmethod
    def build(cls, songs: Iterable[Sequence[str]]) -> "Vocabulary":
        """The vocabulary of *songs*: delimiter, hold, rest, then every pitch from the lowest
        to the highest seen (no gaps, so a song with an unseen pitch inside the range still encodes).
        """
        pitches = [int(s) for song in songs for s in song if is_pitch(s)]
        span = range(min(pitches), max(pitches) + 1) if pitches else range(0)
        return cls([DELIMITER, HOLD, REST] + [str(p) for p in span])

    def __len__(self) -> int:
        return len(self.symbols)

    @property
    def pitch_range(self) -> tuple[int, int] | None:
        """Lowest and highest MIDI pitch the vocabulary knows (None when it has no pitches)."""
        pitches = [int(s) for s in self.symbols if is_pitch(s)]
        return (min(pitches), max(pitches)) if pitches else None

    def __contains__(self, symbol: str) -> bool:
        return symbol in self.index

    def encode(self, symbols: Sequence[str]) -> list[int]:
        """Integers for *symbols*; unknown symbols raise :class:`AudioMLError`."""
        try:
            return [self.index[s] for s in symbols]
        except KeyError as err:
            raise AudioMLError(f"symbol {err.args[0]!r} is not in the vocabulary") from None

    def to_json(self) -> dict:
        return {"symbols": self.symbols}

    @classmethod
    def from_json(cls, data: dict) -> "Vocabulary":
        return cls(data["symbols"])

    @property
    def onset_mask(self) -> list[bool]:
        """True for symbols that start a note or a rest."""
        return [is_onset(s) for s in self.symbols]

