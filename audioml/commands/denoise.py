"""``audioml train denoiser``, ``audioml evaluate denoiser`` and ``audioml denoise``.

Each handler parses, calls one function of :mod:`audioml.denoising`, and prints.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from audioml.denoising.recipe import ARCHITECTURES, AUGMENTATIONS, PRESETS

_MASK, _AE = PRESETS["masknet"], PRESETS["vae"]


def register(groups) -> None:
    """Add the denoiser commands to the CLI's parser groups."""
    train = groups["train"].add_parser(
        "denoiser", help="train a speech denoiser on FSDD (DCAE, VAE or mask net)",
        description="Train a denoiser on the Free Spoken Digit Dataset with noise added on the "
                    "fly; write models/<name>.keras and its card, with test figures.")
    train.add_argument("--model", choices=ARCHITECTURES, required=True,
                       help="dcae / vae: the method's autoencoders on 0.55 s images; "
                            "masknet: our mask net (dilated convolutions and a GRU)")
    train.add_argument("--name", help="model name (default: <model>_denoiser)")
    train.add_argument("--epochs", type=int, help=f"epochs (default: {_AE['epochs']} autoencoders, "
                                                   f"{_MASK['epochs']} masknet)")
    train.add_argument("--steps", type=int,
                       help=f"masknet: batches per epoch (default {_MASK['steps_per_epoch']})")
    train.add_argument("--lr", type=float, help=f"learning rate (default {_AE['learning_rate']:g} "
                                                f"autoencoders, {_MASK['learning_rate']:g} masknet)")
    train.add_argument("--batch-size", type=int, help=f"batch size (default {_AE['batch_size']} "
                                                      f"autoencoders, {_MASK['batch_size']} masknet)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--snr", type=float,
                       help=f"autoencoders: SNR of the white noise in dB (default {_AE['snr_db']:g})")
    train.add_argument("--snr-range", type=float, nargs=2, metavar=("LOW", "HIGH"),
                       help="masknet: SNR range in dB (default {:g} {:g})".format(*_MASK["snr_range"]))
    train.add_argument("--alpha", type=float,
                       help=f"VAE: weight of the MSE (default {_AE['alpha']:g})")
    train.add_argument("--split", choices=("random", "speaker"), default="random",
                       help="random 80/20 (seed 0) or one speaker held out (default random)")
    train.add_argument("--test-speaker", default="theo", help="held-out speaker of --split speaker")
    train.add_argument("--speed-perturb", type=float, nargs=2, metavar=("LOW", "HIGH"),
                       help="masknet: resample training clips by a random factor in this range")
    train.add_argument("--magnitude-weight", type=float,
                       help=f"masknet: weight of the compressed-magnitude loss "
                            f"(default {_MASK['magnitude_weight']:g})")
    train.add_argument("--asymmetry", type=float,
                       help="masknet: extra cost of residual noise over lost speech in the "
                            f"magnitude loss (default {_MASK['asymmetry']:g}: symmetric)")
    train.add_argument("--random-eq", type=float, metavar="DB",
                       help="masknet: colour each clean crop by a random smooth EQ of up to DB dB")
    train.add_argument("--init", type=Path, metavar="FILE",
                       help="masknet: fine-tune these .keras weights instead of starting afresh")
    train.add_argument("--gru-units", type=int,
                       help="masknet: add a bidirectional GRU of this many units per direction "
                            f"(default {_MASK['gru_units']}: none)")
    train.add_argument("--mask-floor", type=float,
                       help="masknet: smallest gain applied at inference (default: tuned on "
                            "training speakers' clips, with --mask-power)")
    train.add_argument("--mask-power", type=float,
                       help="masknet: exponent applied to the mask at inference (default: tuned)")
    train.add_argument("--augmentation", choices=AUGMENTATIONS,
                       help="masknet: training conditions: synthetic noises only, or realistic "
                            "(recorded noise, babble, transients, rooms, band limits; needs the "
                            f"realworld data) (default {_MASK['augmentation']})")
    train.add_argument("--synthetic-voices", type=int, metavar="N",
                       help="masknet: add N espeak-ng clips (random voices, rates, pitches) to "
                            f"the training speech (default {_MASK['synthetic_voices']})")
    train.add_argument("--reverb", type=float, metavar="P",
                       help=f"masknet, realistic: share of crops in a synthetic room "
                            f"(default {_MASK['reverb']:g})")
    train.add_argument("--band-limit", type=float, metavar="P",
                       help=f"masknet, realistic: share of crops low-passed at 2.8-3.8 kHz "
                            f"(default {_MASK['band_limit']:g})")
    train.add_argument("--noise-mix", nargs="+", type=_share, metavar="KIND=SHARE",
                       help="masknet, realistic: the noise kinds' shares, e.g. recorded=0.3 "
                            "white=0.3 (default: audioml.denoising.augment.REALISTIC_NOISE)")
    train.add_argument("--max-minutes", type=float, help="stop after the epoch that passes this time")
    _data_args(train)
    train.add_argument("--out-dir", type=Path, help="folder for weights and card (default models/)")
    train.set_defaults(func=_train)

    evaluate = groups["evaluate"].add_parser(
        "denoiser", help="score denoisers and the noisereduce baseline on FSDD or real recordings",
        description="--set fsdd (default): spectrogram MSE in the method's [0, 1] space, SI-SDR and "
                    "narrow-band PESQ of the noisy input, each model and noisereduce, on held-out "
                    "FSDD clips with added noise. --set realworld: read sentences (16 kHz) and "
                    "held-out FSDD digits in real noise recordings at 0, 5 and 10 dB, with and "
                    "without a room; PESQ-nb, PESQ-wb (sentences) and SI-SDR, delays compensated.")
    evaluate.add_argument("--set", dest="benchmark", choices=("fsdd", "realworld"), default="fsdd",
                          help="which benchmark (default fsdd)")
    evaluate.add_argument("--model", action="append", metavar="NAME",
                          help="shipped model name; repeat for several (default: every shipped "
                               "denoiser)")
    evaluate.add_argument("--realworld", type=Path, metavar="DIR",
                          help="realworld folder (default $AUDIOML_DATA/realworld or "
                               "../shared/data/realworld)")
    evaluate.add_argument("--seed", type=int, default=0, help="--set realworld: mixing seed (default 0)")
    evaluate.add_argument("--snr", type=float, default=5.0,
                          help="fsdd: SNR of the added noise in dB (default 5)")
    evaluate.add_argument("--noise", default="white",
                          help="fsdd: white, pink, brown or hum (default white)")
    evaluate.add_argument("--split", choices=("random", "speaker"), default="speaker",
                          help="fsdd: which test clips (default speaker)")
    evaluate.add_argument("--test-speaker", default="theo",
                          help="the held-out speaker whose digits are scored (default theo)")
    evaluate.add_argument("--phase", choices=("noisy", "griffinlim"), default="noisy",
                          help="fsdd: phase of the output (default noisy)")
    evaluate.add_argument("--limit", type=int, help="fsdd: only the first N test clips")
    evaluate.add_argument("--no-baseline", action="store_true", help="skip noisereduce")
    evaluate.add_argument("--write-cards", action="store_true",
                          help="realworld: also store each model's figures on its card")
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


