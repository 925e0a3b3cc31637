"""Continuing a melody with the trained LSTM: seed checks, temperature, stopping.

The generator is a layer of its own (as Magenta's sequence generator): it takes a
:class:`~audioml.melody.model.MelodyModel`, primes its state with the seed, then
samples one symbol at a time in numpy, recording for each step the model's top
candidates before and after temperature.

Stopping: the step count is a budget. Generation ends when the model writes the
song delimiter. When the budget runs out first, generation goes on for at most
:data:`ALLOWANCE_STEPS` sixteenths and stops at the first bar line after a note on
the tonic (or holds a tonic that arrives on a downbeat to the end of its bar), so
the score ends as a phrase does rather than mid-phrase.

Key: the training songs were transposed to C major or A minor
(:data:`audioml.melody.corpus.TRANSPOSED_TO`), so the model writes in those keys. A
melody's key is the one of the two its notes fit better (both have the same key
signature, without sharps or flats); the score is engraved in it. A key analysis over
all 24 keys would name F major for a short loop on C, B, A and G, and write a B flat in
the signature and a natural before every B.

Cadence rule (``cadence=True``, the default): folk songs end on their tonic, so a
delimiter sampled right after a note that is not the tonic of the melody's key so far is
refused and the step is resampled without it. ``cadence=False`` shows the model alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from audioml.errors import AudioMLError
from audioml.melody.corpus import TRANSPOSED_TO
from audioml.melody.encoding import (DELIMITER, HOLD, MAX_BAR_STEPS, REST, Melody, bar_steps_for,
                                     is_pitch, parse_seed, step_positions)

#: Upper bound on the step budget (a long folk song is ~500 sixteenths).
MAX_STEPS = 2048
#: Hottest temperature accepted; beyond it sampling is nearly uniform noise.
MAX_TEMPERATURE = 10.0
#: Sixteenths the generator may run past the budget to reach the end of a phrase
#: (two bars of 4/4, four of 2/4).
ALLOWANCE_STEPS = 32
#: What the app offers, as (lowest, highest, default, step): the step budget in sixteenths and
#: the temperature. The library accepts more (1..MAX_STEPS, up to MAX_TEMPERATURE); the page's
#: sliders and the text beside them both read these.
APP_STEPS = (16, 512, 128, 16)
APP_TEMPERATURE = (0.1, 2.5, 1.0, 0.05)
#: Candidates recorded per step for the step-through view.
TOP_K = 5

#: Named seeds offered by the app: (symbols, meter, pickup in sixteenths).
SEED_PRESETS: dict[str, tuple[str, str, int]] = {
    "Let the model begin": ("", "4/4", 0),
    "C major scale, quarter notes (4/4)": ("60 _ _ _ 62 _ _ _ 64 _ _ _ 65 _ _ _", "4/4", 0),
    "Upbeat into C major (3/4)": ("67 _ _ _ 72 _ _ _ _ _ 74 _ 76 _ _ _", "3/4", 4),
    "Dance in 2/4": ("72 _ 67 _ 64 _ 67 _ 72 _ _ _", "2/4", 0),
    "A minor, dotted rhythm (4/4)": ("69 _ _ 71 72 _ _ _ 71 _ 69 _ 68 _ _ _", "4/4", 0),
    "Lilt in 6/8": ("67 _ 72 _ _ _ 72 _ 74 _ _ _", "6/8", 2),
}

#: The keys the model writes in, as (tonic pitch class, mode): its training songs' keys.
MODEL_KEYS = tuple((pc, mode) for mode, (pc, _) in TRANSPOSED_TO.items())

# Aarden-Essen key profiles: the weights of music21's default key analysis (``analyze("key")``).
_MAJOR = np.array([17.7661, 0.145624, 14.9265, 0.160186, 19.8049, 11.3587, 0.291248, 22.062,
                   0.145624, 8.15494, 0.232998, 4.95122])
_MINOR = np.array([18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362, 0.702494, 18.6161,
                   4.56621, 1.93186, 7.37619, 1.75623])


@dataclass(frozen=True)
class GeneratedMelody(Melody):
    """A melody the model wrote, with how it was written.

    Attributes (beyond :class:`~audioml.melody.encoding.Melody`)
    ----------
    seed_steps : int
        How many leading steps came from the seed.
    temperature : float
        The sampling temperature.
    stop_reason : str
        ``"delimiter"`` (the model ended the song), ``"phrase end"`` (budget spent, stopped at a
        bar line after the tonic) or ``"allowance spent"``.
    trace : tuple of dict
        One entry per generated step: ``step``, ``chosen``, ``top_before`` and ``top_after``
        (lists of (symbol, probability)), ``gates`` (mean input/forget/output activations).
    """

    seed_steps: int = 0
    temperature: float = 1.0
    stop_reason: str = ""
    trace: tuple = ()


def first_bars(melody: Melody, bars: int) -> Melody:
    """The first *bars* bars of *melody* (after its upbeat), to seed a continuation.

    Raises
    ------
    AudioMLError
        When *bars* is not a positive whole number.
    """
    if isinstance(bars, bool) or not isinstance(bars, (int, np.integer)) or bars < 1:
        raise AudioMLError(f"bars must be a whole number of at least 1; got {bars!r}")
    length = melody.pickup_steps + int(bars) * melody.bar_steps
    return melody.with_symbols(melody.symbols[:length])


def check_steps(steps) -> int:
    """Return *steps* as an int in 1..MAX_STEPS, else raise :class:`AudioMLError`."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer, float)) or \
            not math.isfinite(steps) or steps != int(steps) or not 1 <= steps <= MAX_STEPS:
        raise AudioMLError(f"steps must be a whole number from 1 to {MAX_STEPS} "
                           f"(sixteenth notes to generate); got {steps!r}")
    return int(steps)


