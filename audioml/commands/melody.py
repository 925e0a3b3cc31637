"""CLI: ``audioml train melody``, ``audioml evaluate melody``, ``audioml generate``.

Each handler parses its options and makes one call into :mod:`audioml.melody` (the
recipe fills whatever is left unset from :data:`audioml.melody.recipe.DEFAULTS`).
"""

from __future__ import annotations

import json
import sys

from audioml.errors import AudioMLError


def register(groups) -> None:
    """Add the melody subcommands to the shared parser groups."""
    from audioml.melody import MODEL_NAME
    from audioml.melody.corpus import DURATION_SETS
    from audioml.melody.generate import MAX_STEPS
    from audioml.melody.model import PRESETS
    from audioml.melody.recipe import DEFAULTS, SPLITS

    p = groups["train"].add_parser(
        "melody", help="train the melody LSTM on folk songs (**kern, ABC, MusicXML)",
        description="Parse, filter, transpose and encode songs, train the LSTM, keep the best "
                    "epoch, and write the model, its vocabulary and card to models/.")
    p.add_argument("--data", help="file or folder of songs (default: the kern data folder, else "
                                   "music21's bundled Essen ABC songs)")
    p.add_argument("--preset", choices=sorted(PRESETS),
                   help=f"configuration (default {DEFAULTS['preset']})")
    p.add_argument("--units", type=int, nargs="+", help="LSTM units per layer (overrides the preset)")
    p.add_argument("--dropout", type=float, help="dropout after each LSTM layer")
    p.add_argument("--learning-rate", type=float, help="Adam learning rate")
    p.add_argument("--batch-size", type=int, help="songs per batch")
    p.add_argument("--epochs", type=int, help=f"most epochs to run (default {DEFAULTS['epochs']})")
    p.add_argument("--max-minutes", type=float, help="stop after the epoch that passes this time")
    p.add_argument("--durations", choices=sorted(DURATION_SETS),
                   help=f"accepted note/rest durations (default {DEFAULTS['durations']}: the paper's set)")
    p.add_argument("--heldout", help=f"sub-collection never trained on (default {DEFAULTS['heldout']}; "
                                     "'' for none)")
    p.add_argument("--limit", type=int, help="read only the first N files (quick runs)")
    p.add_argument("--workers", type=int, help=f"parallel parser processes (default {DEFAULTS['workers']})")
    p.add_argument("--name", help=f"model name (default {DEFAULTS['name']})")
    p.add_argument("--out", help="models folder (default models/)")
    p.add_argument("--report", help="JSON report path (default reports/<name>.json)")
    p.add_argument("--seed", type=int, help=f"random seed (default {DEFAULTS['seed']})")
    p.set_defaults(func=_train)

    e = groups["evaluate"].add_parser(
        "melody", help="next-step accuracy of the shipped melody model on songs",
        description="Encode songs as in training and measure next-step accuracy (musical targets "
                    "only), onset accuracy and mean NLL per symbol.")
    e.add_argument("--data", help="file or folder of songs (default as for training)")
    e.add_argument("--model", default=MODEL_NAME, help="shipped model name")
    e.add_argument("--durations", choices=sorted(DURATION_SETS),
                   help=f"accepted note/rest durations (default {DEFAULTS['durations']})")
    e.add_argument("--limit", type=int, help="read only the first N files")
    e.add_argument("--split", default="all", choices=list(SPLITS),
                   help="which songs to score: all of them (default), or one part of the training "
                        "split (the same hash split and held-out collection as training)")
    e.add_argument("--heldout", help=f"held-out collection for --split (default {DEFAULTS['heldout']})")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.set_defaults(func=_evaluate)

    g = groups["root"].add_parser(
        "generate", help="continue a melody with the shipped LSTM",
        description="Generate a melody; write it as JSON, MIDI, MusicXML, **kern or SVG.")
    g.add_argument("--seed", help=_seed_help(MODEL_NAME))
    g.add_argument("--steps", type=_number, default=128, help=f"sixteenths to generate, 1-{MAX_STEPS}")
    g.add_argument("--temperature", type=_number, default=1.0, help="sampling temperature > 0")
    g.add_argument("--random-seed", type=int, help="makes the result repeatable")
    g.add_argument("--meter", default="4/4", help="meter of the seed (default 4/4)")
    g.add_argument("--model", default=MODEL_NAME, help="shipped model name")
    g.add_argument("--out", help="output file: .json, .mid, .musicxml, .krn or .svg "
                                 "(default: print the symbols)")
    g.set_defaults(func=_generate)


def _seed_help(name: str) -> str:
    """How to type a seed, with the pitch range of model *name* as the seed checks state it."""
    from audioml.melody import shipped_vocabulary
    from audioml.melody.encoding import pitch_range_text

    try:
        span = shipped_vocabulary(name).pitch_range
    except AudioMLError:  # no such model shipped: the command itself will say so
        span = None
    pitches = pitch_range_text(*span) if span else "MIDI pitch numbers"
    text = (f'seed symbols separated by spaces: {pitches} where notes start, _ to hold one more '
            f'sixteenth, r for a rest, e.g. "60 _ _ _ 62 _ _ _" (default: none)')
    if span:
        text += f". The range is model {name}'s; another --model's errors state its own"
    return text


def _number(text: str) -> float:
    """Parse numbers leniently so that range errors come from the library's own checks."""
    try:
        value = float(text)
    except ValueError:
        raise AudioMLError(f"expected a number; got {text!r}") from None
    return int(value) if value.is_integer() else value


def _train(args) -> int:
    from audioml.melody.recipe import train_and_ship
    from audioml.progress import TqdmProgress

    with TqdmProgress("parse songs", unit="file") as parsing, \
            TqdmProgress("train melody", unit="epoch") as training:
        card = train_and_ship(args.data, preset=args.preset, units=args.units, dropout=args.dropout,
                              learning_rate=args.learning_rate, batch_size=args.batch_size,
                              epochs=args.epochs, max_minutes=args.max_minutes,
                              durations=args.durations, heldout=args.heldout, limit=args.limit,
                              workers=args.workers, name=args.name, out=args.out,
                              report=args.report, seed=args.seed, parse_progress=parsing,
                              progress=training)
    counts = card["preprocessing"]
    print(f"songs kept {counts['songs_kept']} of {counts['songs_read']}; dropped: "
          f"{json.dumps(counts['dropped'])}", file=sys.stderr)
    print(json.dumps(card["metrics"], indent=2))
    return 0


def _evaluate(args) -> int:
    from audioml.melody.recipe import evaluate_shipped
    from audioml.progress import TqdmProgress

    with TqdmProgress("parse songs", unit="file") as bar:
        result = evaluate_shipped(args.model, args.data, durations=args.durations, limit=args.limit,
                                  split=args.split, heldout=args.heldout, progress=bar)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"accuracy {result['accuracy']:.3f}  onset accuracy {result['onset_accuracy']:.3f}  "
              f"NLL {result['nll']:.3f}  on {result['songs']} songs ({result['targets']} symbols)")
    return 0


def _generate(args) -> int:
    from audioml.melody import generate_melody
    from audioml.melody.score import export_format, write

    if args.out:
        export_format(args.out)  # a bad file name fails before the model loads
    melody = generate_melody(args.seed, steps=args.steps, temperature=args.temperature,
                             random_seed=args.random_seed, model=args.model, meter=args.meter)
    if args.out:
        path = write(melody, args.out)
        print(f"wrote {path} ({len(melody)} sixteenths, {melody.meter}, ended by {melody.stop_reason})",
              file=sys.stderr)
    else:
        print(melody.text)
    return 0
