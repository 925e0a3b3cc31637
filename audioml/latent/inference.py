"""Running a latent model: encode, decode, sample, the decoded plane and its tiling.

Works with any DCAE or VAE whose encoder and decoder are sub-models named ``encoder`` and
``decoder`` (what :mod:`audioml.latent.model` builds and loads), and knows nothing of how it
was built or trained. Keras is imported only inside :func:`run_in_batches`.
"""

from __future__ import annotations

import numpy as np

from audioml.errors import AudioMLError
from audioml.latent.mnist import IMAGE_SIZE


def image_batch(images: np.ndarray) -> np.ndarray:
    """Digits as a network input: shape (n, 28, 28, 1), float32.

    Parameters
    ----------
    images : np.ndarray [shape=(n, 28, 28), (28, 28) or (n, 28, 28, 1)], values in [0, 1]

    Raises
    ------
    AudioMLError
        For any other shape.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 2:
        images = images[None]
    if images.ndim == 3:
        images = images[..., None]
    if images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, 1):
        raise AudioMLError(f"images must have shape (n, 28, 28); got {images.shape}")
    return images


def run_in_batches(network, x: np.ndarray, *, batch_size: int = 512):
    """Inference with *network* on *x*, batch by batch, as float32 NumPy.

    A direct call rather than ``predict``: ``predict`` builds a new graph for each
    new input size, which costs more than the work itself for the page's small batches.
    Returns one array, or a list of arrays for a network with several outputs.
    """
    from keras import ops

    parts = []
    for start in range(0, max(len(x), 1), batch_size):
        out = network(x[start:start + batch_size], training=False)
        outs = out if isinstance(out, (list, tuple)) else [out]
        parts.append([np.asarray(ops.convert_to_numpy(o), dtype=np.float32) for o in outs])
    joined = [np.concatenate([p[i] for p in parts]) for i in range(len(parts[0]))]
    return joined if len(joined) > 1 else joined[0]


def encode(model, images: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
    """Latent codes of *images*; for a VAE, the means of its Gaussians.

    Parameters
    ----------
    images : np.ndarray [shape=(n, 28, 28)], values in [0, 1]

    Returns
    -------
    np.ndarray [shape=(n, 2), dtype=float32]
    """
    return encode_distribution(model, images, batch_size=batch_size)[0]


def encode_distribution(model, images: np.ndarray, *, batch_size: int = 512):
    """Means and log-variances of the codes; a DCAE's log-variance is ``None``.

    Returns
    -------
    mean : np.ndarray [shape=(n, 2)]
    log_var : np.ndarray [shape=(n, 2)] or None
    """
    out = run_in_batches(model.get_layer("encoder"), image_batch(images), batch_size=batch_size)
    if isinstance(out, list):
        return out[0], out[1]
    return out, None


def decode(model, codes: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
    """Images decoded from latent points.

    Parameters
    ----------
    codes : np.ndarray [shape=(n, 2)] (or (2,) for one point)

    Returns
    -------
    np.ndarray [shape=(n, 28, 28), dtype=float32], values in [0, 1]
    """
    codes = np.atleast_2d(np.asarray(codes, dtype=np.float32))
    dim = model.get_layer("decoder").inputs[0].shape[-1]
    if codes.ndim != 2 or codes.shape[1] != dim or not np.all(np.isfinite(codes)):
        raise AudioMLError(f"codes must be finite points of shape (n, {dim}); got {codes.shape}")
    out = run_in_batches(model.get_layer("decoder"), codes, batch_size=batch_size)
    return np.clip(out[..., 0], 0.0, 1.0).astype(np.float32)


def prior_draws(n: int, *, seed: int = 0, dim: int = 2) -> np.ndarray:
    """*n* points from the standard normal N(0, I); shape (n, dim), float32."""
    if not isinstance(n, (int, np.integer)) or not 1 <= n <= 100_000:
        raise AudioMLError(f"n must be an integer between 1 and 100000, got {n!r}")
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def sample(model, n: int, *, seed: int = 0) -> np.ndarray:
    """Decode *n* draws from N(0, I).

    Returns
    -------
    np.ndarray [shape=(n, 28, 28), dtype=float32], values in [0, 1]
    """
    return decode(model, prior_draws(n, seed=seed))


def grid_points(*, extent: tuple[float, float, float, float] = (-3, 3, -3, 3),
                steps: int = 15) -> np.ndarray:
    """A regular grid over the latent plane, top row first (largest z2), as images are drawn.

    Parameters
    ----------
    extent : (x_min, x_max, y_min, y_max)
    steps : int
        Points per side, 2-40.

    Returns
    -------
    np.ndarray [shape=(steps * steps, 2)]
    """
    x0, x1, y0, y1 = (float(v) for v in extent)
    if not 2 <= steps <= 40 or not (x0 < x1 and y0 < y1):
        raise AudioMLError(f"need 2 <= steps <= 40 and a non-empty extent; got {steps}, {extent}")
    xs, ys = np.linspace(x0, x1, steps), np.linspace(y1, y0, steps)
    return np.array([(x, y) for y in ys for x in xs], dtype=np.float32)


def tile(images: np.ndarray, *, columns: int) -> np.ndarray:
    """Arrange (n, h, w) images in a grid of *columns*; empty cells stay black.

    Returns
    -------
    np.ndarray [shape=(rows * h, columns * w)]
    """
    images = np.asarray(images)
    n, h, w = images.shape
    rows = -(-n // columns)
    canvas = np.zeros((rows * h, columns * w), dtype=images.dtype)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        canvas[r * h:(r + 1) * h, c * w:(c + 1) * w] = image
    return canvas


def manifold(model, *, extent: tuple[float, float, float, float] = (-3, 3, -3, 3),
             steps: int = 15) -> np.ndarray:
    """The decoded latent plane: one digit per grid point, tiled into one image.

    Returns
    -------
    np.ndarray [shape=(28 * steps, 28 * steps)], values in [0, 1]
    """
    return tile(decode(model, grid_points(extent=extent, steps=steps)), columns=steps)


def code_extent(codes: np.ndarray, *, percentiles: tuple[float, float] = (1, 99)
                ) -> tuple[float, float, float, float]:
    """The box that holds most of a cloud of 2-D codes, as an ``extent`` for :func:`manifold`.

    Parameters
    ----------
    codes : np.ndarray [shape=(n, 2)]
    percentiles : (low, high)
        Percentiles of each axis that bound the box, so a few outliers do not stretch it.

    Returns
    -------
    (x_min, x_max, y_min, y_max)
    """
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] != 2 or len(codes) < 2:
        raise AudioMLError(f"codes must have shape (n, 2) with n >= 2; got {codes.shape}")
    lo, hi = np.percentile(codes, list(percentiles), axis=0)
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])