def check_temperature(temperature) -> float:
    """Return *temperature* as a float in (0, MAX_TEMPERATURE], else raise :class:`AudioMLError`."""
    try:
        value = float(temperature)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(temperature, bool) or not math.isfinite(value) or not 0 < value <= MAX_TEMPERATURE:
        raise AudioMLError(f"temperature must be a positive finite number up to {MAX_TEMPERATURE:g} "
                           f"(1 samples the model as trained; lower is safer, higher is wilder); "
                           f"got {temperature!r}")
    return value


def find_key(symbols: Sequence[str], *, keys: Sequence[tuple[int, str]] | None = None) -> tuple[int, str]:
    """(tonic pitch class, "major"/"minor") of *symbols*, as music21's default key analysis.

    A duration-weighted pitch-class histogram is correlated with the Aarden-Essen profile of
    each candidate key (*keys*, as (tonic pitch class, mode) pairs; all 24 when None); the best
    correlation wins. Pure numpy, so it can run at every step.
    """
    hist = np.zeros(12)
    current = None
    for s in symbols:
        if is_pitch(s):
            current = int(s) % 12
            hist[current] += 1
        elif s == HOLD and current is not None:
            hist[current] += 1
        elif s == REST:
            current = None
    if keys is None:
        if not hist.any():
            return 0, "major"
        if np.count_nonzero(hist) == 1:  # a single pitch class: its own major key
            return int(np.argmax(hist)), "major"
        keys = [(tonic, mode) for mode in ("major", "minor") for tonic in range(12)]
    elif not hist.any():
        return tuple(keys[0])
    profiles = {"major": _MAJOR, "minor": _MINOR}
    scores = [(float(np.corrcoef(hist, np.roll(profiles[mode], tonic))[0, 1]), tonic, mode)
              for tonic, mode in keys]
    _, tonic, mode = max(scores)
    return tonic, mode


def model_key(symbols: Sequence[str]) -> tuple[int, str]:
    """The key of *symbols* among :data:`MODEL_KEYS` (C major or A minor): the melody's key."""
    return find_key(symbols, keys=MODEL_KEYS)


