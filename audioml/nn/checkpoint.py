"""Resumable training: a Keras model's weights, its optimizer's state and a little bookkeeping,
saved after every epoch and restored when the same run starts again.

A paper-scale trial can outlast the process that runs it (a laptop closed, a shared machine
reclaimed). :class:`EpochCheckpoint` lets a training loop pick up at the epoch after the last
one it finished, with Adam's moments intact, so a resumed run follows the same path as an
unbroken one would, up to the random draws made after the break.

Layout of a checkpoint folder::

    state.json          {"epochs_done", "elapsed_s", "cpu_s", "history", "identity", "resumes"}
    model.weights.h5    the model's weights and its optimizer's variables (Keras' own format)

Files are written to temporary names and renamed, so a process killed while saving leaves the
previous epoch's checkpoint whole.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

STATE = "state.json"
WEIGHTS = "model.weights.h5"


class EpochCheckpoint:
    """Save and restore one training run in *folder*.

    Parameters
    ----------
    folder : path-like
        Where the run's checkpoint lives (created on the first save).
    identity : dict
        What makes two runs the same run (configuration, seed, data). A checkpoint made with
        another identity is not resumed: it is discarded and training starts from scratch.
    """

    def __init__(self, folder, identity: dict):
        self.folder = Path(folder)
        self.identity = json.loads(json.dumps(identity, sort_keys=True, default=str))

    # -- reading --------------------------------------------------------------------------------
    def state(self) -> dict | None:
        """The saved bookkeeping when a checkpoint of this run exists, else ``None``."""
        path = self.folder / STATE
        if not path.is_file():
            return None
        try:
            state = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            return None
        if state.get("identity") != self.identity or not (self.folder / WEIGHTS).is_file():
            return None
        return state

    def restore(self, model) -> dict:
        """Load the saved weights and optimizer state into *model* (built and compiled).

        Returns
        -------
        dict
            ``epochs_done`` (0 when there was nothing to resume), ``elapsed_s`` (training
            seconds spent before), ``cpu_s`` (the process's CPU seconds spent on them; ``None``
            from a checkpoint written before CPU time was kept), ``history`` (the saved
            per-epoch lists) and ``resumes`` (how many times this run has been resumed, this
            one included).
        """
        state = self.state()
        if state is None:
            if self.folder.exists():
                self.clear()     # another run's checkpoint, or a broken one: start afresh
            return {"epochs_done": 0, "elapsed_s": 0.0, "cpu_s": 0.0, "history": {}, "resumes": 0}
        # Keras restores the optimizer's variables with the weights only into a built optimizer.
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.load_weights(self.folder / WEIGHTS)
        state["resumes"] = int(state.get("resumes", 0)) + 1
        state.setdefault("cpu_s", None)
        return state

    # -- writing --------------------------------------------------------------------------------
    def save(self, model, *, epochs_done: int, elapsed_s: float, history: dict,
             resumes: int = 0, cpu_s: float | None = None) -> None:
        """Write the checkpoint after epoch *epochs_done* (weights first, the state last)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        weights_tmp = self.folder / ("tmp-" + WEIGHTS)
        model.save_weights(weights_tmp)
        state_tmp = self.folder / ("tmp-" + STATE)
        state_tmp.write_text(json.dumps({"identity": self.identity, "epochs_done": int(epochs_done),
                                         "elapsed_s": float(elapsed_s), "cpu_s": cpu_s,
                                         "history": history,
                                         "resumes": int(resumes)}))
        # The state names the epoch; it is renamed last, so it never points past the weights.
        os.replace(weights_tmp, self.folder / WEIGHTS)
        os.replace(state_tmp, self.folder / STATE)

    def clear(self) -> None:
        """Delete the checkpoint (after the run finished, or when it belongs to another run)."""
        shutil.rmtree(self.folder, ignore_errors=True)