def _share(text: str) -> tuple[str, float]:
    """``"white=0.3"`` -> ``("white", 0.3)`` (argparse type of ``--noise-mix``)."""
    import argparse

    kind, _, share = text.partition("=")
    try:
        return kind, float(share)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected KIND=SHARE, e.g. white=0.3; got {text!r}") from None


def _data_args(parser) -> None:
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="FSDD folder (default $AUDIOML_DATA/fsdd or ../shared/data/fsdd)")
    parser.add_argument("--download", action="store_true",
                        help="fetch the public FSDD (github.com/Jakobovski/free-spoken-digit-dataset) "
                             "into --data (default ./data/fsdd) when it is not there")


def _recordings(args):
    from audioml.denoising import fsdd

    folder = args.data
    if args.download:
        folder = fsdd.download_fsdd(folder or Path("data") / "fsdd")
    return fsdd.list_recordings(folder)


#: ``train denoiser`` options in the order the retrain command lists them, and the
#: recipe's name for each one that replaces a preset value.
_TRAIN_OPTIONS = {"model": None, "name": None, "split": None, "test_speaker": None,
                  "epochs": "epochs", "steps": "steps_per_epoch", "lr": "learning_rate",
                  "batch_size": "batch_size", "seed": None, "snr": "snr_db",
                  "snr_range": "snr_range", "alpha": "alpha", "speed_perturb": "speed_range",
                  "random_eq": "eq_db", "magnitude_weight": "magnitude_weight",
                  "asymmetry": "asymmetry", "init": "init", "gru_units": "gru_units",
                  "mask_power": "mask_power", "mask_floor": "mask_floor",
                  "augmentation": "augmentation", "synthetic_voices": "synthetic_voices",
                  "reverb": "reverb", "band_limit": "band_limit", "noise_mix": "noise_mix", "data": None,
                  "out_dir": None}


