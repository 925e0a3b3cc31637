"""Progress reporting that works the same in the CLI (tqdm) and the app (st.progress).

Long jobs (training, searches, batch denoising) take a ``progress`` callable
``progress(done, total, message)``; the CLI passes a tqdm bar, a page passes a
function that updates ``st.progress``. The library never imports either UI.
"""

from __future__ import annotations

from typing import Callable, Protocol


class Progress(Protocol):
    def __call__(self, done: int, total: int, message: str = "") -> None: ...


def no_progress(done: int, total: int, message: str = "") -> None:
    """A reporter that ignores everything."""


class TqdmProgress:
    """A ``Progress`` that drives one tqdm bar on stderr; use as a context manager."""

    def __init__(self, desc: str, unit: str = "step"):
        self.desc, self.unit, self.bar = desc, unit, None

    def __call__(self, done: int, total: int, message: str = "") -> None:
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.desc, unit=self.unit, dynamic_ncols=True)
        self.bar.total = total
        self.bar.n = done
        if message:
            self.bar.set_postfix_str(message, refresh=False)
        self.bar.refresh()

    def __enter__(self) -> "TqdmProgress":
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


def keras_callback(progress: Progress, epochs: int):
    """A Keras callback that reports each finished epoch and its logs to *progress*."""
    import keras

    class _EpochProgress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            shown = ", ".join(f"{k}={v:.4g}" for k, v in logs.items() if isinstance(v, (int, float)))
            progress(epoch + 1, epochs, shown)

    return _EpochProgress()


ProgressFn = Callable[[int, int, str], None]
