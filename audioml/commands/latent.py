"""``audioml train|evaluate|sample latent``: the 2-D DCAE and VAE on MNIST.

Each handler parses its options and makes one call into :mod:`audioml.latent`
(the recipe fills whatever is left unset from its named presets).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from audioml.errors import AudioMLError

KIND_CHOICES = ["dcae", "vae"]


def register(groups) -> None:
    from audioml.latent.evaluate import N_SAMPLES
    from audioml.latent.model import LOSSES
    from audioml.latent.recipe import PRESETS

    vae = PRESETS["vae"]
    alpha, epochs = vae["alpha"], vae["epochs"]
    train = groups["train"].add_parser(
        "latent", help="train the 2-D DCAE or VAE (or the digit judge) on MNIST",
        description="Train a 2-D latent-space model on MNIST (80% of the images; 20% held out) "
                    "and ship it to models/ with its card.")
    train.add_argument("--model", required=True, choices=KIND_CHOICES + ["judge"],
                       help="dcae, vae, or judge (the classifier that scores decoded samples)")
    train.add_argument("--alpha", type=float,
                       help=f"VAE loss alpha*reconstruction + D_KL: weight of the reconstruction, "
                            f"averaged over pixels (default {alpha:g})")
    train.add_argument("--loss", choices=list(LOSSES),
                       help=f"VAE: per-pixel reconstruction loss, squared error or binary "
                            f"cross-entropy (default {vae['loss']})")
    train.add_argument("--kl-warmup", type=int, metavar="EPOCHS",
                       help="VAE: epochs over which the KL term's weight climbs from 0 to 1 "
                            f"(0: none; default {vae['kl_warmup']})")
    train.add_argument("--decoder-dense", type=int, metavar="UNITS",
                       help="VAE: units of a dense layer between the code and the decoder's "
                            f"transposed convolutions (0: none; default {vae['decoder_dense']})")
    train.add_argument("--filters", type=int, nargs=2, metavar="F",
                       help="VAE: filters of the two conv blocks, encoder order "
                            f"(default {' '.join(map(str, vae['filters']))})")
    train.add_argument("--augment", action=argparse.BooleanOptionalAction,
                       help="VAE: train each epoch on freshly shifted (±2 px) and rotated (±10°) "
                            f"copies of the training digits (default {'on' if vae['augment'] else 'off'})")
    train.add_argument("--lr-decay", action=argparse.BooleanOptionalAction,
                       help="VAE: lower the learning rate along a cosine to 1%% of its start over the "
                            f"run (default {'on' if vae['lr_decay'] else 'off'})")
    train.add_argument("--alpha-study", type=float, nargs="+", metavar="A",
                       help="with --model vae: train one VAE per alpha and write "
                            "reports/latent_alpha_study.json instead of shipping a model")
    train.add_argument("--epochs", type=int,
                       help=f"epochs (default {epochs}; judge {PRESETS['judge']['epochs']})")
    train.add_argument("--data", help="folder of MNIST IDX files (default $AUDIOML_DATA/mnist, "
                                      "then ../shared/data/mnist, then keras.datasets.mnist)")
    train.add_argument("--models-dir", help="where to write the model and card (default models/)")
    train.add_argument("--out", help="with --alpha-study: report path")
    train.set_defaults(func=_train)

    evaluate = groups["evaluate"].add_parser(
        "latent", help="figures of the shipped DCAE and VAE on the held-out digits")
    evaluate.add_argument("--json", action="store_true", help='print {"dcae": {...}, "vae": {...}}')
    evaluate.add_argument("--data", help="folder of MNIST IDX files")
    evaluate.add_argument("--models-dir", help="folder of the models (default models/)")
    evaluate.add_argument("--samples", type=int, default=N_SAMPLES,
                          help=f"prior draws (default {N_SAMPLES})")
    evaluate.add_argument("--write-cards", action="store_true",
                          help="also store the figures on the two models' cards (after retraining the judge)")
    evaluate.add_argument("--write-codes", action="store_true",
                          help="also write the held-out codes, labels and thumbnails the page shows "
                               "(models/latent_<model>_codes.npz) and name them on the cards")
    evaluate.set_defaults(func=_evaluate)

    sample = groups["sample"].add_parser(
        "latent", help="decode draws from N(0, I) with the DCAE or the VAE")
    sample.add_argument("--model", required=True, choices=KIND_CHOICES)
    sample.add_argument("--n", type=int, required=True, help="number of samples")
    sample.add_argument("--out", required=True, help="output .npy file: shape (N, 28, 28), values in [0, 1]")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--models-dir", help="folder of the models (default models/)")
    sample.set_defaults(func=_sample)


def _train(args) -> int:
    from audioml.latent import recipe
    from audioml.progress import TqdmProgress

    if args.alpha_study:
        if args.model != "vae":
            raise AudioMLError("--alpha-study trains VAEs; use it with --model vae")
        given = [f"--{name.replace('_', '-')}" for name in ("loss", "kl_warmup", "decoder_dense",
                                                              "filters", "augment", "lr_decay")
                 if getattr(args, name) is not None]
        if given:
            raise AudioMLError(f"the alpha study trains the plain MSE VAE of the shared builder; "
                               f"{', '.join(given)} cannot be used with --alpha-study")
        with TqdmProgress("alpha study", unit="epoch") as bar:
            path = recipe.run_alpha_study(args.alpha_study, epochs=args.epochs, data=args.data,
                                          models_dir=args.models_dir, out=args.out, progress=bar)
        print(f"wrote {path}")
        return 0
    with TqdmProgress(f"train {args.model}", unit="epoch") as bar:
        card = recipe.train_and_ship(args.model, alpha=args.alpha, epochs=args.epochs, loss=args.loss,
                                     kl_warmup=args.kl_warmup, decoder_dense=args.decoder_dense,
                                     filters=args.filters, augment=args.augment, lr_decay=args.lr_decay,
                                     data=args.data, models_dir=args.models_dir, progress=bar)
    print(json.dumps({"name": card["name"], "training_time_s": card["training_time_s"],
                      "metrics": card["metrics"]}, indent=2))
    return 0


def _evaluate(args) -> int:
    from audioml.latent import recipe

    result = recipe.evaluate_shipped(data=args.data, models_dir=args.models_dir, n_samples=args.samples)
    if args.write_codes:
        for path in recipe.write_shipped_codes(data=args.data, models_dir=args.models_dir):
            print(f"wrote {path}", file=sys.stderr if args.json else sys.stdout)
    if args.write_cards:
        recipe.write_figures_to_cards(result, args.models_dir)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    keys = ["reconstruction_mse", "latent_mean", "latent_std", "kl_to_prior", "prior_coverage",
            "codes_in_prior_95", "sample_digit_rate", "sample_effective_digits"]
    for key in keys:
        print(f"{key:<20} " + "  ".join(f"{kind}={result[kind].get(key, 'n/a')}" for kind in result))
    return 0


def _sample(args) -> int:
    import numpy as np

    from audioml.latent.inference import sample
    from audioml.latent.model import load_latent

    out = Path(args.out)
    if out.suffix != ".npy":
        raise AudioMLError(f"--out must be a .npy file, got {out.name}")
    if not out.parent.is_dir():
        raise AudioMLError(f"folder of --out does not exist: {out.parent}")
    images = sample(load_latent(args.model, args.models_dir), args.n, seed=args.seed)
    np.save(out, images)
    print(f"wrote {out}: {images.shape[0]} samples of 28x28, values in [0, 1]")
    return 0
