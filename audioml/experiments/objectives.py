"""Trial functions: train one configuration of Table 1, 2 or 3 and score it on test data.

They call the topics' own training code with a configuration: the VAE from
:func:`audioml.denoising.train.train_autoencoder` on FSDD images made by
:func:`audioml.denoising.features.paper_dataset` (white noise at 10 dB, fresh noise every epoch,
fixed noise on the test clips), and the melody LSTM from :func:`audioml.melody.train.train`
scored with :func:`audioml.melody.train.evaluate`.

Every trial records as user attributes: ``config`` (everything the builder got),
``metric``, ``training_time_s``, ``training_cpu_s`` (Tables 1 and 2), ``param_count``,
``epochs_run`` (after scaling), ``epochs_published`` (before scaling), ``epochs_scale``,
``seed`` (the training seed), ``resumes`` and ``worker`` (host:pid); while it trains,
``epochs_done`` after every epoch.

A trial whose process died is retried by the study with the same parameters
(:func:`audioml.experiments.study.storage_for`); the retry keeps the first attempt's number as
its :func:`trial_key`, so it trains with the same seed and, for Tables 1 and 2, resumes from
the first attempt's last finished epoch (:class:`audioml.nn.checkpoint.EpochCheckpoint`,
under ``runs/checkpoints/<study>-<created>/``).
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from audioml.errors import AudioMLError
from audioml.experiments.published import (TABLE1_ARCHITECTURES, TABLE1_EPOCHS, TABLE1_FIXED,
                                           TABLE2_FIXED)
from audioml.experiments.spaces import scaled_epochs, suggest
from audioml.paths import RUNS_DIR

SNR_DB = 10.0
ALPHA = 50_000.0
#: Seed of the test clips' noise: every trial is scored on the same noisy images.
TEST_NOISE_SEED = 7919
#: The sub-collection of essen-deutschl Table 3 is searched on (687 files, 544 songs kept by the
#: preprocessing; short songs, so an epoch is quick), to fit a small budget.
DEFAULT_COLLECTION = "ballad"
#: Where Tables 1 and 2 keep each running trial's last epoch.
CHECKPOINT_ROOT = RUNS_DIR / "checkpoints"


@dataclass
class DenoiseData:
    """Clean training clips and fixed noisy/clean test images for Tables 1 and 2.

    Attributes
    ----------
    train_clips : list of np.ndarray
        Clean 8 kHz clips; each epoch adds fresh white noise.
    test_x, test_y : np.ndarray [shape=(n, 257, 18, 1)]
        Noisy inputs and clean targets of the test clips in [0, 1].
    description : str
        Where the clips came from and how they were split, for the report.
    """

    train_clips: list
    test_x: np.ndarray
    test_y: np.ndarray
    description: str = ""

    @classmethod
    def from_clips(cls, train_clips: list, test_clips: list, *, description: str = "") -> "DenoiseData":
        """Build from clean clips (tests use generated ones)."""
        from audioml.denoising.features import paper_dataset

        if not train_clips or not test_clips:
            raise AudioMLError("need at least one training and one test clip")
        x, y = paper_dataset(test_clips, snr_db=SNR_DB, seed=TEST_NOISE_SEED)
        return cls(list(train_clips), x, y, description)


def load_denoise_data(data: str | None = None, *, max_train: int | None = None,
                      max_test: int | None = None) -> DenoiseData:
    """FSDD split at random 80/20 (seed 0), as the method does.

    Parameters
    ----------
    data : str, optional
        Folder of FSDD recordings (default: found by :func:`audioml.denoising.fsdd.find_fsdd`).
    max_train, max_test : int, optional
        Keep only the first clips of each side (quick runs); the report says so.
    """
    from audioml.denoising import fsdd

    recordings = fsdd.list_recordings(data)
    train, test = fsdd.split(recordings, kind="random")
    train, test = train[:max_train] if max_train else train, test[:max_test] if max_test else test
    text = (f"FSDD, {fsdd.describe_split('random')}: {len(train)} training and {len(test)} test "
            f"clips; white noise at {SNR_DB:g} dB (fresh each epoch; fixed on the test clips)")
    return DenoiseData.from_clips(fsdd.load_clips(train), fsdd.load_clips(test), description=text)


@dataclass
class MelodyData:
    """Train, validation and test songs for Table 3."""

    train: list
    val: list
    test: list
    description: str = ""
    extra: dict = field(default_factory=dict)


def load_melody_data(data: str | None = None, *, collection: str | None = DEFAULT_COLLECTION
                     ) -> MelodyData:
    """Songs of one sub-collection, split as the melody CLI splits (80/20 by file-name hash).

    Parameters
    ----------
    data : str, optional
        File or folder of songs (default: the kern folder; parsed songs are cached in ``runs/``).
    collection : str or None
        Keep only this sub-collection (``extra["collection"]``); ``None`` or ``""`` keeps all.
    """
    from audioml.melody.corpus import Corpus, load_corpus

    corpus = load_corpus(data)
    songs = corpus.songs
    if collection:
        found = sorted({s.extra.get("collection", "") for s in songs})
        songs = [s for s in songs if s.extra.get("collection") == collection]
        if not songs:
            raise AudioMLError(f"no songs of collection {collection!r}; choose one of "
                               f"{', '.join(c for c in found if c) or 'none (use --collection all)'}")
    parts = Corpus(songs, corpus.dropped, corpus.source, corpus.accepted).split(heldout=None)
    if not parts["train"] or not parts["test"]:
        raise AudioMLError(f"too few songs to split ({len(songs)}); use a larger collection")
    # The folder's name only: reports and cards carry no machine paths.
    text = (f"{Path(corpus.source).name or corpus.source}, collection {collection or 'all'}: {len(parts['train'])} train, "
            f"{len(parts['val'])} validation, {len(parts['test'])} test songs (80/20 by file-name "
            f"hash, 10% of train for choosing the best epoch)")
    return MelodyData(parts["train"], parts["val"], parts["test"], text)


def _record(trial, **attrs) -> None:
    for key, value in attrs.items():
        trial.set_user_attr(key, value)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def trial_key(trial) -> int:
    """The number of the first attempt at *trial*'s configuration.

    It is stored as the user attribute ``first_attempt`` when a trial starts; a retry of a
    trial whose process died gets a copy of its user attributes, so it keeps the number.
    """
    key = trial.user_attrs.get("first_attempt")
    if key is None:
        key = int(trial.number)
        trial.set_user_attr("first_attempt", key)
    return int(key)


def training_seed(trial, base: int = 0) -> int:
    """The seed a trial trains with: its ``seed`` user attribute when one was queued with it
    (the seed studies), else *base* plus its :func:`trial_key`."""
    queued = trial.user_attrs.get("seed")
    return int(queued) if queued is not None else int(base) + trial_key(trial)


def _study_folder(study) -> str:
    """The study's name and creation time: two studies of one name (in two storages, or one
    deleted and made again) never share checkpoints."""
    created = "".join(c for c in str(study.user_attrs.get("created", "")) if c.isalnum())
    return f"{study.study_name}-{created}" if created else study.study_name


def _epoch_reporter(trial):
    """A progress callback that stores how far the trial has trained."""
    def report(done, total, message) -> None:
        trial.set_user_attr("epochs_done", int(done))
    return report


def denoise_objective(table: str, data: DenoiseData, *, epochs_scale: float, seed: int = 0,
                      checkpoint_root: str | Path | None = CHECKPOINT_ROOT) -> Callable:
    """Trial function of Table 1 or 2: train the VAE, return its test spectrogram MSE.

    Parameters
    ----------
    checkpoint_root : path-like or None
        Each trial saves its last epoch under ``<root>/<study>-<created>/trial-<key>/`` and a retried
        trial resumes from there; ``None`` trains every trial from scratch.
    """
    from audioml.denoising.train import train_autoencoder
    from audioml.metrics import spectrogram_mse
    from audioml.nn.checkpoint import EpochCheckpoint

    if table not in ("table1", "table2"):
        raise AudioMLError(f"the denoising objective serves table1 and table2, not {table!r}")

    def objective(trial) -> float:
        values = suggest(trial, table)
        if table == "table1":
            arch, published_epochs = values["architecture"], TABLE1_EPOCHS
            lr, batch = TABLE1_FIXED["learning_rate"], TABLE1_FIXED["batch_size"]
        else:
            arch, published_epochs = TABLE2_FIXED["architecture"], values["epochs"]
            lr, batch = values["learning_rate"], values["batch_size"]
        config = dict(TABLE1_ARCHITECTURES[arch])
        epochs = scaled_epochs(published_epochs, epochs_scale)
        trial_seed = training_seed(trial, seed)
        trial.set_user_attr("seed", trial_seed)   # kept by a retry of this trial
        full = {**config, "architecture": arch, "learning_rate": lr, "batch_size": batch,
                "alpha": ALPHA, "snr_db": SNR_DB}
        checkpoint = None
        if checkpoint_root is not None:
            folder = Path(checkpoint_root) / _study_folder(trial.study) / f"trial-{trial_key(trial)}"
            checkpoint = EpochCheckpoint(folder, {"config": full, "epochs": epochs, "seed": trial_seed,
                                                  "data": data.description})
        model, history = train_autoencoder(
            "vae", data.train_clips, epochs=epochs, learning_rate=lr, batch_size=batch,
            seed=trial_seed, snr_db=SNR_DB, alpha=ALPHA, config=config, checkpoint=checkpoint,
            progress=_epoch_reporter(trial))
        mse = spectrogram_mse(data.test_y, model.predict(data.test_x, batch_size=64, verbose=0))
        _record(trial, config=full, metric=mse,
                training_time_s=round(history["training_time_s"], 2),
                training_cpu_s=None if history["training_cpu_s"] is None
                else round(history["training_cpu_s"], 2),
                param_count=int(model.count_params()), epochs_run=history["epochs"],
                epochs_published=published_epochs, epochs_scale=epochs_scale, seed=trial_seed,
                resumes=history["resumes"], worker=_worker())
        if checkpoint is not None:
            checkpoint.clear()   # the result is stored; the weights are not kept
        return mse

    return objective


def melody_objective(data: MelodyData, *, epochs_scale: float, seed: int = 0) -> Callable:
    """Trial function of Table 3: train the paper-preset LSTM, return test next-step accuracy."""
    def objective(trial) -> float:
        from audioml.melody.model import preset
        from audioml.melody.train import evaluate, train

        values = suggest(trial, "table3")
        config = preset("paper", units=values["units"], learning_rate=values["learning_rate"],
                        batch_size=values["batch_size"])
        epochs = scaled_epochs(values["epochs"], epochs_scale)
        trial_seed = training_seed(trial, seed)
        trial.set_user_attr("seed", trial_seed)   # kept by a retry of this trial
        start = time.monotonic()
        # A trial of Table 3 takes minutes, so a retried one starts again rather than resuming.
        model, history = train(data.train, data.val, config=config, epochs=epochs,
                               seed=trial_seed, progress=_epoch_reporter(trial))
        seconds = time.monotonic() - start
        scores = evaluate(model, data.test, max_steps=config["max_steps"])
        _record(trial, config=config, metric=scores["accuracy"], training_time_s=round(seconds, 2),
                param_count=int(model.keras_model.count_params()), epochs_run=epochs,
                epochs_published=values["epochs"], epochs_scale=epochs_scale, seed=trial_seed,
                resumes=0, worker=_worker(),
                onset_accuracy=scores["onset_accuracy"], nll=scores["nll"],
                always_hold=scores["always_hold"], test_songs=scores["songs"],
                best_epoch=history.get("best_epoch"))
        return float(scores["accuracy"])

    return objective
