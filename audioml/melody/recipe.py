"""The whole recipe behind the shipped model: read songs, split, train, measure, write card and report.

Stages: read and encode the songs (:func:`audioml.melody.corpus.load_corpus`) → split the
corpus (a held-out collection, then 80/20) → train, saving the best epoch → next-step
metrics on the test songs and the unseen collection → the n-gram baseline on the same
songs → 20 generated melodies judged for key and ending → training histograms and copy
index → card (``models/<name>.json``) and report (``reports/<name>.json``).

``audioml train melody`` parses its options and calls :func:`train_and_ship`;
``audioml evaluate melody`` calls :func:`evaluate_shipped`. The defaults of a run are
written once, in :data:`DEFAULTS`; the network's size and training hyperparameters are a
named configuration of :data:`audioml.melody.model.PRESETS` (as Magenta's ``default_configs``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from audioml.errors import AudioMLError
from audioml.melody import MODEL_NAME
from audioml.melody.corpus import DURATION_SETS, HELDOUT_COLLECTION, Corpus
from audioml.paths import MODELS_DIR, PROJECT_ROOT
from audioml.progress import ProgressFn, no_progress

#: The command that retrains a model, the start of every card's ``retrain_command``.
COMMAND = "audioml train melody"
#: Defaults of a training run, used by :func:`train_and_ship` for every option left ``None``
#: (the CLI's help reads them). ``heldout=""`` holds out no collection.
DEFAULTS: dict[str, Any] = {"preset": "shipped", "epochs": 30, "durations": "paper",
                            "heldout": HELDOUT_COLLECTION, "name": MODEL_NAME, "seed": 0,
                            "workers": 1}
#: Meters the quality check cycles through (the commonest in the Essen songs).
QUALITY_METERS = ("2/4", "3/4", "4/4", "6/8")
#: How the card's generated melodies are made: *melodies* with random seeds 0, 1, ... of
#: *steps* sixteenths each at *temperature*, the meters cycling through :data:`QUALITY_METERS`.
GENERATION: dict[str, Any] = {"melodies": 20, "steps": 128, "temperature": 1.0}
#: Which key the card's generation figures are measured against, as the card says it.
GENERATION_KEYS = ("*_model_key: the model's key, C major or A minor (the one the notes fit better: "
                   "the key the score is engraved in and the cadence rule steers to); the others: "
                   "the key music21's analysis finds among all 24")
#: Which songs :func:`evaluate_shipped` can score.
SPLITS = ("all", "test", "heldout", "train", "val")


def generation_quality(model, *, n: int = GENERATION["melodies"], steps: int = GENERATION["steps"],
                       temperature: float = GENERATION["temperature"], cadence: bool = True,
                       copy_index: np.ndarray | None = None) -> dict:
    """Generate *n* melodies with random seeds 0..n-1 and judge them as the paper does.

    Each melody is judged in two keys: the model's own (C major or A minor, the one its notes
    fit better: the key its score is engraved in and the cadence rule steers to) and the key
    music21's analysis finds among all 24.

    Returns
    -------
    dict
        ``in_key_share_model_key`` and ``in_key_share`` (mean over melodies of the share of
        notes in the model's key, and in the key music21 finds), ``tonic_endings_model_key``
        and ``tonic_endings`` (share ending on that key's tonic), ``stopped_by`` counts,
        ``mean_steps``, ``longest_copy_notes`` (max over melodies) and ``copies_flagged``.
    """
    from audioml.melody.analysis import analyze
    from audioml.melody.generate import generate

    rows = []
    for i in range(n):
        melody = generate(model, None, steps=steps, temperature=temperature, random_seed=i,
                          meter=QUALITY_METERS[i % len(QUALITY_METERS)], cadence=cadence, trace=False)
        a = analyze(melody, copy_index=copy_index)
        rows.append((a, melody))
    stopped: dict[str, int] = {}
    for _, m in rows:
        stopped[m.stop_reason] = stopped.get(m.stop_reason, 0) + 1
    result = {"melodies": n, "steps": steps, "temperature": temperature, "cadence_rule": cadence,
              "in_key_share_model_key": float(np.mean([a["written"]["in_key_share"] for a, _ in rows])),
              "tonic_endings_model_key": float(np.mean([a["written"]["ends_on_tonic"] for a, _ in rows])),
              "in_key_share": float(np.mean([a["in_key_share"] for a, _ in rows])),
              "tonic_endings": float(np.mean([a["ends_on_tonic"] for a, _ in rows])),
              "stopped_by": stopped, "mean_steps": float(np.mean([len(m) for _, m in rows]))}
    if copy_index is not None:
        result["longest_copy_notes"] = int(max(a["copy"]["notes"] for a, _ in rows))
        result["copies_flagged"] = int(sum(a["copy"]["flagged"] for a, _ in rows))
    return result


def generation_card_metrics(with_rule: dict, without_rule: dict) -> dict:
    """The card's generation figures from :func:`generation_quality` with and without the
    cadence rule: ``*_model_key`` in the model's key, the others in the key music21 finds."""
    figures = {}
    for key in ("_model_key", ""):
        figures[f"in_key_share{key}"] = with_rule[f"in_key_share{key}"]
        figures[f"tonic_endings{key}"] = with_rule[f"tonic_endings{key}"]
        figures[f"tonic_endings_without_cadence_rule{key}"] = without_rule[f"tonic_endings{key}"]
        figures[f"in_key_share_without_cadence_rule{key}"] = without_rule[f"in_key_share{key}"]
    return figures


def generation_settings(*, n: int = GENERATION["melodies"], steps: int = GENERATION["steps"],
                        temperature: float = GENERATION["temperature"]) -> dict:
    """How the card's generation figures were made, as the card records them."""
    return {"melodies": n, "random_seeds": f"0..{n - 1}", "steps": steps,
            "temperature": temperature, "meters": list(QUALITY_METERS), "keys": GENERATION_KEYS}


def measure_generation(model, card: dict, *, copy_index: np.ndarray | None = None) -> dict:
    """*card*'s generation figures measured again on *model*, with the settings it records.

    The settings are the card's ``generation`` (the defaults of :data:`GENERATION` where it
    records none); returns the figures as :func:`generation_card_metrics` names them.
    """
    return generation_card_metrics(*measure_generation_reports(model, card, copy_index=copy_index))


def measure_generation_reports(model, card: dict, *, copy_index: np.ndarray | None = None
                               ) -> tuple[dict, dict]:
    """:func:`generation_quality` with the card's recorded settings, with the cadence rule and
    without it: the two ``generation`` blocks of the model's report."""
    settings = _recorded_settings(card)
    return (generation_quality(model, **settings, copy_index=copy_index),
            generation_quality(model, **settings, cadence=False, copy_index=copy_index))


def refresh_generation_metrics(name: str = MODEL_NAME) -> dict:
    """Measure shipped model *name*'s generated melodies again and update its card's figures
    and its report's generation blocks (``reports/<name>.json``, where there is one).

    No retraining: the melodies are made with the settings the card records
    (:func:`measure_generation`), and the card says how and in which keys. Returns the card.
    """
    from audioml.melody import analysis, shipped_model
    from audioml.melody import train as training
    from audioml.registry import get_card, write_card

    card = get_card(name)
    _, index = analysis.load_training_stats(MODELS_DIR, name)
    with_rule, without_rule = measure_generation_reports(shipped_model(name), card, copy_index=index)
    figures = generation_card_metrics(with_rule, without_rule)
    card["metrics"] = {**{k: v for k, v in card.get("metrics", {}).items() if k not in figures},
                       **figures}
    card["generation"] = generation_settings(**_recorded_settings(card))
    write_card(card, MODELS_DIR)
    report_path = PROJECT_ROOT / "reports" / f"{name}.json"
    if report_path.is_file():
        report = json.loads(report_path.read_text())
        report.setdefault("metrics", {}).update(generation=with_rule,
                                                generation_without_cadence_rule=without_rule)
        training.save_report(report, report_path)
    return card


def _recorded_settings(card: dict) -> dict:
    recorded = card.get("generation", {})
    return {"n": recorded.get("melodies", GENERATION["melodies"]),
            "steps": recorded.get("steps", GENERATION["steps"]),
            "temperature": recorded.get("temperature", GENERATION["temperature"])}


def _data_credit(source: str) -> str:
    """Where the songs came from, without this machine's folders, and the credit they need."""
    name = Path(source).name
    if "essen" in source.lower():
        return (f"{name}: Essen Folksong Collection (German part, Helmut Schaffrath), **kern files from "
                "KernScores (kern.humdrum.org); free for research and teaching with credit")
    return name


def ngram_baseline(train_songs, vocab, splits: dict, *, order: int = 5) -> dict:
    """Fit the n-gram baseline on *train_songs* and score it on each split."""
    from audioml.melody.ngram import NGramModel

    ngram = NGramModel(vocab, order=order, use_position=True).fit(train_songs)
    return {name: ngram.evaluate([s for s in songs if all(x in vocab for x in s.symbols)])
            for name, songs in splits.items() if songs}


def _accepted(durations: str) -> Sequence[float]:
    if durations not in DURATION_SETS:
        raise AudioMLError(f"unknown duration set {durations!r}; choose one of {', '.join(DURATION_SETS)}")
    return DURATION_SETS[durations]


def train_and_ship(data: str | Path | None = None, *, preset: str | None = None,
                   units: Sequence[int] | int | None = None, dropout: float | None = None,
                   learning_rate: float | None = None, batch_size: int | None = None,
                   epochs: int | None = None, max_minutes: float | None = None,
                   durations: str | None = None, heldout: str | None = None, limit: int | None = None,
                   workers: int | None = None, name: str | None = None, out: str | Path | None = None,
                   report: str | Path | None = None, seed: int | None = None,
                   parse_progress: ProgressFn = no_progress, progress: ProgressFn = no_progress) -> dict:
    """Read songs, train the melody LSTM, and ship it with its card and report.

    Every option left ``None`` takes its value from :data:`DEFAULTS`; the card's
    ``retrain_command`` lists the options that make this model, so running it again
    reproduces it.

    Parameters
    ----------
    data : path-like, optional
        File or folder of songs (see :func:`audioml.melody.corpus.default_data_path`).
    preset : str
        Network configuration, a key of :data:`audioml.melody.model.PRESETS`.
    units, dropout, learning_rate, batch_size : optional
        Replace the preset's values (``units``: LSTM units of each layer).
    epochs : int
        Most epochs to run (the best validation epoch is kept).
    max_minutes : float, optional
        Stop after the epoch during which this much time has passed.
    durations : str
        Accepted note and rest durations, a key of :data:`audioml.melody.corpus.DURATION_SETS`.
    heldout : str
        Sub-collection never trained on; ``""`` for none.
    limit : int, optional
        Read only the first *limit* files.
    workers : int
        Parallel parser processes.
    name : str
        Model name (the files' stem in *out*).
    out : path-like, optional
        Models folder (default ``models/``).
    report : path-like, optional
        Report path (default ``reports/<name>.json``).
    seed : int
        Random seed of the weights and of the batch order.
    parse_progress, progress : callable
        ``progress(done, total, message)`` per song file read, and per epoch.

    Returns
    -------
    dict
        The card written.
    """
    from audioml.melody.corpus import load_corpus
    from audioml.melody.model import preset as configuration
    from audioml.registry import retrain_command

    given = {"preset": preset, "epochs": epochs, "durations": durations, "heldout": heldout,
             "name": name, "seed": seed, "workers": workers}
    run = {**DEFAULTS, **{k: v for k, v in given.items() if v is not None}}
    config = configuration(run["preset"], units=units, dropout=dropout, learning_rate=learning_rate,
                           batch_size=batch_size)
    accepted = _accepted(run["durations"])
    corpus = load_corpus(data, accepted=accepted, limit=limit, workers=run["workers"],
                         progress=parse_progress)
    # The options that decide the model (not where it is written, nor how many parsers ran).
    command = retrain_command(COMMAND, {
        "data": data, "preset": run["preset"], "units": units, "dropout": dropout,
        "learning_rate": learning_rate, "batch_size": batch_size, "epochs": run["epochs"],
        "max_minutes": max_minutes, "durations": run["durations"], "heldout": run["heldout"],
        "limit": limit, "name": run["name"], "seed": run["seed"]})
    return train_and_report(corpus, config=config, epochs=run["epochs"], name=run["name"],
                            models_dir=out, heldout=run["heldout"] or None,
                            time_limit_s=max_minutes * 60 if max_minutes else None,
                            durations=run["durations"], retrain_command=command, seed=run["seed"],
                            report_path=report, progress=progress)


def train_and_report(corpus: Corpus, *, config: dict, epochs: int, name: str = MODEL_NAME,
                     models_dir: str | Path | None = None, heldout: str | None = HELDOUT_COLLECTION,
                     time_limit_s: float | None = None, durations: str = DEFAULTS["durations"],
                     retrain_command: str = COMMAND, seed: int = DEFAULTS["seed"],
                     report_path: str | Path | None = None,
                     progress: ProgressFn = no_progress) -> dict:
    """Train on *corpus*, measure, and write the model, card and report. Returns the card.

    The stages after reading the songs (see the module notes); *config* is a network
    configuration (:func:`audioml.melody.model.preset`), *retrain_command* goes on the card.
    """
    from audioml.melody import analysis, train as training
    from audioml.registry import write_card

    folder = Path(models_dir or MODELS_DIR)
    splits = corpus.split(heldout=heldout)
    sequences = {k: len(v) for k, v in splits.items()}
    symbols = {k: int(sum(len(s) + 1 for s in v)) for k, v in splits.items()}
    card = {
        "name": name, "task": "melody", "file": f"{name}.keras",
        "vocabulary": f"{name}_vocab.json",
        "description": "LSTM that continues a folk melody on a sixteenth-note grid, told where each "
                       "step falls in the bar.",
        "data": _data_credit(corpus.source),
        "split": f"collection {heldout!r} held out entirely; the rest 80/20 train/test by a hash of "
                 f"the file name, 10% of train kept for choosing the best epoch",
        "preprocessing": {**corpus.counts, "duration_set": durations,
                          "transposed_to": "C major / A minor"},
        "sequences": sequences, "symbols": symbols,
        "config": config, "epochs": 0, "training_time_s": 0.0, "metrics": {},
        "retrain_command": retrain_command,
    }

    def on_best(model, history):
        card.update(epochs=history["best_epoch"], training_time_s=round(sum(history["epoch_s"]), 1),
                    metrics={"val_accuracy": history["val_accuracy"][-1],
                             "val_nll": history["val_nll"][-1]})
        write_card(card, folder)

    model, history = training.train(splits["train"], splits["val"], config=config, epochs=epochs,
                                    out_dir=folder, name=name, seed=seed, time_limit_s=time_limit_s,
                                    progress=progress, on_best=on_best)
    t0 = time.time()
    metrics = {"test": training.evaluate(model, splits["test"], max_steps=config["max_steps"]),
               # Every 4th training song: how much of the test gap is generalisation.
               "train_sample": training.evaluate(model, splits["train"][::4],
                                                 max_steps=config["max_steps"])}
    if splits["heldout"]:
        metrics["unseen_collection"] = training.evaluate(model, splits["heldout"],
                                                         max_steps=config["max_steps"])
    metrics["ngram_baseline"] = ngram_baseline(
        splits["train"], model.vocab, {"test": splits["test"], "unseen_collection": splits["heldout"]})
    analysis.save_training_stats(splits["train"], folder, name)
    _, index = analysis.load_training_stats(folder, name)
    metrics["generation"] = generation_quality(model, copy_index=index)
    metrics["generation_without_cadence_rule"] = generation_quality(model, cadence=False, copy_index=index)
    metrics["evaluation_s"] = round(time.time() - t0, 1)
    card.update(epochs=history["best_epoch"], epochs_run=history["epochs_run"],
                training_time_s=round(history["training_time_s"], 1),
                metrics={"train_accuracy": metrics["train_sample"]["accuracy"],
                         "test_accuracy": metrics["test"]["accuracy"],
                         "test_onset_accuracy": metrics["test"]["onset_accuracy"],
                         "test_nll": metrics["test"]["nll"],
                         **({"unseen_accuracy": metrics["unseen_collection"]["accuracy"],
                             "unseen_onset_accuracy": metrics["unseen_collection"]["onset_accuracy"],
                             "unseen_nll": metrics["unseen_collection"]["nll"]}
                            if "unseen_collection" in metrics else {}),
                         "ngram_test_accuracy": metrics["ngram_baseline"]["test"]["accuracy"],
                         "ngram_test_nll": metrics["ngram_baseline"]["test"]["nll"],
                         **generation_card_metrics(metrics["generation"],
                                                   metrics["generation_without_cadence_rule"])},
                generation=generation_settings(), history=history)
    write_card(card, folder)
    report = {"model": name, "metrics": metrics, "preprocessing": card["preprocessing"],
              "sequences": sequences, "symbols": symbols, "config": config, "history": history}
    training.save_report(report, report_path or PROJECT_ROOT / "reports" / f"{name}.json")
    return card


def evaluate_shipped(name: str = MODEL_NAME, data: str | Path | None = None, *,
                     durations: str | None = None, limit: int | None = None, split: str = "all",
                     heldout: str | None = None, progress: ProgressFn = no_progress) -> dict:
    """Next-step accuracy of shipped model *name* on songs encoded as in training.

    Parameters
    ----------
    name : str
        A shipped melody model.
    data : path-like, optional
        File or folder of songs (default as for training).
    durations : str
        Accepted durations, a key of :data:`audioml.melody.corpus.DURATION_SETS`
        (default from :data:`DEFAULTS`).
    limit : int, optional
        Read only the first *limit* files.
    split : str
        ``"all"`` songs, or one part of the training split (:data:`SPLITS`: the same hash
        split and held-out collection as training).
    heldout : str
        Held-out collection for *split* (default from :data:`DEFAULTS`; ``""`` for none).
    progress : callable
        ``progress(done, total, message)`` per song file read.

    Returns
    -------
    dict
        The scores of :func:`audioml.melody.train.evaluate`, with ``model``, ``data``,
        ``split``, the corpus counts and ``seconds`` (time to score).

    Raises
    ------
    AudioMLError
        An unknown split or model, or no usable song.
    """
    from audioml.melody import shipped_model
    from audioml.melody.corpus import load_corpus
    from audioml.melody.train import evaluate

    if split not in SPLITS:
        raise AudioMLError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    model = shipped_model(name)
    corpus = load_corpus(data, accepted=_accepted(durations or DEFAULTS["durations"]), limit=limit,
                         progress=progress)
    held = DEFAULTS["heldout"] if heldout is None else heldout
    songs = corpus.songs if split == "all" else corpus.split(heldout=held or None)[split]
    if not songs:
        raise AudioMLError(f"no usable songs in {corpus.source} (split {split}): "
                           f"dropped {dict(corpus.dropped)}")
    t0 = time.time()
    scores = evaluate(model, songs, max_steps=model.config.get("max_steps", 512))
    return {**scores, "model": name, "data": corpus.source, "split": split, **corpus.counts,
            "seconds": round(time.time() - t0, 2)}
