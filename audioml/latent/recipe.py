"""The latent-space recipe: train the shipped models on MNIST, save them with their cards.

Shipped models (``models/``): ``latent_dcae``, ``latent_vae`` and the digit judge
``latent_digit_judge``; beside the DCAE and the VAE, their codes of the held-out digits
(``<name>_codes.npz``, see :mod:`audioml.latent.heldout`), named on their cards, so the
page needs no dataset. The alpha study goes to ``reports/latent_alpha_study.json``.
How long each trains is one of the named :data:`PRESETS`; ``audioml train latent``
only parses its options and calls :func:`train_and_ship` or :func:`run_alpha_study`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from audioml import registry
from audioml.errors import AudioMLError
from audioml.latent import model as latent
from audioml.latent.evaluate import N_SAMPLES, alpha_study, evaluate_model
from audioml.latent.heldout import CARD_KEY, codes_file_name, heldout_codes, save_codes
from audioml.latent.judge import JUDGE_NAME, NON_DIGIT_FRACTION, load_shipped_judge, train_judge
from audioml.latent.mnist import load_split, split_description
from audioml.paths import MODELS_DIR, PROJECT_ROOT
from audioml.progress import ProgressFn, no_progress

#: Named training settings, one per thing ``audioml train latent`` can make: the shipped
#: models were trained with these. Unset options of the recipe functions take them from here.
PRESETS: dict[str, dict[str, Any]] = {
    "dcae": {"epochs": 25},
    "vae": {"epochs": 25, "alpha": latent.DEFAULT_ALPHA},
    "judge": {"epochs": 8},
    "alpha_study": {"epochs": 25, "alphas": [10.0, 100.0, 1000.0, 10000.0]},
}
COMMAND = "audioml train latent"
DATA_CREDIT = ("MNIST handwritten digits (Yann LeCun, Corinna Cortes, Christopher Burges), "
               "CC BY-SA 3.0")
ALPHA_STUDY_REPORT = PROJECT_ROOT / "reports" / "latent_alpha_study.json"


def preset(name: str, **overrides) -> dict[str, Any]:
    """Settings *name* from :data:`PRESETS`, with the *overrides* that are not ``None``.

    Raises
    ------
    AudioMLError
        For an unknown name, fewer than one epoch, or an alpha that is not positive.
    """
    if name not in PRESETS:
        raise AudioMLError(f"unknown latent preset {name!r}; choose one of {', '.join(PRESETS)}")
    settings = {**PRESETS[name], **{k: v for k, v in overrides.items() if v is not None}}
    if settings["epochs"] < 1:
        raise AudioMLError(f"epochs must be at least 1, got {settings['epochs']}")
    alphas = [settings["alpha"]] if "alpha" in settings else list(settings.get("alphas", []))
    bad = [a for a in alphas if not a > 0]
    if bad:
        raise AudioMLError(f"alpha must be positive, got {bad[0]:g}")
    return settings


def _models_dir(models_dir) -> Path:
    return Path(models_dir or MODELS_DIR)


def train_and_ship(kind: str, *, alpha: float | None = None, epochs: int | None = None, data=None,
                   models_dir=None, progress: ProgressFn = no_progress) -> dict:
    """Train a latent model (or the digit judge) on MNIST, save it and write its card.

    Parameters
    ----------
    kind : {"dcae", "vae", "judge"}
    alpha : float, optional
        VAE reconstruction weight (default from :data:`PRESETS`; ignored for the others).
    epochs : int, optional
        Default from :data:`PRESETS`.
    data : path-like, optional
        Folder of MNIST IDX files (default: see :func:`audioml.latent.mnist.load_mnist`).
    models_dir : path-like, optional
        Where to write (default ``models/``).

    Returns
    -------
    dict
        The card written.
    """
    if kind == "judge":
        return _ship_judge(preset("judge", epochs=epochs), data=data, models_dir=models_dir,
                           progress=progress)
    settings = preset(latent.check_kind(kind), epochs=epochs, alpha=alpha if kind == "vae" else None)
    split = load_split(data)
    alpha = float(settings.get("alpha", latent.DEFAULT_ALPHA))
    model, history, seconds = latent.train_latent(kind, split, epochs=settings["epochs"], alpha=alpha,
                                                  progress=progress)
    name = latent.MODEL_NAMES[kind]
    folder = _models_dir(models_dir)
    registry.save_for_inference(model, folder / f"{name}.keras")
    save_codes(heldout_codes(model, split), folder / codes_file_name(kind), weights=folder / f"{name}.keras")
    metrics = evaluate_model(model, split, judge_model=load_shipped_judge(models_dir))
    metrics["final_train_loss"] = round(float(history["loss"][-1]), 5)
    what = ("a plain deep convolutional autoencoder (MSE only)" if kind == "dcae"
            else f"a variational autoencoder (loss {alpha:g}·MSE + D_KL)")
    card = {"name": name, "task": "latent", "file": f"{name}.keras", CARD_KEY: codes_file_name(kind),
            "kind": kind,
            "description": f"2-D latent space of MNIST digits: {what}.",
            "data": f"{DATA_CREDIT}; {split.source}", "split": split_description(split),
            "config": _config_for_card(kind, alpha),
            "epochs": settings["epochs"], "training_time_s": round(seconds, 1), "metrics": metrics,
            "retrain_command": registry.retrain_command(COMMAND, {"model": kind, **settings})}
    registry.write_card(card, folder)
    return card


def _config_for_card(kind: str, alpha: float) -> dict:
    """The builder configuration recorded on a DCAE's or VAE's card."""
    out = {"builder": f"audioml.nn.autoencoder.build_{kind}", **latent.CONFIG.to_dict(),
           "learning_rate": latent.LEARNING_RATE, "batch_size": latent.BATCH_SIZE}
    out.pop("extra", None)
    if kind == "vae":
        out["alpha"] = alpha
        out["loss"] = "alpha * mean-pixel MSE + D_KL, D_KL = -1/2 sum(1 + log_var - mean^2 - exp(log_var))"
    else:
        out["loss"] = "mean-pixel MSE"
    return out


def _ship_judge(settings: dict, *, data, models_dir, progress: ProgressFn) -> dict:
    """Train the digit judge (see :mod:`audioml.latent.judge`), save it and write its card."""
    split = load_split(data)
    model, metrics, seconds = train_judge(split, epochs=settings["epochs"], progress=progress)
    folder = _models_dir(models_dir)
    registry.save_for_inference(model, folder / f"{JUDGE_NAME}.keras")
    card = {"name": JUDGE_NAME, "task": "latent", "file": f"{JUDGE_NAME}.keras", "kind": "judge",
            "description": "Small CNN that judges whether an image looks like a digit "
                           "(11 classes: 0-9 and 'not a digit'); used to score decoded samples.",
            "data": f"{DATA_CREDIT}; {split.source}; plus {NON_DIGIT_FRACTION:g} made-up "
                    "non-digits (overlaid digit pairs, blotches, scribbles, blanks) per training digit, "
                    "and softened copies of half the training digits",
            "split": split_description(split),
            "config": {"builder": "audioml.latent.judge.build_judge", "classes": 11,
                       "accept_threshold": 0.9},
            "epochs": settings["epochs"], "training_time_s": round(seconds, 1), "metrics": metrics,
            "retrain_command": registry.retrain_command(COMMAND, {"model": "judge", **settings})}
    registry.write_card(card, folder)
    return card


def run_alpha_study(alphas=None, *, epochs: int | None = None, data=None, models_dir=None,
                    out: str | Path | None = None, progress: ProgressFn = no_progress) -> Path:
    """Train one VAE per alpha and write the results for the page (models are not kept).

    *alphas* and *epochs* default to the ``"alpha_study"`` preset; the report goes to
    *out* (default ``reports/latent_alpha_study.json``).
    """
    settings = preset("alpha_study", alphas=alphas, epochs=epochs)
    split = load_split(data)
    report = alpha_study(split, settings["alphas"], epochs=settings["epochs"],
                         judge_model=load_shipped_judge(models_dir), progress=progress)
    report["retrain_command"] = registry.retrain_command(
        COMMAND, {"model": "vae", "alpha_study": report["alphas"], "epochs": settings["epochs"]})
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


def evaluate_shipped(*, data=None, models_dir=None, n_samples: int = N_SAMPLES, seed: int = 0) -> dict:
    """``{"dcae": {...}, "vae": {...}}``: :func:`~audioml.latent.evaluate.evaluate_model` on
    both shipped models, with the shipped judge when there is one."""
    if n_samples < 1:
        raise AudioMLError(f"n_samples must be at least 1, got {n_samples}")
    split = load_split(data)
    judge_model = load_shipped_judge(models_dir)
    return {kind: evaluate_model(latent.load_latent(kind, models_dir), split, judge_model=judge_model,
                                 n_samples=n_samples, seed=seed)
            for kind in latent.KINDS}


def write_shipped_codes(*, data=None, models_dir=None) -> list[Path]:
    """Write the held-out codes of the shipped DCAE and VAE (``models/<name>_codes.npz``,
    see :mod:`audioml.latent.heldout`) and name them on their cards; the models are unchanged.

    Returns
    -------
    list of Path
        The files written.
    """
    split = load_split(data)
    folder = _models_dir(models_dir)
    written = []
    for kind in latent.KINDS:
        name = latent.MODEL_NAMES[kind]
        card = registry.get_card(name, models_dir)
        weights = registry.model_path(name, models_dir)
        written.append(save_codes(heldout_codes(latent.load_latent(kind, models_dir), split),
                                  folder / codes_file_name(kind), weights=weights))
        if card.get(CARD_KEY) != codes_file_name(kind):   # named right after the weight file
            items = [(key, value) for key, value in card.items() if key != CARD_KEY]
            at = [key for key, _ in items].index("file") + 1
            registry.write_card(dict(items[:at] + [(CARD_KEY, codes_file_name(kind))] + items[at:]), folder)
    return written


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
