"""Any length through a fixed-size model: overlapping windows, overlap-added back.

The method's autoencoders see a fixed 0.55 s image; a clip of any length is cut
into windows that overlap by half, each is processed, and the outputs are
blended with a taper that sums exactly (an identity process returns its input).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from audioml.errors import AudioMLError


def windows_of(y: np.ndarray, *, win: int, hop: int, pad_mode: str = "constant") -> np.ndarray:
    """*y* padded at the end to exactly cover whole windows of *win* samples every *hop*."""
    n_windows = 1 + max(0, int(np.ceil((len(y) - win) / hop)))
    extra = (n_windows - 1) * hop + win - len(y)
    if pad_mode not in ("constant", "reflect"):
        raise AudioMLError(f"pad_mode must be 'constant' or 'reflect'; got {pad_mode!r}")
    y = np.asarray(y, np.float32)
    return np.pad(y, (0, extra), mode=pad_mode) if extra else y


def frames_of(y: np.ndarray, *, win: int, hop: int, pad_mode: str = "constant") -> np.ndarray:
    """The windows of *y* as :func:`overlap_add` cuts them.

    Returns
    -------
    np.ndarray [shape=(n_windows, win), dtype=float32]
    """
    if not 0 < hop <= win:
        raise AudioMLError(f"hop must be in (0, win={win}]; got {hop}")
    padded = windows_of(y, win=win, hop=hop, pad_mode=pad_mode)
    return np.stack([padded[i:i + win] for i in range(0, len(padded) - win + 1, hop)])


def overlap_add(y: np.ndarray, process: Callable[[np.ndarray], np.ndarray], *, win: int,
                hop: int, pad_mode: str = "constant") -> np.ndarray:
    """Run *process* on overlapping windows of *y* and overlap-add the results.

    Windows of *win* samples start every *hop* samples (the last one is
    padded with *pad_mode*, as :func:`numpy.pad`); each output is weighted by a positive taper (sin^2, largest
    mid-window, where a fixed-size model sees the most context) and the sum is
    divided by the summed weights. So an identity *process* returns *y* exactly.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
    process : callable
        Maps a batch ``(n_windows, win)`` to ``(n_windows, win)``.
    win, hop : int
        Window and hop in samples, ``0 < hop <= win``.
    """
    y = np.asarray(y, np.float32)
    frames = frames_of(y, win=win, hop=hop, pad_mode=pad_mode)
    n_windows, n = len(frames), len(y)
    out = np.asarray(process(frames), np.float64)
    if out.shape != frames.shape:
        raise AudioMLError(f"window process returned shape {out.shape}; expected {frames.shape}")
    taper = np.sin(np.pi * (np.arange(win) + 0.5) / win) ** 2
    total = np.zeros((n_windows - 1) * hop + win)
    weight = np.zeros_like(total)
    for i in range(n_windows):
        total[i * hop:i * hop + win] += taper * out[i]
        weight[i * hop:i * hop + win] += taper
    return (total / weight)[:n].astype(np.float32)
