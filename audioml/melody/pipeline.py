"""The whole recipe behind the shipped model: split, train, measure, write card and report.

Stages: split the corpus (a held-out collection, then 80/20) → train, saving the best
epoch → next-step metrics on the test songs and the unseen collection → the n-gram
baseline on the same songs → 20 generated melodies judged for key and ending →
training histograms and copy index → card (``models/<name>.json``) and report
(``reports/<name>.json``).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from audioml.melody.corpus import Corpus
from audioml.paths import MODELS_DIR, PROJECT_ROOT
from audioml.progress import ProgressFn, no_progress

#: Meters the quality check cycles through (the commonest in the Essen songs).
QUALITY_METERS = ("2/4", "3/4", "4/4", "6/8")


def generation_quality(model, *, n: int = 20, steps: int = 128, temperature: float = 1.0,
                       cadence: bool = True, copy_index: np.ndarray | None = None) -> dict:
    """Generate *n* melodies with random seeds 0..n-1 and judge them as the paper does.

    Returns
    -------
    dict
        ``in_key_share`` (mean over melodies of the share of notes in the key music21 finds),
        ``tonic_endings`` (share ending on that key's tonic), ``stopped_by`` counts,
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
              "in_key_share": float(np.mean([a["in_key_share"] for a, _ in rows])),
              "tonic_endings": float(np.mean([a["ends_on_tonic"] for a, _ in rows])),
              "stopped_by": stopped, "mean_steps": float(np.mean([len(m) for _, m in rows]))}
    if copy_index is not None:
        result["longest_copy_notes"] = int(max(a["copy"]["notes"] for a, _ in rows))
        result["copies_flagged"] = int(sum(a["copy"]["flagged"] for a, _ in rows))
    return result


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


def train_and_report(corpus: Corpus, *, config: dict, epochs: int, name: str = "melody_lstm",
                     models_dir: str | Path | None = None, heldout: str | None = "fink",
                     time_limit_s: float | None = None, durations: str = "paper",
                     retrain_command: str = "audioml train melody", seed: int = 0,
                     report_path: str | Path | None = None,
                     progress: ProgressFn = no_progress) -> dict:
    """Train on *corpus*, measure, and write the model, card and report. Returns the card."""
    from audioml.melody import analysis, train as training
    from audioml.registry import write_card

    folder = Path(models_dir or MODELS_DIR)
    splits = corpus.split(heldout=heldout)
    sequences = {k: len(v) for k, v in splits.items()}
    symbols = {k: int(sum(len(s) + 1 for s in v)) for k, v in splits.items()}
    card = {
        "name": name, "task": "melody", "file": f"{name}.keras", "module": "audioml.melody.model",
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
                         "in_key_share": metrics["generation"]["in_key_share"],
                         "tonic_endings": metrics["generation"]["tonic_endings"]},
                history=history)
    write_card(card, folder)
    report = {"model": name, "metrics": metrics, "preprocessing": card["preprocessing"],
              "sequences": sequences, "symbols": symbols, "config": config, "history": history}
    training.save_report(report, report_path or PROJECT_ROOT / "reports" / f"{name}.json")
    return card
