"""The held-out digits as the page draws them, shipped beside each model so no dataset is needed.

When a DCAE or VAE is shipped, the recipe also writes ``models/<name>_codes.npz``
and names it on the model's card (key :data:`CARD_KEY`): the model's 2-D codes of
the 2,000 held-out MNIST digits (float16), their labels and point ids, and the
digits themselves as 28x28 uint8 thumbnails (for "click a point to see it"),
about 340 kB per model. The page's scatter plots, picked digits and "each model's
own codes" plane read this file, so they work where MNIST is absent (a Hugging
Face Space). The file records the SHA-256 of the weight file it was made with; a
file made with other weights is not used.

The thumbnails are MNIST images (Yann LeCun, Corinna Cortes, Christopher Burges,
CC BY-SA 3.0), credited in the file and on the card's ``data``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from audioml import registry
from audioml.errors import AudioMLError
from audioml.latent import inference
from audioml.latent import model as latent
from audioml.latent.mnist import IMAGE_SIZE, DigitSplit
from audioml.paths import MODELS_DIR

CARD_KEY = "heldout_codes"
CREDIT = "MNIST handwritten digits (Yann LeCun, Corinna Cortes, Christopher Burges), CC BY-SA 3.0"
ARRAYS = ("codes", "labels", "ids", "images", "source", "weights_sha256", "credit")


def codes_file_name(kind: str) -> str:
    """``"latent_dcae_codes.npz"`` or ``"latent_vae_codes.npz"``: the artefact's name in ``models/``."""
    return f"{latent.MODEL_NAMES[latent.check_kind(kind)]}_codes.npz"


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes (the weight file an artefact was made with)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def heldout_codes(model, split: DigitSplit) -> dict:
    """One model's codes of the held-out digits, with what the page shows beside them.

    Returns
    -------
    dict
        ``codes`` (n, 2) float32 (a VAE's mean codes), ``labels`` (n,) int64,
        ``ids`` (n,) int64 (the split's point ids), ``images`` (n, 28, 28) float32
        in [0, 1] and ``source`` (where the digits came from).
    """
    return {"codes": inference.encode(model, split.heldout_images), "labels": split.heldout_labels,
            "ids": split.heldout_ids, "images": split.heldout_images, "source": split.source}


def save_codes(codes: dict, path: str | os.PathLike, *, weights: str | os.PathLike) -> Path:
    """Write :func:`heldout_codes` compactly (float16 codes, uint8 images) to an ``.npz`` file.

    Parameters
    ----------
    codes : dict
        As returned by :func:`heldout_codes`.
    path : path-like
        Where to write, e.g. ``models/latent_vae_codes.npz``.
    weights : path-like
        The weight file of the model that made the codes; its SHA-256 is stored.
    """
    path = Path(path)
    ids = np.asarray(codes["ids"], dtype=np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= 2**31):
        raise AudioMLError(f"point ids must lie in [0, 2**31); got {ids.min()}..{ids.max()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        np.savez_compressed(
            handle, codes=np.asarray(codes["codes"], dtype=np.float16),
            labels=np.asarray(codes["labels"], dtype=np.uint8), ids=ids.astype(np.int32),
            images=np.rint(np.clip(codes["images"], 0, 1) * 255).astype(np.uint8),
            source=np.array(str(codes["source"])), weights_sha256=np.array(file_sha256(weights)),
            credit=np.array(CREDIT))
    return path


def load_codes(path: str | os.PathLike, *, weights: str | os.PathLike | None = None) -> dict:
    """Read a file written by :func:`save_codes`, as :func:`heldout_codes` returns it.

    Parameters
    ----------
    weights : path-like, optional
        The model's weight file; when given, the file must have been made with it.

    Raises
    ------
    AudioMLError
        When the file is missing, malformed, or was made with other weights.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            raw = {key: data[key] for key in ARRAYS}
    except (OSError, KeyError, ValueError) as err:
        raise AudioMLError(f"cannot read held-out codes {path}: {err}") from err
    n = len(raw["labels"])
    if (raw["codes"].shape != (n, 2) or raw["ids"].shape != (n,) or n < 2
            or raw["images"].shape != (n, IMAGE_SIZE, IMAGE_SIZE) or not np.all(np.isfinite(raw["codes"]))):
        raise AudioMLError(f"{path} does not hold n >= 2 finite 2-D codes with n labels, ids and "
                           f"28x28 images (codes {raw['codes'].shape}, images {raw['images'].shape})")
    if weights is not None and str(raw["weights_sha256"]) != file_sha256(weights):
        raise AudioMLError(f"{path.name} was made with other weights than {Path(weights).name}; "
                           "rewrite it with `audioml evaluate latent --write-codes`")
    return {"codes": raw["codes"].astype(np.float32), "labels": raw["labels"].astype(np.int64),
            "ids": raw["ids"].astype(np.int64), "images": raw["images"].astype(np.float32) / 255.0,
            "source": str(raw["source"])}


def shipped_codes(kind: str, models_dir=None) -> dict | None:
    """The shipped held-out codes of the DCAE or VAE, or ``None`` when its card names none,
    the file is absent or it was made with other weights than those shipped."""
    name = latent.MODEL_NAMES[latent.check_kind(kind)]
    folder = Path(models_dir or MODELS_DIR)
    card = registry.get_card(name, models_dir)
    if not card.get(CARD_KEY) or not (folder / card[CARD_KEY]).exists():
        return None
    try:
        return load_codes(folder / card[CARD_KEY], weights=registry.model_path(name, models_dir))
    except AudioMLError:
        return None


def plane_view(per_kind: dict[str, dict]) -> dict:
    """Several models' held-out codes as one view of the same digits.

    Parameters
    ----------
    per_kind : {kind: dict from :func:`heldout_codes` or :func:`load_codes`}
        All of the same held-out digits (the same ids in the same order).

    Returns
    -------
    dict
        ``images``, ``labels``, ``ids`` and ``source`` of the digits, ``codes``: {kind: (n, 2)}.
    """
    if not per_kind:
        raise AudioMLError("no models given")
    first = next(iter(per_kind.values()))
    for kind, codes in per_kind.items():
        if not np.array_equal(codes["ids"], first["ids"]) or not np.array_equal(codes["labels"], first["labels"]):
            raise AudioMLError(f"the {kind} codes are of other held-out digits than the others; "
                               "rewrite them with `audioml evaluate latent --write-codes`")
    return {"images": first["images"], "labels": first["labels"], "ids": first["ids"],
            "source": first["source"], "codes": {kind: c["codes"] for kind, c in per_kind.items()}}
