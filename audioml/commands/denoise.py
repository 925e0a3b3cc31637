"""``audioml train denoiser``, ``audioml evaluate denoiser`` and ``audioml denoise``."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

ARCHITECTURES = ("dcae", "vae", "masknet")
DEFAULT_NAMES = {"dcae": "dcae_denoiser", "vae": "vae_denoiser", "masknet": "masknet_denoiser"}


def register(groups) -> None:
    """Add the denoiser commands to the CLI's parser groups."""
    train = groups["train"].add_parser(
        "denoiser", help="train a speech denoiser on FSDD (DCAE, VAE or mask net)",
        description="Train a denoiser on the Free Spoken Digit Dataset with noise added on the "
                    "fly; write models/<name>.keras and its card, with test figures.")
    train.add_argument("--model", choices=ARCHITECTURES, required=True,
                       help="dcae / vae: the method's autoencoders on 0.55 s images; "
                            "masknet: our fully convolutional mask net")
    train.add_argument("--name", help="model name (default: <model>_denoiser)")
    train.add_argument("--epochs", type=int, help="epochs (default: 30 autoencoders, 40 masknet)")
    train.add_argument("--steps", type=int, default=50, help="masknet: batches per epoch (default 50)")
    train.add_argument("--lr", type=float, help="learning rate (default 5e-4 autoencoders, 1e-3 masknet)")
    train.add_argument("--batch-size", type=int, help="batch size (default 32 autoencoders, 16 masknet)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--snr", type=float, default=10.0,
                       help="autoencoders: SNR of the white noise in dB (default 10)")
    train.add_argument("--snr-range", type=float, nargs=2, default=(-5.0, 20.0), metavar=("LOW", "HIGH"),
                       help="masknet: SNR range in dB (default -5 20)")
    train.add_argument("--alpha", type=float, default=50_000.0, help="VAE: weight of the MSE (default 50000)")
    train.add_argument("--split", choices=("random", "speaker"), default="random",
                       help="random 80/20 (seed 0) or one speaker held out (default random)")
    train.add_argument("--test-speaker", default="theo", help="held-out speaker of --split speaker")
    train.add_argument("--speed-perturb", type=float, nargs=2, metavar=("LOW", "HIGH"),
                       help="masknet: resample training clips by a random factor in this range")
    train.add_argument("--magnitude-weight", type=float,
                       help="masknet: weight of the compressed-magnitude loss (default 100)")
    train.add_argument("--asymmetry", type=float,
                       help="masknet: extra cost of residual noise over lost speech in the "
                            "magnitude loss (default 1: symmetric)")
    train.add_argument("--random-eq", type=float, metavar="DB",
                       help="masknet: colour each clean crop by a random smooth EQ of up to DB dB")
    train.add_argument("--init", type=Path, metavar="FILE",
                       help="masknet: fine-tune these .keras weights instead of starting afresh")
    train.add_argument("--gru-units", type=int,
                       help="masknet: add a bidirectional GRU of this many units per direction "
                            "(default 0: none)")
    train.add_argument("--mask-floor", type=float,
                       help="masknet: smallest gain applied at inference (default: tuned on "
                            "training speakers' clips, with --mask-power)")
    train.add_argument("--mask-power", type=float,
                       help="masknet: exponent applied to the mask at inference (default: tuned)")
    train.add_argument("--max-minutes", type=float, help="stop after the epoch that passes this time")
    _data_args(train)
    train.add_argument("--out-dir", type=Path, help="folder for weights and card (default models/)")
    train.set_defaults(func=_train)

    evaluate = groups["evaluate"].add_parser(
        "denoiser", help="score denoisers and the noisereduce baseline on FSDD test clips",
        description="Spectrogram MSE in the method's [0, 1] space, SI-SDR and narrow-band PESQ of "
                    "the noisy input, each model and noisereduce, on the same test clips.")
    evaluate.add_argument("--model", action="append", required=True, metavar="NAME",
                          help="shipped model name; repeat for several")
    evaluate.add_argument("--snr", type=float, default=5.0, help="SNR of the added noise in dB (default 5)")
    evaluate.add_argument("--noise", default="white", help="white, pink, brown or hum (default white)")
    evaluate.add_argument("--split", choices=("random", "speaker"), default="speaker")
    evaluate.add_argument("--test-speaker", default="theo")
    evaluate.add_argument("--phase", choices=("noisy", "griffinlim"), default="noisy")
    evaluate.add_argument("--limit", type=int, help="only the first N test clips")
    evaluate.add_argument("--no-baseline", action="store_true", help="skip noisereduce")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--report", type=Path, help="also write the JSON report to this file")
    _data_args(evaluate)
    evaluate.set_defaults(func=_evaluate)

    run = groups["root"].add_parser(
        "denoise", help="denoise audio files with a shipped model",
        description="Denoise each input and write DIR/<input name>.wav at the input's sample rate.")
    run.add_argument("inputs", nargs="+", type=Path, metavar="IN", help="audio files")
    run.add_argument("--model", default="masknet_denoiser",
                     help="shipped model (audioml models --task denoise); default masknet_denoiser")
    run.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    run.add_argument("--phase", choices=("noisy", "griffinlim"), default="noisy",
                     help="phase of the output: the noisy input's, or Griffin-Lim's estimate")
    run.add_argument("--strength", type=float, default=1.0, help="wet share in [0, 1] (default 1)")
    run.set_defaults(func=_denoise)