def temperature_probs(logits: np.ndarray, temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """Softmax of *logits* as trained and divided by *temperature*: (before, after)."""
    z = logits - logits.max()
    before = np.exp(z) / np.exp(z).sum()
    zt = z / temperature
    after = np.exp(zt - zt.max())
    return before, after / after.sum()


def _top(probs: np.ndarray, symbols: Sequence[str], k: int) -> list[tuple[str, float]]:
    order = np.argsort(probs)[::-1][:k]
    return [(symbols[i], float(probs[i])) for i in order]


def generate(model, seed: str | Sequence[str] | Melody | None = None, *, steps: int = 128,
             temperature: float = 1.0, random_seed: int | None = None, meter: str = "4/4",
             pickup_steps: int = 0, cadence: bool = True, trace: bool = True) -> GeneratedMelody:
    """Continue *seed* with *model* for about *steps* sixteenths.

    Parameters
    ----------
    model : MelodyModel
        The trained model (see :func:`audioml.melody.model.load`).
    seed : str, sequence of str, Melody or None
        Symbols such as ``"60 _ _ _ 62 _"``, or a melody (its bar and pickup are kept);
        None lets the model choose the first note.
    steps : int
        Budget of sixteenths to generate, 1..:data:`MAX_STEPS`.
    temperature : float
        Divides the log-probabilities before sampling; in (0, :data:`MAX_TEMPERATURE`].
    random_seed : int, optional
        Makes the sampling repeatable.
    meter : str
        Time signature of a text seed, e.g. ``"3/4"`` (a Melody seed brings its own).
    pickup_steps : int
        Sixteenths of an upbeat before the first bar line (text seeds).
    cadence : bool
        Refuse the song delimiter unless the last note is the tonic (see the module notes).
    trace : bool
        Record the step-through information.

    Raises
    ------
    AudioMLError
        An invalid seed, step count or temperature.
    """
    steps = check_steps(steps)
    temperature = check_temperature(temperature)
    base, symbols = _seed(model.vocab, seed, meter=meter, pickup_steps=pickup_steps)
    walk = _Walk(model, base, limit=len(symbols) + steps + ALLOWANCE_STEPS)
    logits = walk.prime(symbols)
    out, records, stop_reason = _continue(walk, logits, list(symbols), budget_end=len(symbols) + steps,
                                          temperature=temperature, rng=np.random.default_rng(random_seed),
                                          cadence=cadence, trace=trace)
    while len(out) > max(len(symbols), 1) and _last_onset(out) == REST:
        out.pop()  # a trailing rest is silence, not melody
    _, mode = model_key(out)
    return GeneratedMelody(symbols=tuple(out), bar_steps=base.bar_steps, pickup_steps=base.pickup_steps,
                           meter=base.meter, tonic=TRANSPOSED_TO[mode][1], mode=mode,
                           title="Generated melody", seed_steps=len(symbols), temperature=temperature,
                           stop_reason=stop_reason, trace=tuple(records))


def _seed(vocab, seed, *, meter: str, pickup_steps: int) -> tuple[Melody, list[str]]:
    """The bar the melody lives in (an empty Melody) and the checked seed symbols."""
    if isinstance(seed, Melody):
        return seed, list(parse_seed(seed.text, vocabulary=vocab.symbols)) if seed.symbols else []
    bar = bar_steps_for(meter)
    if not 0 <= pickup_steps < bar:
        raise AudioMLError(f"pickup must be 0..{bar - 1} sixteenths in {meter}; got {pickup_steps}")
    symbols = [] if seed is None else parse_seed(seed if isinstance(seed, str) else " ".join(seed),
                                                 vocabulary=vocab.symbols)
    return Melody(symbols=(), bar_steps=bar, pickup_steps=pickup_steps, meter=meter), symbols


class _Walk:
    """The model reading a melody one symbol at a time, told where each next step falls in the
    bar and what came 1, 2, 4... bars before it (``positions`` covers *limit* steps and one more)."""

    def __init__(self, model, base: Melody, *, limit: int):
        self.model, self.limit, self.bar_steps = model, limit, base.bar_steps
        self.bar_id = min(base.bar_steps, MAX_BAR_STEPS)
        self.positions = step_positions(limit + 1, bar_steps=base.bar_steps, pickup_steps=base.pickup_steps)
        self.state = model.start_state()
        self.ids: list[int] = []  # the melody so far, for the lookback inputs

    def prime(self, symbols: Sequence[str]) -> np.ndarray:
        """Read the song delimiter (a song's start) and the seed; return the next step's logits."""
        index = self.model.vocab.index
        logits, _ = self._step(index[DELIMITER])
        for s in symbols:
            self.ids.append(index[s])
            logits, _ = self._step(self.ids[-1])
        return logits

    def advance(self, choice: int, *, gates: bool = False) -> tuple[np.ndarray, dict | None]:
        """Read the symbol just written; return the next logits and, with *gates*, the last
        layer's mean input, forget and output gate activations."""
        self.ids.append(choice)
        return self._step(choice, gates=gates)

    def _step(self, symbol_id: int, *, gates: bool = False):
        result = self.model.step(self.state, symbol_id, self.positions[len(self.ids)], self.bar_id,
                                 self.model.lookback_ids(self.ids, self.bar_steps), gates=gates)
        self.state = result[1]
        means = {k: float(np.mean(v)) for k, v in result[2].items() if k != "cell"} if gates else None
        return result[0], means


def _continue(walk: _Walk, logits: np.ndarray, out: list[str], *, budget_end: int, temperature: float,
              rng: np.random.Generator, cadence: bool, trace: bool) -> tuple[list[str], list[dict], str]:
    """Sample symbols after *out* (the seed) until the delimiter, a phrase end past *budget_end*
    symbols, or the walk's limit: (symbols, trace records, stop reason)."""
    symbols, records = walk.model.vocab.symbols, []
    while len(out) < walk.limit:
        choice, refused, before, after = _choose(logits, walk.model.vocab, first=not out,
                                                 temperature=temperature, rng=rng,
                                                 refuse_end=lambda: cadence and not _ends_on_tonic(out))
        if trace:
            records.append({"step": len(out), "chosen": symbols[choice], "end_refused": refused,
                            "top_before": _top(before, symbols, TOP_K), "top_after": _top(after, symbols, TOP_K)})
        if symbols[choice] == DELIMITER:
            return out, records, "delimiter"
        out.append(symbols[choice])
        if len(out) >= budget_end:
            ending = _phrase_end(out, walk.positions, walk.bar_steps)
            if ending is not None:
                return out + ending, records, "phrase end"
        logits, gates = walk.advance(choice, gates=trace)
        if trace:
            records[-1]["gates"] = gates
    return out, records, "allowance spent"


def _choose(logits: np.ndarray, vocab, *, first: bool, temperature: float, rng: np.random.Generator,
            refuse_end) -> tuple[int, bool, np.ndarray, np.ndarray]:
    """Sample one symbol id: (id, whether an end was refused, probabilities before and after
    temperature). A song cannot start by holding nothing or by ending; *refuse_end()* says
    whether a sampled delimiter is refused (the cadence rule), and then the model's choice
    among the other symbols is taken instead."""
    hold_id, delim_id = vocab.index[HOLD], vocab.index[DELIMITER]
    banned = np.zeros(len(vocab), bool)
    if first:
        banned[[hold_id, delim_id]] = True
    before, after = temperature_probs(np.where(banned, -np.inf, logits), temperature)
    choice = int(rng.choice(len(vocab), p=after))
    if choice != delim_id or not refuse_end():
        return choice, False, before, after
    rest = np.where(np.arange(len(vocab)) == delim_id, 0.0, after)
    return int(rng.choice(len(vocab), p=rest / rest.sum())), True, before, after


def _phrase_end(out: Sequence[str], positions: Sequence[int], bar_steps: int) -> list[str] | None:
    """The holds that end the phrase now (none when the tonic sounds up to a bar line; the rest of
    the bar when the tonic arrives on a downbeat, as songs end), or None to go on."""
    if positions[len(out)] == 1 and _ends_on_tonic(out):
        return []
    if positions[len(out) - 1] == 1 and is_pitch(out[-1]) and _ends_on_tonic(out):
        return [HOLD] * (bar_steps - 1)
    return None


def _last_onset(symbols: Sequence[str]) -> str | None:
    for s in reversed(symbols):
        if s != HOLD:
            return s
    return None


def _ends_on_tonic(symbols: Sequence[str]) -> bool:
    last = _last_onset(symbols)
    return last is not None and is_pitch(last) and int(last) % 12 == model_key(symbols)[0]
