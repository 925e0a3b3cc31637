"""The denoiser recipe: split FSDD, train, tune the mask, score, and ship weights with a card.

``audioml train denoiser`` parses its options and calls :func:`train_denoiser`;
everything it does is here. Each architecture starts from a named preset
(:data:`PRESETS`, one dict each, as Magenta's ``default_configs``); options the
caller gives replace preset values, and the card records the merged
configuration and the command that reproduces it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from audioml.denoising import fsdd
from audioml.denoising.evaluate import card_metrics
from audioml.denoising.features import PAPER_TRANSFORM, SCALING
from audioml.denoising.fsdd import SR
from audioml.denoising.masknet import INPUT_FLOOR_PERCENTILE, MASK_HOP, MASK_N_FFT, MASKNET_DEFAULTS
from audioml.denoising.train import MASKNET_NOISE, PAPER_CONFIG, train_autoencoder, train_masknet
from audioml.errors import AudioMLError
from audioml.paths import MODELS_DIR
from audioml.progress import ProgressFn, no_progress
from audioml.registry import load_keras_model, save_for_inference, write_card

_AUTOENCODER = {"epochs": 30, "learning_rate": 5e-4, "batch_size": 32, "snr_db": 10.0}

#: Training settings of each architecture before any option replaces them.
PRESETS: dict[str, dict[str, Any]] = {
    "dcae": dict(_AUTOENCODER),
    "vae": {**_AUTOENCODER, "alpha": 50_000.0},
    "masknet": {"epochs": 40, "steps_per_epoch": 50, "learning_rate": 1e-3, "batch_size": 16,
                "snr_range": (-5.0, 20.0), "crop_seconds": 1.5, "speed_range": None,
                "eq_db": 0.0, "magnitude_weight": 100.0, "asymmetry": 1.0, "gru_units": 0,
                "mask_power": None, "mask_floor": None, "init": None,
                "augmentation": "synthetic", "synthetic_voices": 0, "reverb": 0.3,
                "band_limit": 0.15, "noise_mix": None},
}
ARCHITECTURES = tuple(PRESETS)
DEFAULT_NAMES = {arch: f"{arch}_denoiser" for arch in ARCHITECTURES}
DESCRIPTIONS = {
    "dcae": "The method's deep convolutional autoencoder on 257x18 spectrogram images "
            "(0.55 s windows, overlap-added for longer clips).",
    "vae": "The method's variational autoencoder (100/50 filters, latent 64, alpha 50000) on "
           "257x18 spectrogram images.",
    "masknet": "Mask net of ours: dilated 1-D convs (and a bidirectional GRU) over the noisy "
               "magnitude, any length, noisy phase kept; trained on white/pink/brown noise and "
               "hum, -5..20 dB.",
}
DATA = ("Free Spoken Digit Dataset (github.com/Jakobovski/free-spoken-digit-dataset, "
        "CC BY-SA 4.0), 8 kHz")
#: Every how many training clips one is used to tune the mask (the grid is scored per clip).
TUNE_EVERY = 8
#: Training conditions of the mask net: the synthetic noises alone, or the realistic mix of
#: :mod:`audioml.denoising.augment` (recorded noise, babble, transients, rooms, band limits).
AUGMENTATIONS = ("synthetic", "realistic")


def settings(architecture: str, **options) -> dict[str, Any]:
    """The preset of *architecture* with every given, non-``None`` option in its place.

    Raises
    ------
    AudioMLError
        An unknown architecture, or an option the architecture does not take.
    """
    if architecture not in PRESETS:
        raise AudioMLError(f"unknown architecture {architecture!r}; choose one of "
                           f"{', '.join(ARCHITECTURES)}")
    preset = PRESETS[architecture]
    unknown = sorted(k for k, v in options.items() if v is not None and k not in preset)
    if unknown:
        raise AudioMLError(f"{architecture} takes no option {', '.join(unknown)}; it takes "
                           f"{', '.join(preset)}")
    return {**preset, **{k: v for k, v in options.items() if v is not None}}


def train_denoiser(architecture: str, recordings: list, *, name: str | None = None,
                   split: str = "random", test_speaker: str = fsdd.DEFAULT_TEST_SPEAKER,
                   seed: int = 0, out_dir: Path | None = None, max_seconds: float | None = None,
                   retrain_command: str = "audioml train denoiser",
                   progress: ProgressFn = no_progress, **options) -> dict:
    """Train a denoiser on FSDD, write ``<out_dir>/<name>.keras`` and its card; return the card.

    Parameters
    ----------
    architecture : {"dcae", "vae", "masknet"}
    recordings : list of audioml.denoising.fsdd.Recording
        All of FSDD; *split* decides which clips train and which test.
    name : str, optional
        Model name (default ``<architecture>_denoiser``).
    split, test_speaker : str
        ``"random"`` 80/20 or ``"speaker"`` (*test_speaker* held out).
    max_seconds : float, optional
        Stop training after the epoch that passes this wall-clock time.
    retrain_command : str
        The command that reproduces this run, recorded on the card.
    progress : callable
        ``progress(done, total, message)``; the message names the stage.
    **options
        Replace values of ``PRESETS[architecture]`` (see :func:`settings`).
        Without ``mask_power`` and ``mask_floor``, a mask net's are tuned on
        every :data:`TUNE_EVERY`-th training clip (:mod:`audioml.denoising.tune`).
    """
    cfg = settings(architecture, **options)
    name = name or DEFAULT_NAMES[architecture]
    out_dir = Path(out_dir or MODELS_DIR)
    train_recs, test_recs = fsdd.split(recordings, kind=split, test_speaker=test_speaker)
    clips = fsdd.load_clips(train_recs)
    train_progress = _staged(progress, "train")
    start = time.monotonic()
    if architecture == "masknet":
        augment, extra = _augmentation(cfg, clips, seed=seed)
        clips = clips + extra
        model, history = train_masknet(
            clips, epochs=cfg["epochs"], steps_per_epoch=cfg["steps_per_epoch"],
            learning_rate=cfg["learning_rate"], batch_size=cfg["batch_size"], seed=seed,
            snr_range=tuple(cfg["snr_range"]), crop_seconds=cfg["crop_seconds"],
            config={"gru_units": cfg["gru_units"]}, max_seconds=max_seconds,
            speed_range=tuple(cfg["speed_range"]) if cfg["speed_range"] else None,
            eq_db=cfg["eq_db"], magnitude_weight=cfg["magnitude_weight"],
            asymmetry=cfg["asymmetry"], init=load_keras_model(cfg["init"]) if cfg["init"] else None,
            augment=augment, progress=train_progress)
        config = _masknet_config(cfg)
    else:
        model, history = train_autoencoder(
            architecture, clips, epochs=cfg["epochs"], learning_rate=cfg["learning_rate"],
            batch_size=cfg["batch_size"], seed=seed, snr_db=cfg["snr_db"],
            alpha=cfg.get("alpha", PRESETS["vae"]["alpha"]), max_seconds=max_seconds,
            progress=train_progress)
        config = _autoencoder_config(architecture, cfg)
    seconds = time.monotonic() - start
    save_for_inference(model, out_dir / f"{name}.keras")
    card = {
        "name": name, "task": "denoise", "file": f"{name}.keras",
        "description": DESCRIPTIONS[architecture], "data": DATA,
        "split": fsdd.describe_split(split, test_speaker=test_speaker),
        "split_kind": split, "test_speaker": test_speaker if split == "speaker" else None,
        "train_clips": len(train_recs), "test_clips": len(test_recs),
        "config": config, "epochs": history["epochs"], "training_time_s": round(seconds, 1),
        "parameters": int(model.count_params()),
        "history": {k: [round(v, 6) for v in vals] for k, vals in history.items()
                    if isinstance(vals, list)},
        "metrics": {}, "retrain_command": retrain_command,
    }
    write_card(card, out_dir)
    if architecture == "masknet" and cfg["mask_power"] is None and cfg["mask_floor"] is None:
        fsdd_clips = clips[:len(train_recs)]  # tuned on the FSDD speakers, as before
        card["mask_tuning"] = tune_shipped_mask(name, out_dir, fsdd_clips[::TUNE_EVERY],
                                                progress=_staged(progress, "tune mask"))
        best = card["mask_tuning"]["best"]
        card["config"].update(mask_power=best["power"], mask_floor=best["floor"])
        write_card(card, out_dir)
        # The tuning loaded the net with its card of then (no shaping) into the per-process
        # cache: load it afresh, so that the test figures are those of the shaping just chosen.
        from audioml.denoising.api import load_denoiser

        load_denoiser.cache_clear()
    # Test figures on the held-out clips of the same split, under the conditions of the targets.
    card["metrics"] = card_metrics(name, test_recs, split=split, test_speaker=test_speaker,
                                   models_dir=out_dir)
    write_card(card, out_dir)
    return card


def _augmentation(cfg: dict, clips: list, *, seed: int):
    """The batch builder the mask net trains with, and the extra clean clips it adds.

    ``"realistic"`` loads the *training* part of the realworld noise recordings
    and makes babble from the training clips; ``synthetic_voices`` adds that many
    espeak-ng clips to the clean speech.
    """
    if cfg["augmentation"] not in AUGMENTATIONS:
        raise AudioMLError(f"augmentation must be one of {', '.join(AUGMENTATIONS)}; "
                           f"got {cfg['augmentation']!r}")
    from audioml.denoising import augment

    extra = augment.synthetic_voices(cfg["synthetic_voices"], seed=seed) if cfg["synthetic_voices"] else []
    if cfg["augmentation"] == "synthetic":
        return None, extra
    from audioml.denoising.realworld import load_noises

    kinds = noise_mix(cfg["noise_mix"])
    bank = augment.NoiseBank(recorded=list(load_noises(part="train", sr=SR).values()),
                             talkers=clips + extra)

    def build(clean, rng):
        return augment.realistic_batch(clean, snr_range=tuple(cfg["snr_range"]), rng=rng, kinds=kinds,
                                       bank=bank, reverb=cfg["reverb"],
                                       band_limit_p=cfg["band_limit"])

    return build, extra


def tune_shipped_mask(name: str, models_dir: Path, clips: list, *,
                      progress: ProgressFn = no_progress) -> dict:
    """Pick the mask's power and floor of the mask net *name* in *models_dir* on training *clips*."""
    from audioml.denoising.api import load_denoiser
    from audioml.denoising.tune import tune_mask

    return tune_mask(load_denoiser(name, Path(models_dir)), clips, progress=progress)


