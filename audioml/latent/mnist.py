"""MNIST handwritten digits: the IDX reader, the loader and the fixed held-out split.

The data are read from the original IDX files (``*-images-idx3-ubyte[.gz]`` and
``*-labels-idx1-ubyte[.gz]``) in a folder: an explicit one, ``$AUDIOML_DATA/mnist``
or ``../shared/data/mnist`` (see :func:`audioml.paths.find_data`). Where none
exists, ``keras.datasets.mnist`` is tried, which needs a network the first time.
MNIST is by Yann LeCun, Corinna Cortes and Christopher Burges, CC BY-SA 3.0.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audioml.errors import AudioMLError
from audioml.paths import find_data

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
IMAGE_SIZE = 28
HOLDOUT_FRACTION = 0.2
SPLIT_SEED = 0
DOWNLOAD_HINT = ("Put the IDX files (t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in a "
                 "folder and pass it with --data, or allow keras.datasets.mnist to download them.")


@dataclass(frozen=True)
class DigitSplit:
    """MNIST images split into a training part and a held-out part.

    Attributes
    ----------
    train_images, heldout_images : np.ndarray [shape=(n, 28, 28), dtype=float32]
        Pixel intensities in [0, 1].
    train_labels, heldout_labels : np.ndarray [shape=(n,), dtype=int64]
        Digits 0-9.
    heldout_ids : np.ndarray [shape=(n,), dtype=int64]
        Index of each held-out image in the loaded array, a stable point id.
    source : str
        Where the images came from, for model cards.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    heldout_images: np.ndarray
    heldout_labels: np.ndarray
    heldout_ids: np.ndarray
    source: str


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) of unsigned bytes.

    Parameters
    ----------
    path : path-like
        An ``idx3`` image file (magic 2051) or an ``idx1`` label file (magic 2049).

    Returns
    -------
    np.ndarray [dtype=uint8]
        Shape ``(n, rows, cols)`` for images, ``(n,)`` for labels.

    Raises
    ------
    AudioMLError
        When the file is missing, truncated or not an unsigned-byte IDX file.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as err:
        raise AudioMLError(f"cannot read IDX file {path}: {err}") from err
    if len(raw) < 8:
        raise AudioMLError(f"{path} is too short to be an IDX file")
    magic = int.from_bytes(raw[:4], "big")
    if magic not in (IMAGE_MAGIC, LABEL_MAGIC):
        raise AudioMLError(f"{path} is not an unsigned-byte IDX file (magic {magic}; "
                           f"expected {IMAGE_MAGIC} for images or {LABEL_MAGIC} for labels)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    size = int(np.prod(dims))
    if len(raw) - header != size:
        raise AudioMLError(f"{path} holds {len(raw) - header} bytes of data; its header "
                           f"announces {size} for shape {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _find_file(folder: Path, kind: str) -> Path | None:
    """The first ``*-{kind}-idx?-ubyte[.gz]`` file in *folder*, test set (t10k) first."""
    matches = sorted(folder.glob(f"*{kind}-idx?-ubyte*"), key=lambda p: ("t10k" not in p.name, p.name))
    return matches[0] if matches else None


def load_idx_folder(folder: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels from the IDX files in *folder* (the ``t10k`` pair when present).

    Returns
    -------
    images : np.ndarray [shape=(n, 28, 28), dtype=float32]
        Intensities scaled to [0, 1].
    labels : np.ndarray [shape=(n,), dtype=int64]
    """
    folder = Path(folder)
    image_file, label_file = _find_file(folder, "images"), _find_file(folder, "labels")
    if image_file is None or label_file is None:
        raise AudioMLError(f"no MNIST IDX files in {folder} (expected *-images-idx3-ubyte[.gz] "
                           f"and *-labels-idx1-ubyte[.gz])")
    images, labels = read_idx(image_file), read_idx(label_file)
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise AudioMLError(f"{image_file.name} holds images of shape {images.shape[1:]}, not 28x28")
    if labels.ndim != 1 or len(labels) != len(images):
        raise AudioMLError(f"{label_file.name} has {len(labels)} labels for {len(images)} images")
    if labels.size and labels.max() > 9:
        raise AudioMLError(f"{label_file.name} holds labels above 9")
    return images.astype(np.float32) / 255.0, labels.astype(np.int64)


def load_mnist(folder: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """Load MNIST from IDX files, else from ``keras.datasets.mnist``.

    Parameters
    ----------
    folder : path-like, optional
        A folder of IDX files. Without it, ``$AUDIOML_DATA/mnist`` then
        ``../shared/data/mnist`` are tried, then the Keras download (its test set,
        so the figures match the IDX default).

    Returns
    -------
    images : np.ndarray [shape=(n, 28, 28), dtype=float32], values in [0, 1]
    labels : np.ndarray [shape=(n,), dtype=int64]
    source : str
        A short description of where the data came from.
    """
    if folder is not None:
        path = find_data("mnist", folder, hint=DOWNLOAD_HINT)
        return (*load_idx_folder(path), f"MNIST IDX files in {path.name}/")
    try:
        path = find_data("mnist")
    except AudioMLError:
        path = None
    if path is not None:
        return (*load_idx_folder(path), "MNIST test set (10,000 images, the t10k IDX files)")
    try:
        import keras

        _, (images, labels) = keras.datasets.mnist.load_data()
    except Exception as err:  # noqa: BLE001 - offline machines fail in many ways; one message
        raise AudioMLError(f"no MNIST data found and the download failed ({type(err).__name__}). "
                           f"{DOWNLOAD_HINT}") from err
    return images.astype(np.float32) / 255.0, labels.astype(np.int64), "keras.datasets.mnist test set"


def split_digits(images: np.ndarray, labels: np.ndarray, *, holdout: float = HOLDOUT_FRACTION,
                 seed: int = SPLIT_SEED, source: str = "") -> DigitSplit:
    """Shuffle with a fixed seed and hold out a fraction of the images.

    Parameters
    ----------
    images : np.ndarray [shape=(n, 28, 28)]
    labels : np.ndarray [shape=(n,)]
    holdout : float
        Fraction held out for evaluation, in (0, 1).
    seed : int
        Seed of the permutation; the same seed always gives the same split.
    """
    if not 0 < holdout < 1:
        raise AudioMLError(f"holdout must be a fraction between 0 and 1, got {holdout!r}")
    n = len(images)
    if n != len(labels) or n < 2:
        raise AudioMLError(f"need at least 2 images with one label each; got {n} images, "
                           f"{len(labels)} labels")
    order = np.random.default_rng(seed).permutation(n)
    n_held = max(1, int(round(n * holdout)))
    held, train = np.sort(order[:n_held]), order[n_held:]
    return DigitSplit(images[train], labels[train], images[held], labels[held], held, source)


def load_split(folder: str | os.PathLike | None = None, *, holdout: float = HOLDOUT_FRACTION,
               seed: int = SPLIT_SEED) -> DigitSplit:
    """:func:`load_mnist` followed by :func:`split_digits` (8,000 / 2,000 on the 10,000 test images)."""
    images, labels, source = load_mnist(folder)
    return split_digits(images, labels, holdout=holdout, seed=seed, source=source)


def split_description(split: DigitSplit) -> str:
    """How the images were split, for cards and reports."""
    n_train, n_held = len(split.train_images), len(split.heldout_images)
    return (f"{n_train} training / {n_held} held-out images ({n_held / (n_train + n_held):.0%} held "
            f"out), shuffled with numpy seed {SPLIT_SEED}; figures are on the held-out images")
