"""The melody LSTM: builder, named presets, saving and loading, one-step inference in numpy.

Each step the network reads the current symbol and where the *next* step falls in
the bar (its sixteenth within the bar, and the bar's length), as Magenta's lookback
RNN gives its model the metric position: knowing that the next step is a downbeat
makes "a new note starts here" far easier to predict than from the symbols alone.

The network is small: symbol and position embeddings, one or more LSTM layers,
dropout, and a softmax over the vocabulary, trained with Adam on whole songs.

For generation the trained weights are copied into numpy (:class:`MelodyModel.step`),
so one step costs a few small matrix products instead of a ``model.predict`` call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from audioml.errors import AudioMLError
from audioml.melody.encoding import MAX_BAR_STEPS, Vocabulary

#: Named configurations. "paper" is the published recipe's size (one LSTM of 256 units);
#: "shipped" is what the model in models/ uses; "tiny" is for tests.
PRESETS: dict[str, dict[str, Any]] = {
    "paper": {"units": [256], "symbol_dim": 48, "position_dim": 0, "lookback_bars": [],
              "lookback_dim": 0, "dropout": 0.2, "learning_rate": 1e-3, "batch_size": 64,
              "max_steps": 512},
    "shipped": {"units": [256], "symbol_dim": 48, "position_dim": 16, "lookback_bars": [1, 2, 4],
                "lookback_dim": 16, "dropout": 0.2, "learning_rate": 2e-3, "batch_size": 16,
                "max_steps": 512},
    "tiny": {"units": [16], "symbol_dim": 8, "position_dim": 4, "lookback_bars": [1, 2],
             "lookback_dim": 4, "dropout": 0.0, "learning_rate": 1e-2, "batch_size": 8,
             "max_steps": 256},
}
POSITION_IDS = MAX_BAR_STEPS + 1  # 0 = no position (padding), 1..48


def preset(name: str, **overrides) -> dict[str, Any]:
    """Configuration *name* from :data:`PRESETS`, with *overrides* applied."""
    if name not in PRESETS:
        raise AudioMLError(f"unknown melody preset {name!r}; choose one of {', '.join(PRESETS)}")
    config = dict(PRESETS[name])
    config.update({k: v for k, v in overrides.items() if v is not None})
    if isinstance(config["units"], int):
        config["units"] = [config["units"]]
    return config


def build_model(vocab_size: int, *, units=(256,), symbol_dim: int = 48, position_dim: int = 16,
                lookback_bars=(1, 2, 4), lookback_dim: int = 16, dropout: float = 0.2,
                learning_rate: float = 1e-3, **_ignored):
    """Build and compile the melody LSTM.

    Parameters
    ----------
    vocab_size : int
        Number of symbols (the softmax size).
    units : sequence of int
        Units of each stacked LSTM layer.
    symbol_dim, position_dim : int
        Embedding sizes of the symbol and of the next step's position in the bar
        (``position_dim=0`` drops the position inputs' effect: the paper's recipe).
    lookback_bars, lookback_dim : sequence of int, int
        The symbols found 1, 2, 4... bars before the next step are inputs too (Magenta's
        lookback RNN): folk tunes repeat rhythms and phrases bar by bar.
    dropout : float
        Dropout after each LSTM layer.
    learning_rate : float
        Adam's learning rate.

    Returns
    -------
    keras.Model
        Inputs ``symbols``, ``positions``, ``bars`` [shape=(batch, steps), int] and ``lookback``
        [shape=(batch, steps, len(lookback_bars)), int]; output the
        next-symbol probabilities [shape=(batch, steps, vocab_size)].
    """
    import keras
    from keras import layers

    symbols = keras.Input((None,), dtype="int32", name="symbols")
    positions = keras.Input((None,), dtype="int32", name="positions")
    bars = keras.Input((None,), dtype="int32", name="bars")
    n_back = max(len(lookback_bars), 1)
    lookback = keras.Input((None, n_back), dtype="int32", name="lookback")
    x = layers.Embedding(vocab_size, symbol_dim, name="symbol_embedding")(symbols)
    parts = [x]
    if position_dim:
        parts.append(layers.Embedding(POSITION_IDS, position_dim, name="position_embedding")(positions))
        parts.append(layers.Embedding(POSITION_IDS, position_dim // 2 or 1, name="bar_embedding")(bars))
    if lookback_bars and lookback_dim:
        back = layers.Embedding(vocab_size, lookback_dim, name="lookback_embedding")(lookback)
        parts.append(layers.Reshape((-1, n_back * lookback_dim), name="lookback_flat")(back))
    if len(parts) > 1:
        x = layers.Concatenate(name="inputs")(parts)
    for i, n in enumerate(units):
        x = layers.LSTM(n, return_sequences=True, name=f"lstm_{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    out = layers.Dense(vocab_size, activation="softmax", name="next_symbol")(x)
    model = keras.Model({"symbols": symbols, "positions": positions, "bars": bars,
                         "lookback": lookback}, out, name="melody_lstm")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                  loss="sparse_categorical_crossentropy", weighted_metrics=["accuracy"])
    return model


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class MelodyModel:
    """A trained melody LSTM with its vocabulary, ready for one-step inference.

    Attributes
    ----------
    keras_model : keras.Model
        The trained network (used for batch evaluation).
    vocab : Vocabulary
        Symbols the softmax ranges over.
    config : dict
        The builder's configuration.
    card : dict
        The model card (empty for a model that was just trained).
    """

    keras_model: Any
    vocab: Vocabulary
    config: dict
    card: dict = field(default_factory=dict)

    def __post_init__(self):
        # Copy the weights once into numpy: a step is then ~10 µs of matrix products.
        get = lambda name: [np.asarray(w, dtype=np.float64) for w in  # noqa: E731
                            self.keras_model.get_layer(name).get_weights()]
        self._symbol_table = get("symbol_embedding")[0]
        self._has_position = bool(self.config.get("position_dim"))
        if self._has_position:
            self._position_table = get("position_embedding")[0]
            self._bar_table = get("bar_embedding")[0]
        self._lookback_bars = list(self.config.get("lookback_bars") or [])
        self._has_lookback = bool(self._lookback_bars and self.config.get("lookback_dim"))
        if self._has_lookback:
            self._lookback_table = get("lookback_embedding")[0]
        self._lstm = [get(f"lstm_{i}") for i in range(len(self.config["units"]))]
        self._dense_w, self._dense_b = get("next_symbol")

    @property
    def units(self) -> list[int]:
        return list(self.config["units"])

    def start_state(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Zero hidden and cell states, one (h, c) pair per LSTM layer."""
        return [(np.zeros(n), np.zeros(n)) for n in self.units]

    def lookback_ids(self, history, bar_steps: int) -> list[int]:
        """Symbol ids found 1, 2, 4... bars before the step after *history* (ids); 0 before the start."""
        n = len(history)
        return [history[n - k * bar_steps] if n - k * bar_steps >= 0 else 0
                for k in self._lookback_bars] or [0]

    def step(self, state, symbol: int, position: int, bar: int, lookback=(), *, gates: bool = False):
        """Advance the LSTM by one step in numpy.

        Parameters
        ----------
        state : list of (h, c)
            From :meth:`start_state` or a previous step.
        symbol : int
            Current symbol id.
        position, bar : int
            Position id of the *next* step in its bar and the bar length id
            (see :func:`audioml.melody.encoding.step_positions`).
        lookback : sequence of int
            Symbol ids 1, 2, 4... bars before the next step (:meth:`lookback_ids`).
        gates : bool
            Also return the last layer's gate activations (for teaching).

        Returns
        -------
        logits : np.ndarray [shape=(vocab,)]
            Unnormalised log-probabilities of the next symbol.
        state : list of (h, c)
        gate_values : dict, only when *gates*
            ``input``, ``forget``, ``output`` gate vectors and the cell ``c``.
        """
        x = self._symbol_table[symbol]
        if self._has_position:
            x = np.concatenate([x, self._position_table[position], self._bar_table[bar]])
        if self._has_lookback:
            x = np.concatenate([x, self._lookback_table[list(lookback)].ravel()])
        new_state, info = [], {}
        for (kernel, recurrent, bias), (h, c) in zip(self._lstm, state):
            n = h.shape[0]
            z = x @ kernel + h @ recurrent + bias  # Keras gate order: input, forget, cell, output
            i, f, g, o = _sigmoid(z[:n]), _sigmoid(z[n:2 * n]), np.tanh(z[2 * n:3 * n]), _sigmoid(z[3 * n:])
            c = f * c + i * g
            h = o * np.tanh(c)
            new_state.append((h, c))
            info = {"input": i, "forget": f, "output": o, "cell": c}
            x = h
        logits = x @ self._dense_w + self._dense_b
        return (logits, new_state, info) if gates else (logits, new_state)

    def predict_proba(self, inputs: dict) -> np.ndarray:
        """Next-symbol probabilities for a padded batch (see :func:`~audioml.melody.train.make_batches`)
        [shape=(songs, steps, vocab)]."""
        return np.asarray(self.keras_model(inputs, training=False))


