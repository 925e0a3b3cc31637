"""Fresh variants of the training digits: small random shifts and rotations (NumPy and SciPy).

8,000 digits are few for a VAE whose decoder must fill the whole prior: it learns
them by heart and the space between them decodes to blends. Each epoch of a VAE
trained with ``augment`` sees a new copy of every training digit, moved by up to
:data:`MAX_SHIFT` pixels in each direction and turned by up to
:data:`MAX_ROTATION` degrees about the image centre, the variations handwriting
has anyway. The held-out digits are never augmented.
"""

from __future__ import annotations

import numpy as np

from audioml.errors import AudioMLError

MAX_SHIFT = 2.0       # pixels, each axis, uniform in [-MAX_SHIFT, MAX_SHIFT]
MAX_ROTATION = 10.0   # degrees, uniform in [-MAX_ROTATION, MAX_ROTATION]


def augment_digits(images: np.ndarray, rng: np.random.Generator, *, max_shift: float = MAX_SHIFT,
                   max_rotation: float = MAX_ROTATION) -> np.ndarray:
    """Each image shifted and rotated by its own random amount (bilinear, zeros outside).

    Parameters
    ----------
    images : np.ndarray [shape=(n, h, w) or (n, h, w, 1)], values in [0, 1]
    rng : np.random.Generator
        Source of the random shifts and angles (one draw of each per image).
    max_shift : float
        Largest shift in pixels along each axis (>= 0).
    max_rotation : float
        Largest rotation in degrees either way (>= 0).

    Returns
    -------
    np.ndarray [shape and dtype float32 as *images*], values in [0, 1]

    Raises
    ------
    AudioMLError
        For images of another shape or a negative shift or angle.
    """
    from scipy.ndimage import map_coordinates

    x = np.asarray(images, dtype=np.float32)
    squeezed = x.ndim == 4 and x.shape[-1] == 1
    if squeezed:
        x = x[..., 0]
    if x.ndim != 3 or 0 in x.shape:
        raise AudioMLError(f"images must have shape (n, h, w) or (n, h, w, 1); got {np.shape(images)}")
    if not (max_shift >= 0 and max_rotation >= 0):
        raise AudioMLError(f"max_shift and max_rotation must be >= 0; got {max_shift}, {max_rotation}")
    n, h, w = x.shape
    angle = np.deg2rad(rng.uniform(-max_rotation, max_rotation, size=n))[:, None, None]
    shift = rng.uniform(-max_shift, max_shift, size=(n, 2))
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    rows, cols = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64), indexing="ij")
    # Output pixel (r, c) reads the input at the inverse transform: undo the shift, then the turn.
    dr = rows[None] - cy - shift[:, 0, None, None]
    dc = cols[None] - cx - shift[:, 1, None, None]
    cos, sin = np.cos(angle), np.sin(angle)
    src_r = cy + cos * dr - sin * dc
    src_c = cx + sin * dr + cos * dc
    index = np.broadcast_to(np.arange(n, dtype=np.float64)[:, None, None], src_r.shape)
    out = map_coordinates(x, [index, src_r, src_c], order=1, mode="constant", cval=0.0)
    out = np.clip(out, 0.0, 1.0).astype(np.float32)
    return out[..., None] if squeezed else out
