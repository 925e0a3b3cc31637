"""The shipped models: a JSON card beside every weight file in ``models/``.

A card is a plain JSON object. Required keys:

``name``            unique model name, also the file stem (``models/<name>.json``)
``task``            ``"denoise"``, ``"latent"`` or ``"melody"``
``file``            weight file name inside ``models/`` (e.g. ``"vae_denoiser.keras"``)
``description``     one sentence for people
``data``            dataset, where it came from and its licence
``split``           how train and test were drawn
``config``          the builder's configuration
``epochs``, ``training_time_s``, ``metrics``, ``retrain_command``, ``versions``

:func:`load_keras_model` is the only place the project deserialises weights,
always with Keras' safe mode on, so a ``.keras`` file cannot run code.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

from audioml.errors import AudioMLError
from audioml.paths import MODELS_DIR

REQUIRED_KEYS = ("name", "task", "file", "description", "data", "split", "config",
                 "epochs", "training_time_s", "metrics", "retrain_command")


def list_cards(task: str | None = None, models_dir: Path | None = None) -> list[dict[str, Any]]:
    """Return the model cards in ``models/``, sorted by name, optionally of one *task*."""
    folder = Path(models_dir or MODELS_DIR)
    cards = []
    for path in sorted(folder.glob("*.json")):
        card = json.loads(path.read_text())
        if not isinstance(card, dict) or "name" not in card or "task" not in card:
            continue
        card["card"] = str(path.relative_to(folder.parent)) if folder.parent in path.parents else str(path)
        if task is None or card["task"] == task:
            cards.append(card)
    return cards


def get_card(name: str, models_dir: Path | None = None) -> dict[str, Any]:
    """Return the card of model *name*; raise :class:`AudioMLError` naming the choices."""
    cards = {c["name"]: c for c in list_cards(models_dir=models_dir)}
    if name not in cards:
        choices = ", ".join(sorted(cards)) or "none shipped"
        raise AudioMLError(f"unknown model {name!r}; available: {choices}")
    return cards[name]


def model_path(name: str, models_dir: Path | None = None) -> Path:
    """Path of model *name*'s weight file."""
    return Path(models_dir or MODELS_DIR) / get_card(name, models_dir)["file"]


def load_keras_model(path: str | Path, *, compile: bool = False):
    """Load a ``.keras`` file with safe mode on (no arbitrary code, no lambdas).

    Custom layers must be registered with
    ``keras.saving.register_keras_serializable(package="audioml")`` in a module
    imported before this call; the importing is the caller's job.
    """
    import keras

    return keras.saving.load_model(str(path), compile=compile, safe_mode=True)


def write_card(card: dict[str, Any], models_dir: Path | None = None) -> Path:
    """Write *card* to ``models/<name>.json`` after checking its keys; add software versions."""
    missing = [k for k in REQUIRED_KEYS if k not in card]
    if missing:
        raise AudioMLError(f"model card lacks {', '.join(missing)}")
    card = dict(card)
    card.setdefault("versions", software_versions())
    card.pop("card", None)
    path = Path(models_dir or MODELS_DIR) / f"{card['name']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
    return path


def software_versions() -> dict[str, str]:
    """Versions that matter for reloading a model, recorded on its card."""
    versions = {"python": platform.python_version()}
    for module in ("numpy", "keras", "tensorflow", "librosa", "music21"):
        try:
            versions[module] = __import__(module).__version__
        except Exception:  # noqa: BLE001 - a missing optional package is simply not recorded
            pass
    return versions


def load_model(name: str, models_dir: Path | None = None):
    """Load shipped model *name* for inference.

    When its card names a ``module``, that module's ``load(card, path)`` builds
    the object (it registers custom layers and may wrap the Keras model with,
    e.g., a vocabulary); otherwise the weight file is a plain ``.keras`` model.
    """
    import importlib

    card = get_card(name, models_dir)
    path = Path(models_dir or MODELS_DIR) / card["file"]
    if not path.exists():
        raise AudioMLError(f"weights of model {name!r} are missing: {path}")
    if card.get("module"):
        return importlib.import_module(card["module"]).load(card, path)
    import audioml.nn.autoencoder  # noqa: F401 - registers the custom layers before loading

    return load_keras_model(path)
