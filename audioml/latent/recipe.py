"""Training, saving and loading the shipped latent-space models and their cards.

Shipped models (``models/``): ``latent_dcae``, ``latent_vae`` and the digit judge
``latent_digit_judge``; the alpha study goes to ``reports/latent_alpha_study.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from audioml import latent, registry
from audioml.errors import AudioMLError
from audioml.latent_eval import alpha_study, evaluate_model, split_description
from audioml.mnist import load_split
from audioml.paths import MODELS_DIR, PROJECT_ROOT
from audioml.progress import ProgressFn, no_progress

DATA_CREDIT = ("MNIST handwritten digits (Yann LeCun, Corinna Cortes, Christopher Burges), "
               "CC BY-SA 3.0")
ALPHA_STUDY_REPORT = PROJECT_ROOT / "reports" / "latent_alpha_study.json"


def _models_dir(models_dir) -> Path:
    return Path(models_dir or MODELS_DIR)


def load_judge_if_shipped(models_dir=None):
    """The shipped digit judge, or ``None`` when it has not been trained yet."""
    from audioml.latent_judge import JUDGE_NAME

    try:
        return registry.load_model(JUDGE_NAME, _models_dir(models_dir))
    except AudioMLError:
        return None


def load_latent(kind: str, models_dir=None):
    """The shipped DCAE or VAE (``kind`` is ``"dcae"`` or ``"vae"``), loaded in safe mode."""
    return registry.load_model(latent.MODEL_NAMES[latent.check_kind(kind)], _models_dir(models_dir))


def train_and_ship(kind: str, *, alpha: float = latent.DEFAULT_ALPHA, epochs: int = latent.EPOCHS,
                   data=None, models_dir=None, name: str | None = None,
                   progress: ProgressFn = no_progress) -> dict:
    """Train a latent model on MNIST, save it to ``models/`` and write its card.

    Parameters
    ----------
    kind : {"dcae", "vae"}
    alpha : float
        VAE reconstruction weight.
    data : path-like, optional
        Folder of MNIST IDX files (default: see :func:`audioml.mnist.load_mnist`).
    models_dir : path-like, optional
        Where to write (default ``models/``).
    name : str, optional
        Model name (default ``latent_dcae`` / ``latent_vae``).

    Returns
    -------
    dict
        The card written.
    """
    latent.check_kind(kind)
    split = load_split(data)
    model, history, seconds = latent.train_latent(kind, split, alpha=alpha, epochs=epochs,
                                                  progress=progress)
    name = name or latent.MODEL_NAMES[kind]
    folder = _models_dir(models_dir)
    folder.mkdir(parents=True, exist_ok=True)
    latent.save_for_inference(model, folder / f"{name}.keras")
    metrics = evaluate_model(model, split, judge_model=load_judge_if_shipped(models_dir))
    metrics["final_train_loss"] = round(float(history["loss"][-1]), 5)
    command = f"audioml train latent --model {kind} --epochs {epochs}"
    if kind == "vae":
        command += f" --alpha {alpha:g}"
    what = ("a plain deep convolutional autoencoder (MSE only)" if kind == "dcae"
            else f"a variational autoencoder (loss {alpha:g}·MSE + D_KL)")
    card = {"name": name, "task": "latent", "file": f"{name}.keras", "kind": kind,
            "description": f"2-D latent space of MNIST digits: {what}.",
            "data": f"{DATA_CREDIT}; {split.source}", "split": split_description(split),
            "config": latent.config_for_card(kind, alpha if kind == "vae" else None),
            "epochs": epochs, "training_time_s": round(seconds, 1), "metrics": metrics,
            "retrain_command": command}
    registry.write_card(card, folder)
    return card


def train_and_ship_judge(*, epochs: int | None = None, data=None, models_dir=None,
                         progress: ProgressFn = no_progress) -> dict:
    """Train the digit judge (see :mod:`audioml.latent_judge`), save it and write its card."""
    from audioml.latent_judge import JUDGE_EPOCHS, JUDGE_NAME, NON_DIGIT_FRACTION, train_judge

    epochs = epochs or JUDGE_EPOCHS
    split = load_split(data)
    model, metrics, seconds = train_judge(split, epochs=epochs, progress=progress)
    folder = _models_dir(models_dir)
    folder.mkdir(parents=True, exist_ok=True)
    latent.save_for_inference(model, folder / f"{JUDGE_NAME}.keras")
    card = {"name": JUDGE_NAME, "task": "latent", "file": f"{JUDGE_NAME}.keras", "kind": "judge",
            "description": "Small CNN that judges whether an image looks like a digit "
                           "(11 classes: 0-9 and 'not a digit'); used to score decoded samples.",
            "data": f"{DATA_CREDIT}; {split.source}; plus {NON_DIGIT_FRACTION:g} made-up "
                    "non-digits (overlaid digit pairs, blotches, scribbles, blanks) per training digit, "
                    "and softened copies of half the training digits",
            "split": split_description(split),
            "config": {"builder": "audioml.latent_judge.build_judge", "classes": 11,
                       "accept_threshold": 0.9},
            "epochs": epochs, "training_time_s": round(seconds, 1), "metrics": metrics,
            "retrain_command": f"audioml train latent --model judge --epochs {epochs}"}
    registry.write_card(card, folder)
    return card


def run_alpha_study(alphas, *, epochs: int = latent.EPOCHS, data=None, models_dir=None,
                    out: str | Path | None = None, progress: ProgressFn = no_progress) -> Path:
    """Train one VAE per alpha and write the results for the page (models are not kept)."""
    split = load_split(data)
    report = alpha_study(split, alphas, epochs=epochs, judge_model=load_judge_if_shipped(models_dir),
                         progress=progress)
    report["retrain_command"] = ("audioml train latent --model vae --alpha-study "
                                 + " ".join(f"{a:g}" for a in report["alphas"])
                                 + f" --epochs {epochs}")
    path = Path(out or ALPHA_STUDY_REPORT)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report) + "\n")
    return path


def load_alpha_study(path: str | Path | None = None) -> dict | None:
    """The shipped alpha-study results, or ``None`` when the report is absent."""
    path = Path(path or ALPHA_STUDY_REPORT)
    if not path.exists():
        return None
    return json.loads(path.read_text())


def evaluate_shipped(*, data=None, models_dir=None, n_samples: int = 2000, seed: int = 0) -> dict:
    """``{"dcae": {...}, "vae": {...}}``: :func:`evaluate_model` on both shipped models."""
    split = load_split(data)
    judge_model = load_judge_if_shipped(models_dir)
    return {kind: evaluate_model(load_latent(kind, models_dir), split, judge_model=judge_model,
                                 n_samples=n_samples, seed=seed)
            for kind in latent.KINDS}


def write_figures_to_cards(figures: dict, models_dir=None) -> list[Path]:
    """Replace the held-out figures on the DCAE and VAE cards with *figures* (from
    :func:`evaluate_shipped`), keeping what only training knows (the final training loss).

    Used after the judge is retrained, since the ``sample_*`` figures depend on it.
    """
    written = []
    for kind, metrics in figures.items():
        card = registry.get_card(latent.MODEL_NAMES[kind], _models_dir(models_dir))
        kept = {k: v for k, v in card["metrics"].items() if k == "final_train_loss"}
        card["metrics"] = {**metrics, **kept}
        written.append(registry.write_card(card, _models_dir(models_dir)))
    return written