def _masknet_config(cfg: dict) -> dict:
    """The mask net card's ``config``: what was built, how it was trained, how it is applied."""
    return {"architecture": "masknet", **MASKNET_DEFAULTS, "gru_units": cfg["gru_units"],
            "n_fft": MASK_N_FFT, "hop_length": MASK_HOP, "sr": SR,
            "snr_range_db": list(cfg["snr_range"]), "noise": MASKNET_NOISE,
            "crop_seconds": cfg["crop_seconds"], "steps_per_epoch": cfg["steps_per_epoch"],
            "batch_size": cfg["batch_size"], "learning_rate": cfg["learning_rate"],
            "loss": f"-SI-SDR (noisy phase) + {cfg['magnitude_weight']:g} * MSE of "
                    f"magnitudes^0.3 (excess weighted x{cfg['asymmetry']:g})",
            "speed_perturb": list(cfg["speed_range"]) if cfg["speed_range"] else None,
            "random_eq_db": cfg["eq_db"], "magnitude_weight": cfg["magnitude_weight"],
            "asymmetry": cfg["asymmetry"], "mask_power": cfg["mask_power"] or 1.0,
            "mask_floor": cfg["mask_floor"] or 0.0,
            "input_floor_percentile": INPUT_FLOOR_PERCENTILE,
            "init": str(cfg["init"]) if cfg["init"] else None,
            "augmentation": cfg["augmentation"], "synthetic_voices": cfg["synthetic_voices"],
            **({"noise": noise_mix(cfg["noise_mix"]), "reverb": cfg["reverb"], "band_limit": cfg["band_limit"],
                "recorded_noise": "realworld noise recordings, training part only "
                                  "(first two thirds of each file)"}
               if cfg["augmentation"] == "realistic" else {})}


