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
from audioml.latent.augment import MAX_ROTATION, MAX_SHIFT
from audioml.latent.evaluate import N_SAMPLES, alpha_study, evaluate_model
from audioml.latent.heldout import CARD_KEY, codes_file_name, heldout_codes, save_codes
from audioml.latent.judge import JUDGE_NAME, NON_DIGIT_FRACTION, load_shipped_judge, train_judge
from audioml.latent.mnist import load_split, split_description
from audioml.paths import MODELS_DIR, PROJECT_ROOT
from audioml.progress import ProgressFn, no_progress

#: Named training settings, one per thing ``audioml train latent`` can make: the shipped
#: models were trained with these. Unset options of the recipe functions take them from here.
#: The VAE's: ``alpha`` (reconstruction weight), ``loss`` ("mse" or "bce", per pixel),
#: ``kl_warmup`` (epochs of the KL weight's climb from 0 to 1), ``decoder_dense`` (units of
#: the decoder's extra dense layer, 0 for none), ``filters`` (the two conv blocks'),
#: ``augment`` (fresh shifted and rotated training digits each epoch) and ``lr_decay`` (a
#: cosine decay of the learning rate over the run); see
#: :func:`audioml.latent.model.train_latent`.
PRESETS: dict[str, dict[str, Any]] = {
    "dcae": {"epochs": 25},
    # The shipped VAE: long training with a decaying learning rate, per-pixel cross-entropy
    # (alpha 784 = summed over the 28x28 pixels) and a small dense layer in the decoder; its
    # prior draws are judged digits as often as the DCAE's, and cover all ten digits.
    "vae": {"epochs": 160, "alpha": 784.0, "loss": "bce", "kl_warmup": 0, "decoder_dense": 32,
            "filters": list(latent.CONFIG.filters), "augment": False, "lr_decay": True},
    "judge": {"epochs": 8},
    # The shipped reports/latent_alpha_study.json: 15 epochs per alpha.
    "alpha_study": {"epochs": 15, "alphas": [10.0, 100.0, 1000.0, 10000.0]},
}
VAE_OPTIONS = ("loss", "kl_warmup", "decoder_dense", "filters", "augment", "lr_decay")
SWITCHES = ("augment", "lr_decay")   # on/off settings: --augment / --no-augment on the command line
COMMAND = "audioml train latent"
DATA_CREDIT = ("MNIST handwritten digits (Yann LeCun, Corinna Cortes, Christopher Burges), "
               "CC BY-SA 3.0")
ALPHA_STUDY_REPORT = PROJECT_ROOT / "reports" / "latent_alpha_study.json"


def preset(name: str, **overrides) -> dict[str, Any]:
    """Settings *name* from :data:`PRESETS`, with the *overrides* that are not ``None``.

    Raises
    ------
    AudioMLError
        For an unknown name or override, fewer than one epoch, an alpha that is not
        positive, an unknown loss, a KL warm-up outside 0..epochs, a negative
        ``decoder_dense`` or filters other than two positive integers.

    Notes
    -----
    A preset's KL warm-up longer than the *epochs* asked for is cut to them (the weight
    still reaches 1 at the end); a warm-up passed explicitly is never changed.
    """
    if name not in PRESETS:
        raise AudioMLError(f"unknown latent preset {name!r}; choose one of {', '.join(PRESETS)}")
    given = {k: v for k, v in overrides.items() if v is not None}
    unknown = sorted(set(given) - set(PRESETS[name]))
    if unknown:
        raise AudioMLError(f"preset {name!r} has no setting {unknown[0]!r}")
    settings = {**PRESETS[name], **given}
    if settings["epochs"] < 1:
        raise AudioMLError(f"epochs must be at least 1, got {settings['epochs']}")
    if "alpha" in settings:
        settings["alpha"] = latent.check_alpha(settings["alpha"])
    if "alphas" in settings:
        settings["alphas"] = [latent.check_alpha(a) for a in settings["alphas"]]
    if "loss" in settings and settings["loss"] not in latent.LOSSES:
        raise AudioMLError(f"loss must be one of {', '.join(latent.LOSSES)}, got {settings['loss']!r}")
    if "kl_warmup" not in given and settings.get("kl_warmup", 0) > settings["epochs"]:
        settings["kl_warmup"] = settings["epochs"]   # a short run warms up over all its epochs
    if not 0 <= settings.get("kl_warmup", 0) <= settings["epochs"]:
        raise AudioMLError(f"kl_warmup must be between 0 and the {settings['epochs']} epochs, "
                           f"got {settings['kl_warmup']}")
    if settings.get("decoder_dense", 0) < 0:
        raise AudioMLError(f"decoder_dense must be at least 0, got {settings['decoder_dense']}")
    if "filters" in settings:
        settings["filters"] = list(latent.latent_config(settings["filters"]).filters)
    return settings


def vae_options(settings: dict) -> dict:
    """The VAE settings of a preset as keyword arguments of :func:`audioml.latent.model.train_latent`."""
    return {key: settings[key] for key in VAE_OPTIONS}


def command_options(kind: str, settings: dict) -> dict:
    """*settings* as options of ``audioml train latent``, for :func:`audioml.registry.retrain_command`.

    Every setting is written out, so the command retrains the same model whatever the
    presets say later; a switch such as ``augment`` becomes ``--augment`` or ``--no-augment``.
    """
    options = {"model": kind}
    for key, value in settings.items():
        if key in SWITCHES:
            options[key if value else f"no_{key}"] = True
        else:
            options[key] = value
    return options


