"""An n-gram baseline for next-symbol prediction, with Witten-Bell interpolation.

The LSTM has to beat something simpler than itself. This model predicts the next
symbol from the previous ``order - 1`` symbols and (optionally) where the next step
falls in the bar, backing off smoothly to shorter contexts and finally to a uniform
distribution, so every probability is positive and the NLL is finite.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Sequence

import numpy as np

from audioml.melody.encoding import DELIMITER, Melody, Vocabulary, is_onset, step_positions


def _song_events(song: Melody) -> tuple[list[str], list[int]]:
    """Targets (song + delimiter) and the bar position of each target step."""
    targets = list(song.symbols) + [DELIMITER]
    return targets, step_positions(len(targets), bar_steps=song.bar_steps,
                                   pickup_steps=song.pickup_steps)


class NGramModel:
    """Interpolated n-gram model over melody symbols.

    Parameters
    ----------
    vocab : Vocabulary
        The symbols predicted.
    order : int
        Longest context is ``order - 1`` previous symbols.
    use_position : bool
        Add the next step's position in the bar to every context.
    """

    def __init__(self, vocab: Vocabulary, *, order: int = 5, use_position: bool = True):
        self.vocab, self.order, self.use_position = vocab, order, use_position
        self.counts: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(len(vocab), np.float32))

    def _contexts(self, history: Sequence[int], position: int) -> list[tuple]:
        pos = (position,) if self.use_position else ()
        out = [pos + tuple(history[len(history) - k:]) + (k,) for k in range(self.order - 1, -1, -1)]
        if self.use_position:
            out.append(("any",))  # the unigram without position, the last resort before uniform
        return out

    def fit(self, songs: Sequence[Melody]) -> "NGramModel":
        """Count every context/next-symbol pair of *songs*."""
        pad = [self.vocab.index[DELIMITER]] * (self.order - 1)
        for song in songs:
            targets, positions = _song_events(song)
            ids = pad + self.vocab.encode(targets)
            for t, (target, position) in enumerate(zip(ids[self.order - 1:], positions)):
                history = ids[t:t + self.order - 1]
                for ctx in self._contexts(history, position):
                    self.counts[ctx][target] += 1
        self.counts = dict(self.counts)
        return self

    def proba(self, history: Sequence[int], position: int) -> np.ndarray:
        """Next-symbol probabilities [shape=(vocab,)] after *history* (symbol ids)."""
        p = np.full(len(self.vocab), 1.0 / len(self.vocab))
        for ctx in reversed(self._contexts(history, position)):
            c = self.counts.get(ctx)
            if c is None:
                continue
            total, types = float(c.sum()), float(np.count_nonzero(c))
            p = (c + types * p) / (total + types)
        return p

    def evaluate(self, songs: Sequence[Melody]) -> dict[str, float]:
        """Accuracy, onset accuracy and mean NLL per symbol over musical targets."""
        pad = [self.vocab.index[DELIMITER]] * (self.order - 1)
        hits = onset_hits = onsets = n = 0
        nll = 0.0
        for song in songs:
            targets, positions = _song_events(song)
            ids = pad + [self.vocab.index.get(s, 0) for s in targets]
            for t, (symbol, position) in enumerate(zip(targets, positions)):
                if symbol == DELIMITER:
                    continue  # only musical targets count
                p = self.proba(ids[t:t + self.order - 1], position)
                target = ids[t + self.order - 1]
                hit = int(np.argmax(p)) == target
                hits += hit
                n += 1
                nll -= math.log(max(p[target], 1e-12))
                if is_onset(symbol):
                    onsets += 1
                    onset_hits += hit
        return {"accuracy": hits / max(n, 1), "onset_accuracy": onset_hits / max(onsets, 1),
                "nll": nll / max(n, 1), "targets": n}