def noise_mix(given: dict[str, float] | None = None) -> dict[str, float]:
    """The realistic training's noise kinds and their shares: *given*, or
    :data:`audioml.denoising.augment.REALISTIC_NOISE`.

    Raises
    ------
    AudioMLError
        An unknown kind, a negative share, or shares that add up to nothing.
    """
    from audioml.denoising.augment import REALISTIC_NOISE

    if not given:
        return dict(REALISTIC_NOISE)
    unknown = sorted(set(given) - set(REALISTIC_NOISE))
    if unknown or any(v < 0 for v in given.values()) or not sum(given.values()) > 0:
        raise AudioMLError(f"a noise mix takes non-negative shares of {', '.join(REALISTIC_NOISE)} "
                           f"that add up to more than 0; got {given}")
    return {kind: float(share) for kind, share in given.items()}


def _autoencoder_config(architecture: str, cfg: dict) -> dict:
    """The DCAE or VAE card's ``config``: the paper's conv stack and its image preprocessing."""
    t = PAPER_TRANSFORM
    config = {"architecture": architecture, "input_shape": [*t.shape, 1], **PAPER_CONFIG,
              "sr": t.sr, "n_fft": t.n_fft, "hop_length": t.hop_length, "duration_s": t.duration,
              "noise": "white", "snr_db": cfg["snr_db"], "batch_size": cfg["batch_size"],
              "learning_rate": cfg["learning_rate"],
              "scaling": SCALING}
    if architecture == "vae":
        config["alpha"] = cfg["alpha"]
    return config


def _staged(progress: ProgressFn, stage: str) -> ProgressFn:
    """*progress* with every message prefixed by the stage's name."""
    def report(done: int, total: int, message: str = "") -> None:
        progress(done, total, f"{stage}: {message}" if message else stage)

    return report