def _models_dir(models_dir) -> Path:
    return Path(models_dir or MODELS_DIR)


def train_and_ship(kind: str, *, alpha: float | None = None, epochs: int | None = None,
                   loss: str | None = None, kl_warmup: int | None = None,
                   decoder_dense: int | None = None, filters=None, augment: bool | None = None,
                   lr_decay: bool | None = None, data=None, models_dir=None,
                   progress: ProgressFn = no_progress) -> dict:
    """Train a latent model (or the digit judge) on MNIST, save it and write its card.

    Unset options come from :data:`PRESETS`; the VAE-only ones are ignored for the others.

    Parameters
    ----------
    kind : {"dcae", "vae", "judge"}
    alpha : float, optional
        VAE reconstruction weight (default from :data:`PRESETS`; ignored for the others).
    epochs : int, optional
        Default from :data:`PRESETS`.
    loss : {"mse", "bce"}, optional
        VAE only: the per-pixel reconstruction loss.
    kl_warmup : int, optional
        VAE only: epochs of the KL weight's climb from 0 to 1.
    decoder_dense : int, optional
        VAE only: units of the decoder's extra dense layer (0: none).
    filters : sequence of two int, optional
        VAE only: filters of the two conv blocks.
    augment : bool, optional
        VAE only: train on freshly shifted and rotated digits each epoch.
    lr_decay : bool, optional
        VAE only: a cosine decay of the learning rate over the run.
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
    vae = {"alpha": alpha, "loss": loss, "kl_warmup": kl_warmup, "decoder_dense": decoder_dense,
           "filters": filters, "augment": augment, "lr_decay": lr_decay} if kind == "vae" else {}
    settings = preset(latent.check_kind(kind), epochs=epochs, **vae)
    split = load_split(data)
    alpha = settings.get("alpha", latent.DEFAULT_ALPHA)
    options = vae_options(settings) if kind == "vae" else {}
    model, history, seconds = latent.train_latent(kind, split, epochs=settings["epochs"], alpha=alpha,
                                                  progress=progress, **options)
    name = latent.MODEL_NAMES[kind]
    folder = _models_dir(models_dir)
    registry.save_for_inference(model, folder / f"{name}.keras")
    save_codes(heldout_codes(model, split), folder / codes_file_name(kind), weights=folder / f"{name}.keras")
    metrics = evaluate_model(model, split, judge_model=load_shipped_judge(models_dir))
    metrics["final_train_loss"] = round(float(history["loss"][-1]), 5)
    what = ("a plain deep convolutional autoencoder (MSE only)" if kind == "dcae"
            else f"a variational autoencoder (loss {alpha:g}·{settings['loss'].upper()} + D_KL)")
    card = {"name": name, "task": "latent", "file": f"{name}.keras", CARD_KEY: codes_file_name(kind),
            "kind": kind,
            "description": f"2-D latent space of MNIST digits: {what}.",
            "data": f"{DATA_CREDIT}; {split.source}", "split": split_description(split),
            "config": _config_for_card(kind, alpha, options),
            "epochs": settings["epochs"], "training_time_s": round(seconds, 1), "metrics": metrics,
            "retrain_command": registry.retrain_command(COMMAND, command_options(kind, settings))}
    registry.write_card(card, folder)
    return card


def _config_for_card(kind: str, alpha: float, options: dict | None = None) -> dict:
    """The builder configuration recorded on a DCAE's or VAE's card.

    *options* are a VAE's :func:`vae_options`; they are recorded under their own names.
    """
    options = dict(options or {})
    shared = latent.uses_shared_builder(kind, **{k: v for k, v in options.items() if k != "augment"})
    builder = f"audioml.nn.autoencoder.build_{kind}" if shared else "audioml.latent.vae.build_latent_vae"
    out = {"builder": builder, **latent.latent_config(options.get("filters")).to_dict(),
           "learning_rate": latent.LEARNING_RATE, "batch_size": latent.BATCH_SIZE}
    out.pop("extra", None)
    if kind == "vae":
        out["alpha"] = alpha
        pixel = "binary cross-entropy" if options.get("loss") == "bce" else "MSE"
        kl = "w * D_KL" if options.get("kl_warmup") else "D_KL"
        out["loss"] = (f"alpha * mean-pixel {pixel} + {kl}, "
                       "D_KL = -1/2 sum(1 + log_var - mean^2 - exp(log_var))")
        out["reconstruction_loss"] = options.get("loss", "mse")
        out["kl_warmup_epochs"] = options.get("kl_warmup", 0)
        out["kl_weight"] = ("1" if not options.get("kl_warmup") else
                            f"w climbs linearly from 0 to 1 over the first {options['kl_warmup']} "
                            "epochs (batch by batch), then stays 1")
        out["decoder_dense"] = options.get("decoder_dense", 0)
        floor = latent.LEARNING_RATE * latent.LR_FLOOR
        out["lr_decay"] = (f"cosine, from {latent.LEARNING_RATE:g} to {floor:g} over the run, batch by batch"
                           if options.get("lr_decay") else False)
        out["augment"] = (f"each epoch a fresh copy of the training digits, shifted by up to "
                          f"±{MAX_SHIFT:g} px and rotated by up to ±{MAX_ROTATION:g}°"
                          if options.get("augment") else False)
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