def _train(args) -> int:
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from audioml.denoising.recipe import train_denoiser
    from audioml.progress import TqdmProgress
    from audioml.registry import retrain_command

    given = {key: getattr(args, key) for key in _TRAIN_OPTIONS}
    if args.split != "speaker":
        given["test_speaker"] = None
    if args.noise_mix:
        given["noise_mix"] = [f"{kind}={share:g}" for kind, share in args.noise_mix]
    options = {recipe_key: getattr(args, key) for key, recipe_key in _TRAIN_OPTIONS.items()
               if recipe_key and getattr(args, key) is not None}
    if "noise_mix" in options:
        options["noise_mix"] = dict(options["noise_mix"])
    unused = [key for key, recipe_key in _TRAIN_OPTIONS.items()
              if recipe_key in options and recipe_key not in PRESETS[args.model]]
    if unused:
        print(f"audioml: note: {args.model} does not use "
              f"{', '.join('--' + k.replace('_', '-') for k in unused)}", file=sys.stderr)
        options = {k: v for k, v in options.items() if k in PRESETS[args.model]}
    name = args.name or f"{args.model}_denoiser"
    with TqdmProgress(f"train {name}", unit="step") as progress:
        card = train_denoiser(args.model, _recordings(args), name=args.name, split=args.split,
                              test_speaker=args.test_speaker, seed=args.seed, out_dir=args.out_dir,
                              max_seconds=args.max_minutes * 60 if args.max_minutes else None,
                              retrain_command=retrain_command("audioml train denoiser", given),
                              progress=progress, **options)
    print(f"wrote {card['name']} ({card['epochs']} epochs, {card['training_time_s']:.0f} s)",
          file=sys.stderr)
    if "mask_tuning" in card:
        best = card["mask_tuning"]["best"]
        print(f"mask power {best['power']:g}, floor {best['floor']:g}: PESQ-nb "
              f"{best['pesq_nb']:.3f} on {card['mask_tuning']['clips']} training clips", file=sys.stderr)
    print(json.dumps(card["metrics"], indent=2))
    return 0


def _evaluate(args) -> int:
    from audioml.denoising import fsdd, model_names
    from audioml.denoising.evaluate import evaluate, format_report
    from audioml.progress import TqdmProgress

    models = args.model or model_names()
    if args.benchmark == "realworld":
        from audioml.denoising.evaluate import realworld_benchmark
        from audioml.denoising.realworld import format_report as format_realworld

        if args.download:
            _recordings(args)
        with TqdmProgress("evaluate", unit="run") as progress:
            report = realworld_benchmark(models, fsdd_folder=args.data,
                                         realworld_folder=args.realworld,
                                         test_speaker=args.test_speaker, seed=args.seed,
                                         baseline=not args.no_baseline, progress=progress)
        text = format_realworld(report)
        if args.write_cards:
            from audioml.denoising.evaluate import write_realworld_to_cards

            write_realworld_to_cards(report)
    else:
        recordings = _recordings(args)
        _, test_recs = fsdd.split(recordings, kind=args.split, test_speaker=args.test_speaker)
        if args.limit:
            test_recs = test_recs[:args.limit]
        with TqdmProgress("evaluate", unit="clip") as progress:
            report = evaluate(models, test_recs, snr_db=args.snr, kind=args.noise,
                              split=args.split, test_speaker=args.test_speaker, phase=args.phase,
                              baseline=not args.no_baseline, progress=progress)
        text = format_report(report)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2) if args.json else text)
    return 0


def _denoise(args) -> int:
    from audioml.denoising.api import denoise_files
    from audioml.errors import AudioMLError
    from audioml.progress import TqdmProgress

    if args.out.exists() and not args.out.is_dir():
        raise AudioMLError(f"--out must be a folder; {args.out} is a file")
    with TqdmProgress("denoise", unit="file") as progress:
        outputs, _ = denoise_files([(p.name, p) for p in args.inputs], model=args.model,
                                   phase=args.phase, strength=args.strength, suffix=".wav",
                                   strict=True, progress=progress)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in outputs.items():
        (args.out / name).write_bytes(data)
    print(f"wrote {len(outputs)} file(s) to {args.out}", file=sys.stderr)
    return 0
