"""Training and evaluating the melody LSTM on whole songs.

Each song becomes one training sequence: the input is the delimiter followed by the
song, the target the song followed by the delimiter, so the network learns to start
a song, continue it and end it. Training on whole songs (teacher forcing at every
step) instead of sliding 64-step windows computes each step once per epoch, not 64
times, and gives every prediction the song's whole past, as generation does.

Songs are grouped by length into batches padded with the delimiter; padded
targets get weight 0, and accuracy counts only musical targets (pitches, holds and
rests), never the delimiter.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from audioml.errors import AudioMLError
from audioml.melody.encoding import DELIMITER, MAX_BAR_STEPS, Melody, Vocabulary, step_positions
from audioml.progress import ProgressFn, no_progress

#: Batches are padded to a multiple of this many steps, so few distinct shapes are traced.
PAD_MULTIPLE = 32


def song_arrays(song: Melody, vocab: Vocabulary, *, max_steps: int = 512, lookback_bars=(1, 2, 4)):
    """Inputs, next-step positions, bar ids, lookback ids and targets of one song.

    Returns arrays of shape (n,), except lookback (n, len(lookback_bars)): the target
    symbol found 1, 2, 4... bars earlier (the delimiter before the song starts).
    """
    targets = list(song.symbols)[:max_steps]
    if len(targets) < max_steps:
        targets.append(DELIMITER)
    inputs = [DELIMITER] + targets[:-1]
    positions = step_positions(len(targets), bar_steps=song.bar_steps, pickup_steps=song.pickup_steps)
    bar = min(song.bar_steps, MAX_BAR_STEPS)
    target_ids = np.array(vocab.encode(targets), np.int32)
    lookback_bars = list(lookback_bars) or [0]
    lookback = np.zeros((len(targets), len(lookback_bars)), np.int32)
    for col, k in enumerate(lookback_bars):
        shift = k * song.bar_steps
        if k and shift < len(targets):
            lookback[shift:, col] = target_ids[:len(targets) - shift]
    return (np.array(vocab.encode(inputs), np.int32), np.array(positions, np.int32),
            np.full(len(targets), bar, np.int32), lookback, target_ids)


def make_batches(songs: Sequence[Melody], vocab: Vocabulary, *, batch_size: int = 32,
                 max_steps: int = 512, lookback_bars=(1, 2, 4)) -> list[tuple[dict, np.ndarray, np.ndarray]]:
    """Length-grouped, padded batches: (inputs dict, targets, sample weights)."""
    arrays = sorted((song_arrays(s, vocab, max_steps=max_steps, lookback_bars=lookback_bars)
                     for s in songs), key=lambda a: len(a[0]))
    batches = []
    for start in range(0, len(arrays), batch_size):
        group = arrays[start:start + batch_size]
        width = int(math.ceil(max(len(a[0]) for a in group) / PAD_MULTIPLE) * PAD_MULTIPLE)
        sym, pos, bar, tgt = (np.zeros((len(group), width), np.int32) for _ in range(4))
        weight = np.zeros((len(group), width), np.float32)
        back = np.zeros((len(group), width, group[0][3].shape[1]), np.int32)
        for row, (s, p, b, lb, t) in enumerate(group):
            n = len(s)
            sym[row, :n], pos[row, :n], bar[row, :n], tgt[row, :n], weight[row, :n] = s, p, b, t, 1.0
            back[row, :n] = lb
        batches.append(({"symbols": sym, "positions": pos, "bars": bar, "lookback": back}, tgt, weight))
    return batches


def evaluate(model, songs: Sequence[Melody], *, max_steps: int = 512, batch_size: int = 32) -> dict:
    """Next-step accuracy of *model* (a :class:`~audioml.melody.model.MelodyModel`) on *songs*.

    Returns
    -------
    dict
        ``accuracy`` over musical targets (pitches, holds, rests; never the delimiter),
        ``onset_accuracy`` over targets that start a note or rest, ``hold_accuracy``,
        ``nll`` (mean negative log-likelihood per musical symbol, nats), ``end_accuracy``
        (the delimiter predicted where a song ends), ``always_hold`` (accuracy of always
        guessing ``_``), and the counts ``songs`` and ``targets``.
    """
    if not songs:
        raise AudioMLError("no songs to evaluate")
    vocab = model.vocab
    songs = [s for s in songs if all(sym in vocab for sym in s.symbols)]
    if not songs:
        raise AudioMLError("every song uses a pitch the model's vocabulary does not know")
    onset = np.array(vocab.onset_mask)
    hold_id, delim_id = vocab.index["_"], vocab.index[DELIMITER]
    totals = dict(hits=0, n=0, onset_hits=0, onsets=0, hold_hits=0, holds=0, nll=0.0, end_hits=0,
                  ends=0)
    for inputs, targets, weight in make_batches(songs, vocab, batch_size=batch_size, max_steps=max_steps,
                                                lookback_bars=model.config.get("lookback_bars") or []):
        proba = model.predict_proba(inputs)
        guess = proba.argmax(-1)
        real = weight > 0
        musical = real & (targets != delim_id)
        is_on = onset[targets] & musical
        is_hold = (targets == hold_id) & musical
        p_true = np.take_along_axis(proba, targets[..., None], -1)[..., 0]
        hit = guess == targets
        totals["hits"] += int((hit & musical).sum())
        totals["n"] += int(musical.sum())
        totals["onset_hits"] += int((hit & is_on).sum())
        totals["onsets"] += int(is_on.sum())
        totals["hold_hits"] += int((hit & is_hold).sum())
        totals["holds"] += int(is_hold.sum())
        totals["nll"] += float(-np.log(np.maximum(p_true[musical], 1e-12)).sum())
        ends = real & (targets == delim_id)
        totals["end_hits"] += int((hit & ends).sum())
        totals["ends"] += int(ends.sum())
    n = max(totals["n"], 1)
    return {"accuracy": totals["hits"] / n,
            "onset_accuracy": totals["onset_hits"] / max(totals["onsets"], 1),
            "hold_accuracy": totals["hold_hits"] / max(totals["holds"], 1),
            "nll": totals["nll"] / n,
            "end_accuracy": totals["end_hits"] / max(totals["ends"], 1),
            "always_hold": totals["holds"] / n,
            "songs": len(songs), "targets": totals["n"]}


def train(train_songs: Sequence[Melody], val_songs: Sequence[Melody], *, config: dict, epochs: int = 10,
          out_dir: str | Path | None = None, name: str = "melody_lstm", seed: int = 0,
          time_limit_s: float | None = None, progress: ProgressFn = no_progress,
          on_best=None):
    """Train the melody LSTM, keeping the weights of the best validation epoch.

    Parameters
    ----------
    train_songs, val_songs : sequence of Melody
        Training songs and the songs that choose the best epoch.
    config : dict
        A preset from :data:`audioml.melody.model.PRESETS` (with overrides).
    epochs : int
        Upper bound on epochs.
    out_dir : path, optional
        When given, the best model so far is saved there after every improving epoch
        (``<name>.keras`` + ``<name>_vocab.json``), so a stopped run leaves a usable model.
    time_limit_s : float, optional
        Stop after the epoch during which this much wall time has passed.
    progress : callable
        ``progress(epoch, epochs, message)`` after each epoch.
    on_best : callable, optional
        ``on_best(model, history)`` after each improving epoch (e.g. to write a card).

    Returns
    -------
    model : MelodyModel
        With the best epoch's weights.
    history : dict
        Per-epoch ``loss``, ``val_accuracy``, ``val_nll``, seconds, and ``best_epoch``.
    """
    import keras

    from audioml.melody import model as melody_model

    if not train_songs:
        raise AudioMLError("no training songs: every song was dropped by preprocessing")
    if epochs < 1:
        raise AudioMLError(f"epochs must be at least 1; got {epochs}")
    keras.utils.set_random_seed(seed)
    vocab = Vocabulary.build([s.symbols for s in train_songs] + [s.symbols for s in val_songs])
    net = melody_model.build_model(len(vocab), **config)
    batches = make_batches(train_songs, vocab, batch_size=config["batch_size"],
                           max_steps=config["max_steps"], lookback_bars=config.get("lookback_bars") or [])
    rng = np.random.default_rng(seed)
    wrapped = melody_model.MelodyModel(net, vocab, config)
    history: dict = {"loss": [], "val_accuracy": [], "val_onset_accuracy": [], "val_nll": [],
                     "epoch_s": [], "best_epoch": 0}
    best, best_weights, started = math.inf, None, time.time()
    for epoch in range(epochs):
        t0 = time.time()
        # One pass over length-grouped batches in a new order; train_on_batch traces once per
        # padded width (a multiple of PAD_MULTIPLE), not once per song length.
        losses, weights = [], []
        for i in rng.permutation(len(batches)):
            x, y, w = batches[i]
            logs = net.train_on_batch(x, y, sample_weight=w, return_dict=True)
            losses.append(float(logs["loss"]))
            weights.append(float(w.sum()))
        history["loss"].append(float(np.average(losses, weights=weights)))
        current = melody_model.MelodyModel(net, vocab, config)
        scores = evaluate(current, val_songs or train_songs[:50], max_steps=config["max_steps"])
        history["val_accuracy"].append(scores["accuracy"])
        history["val_onset_accuracy"].append(scores["onset_accuracy"])
        history["val_nll"].append(scores["nll"])
        history["epoch_s"].append(time.time() - t0)
        improved = scores["nll"] < best
        if improved:
            best, best_weights, history["best_epoch"] = scores["nll"], net.get_weights(), epoch + 1
            wrapped = current
            if out_dir is not None:
                melody_model.save(current, out_dir, name)
            if on_best is not None:
                on_best(current, history)
        else:
            # Halve Adam's step when the validation NLL stops falling: late epochs then refine.
            lr = float(net.optimizer.learning_rate.numpy()) / 2
            net.optimizer.learning_rate.assign(lr)
            history.setdefault("lr_halved_at", []).append(epoch + 1)
        progress(epoch + 1, epochs, f"loss={history['loss'][-1]:.3f} val_acc={scores['accuracy']:.3f} "
                                    f"val_nll={scores['nll']:.3f}{' *' if improved else ''}")
        if time_limit_s is not None and time.time() - started > time_limit_s:
            break
    if best_weights is not None:
        net.set_weights(best_weights)
        wrapped = melody_model.MelodyModel(net, vocab, config)
    history["epochs_run"] = len(history["loss"])
    history["training_time_s"] = time.time() - started
    return wrapped, history


def save_report(report: dict, path: str | Path) -> Path:
    """Write a JSON report (metrics, counts, history)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path