def _data_args(parser) -> None:
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="FSDD folder (default $AUDIOML_DATA/fsdd or ../shared/data/fsdd)")
    parser.add_argument("--download", action="store_true",
                        help="fetch the public FSDD (github.com/Jakobovski/free-spoken-digit-dataset) "
                             "into --data (default ./data/fsdd) when it is not there")


def _recordings(args):
    from audioml import fsdd

    folder = args.data
    if args.download:
        folder = fsdd.download_fsdd(folder or Path("data") / "fsdd")
    return fsdd.list_recordings(folder)


#: Options of ``train denoiser`` in the order a retrain command lists them.
_TRAIN_OPTIONS = ("model", "name", "split", "test_speaker", "epochs", "steps", "lr", "batch_size",
                  "seed", "snr", "snr_range", "alpha", "speed_perturb", "random_eq",
                  "magnitude_weight", "asymmetry", "init", "gru_units", "mask_power",
                  "mask_floor", "data", "out_dir")


def _command_line(args) -> str:
    """The ``audioml train denoiser`` command that reproduces *args* (time limits left out)."""
    words = ["audioml", "train", "denoiser"]
    for key in _TRAIN_OPTIONS:
        value = getattr(args, key, None)
        if value is None or (key == "test_speaker" and args.split != "speaker"):
            continue
        words.append("--" + key.replace("_", "-"))
        words += [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    return " ".join(shlex.quote(w) for w in words)


def _train(args) -> int:
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from audioml import fsdd
    from audioml.denoise_train import (MASKNET_NOISE, PAPER_CONFIG, train_autoencoder,
                                       train_masknet)
    from audioml.denoisers import INPUT_FLOOR_PERCENTILE, MASKNET_DEFAULTS
    from audioml.paths import MODELS_DIR
    from audioml.progress import TqdmProgress
    from audioml.registry import write_card

    arch = args.model
    name = args.name or DEFAULT_NAMES[arch]
    out_dir = Path(args.out_dir or MODELS_DIR)
    recordings = _recordings(args)
    train_recs, test_recs = fsdd.split(recordings, kind=args.split, test_speaker=args.test_speaker)
    clips = fsdd.load_clips(train_recs)
    max_seconds = args.max_minutes * 60 if args.max_minutes else None
    start = time.monotonic()
    with TqdmProgress(f"train {name}", unit="epoch") as progress:
        if arch == "masknet":
            epochs = args.epochs or 40
            init = None
            if args.init:
                from audioml.denoisers import _register_layers
                from audioml.registry import load_keras_model

                _register_layers()
                init = load_keras_model(args.init)
            model, history = train_masknet(
                clips, epochs=epochs, steps_per_epoch=args.steps, learning_rate=args.lr or 1e-3,
                batch_size=args.batch_size or 16, seed=args.seed, snr_range=tuple(args.snr_range),
                max_seconds=max_seconds, init=init, config={"gru_units": args.gru_units or 0},
                eq_db=args.random_eq or 0.0, magnitude_weight=args.magnitude_weight or 100.0,
                asymmetry=args.asymmetry or 1.0,
                speed_range=tuple(args.speed_perturb) if args.speed_perturb else None,
                progress=progress)
            config = {"architecture": arch, **MASKNET_DEFAULTS, "gru_units": args.gru_units or 0,
                      "n_fft": 512, "hop_length": 128,
                      "sr": 8000, "snr_range_db": list(args.snr_range), "noise": MASKNET_NOISE,
                      "crop_seconds": 1.5, "steps_per_epoch": args.steps,
                      "batch_size": args.batch_size or 16, "learning_rate": args.lr or 1e-3,
                      "loss": f"-SI-SDR (noisy phase) + {args.magnitude_weight or 100:g} * MSE of "
                              f"magnitudes^0.3 (excess weighted x{args.asymmetry or 1:g})",
                      "speed_perturb": list(args.speed_perturb) if args.speed_perturb else None,
                      "random_eq_db": args.random_eq or 0.0,
                      "magnitude_weight": args.magnitude_weight or 100.0,
                      "asymmetry": args.asymmetry or 1.0,
                      "mask_power": args.mask_power or 1.0, "mask_floor": args.mask_floor or 0.0,
                      "input_floor_percentile": INPUT_FLOOR_PERCENTILE,
                      "init": str(args.init) if args.init else None}
            description = ("Mask net of ours: dilated 1-D convs over the noisy magnitude, any length, "
                           "noisy phase kept; trained on white/pink/brown noise and hum, -5..20 dB.")
        else:
            epochs = args.epochs or 30
            model, history = train_autoencoder(
                arch, clips, epochs=epochs, learning_rate=args.lr or 5e-4,
                batch_size=args.batch_size or 32, seed=args.seed, snr_db=args.snr,
                alpha=args.alpha, max_seconds=max_seconds, progress=progress)
            config = {"architecture": arch, "input_shape": [257, 18, 1], **PAPER_CONFIG,
                      "sr": 8000, "n_fft": 512, "hop_length": 256, "duration_s": 0.55,
                      "noise": "white", "snr_db": args.snr, "batch_size": args.batch_size or 32,
                      "learning_rate": args.lr or 5e-4,
                      "scaling": "input: noisy dB min-max to [0, 1]; target: clean dB on the noisy "
                                 "clip's range, clipped (undone with the noisy range at inference)"}
            if arch == "vae":
                config["alpha"] = args.alpha
            description = {"dcae": "The method's deep convolutional autoencoder on 257x18 spectrogram "
                                   "images (0.55 s windows, overlap-added for longer clips).",
                           "vae": "The method's variational autoencoder (100/50 filters, latent 64, "
                                  "alpha 50000) on 257x18 spectrogram images."}[arch]
    seconds = time.monotonic() - start
    out_dir.mkdir(parents=True, exist_ok=True)
    save_for_inference(model, out_dir / f"{name}.keras")
    card = {
        "name": name, "task": "denoise", "file": f"{name}.keras", "module": "audioml.denoisers",
        "description": description,
        "data": "Free Spoken Digit Dataset (github.com/Jakobovski/free-spoken-digit-dataset, "
                "CC BY-SA 4.0), 8 kHz",
        "split": fsdd.describe_split(args.split, seed=0, test_speaker=args.test_speaker),
        "split_kind": args.split, "test_speaker": args.test_speaker if args.split == "speaker" else None,
        "train_clips": len(train_recs), "test_clips": len(test_recs),
        "config": config, "epochs": history["epochs"], "training_time_s": round(seconds, 1),
        "parameters": int(model.count_params()),
        "history": {k: [round(v, 6) for v in vals] for k, vals in history.items() if isinstance(vals, list)},
        "metrics": {}, "retrain_command": _command_line(args),
    }
    write_card(card, out_dir)
    print(f"wrote {out_dir / (name + '.keras')} ({history['epochs']} epochs, {seconds:.0f} s)",
          file=sys.stderr)
    if arch == "masknet" and args.mask_power is None and args.mask_floor is None:
        card["mask_tuning"] = _tune_mask(name, out_dir, clips[::8])
        card["config"].update(mask_power=card["mask_tuning"]["best"]["power"],
                              mask_floor=card["mask_tuning"]["best"]["floor"])
        write_card(card, out_dir)
    # Test figures on the held-out clips of the same split, under the conditions of the targets.
    from audioml.denoise_eval import card_metrics

    card["metrics"] = card_metrics(name, test_recs, split=args.split, models_dir=out_dir)
    write_card(card, out_dir)
    print(json.dumps(card["metrics"], indent=2))
    return 0


def _tune_mask(name: str, folder: Path, clips: list) -> dict:
    """Pick the mask's power and floor for a freshly trained mask net on training clips."""
    from audioml.denoise_tune import tune_mask
    from audioml.progress import TqdmProgress
    from audioml.registry import load_model

    with TqdmProgress("tune mask", unit="clip") as progress:
        result = tune_mask(load_model(name, folder), clips, progress=progress)
    best = result["best"]
    print(f"mask power {best['power']:g}, floor {best['floor']:g}: PESQ-nb {best['pesq_nb']:.3f} "
          f"on {result['clips']} training clips", file=sys.stderr)
    return result


def save_for_inference(model, path: Path) -> None:
    """Save *model* without its optimizer state, which would triple the file (Adam keeps two
    moments per weight): save, reload uncompiled with safe mode, save again."""
    from audioml.denoisers import _register_layers
    from audioml.registry import load_keras_model

    import audioml.nn.autoencoder  # noqa: F401 - registers VariationalCode

    _register_layers()
    model.save(path)
    load_keras_model(path).save(path)


def _evaluate(args) -> int:
    from audioml import fsdd
    from audioml.denoise_eval import evaluate, format_report

    recordings = _recordings(args)
    _, test_recs = fsdd.split(recordings, kind=args.split, test_speaker=args.test_speaker)
    if args.limit:
        test_recs = test_recs[:args.limit]
    from audioml.progress import TqdmProgress

    with TqdmProgress("evaluate", unit="clip") as progress:
        report = evaluate(args.model, test_recs, snr_db=args.snr, kind=args.noise,
                          split=args.split, test_speaker=args.test_speaker, phase=args.phase,
                          baseline=not args.no_baseline, progress=progress)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def _denoise(args) -> int:
    from audioml.audio import load_audio
    from audioml.denoise import denoise
    from audioml.errors import AudioMLError
    from audioml.progress import TqdmProgress

    if args.out.exists() and not args.out.is_dir():
        raise AudioMLError(f"--out must be a folder; {args.out} is a file")
    import soundfile as sf

    args.out.mkdir(parents=True, exist_ok=True)
    with TqdmProgress("denoise", unit="file") as progress:
        for i, path in enumerate(args.inputs):
            y, sr = load_audio(path, allow_silent=False)
            out = denoise(y, sr, model=args.model, phase=args.phase, strength=args.strength)
            target = args.out / f"{path.stem}.wav"
            sf.write(target, out, sr, subtype="PCM_16")
            progress(i + 1, len(args.inputs), path.name)
    print(f"wrote {len(args.inputs)} file(s) to {args.out}", file=sys.stderr)
    return 0
