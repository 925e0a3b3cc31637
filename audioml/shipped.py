"""Load any shipped model by name: the card's ``task`` picks the topic's loader.

Each topic turns a card and its weight file into the object its pages and
commands use (a denoiser, a Keras model, a melody model with its vocabulary).
The table below names those loaders explicitly; this module sits above the
topic packages and none of them imports it, so loading adds no import cycle.
Topic code loads its own models through its own loader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from audioml.errors import AudioMLError
from audioml.registry import get_card, model_path


def _load_denoiser(card: dict, path: Path | None):
    from audioml.denoising.api import load_from_card

    return load_from_card(card, path)


def _load_latent(card: dict, path: Path):
    from audioml.latent.model import load

    return load(card, path)


def _load_melody(card: dict, path: Path):
    from audioml.melody.model import load

    return load(card, path)


#: The loader of each task's models: ``loader(card, weights_path) -> model object``.
LOADERS: dict[str, Callable[[dict, Path], Any]] = {
    "denoise": _load_denoiser,
    "latent": _load_latent,
    "melody": _load_melody,
}


def load_model(name: str, models_dir: Path | None = None):
    """Load shipped model *name* for inference with its task's loader (Keras safe mode on)."""
    card = get_card(name, models_dir)
    path = model_path(name, models_dir)
    if path is not None and not path.exists():
        raise AudioMLError(f"weights of model {name!r} are missing: {path}")
    if card["task"] not in LOADERS:
        raise AudioMLError(f"model {name!r} has task {card['task']!r}; known: {', '.join(LOADERS)}")
    return LOADERS[card["task"]](card, path)
