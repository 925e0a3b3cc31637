"""The shipped models: a JSON card beside every weight file in ``models/``.

A card is a plain JSON object. Required keys:

``name``            unique model name, also the file stem (``models/<name>.json``)
``task``            ``"denoise"``, ``"latent"`` or ``"melody"``
``file``            weight file name inside ``models/`` (e.g. ``"vae_denoiser.keras"``), or
                    ``null`` for a pretrained model whose weights are inside its library
``description``     one sentence for people
``data``            dataset, where it came from and its licence
``split``           how train and test were drawn
``config``          the builder's configuration
``epochs``, ``training_time_s``, ``metrics``, ``retrain_command``, ``versions``

This module is the bottom of every model's life: cards (:func:`list_cards`,
:func:`get_card`, :func:`write_card`), the command that retrains a model
(:func:`retrain_command`), saving weights (:func:`save_for_inference`) and
loading them (:func:`load_keras_model`). It imports no topic package; turning a
card into a usable object (a denoiser, a melody model) is each topic's own
``load(card, path)``, and :mod:`audioml.shipped` holds the table that picks one
by the card's ``task``.

:func:`load_keras_model` is the only place the project deserialises weights,
always with Keras' safe mode on, so a ``.keras`` file cannot run code.
"""

from __future__ import annotations

import json
import platform
import shlex
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


def model_path(name: str, models_dir: Path | None = None) -> Path | None:
    """Path of model *name*'s weight file; ``None`` when its card names none (the weights
    ship inside a library, as the pretrained denoisers' do)."""
    file = get_card(name, models_dir)["file"]
    return None if file is None else Path(models_dir or MODELS_DIR) / file


def load_keras_model(path: str | Path, *, compile: bool = False):
    """Load a ``.keras`` file with safe mode on (no arbitrary code, no lambdas).

    The project's custom layers (:mod:`audioml.nn.layers`) are registered first,
    so every model it ships reloads here.
    """
    import keras

    import audioml.nn.layers  # noqa: F401 - registers the custom layers safe mode may meet

    return keras.saving.load_model(str(path), compile=compile, safe_mode=True)


def save_for_inference(model, path: str | Path) -> Path:
    """Save *model* as ``.keras`` without its optimizer state.

    Adam keeps two moments per weight, so a compiled model's file is about three
    times the size of its weights. A copy rebuilt from the model's config is
    uncompiled and has no optimizer to save.
    """
    import keras

    import audioml.nn.layers  # noqa: F401 - the config may name the custom layers

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    bare = keras.Model.from_config(model.get_config())
    bare.set_weights(model.get_weights())
    bare.save(str(path))
    return path


def retrain_command(command: str, options: dict[str, Any]) -> str:
    """The shell command that retrains a model, for its card.

    Parameters
    ----------
    command : str
        The subcommand, e.g. ``"audioml train denoiser"``.
    options : dict
        Option name (``batch_size``) to value, in the order to print them.
        ``None`` and ``False`` are left out, ``True`` prints the bare flag,
        and a list or tuple prints its items after the flag.

    Examples
    --------
    >>> retrain_command("audioml train latent", {"model": "vae", "epochs": 25, "alpha": None})
    'audioml train latent --model vae --epochs 25'
    """
    words = command.split()
    for key, value in options.items():
        if value is None or value is False:
            continue
        words.append("--" + key.replace("_", "-"))
        if value is True:
            continue
        words += [_word(v) for v in value] if isinstance(value, (list, tuple)) else [_word(value)]
    return " ".join(shlex.quote(w) for w in words)


def _word(value: Any) -> str:
    # Short where it is exact (5e-05, 1000), every digit where it is not.
    if isinstance(value, float):
        return f"{value:g}" if float(f"{value:g}") == value else repr(value)
    return str(value)


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
