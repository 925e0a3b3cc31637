"""The paper's protocol for the LSTM's accuracy (random windows) beside ours (whole songs held out).

The paper trained on 58 songs cut into about 25,000 sequences and split the *sequences* 80/20
at random. Its sequences are fixed-length windows of one stream of symbols (every song
followed by a run of delimiters as long as a window), each window predicting the symbol after
it; consecutive windows overlap in all but one step, so almost every test window's answer sits
inside a training window's inputs, and the test measures memory of the songs as much as
prediction. Our protocol holds whole songs out instead: no window of a test song is trained on.

Both protocols here use the same songs, the same windows and the same network, trained the
same way (the last step of each window predicts its target, as the paper's network did), so
that the split is the only difference:

* :func:`make_windows` - the stream and its windows, with the song and position of each target;
* :func:`split_random` and :func:`split_by_song` - the two splits;
* :func:`leakage` - how much of the test set the training windows already hold;
* :func:`train_windows` and :func:`evaluate_windows` - the network, trained and scored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from audioml.errors import AudioMLError
from audioml.melody.encoding import DELIMITER, HOLD, Melody, Vocabulary
from audioml.progress import ProgressFn, no_progress

#: The paper's window: 64 sixteenths (four bars of 4/4).
WINDOW = 64
#: Songs in the paper's training set.
PAPER_SONGS = 58
PROTOCOLS = ("random-windows", "song-split")
TEST_SHARE = 0.2


@dataclass
class Windows:
    """Every window of a song stream.

    Attributes
    ----------
    inputs : np.ndarray [shape=(n, window), int32]
        Symbol ids of each window.
    targets : np.ndarray [shape=(n,), int32]
        The id of the symbol after each window.
    song : np.ndarray [shape=(n,), int32]
        The song each target belongs to (a song's trailing delimiters count as its own).
    position : np.ndarray [shape=(n,), int64]
        Where each target sits in the stream; window *i* covers positions ``i .. i + window - 1``
        and its target is at ``i + window``.
    musical : np.ndarray [shape=(n,), bool]
        Targets that are pitches, holds or rests (not the delimiter).
    vocab : Vocabulary
    window : int
    songs : int
        Songs in the stream.
    """

    inputs: np.ndarray
    targets: np.ndarray
    song: np.ndarray
    position: np.ndarray
    musical: np.ndarray
    vocab: Vocabulary
    window: int
    songs: int

    def __len__(self) -> int:
        return len(self.targets)


def make_windows(songs: Sequence[Melody], *, window: int = WINDOW,
                 vocab: Vocabulary | None = None) -> Windows:
    """The paper's sequences: one stream of the songs, each followed by *window* delimiters,
    and every window of *window* symbols with the symbol after it as its target.

    The stream also starts with *window* delimiters (the paper's does not), so that the first
    song's opening is predicted like every other song's.

    Parameters
    ----------
    songs : sequence of Melody
    window : int
        Symbols a prediction sees.
    vocab : Vocabulary, optional
        Default: built from *songs*.
    """
    if not songs:
        raise AudioMLError("no songs to cut into windows")
    if window < 1:
        raise AudioMLError(f"a window holds at least 1 symbol; got {window}")
    vocab = vocab or Vocabulary.build([s.symbols for s in songs])
    stream, owner = [DELIMITER] * window, [-1] * window
    for k, song in enumerate(songs):
        stream += list(song.symbols) + [DELIMITER] * window
        owner += [k] * (len(song) + window)
    ids = np.array(vocab.encode(stream), np.int32)
    n = len(ids) - window
    inputs = np.lib.stride_tricks.sliding_window_view(ids, window)[:n].copy()
    position = np.arange(window, len(ids), dtype=np.int64)
    targets = ids[window:]
    return Windows(inputs, targets, np.array(owner, np.int32)[window:], position,
                   targets != vocab.index[DELIMITER], vocab, window, len(songs))


def split_random(windows: Windows, *, test_share: float = TEST_SHARE, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The paper's split: the windows themselves, 80/20 at random. (train, test) indices."""
    order = np.random.default_rng(seed).permutation(len(windows))
    n_test = int(round(test_share * len(windows)))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def split_by_song(windows: Windows, *, test_share: float = TEST_SHARE, seed: int = 0
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Our split: whole songs, 80/20 at random; a window belongs to its target's song.

    A window's inputs reach back at most one window, which the delimiter run after every song
    fills, so no window sees a symbol of another song.
    """
    order = np.random.default_rng(seed).permutation(windows.songs)
    n_test = max(1, int(round(test_share * windows.songs)))
    if n_test >= windows.songs:
        raise AudioMLError(f"need at least 2 songs to hold whole songs out; got {windows.songs}")
    test = np.isin(windows.song, order[:n_test])
    return np.flatnonzero(~test), np.flatnonzero(test)


def leakage(windows: Windows, train: np.ndarray, test: np.ndarray) -> dict:
    """How much of the test set the training windows already show, over musical targets.

    Returns
    -------
    dict
        ``target_in_training_inputs``: share of test targets whose very symbol, at its place in
        its song, is among the inputs of some training window (the model was shown the answer
        with the context around it); ``continuation_in_training``: share of test windows whose
        context moved on by one step (inputs minus the first symbol, plus the target) is,
        symbol for symbol, the input of a training window, wherever it comes from (shared
        openings of different songs count here too); ``test_windows``: musical test targets.
    """
    test = test[windows.musical[test]]
    if not len(test):
        raise AudioMLError("no musical target among the test windows")
    # Positions covered by a training window's inputs: a difference array over the stream.
    length = int(windows.position[-1]) + 1
    cover = np.zeros(length + 1, np.int64)
    np.add.at(cover, windows.position[train] - windows.window, 1)
    np.add.at(cover, windows.position[train], -1)
    covered = np.cumsum(cover)[:length] > 0
    seen = {row.tobytes() for row in windows.inputs[train]}
    moved = np.concatenate([windows.inputs[test, 1:], windows.targets[test, None]], axis=1)
    return {"target_in_training_inputs": float(covered[windows.position[test]].mean()),
            "continuation_in_training": float(np.mean([row.tobytes() in seen for row in moved])),
            "test_windows": int(len(test))}


def build_network(vocab_size: int, *, units: int = 128, symbol_dim: int = 48, dropout: float = 0.2,
                  learning_rate: float = 1e-3):
    """The paper's network on windows: embedding, one LSTM, dropout, softmax of the next symbol.

    Returns
    -------
    keras.Model
        Input ``(batch, window)`` symbol ids; output next-symbol probabilities ``(batch, vocab)``.
    """
    import keras
    from keras import layers

    symbols = keras.Input((None,), dtype="int32", name="symbols")
    x = layers.Embedding(vocab_size, symbol_dim, name="symbol_embedding")(symbols)
    x = layers.LSTM(units, name="lstm_0")(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout_0")(x)
    out = layers.Dense(vocab_size, activation="softmax", name="next_symbol")(x)
    model = keras.Model(symbols, out, name="melody_window_lstm")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_windows(windows: Windows, train: np.ndarray, *, units: int = 128, epochs: int = 10,
                  batch_size: int = 64, learning_rate: float = 1e-3, seed: int = 0,
                  time_limit_s: float | None = None, track: dict | None = None,
                  progress: ProgressFn = no_progress):
    """Train :func:`build_network` on the *train* windows for *epochs* (fixed, as the paper).

    Parameters
    ----------
    time_limit_s : float, optional
        Stop after the epoch during which this much wall time has passed.
    track : dict, optional
        ``{name: window indices}`` scored after every epoch (musical accuracy, recorded as
        ``history[name]``); recorded only, never used to choose anything.

    Returns
    -------
    model : keras.Model
    history : dict
        Per-epoch ``loss`` and ``accuracy`` (training, every target), the tracked accuracies,
        ``epochs_run`` and ``training_time_s`` (without the tracking).
    """
    import keras

    if not len(train):
        raise AudioMLError("no training windows")
    keras.utils.set_random_seed(seed)
    net = build_network(len(windows.vocab), units=units, learning_rate=learning_rate)
    x, y = windows.inputs[train], windows.targets[train]
    rng = np.random.default_rng(seed)
    history: dict = {"loss": [], "accuracy": [], **{name: [] for name in track or {}}}
    spent = 0.0
    for epoch in range(epochs):
        start = time.time()
        order = rng.permutation(len(x))
        logs = net.fit(x[order], y[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        spent += time.time() - start
        history["loss"].append(float(logs.history["loss"][-1]))
        history["accuracy"].append(float(logs.history["accuracy"][-1]))
        for name, index in (track or {}).items():
            history[name].append(evaluate_windows(net, windows, index)["accuracy"])
        tracked = "".join(f" {name}={values[-1]:.3f}" for name, values in history.items()
                          if name in (track or {}))
        progress(epoch + 1, epochs, f"loss={history['loss'][-1]:.3f}{tracked}")
        if time_limit_s is not None and spent > time_limit_s:
            break
    history["epochs_run"] = len(history["loss"])
    history["training_time_s"] = round(spent, 1)
    return net, history


def evaluate_windows(net, windows: Windows, index: np.ndarray, *, batch_size: int = 256) -> dict:
    """Next-step accuracy of *net* on the windows *index*.

    Returns
    -------
    dict
        ``accuracy`` over musical targets (pitches, holds, rests: our count), ``accuracy_all``
        over every target including the delimiters between songs (what a Keras accuracy on the
        paper's sequences counts), ``onset_accuracy``, ``always_hold`` (accuracy of always
        guessing a hold, musical targets), ``windows`` and ``musical_windows``.
    """
    if not len(index):
        raise AudioMLError("no windows to evaluate")
    proba = net.predict(windows.inputs[index], batch_size=batch_size, verbose=0)
    guess = proba.argmax(-1)
    target = windows.targets[index]
    musical = windows.musical[index]
    hold = windows.vocab.index[HOLD]
    onset = musical & (target != hold)
    hit = guess == target
    return {"accuracy": float(hit[musical].mean()) if musical.any() else float("nan"),
            "accuracy_all": float(hit.mean()),
            "onset_accuracy": float(hit[onset].mean()) if onset.any() else float("nan"),
            "always_hold": float((target[musical] == hold).mean()) if musical.any() else float("nan"),
            "windows": int(len(index)), "musical_windows": int(musical.sum())}
