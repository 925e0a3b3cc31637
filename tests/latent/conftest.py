"""Fixtures of the latent-space tests: MNIST-shaped IDX files made on the fly."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest


def _write_idx(path: Path, array: np.ndarray) -> Path:
    """Write a uint8 array as an IDX file (gzip when *path* ends in ``.gz``), written
    from the format's definition so that the reader is tested against it."""
    array = np.asarray(array, dtype=np.uint8)
    magic = 2051 if array.ndim == 3 else 2049
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as handle:
        handle.write(header + array.tobytes())
    return path


@pytest.fixture(scope="session")
def write_idx():
    """``write_idx(path, uint8_array)``: one IDX file, images (n, 28, 28) or labels (n,)."""
    return _write_idx


@pytest.fixture(scope="session")
def make_mnist():
    """``make_mnist(folder, images, labels, gz=True)``: a folder holding the t10k IDX pair."""

    def make(folder: Path, images: np.ndarray, labels: np.ndarray, *, gz: bool = True) -> Path:
        ext = ".gz" if gz else ""
        _write_idx(folder / f"t10k-images-idx3-ubyte{ext}", images)
        _write_idx(folder / f"t10k-labels-idx1-ubyte{ext}", labels)
        return folder

    return make