def save(model: MelodyModel, folder: str | Path, name: str) -> tuple[Path, Path]:
    """Write ``<name>.keras`` (weights, no optimizer state) and ``<name>_vocab.json``
    (the vocabulary and config) to *folder*; see :func:`audioml.registry.save_for_inference`."""
    from audioml.registry import save_for_inference

    folder = Path(folder)
    weights = save_for_inference(model.keras_model, folder / f"{name}.keras")
    vocab_path = folder / f"{name}_vocab.json"
    vocab_path.write_text(json.dumps({**model.vocab.to_json(), "config": model.config}, indent=1) + "\n")
    return weights, vocab_path


def load(card: dict, path: str | Path) -> MelodyModel:
    """Load a melody model: the ``.keras`` weights (safe mode) and the JSON vocabulary beside them.

    The melody task's loader in :data:`audioml.shipped.LOADERS`, and what
    :func:`audioml.melody.shipped_model` calls.

    Raises
    ------
    AudioMLError
        When the weights or the vocabulary file are missing.
    """
    from audioml.registry import load_keras_model

    path = Path(path)
    if not path.exists():
        raise AudioMLError(f"weights of melody model {card.get('name', path.stem)!r} are missing: {path}")
    stored = _stored_vocabulary(card, path)
    keras_model = load_keras_model(path)
    return MelodyModel(keras_model, Vocabulary.from_json(stored), stored.get("config", card["config"]),
                       card)


def load_vocabulary(card: dict, path: str | Path) -> Vocabulary:
    """The vocabulary of the melody model whose weights are at *path*, without loading them
    (no TensorFlow): what a seed can be checked against before the model loads.

    Raises
    ------
    AudioMLError
        When the vocabulary file is missing.
    """
    return Vocabulary.from_json(_stored_vocabulary(card, Path(path)))


def _stored_vocabulary(card: dict, path: Path) -> dict:
    vocab_path = path.with_name(card.get("vocabulary", f"{path.stem}_vocab.json"))
    if not vocab_path.exists():
        raise AudioMLError(f"vocabulary of melody model {card.get('name', path.stem)!r} is missing: "
                           f"{vocab_path}")
    return json.loads(vocab_path.read_text())
