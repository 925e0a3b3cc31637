"""CLI: ``audioml train melody``, ``audioml evaluate melody``, ``audioml generate``."""

from __future__ import annotations

import json
import shlex
import sys
import time

from audioml.errors import AudioMLError

DEFAULT_NAME = "melody_lstm"


def register(groups) -> None:
    """Add the melody subcommands to the shared parser groups."""
    from audioml.melody.corpus import DURATION_SETS, HELDOUT_COLLECTION
    from audioml.melody.generate import MAX_STEPS
    from audioml.melody.model import PRESETS

    p = groups["train"].add_parser(
        "melody", help="train the melody LSTM on folk songs (**kern, ABC, MusicXML)",
        description="Parse, filter, transpose and encode songs, train the LSTM, keep the best "
                    "epoch, and write the model, its vocabulary and card to models/.")
    p.add_argument("--data", help="file or folder of songs (default: the kern data folder, else "
                                   "music21's bundled Essen ABC songs)")
    p.add_argument("--preset", default="shipped", choices=sorted(PRESETS), help="configuration")
    p.add_argument("--units", type=int, nargs="+", help="LSTM units per layer (overrides the preset)")
    p.add_argument("--dropout", type=float, help="dropout after each LSTM layer")
    p.add_argument("--learning-rate", type=float, help="Adam learning rate")
    p.add_argument("--batch-size", type=int, help="songs per batch")
    p.add_argument("--epochs", type=int, default=30, help="most epochs to run (default 30)")
    p.add_argument("--max-minutes", type=float, help="stop after the epoch that passes this time")
    p.add_argument("--durations", default="paper", choices=sorted(DURATION_SETS),
                   help="accepted note/rest durations (default: the paper's set)")
    p.add_argument("--heldout", default=HELDOUT_COLLECTION,
                   help=f"sub-collection never trained on (default {HELDOUT_COLLECTION}; '' for none)")
    p.add_argument("--limit", type=int, help="read only the first N files (quick runs)")
    p.add_argument("--workers", type=int, default=1, help="parallel parser processes")
    p.add_argument("--name", default=DEFAULT_NAME, help=f"model name (default {DEFAULT_NAME})")
    p.add_argument("--out", help="models folder (default models/)")
    p.add_argument("--report", help="JSON report path (default reports/<name>.json)")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.set_defaults(func=_train)

    e = groups["evaluate"].add_parser(
        "melody", help="next-step accuracy of the shipped melody model on songs",
        description="Encode songs as in training and measure next-step accuracy (musical targets "
                    "only), onset accuracy and mean NLL per symbol.")
    e.add_argument("--data", help="file or folder of songs (default as for training)")
    e.add_argument("--model", default=DEFAULT_NAME, help="shipped model name")
    e.add_argument("--durations", default="paper", choices=sorted(DURATION_SETS))
    e.add_argument("--limit", type=int, help="read only the first N files")
    e.add_argument("--split", default="all", choices=["all", "test", "heldout", "train", "val"],
                   help="which songs to score: all of them (default), or one part of the training "
                        "split (the same hash split and held-out collection as training)")
    e.add_argument("--heldout", default=HELDOUT_COLLECTION, help="held-out collection for --split")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.set_defaults(func=_evaluate)

    g = groups["root"].add_parser(
        "generate", help="continue a melody with the shipped LSTM",
        description="Generate a melody; write it as JSON, MIDI, MusicXML, **kern or SVG.")
    g.add_argument("--seed", help='seed symbols, e.g. "60 _ _ _ 62 _ _ _" (default: none)')
    g.add_argument("--steps", type=_number, default=128, help=f"sixteenths to generate, 1-{MAX_STEPS}")
    g.add_argument("--temperature", type=_number, default=1.0, help="sampling temperature > 0")
    g.add_argument("--random-seed", type=int, help="makes the result repeatable")
    g.add_argument("--meter", default="4/4", help="meter of the seed (default 4/4)")
    g.add_argument("--model", default=DEFAULT_NAME, help="shipped model name")
    g.add_argument("--out", help="output file: .json, .mid, .musicxml, .krn or .svg "
                                 "(default: print the symbols)")
    g.set_defaults(func=_generate)


def _number(text: str) -> float:
    """Parse numbers leniently so that range errors come from the library's own checks."""
    try:
        value = float(text)
    except ValueError:
        raise AudioMLError(f"expected a number; got {text!r}") from None
    return int(value) if value.is_integer() else value


def _train(args) -> int:
    from audioml.melody.corpus import DURATION_SETS, load_corpus
    from audioml.melody.model import preset
    from audioml.melody.pipeline import train_and_report
    from audioml.progress import TqdmProgress

    config = preset(args.preset, units=args.units, dropout=args.dropout,
                    learning_rate=args.learning_rate, batch_size=args.batch_size)
    with TqdmProgress("parse songs", unit="file") as bar:
        corpus = load_corpus(args.data, accepted=DURATION_SETS[args.durations], limit=args.limit,
                             workers=args.workers, progress=bar)
    counts = corpus.counts
    print(f"songs kept {counts['songs_kept']} of {counts['songs_read']}; dropped: "
          f"{json.dumps(counts['dropped'])}", file=sys.stderr)
    command = "audioml train melody " + " ".join(shlex.quote(a) for a in sys.argv[3:]) \
        if sys.argv[1:3] == ["train", "melody"] else "audioml train melody"
    with TqdmProgress("train melody", unit="epoch") as bar:
        card = train_and_report(corpus, config=config, epochs=args.epochs, name=args.name,
                                models_dir=args.out, heldout=args.heldout or None,
                                time_limit_s=args.max_minutes * 60 if args.max_minutes else None,
                                durations=args.durations, retrain_command=command,
                                seed=args.seed, report_path=args.report, progress=bar)
    print(json.dumps(card["metrics"], indent=2))
    return 0


def _evaluate(args) -> int:
    from audioml.melody import shipped_model
    from audioml.melody.corpus import DURATION_SETS, load_corpus
    from audioml.melody.train import evaluate
    from audioml.progress import TqdmProgress

    model = shipped_model(args.model)
    with TqdmProgress("parse songs", unit="file") as bar:
        corpus = load_corpus(args.data, accepted=DURATION_SETS[args.durations], limit=args.limit,
                             progress=bar)
    songs = corpus.songs if args.split == "all" else corpus.split(heldout=args.heldout or None)[args.split]
    if not songs:
        raise AudioMLError(f"no usable songs in {corpus.source} (split {args.split}): "
                           f"dropped {dict(corpus.dropped)}")
    t0 = time.time()
    scores = evaluate(model, songs, max_steps=model.config.get("max_steps", 512))
    result = {**scores, "model": args.model, "data": corpus.source, "split": args.split, **corpus.counts,
              "seconds": round(time.time() - t0, 2)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"accuracy {scores['accuracy']:.3f}  onset accuracy {scores['onset_accuracy']:.3f}  "
              f"NLL {scores['nll']:.3f}  on {scores['songs']} songs ({scores['targets']} symbols)")
    return 0


def _generate(args) -> int:
    from audioml.melody import generate_melody, shipped_model
    from audioml.melody.encoding import bar_steps_for, parse_seed
    from audioml.melody.generate import check_steps, check_temperature
    from audioml.melody.score import EXPORT_FORMATS, write

    # Check everything that can be checked before TensorFlow loads: bad input fails in a blink.
    if args.seed is not None:
        parse_seed(args.seed)
    check_steps(args.steps)
    check_temperature(args.temperature)
    bar_steps_for(args.meter)
    if args.out:
        suffix = args.out.rsplit(".", 1)[-1].lower() if "." in args.out else ""
        if suffix not in EXPORT_FORMATS:
            raise AudioMLError(f"--out must end in one of .{', .'.join(EXPORT_FORMATS)}; got {args.out!r}")
    melody = generate_melody(args.seed, steps=args.steps, temperature=args.temperature,
                             random_seed=args.random_seed, model=shipped_model(args.model),
                             meter=args.meter)
    if args.out:
        path = write(melody, args.out)
        print(f"wrote {path} ({len(melody)} sixteenths, {melody.meter}, ended by {melody.stop_reason})",
              file=sys.stderr)
    else:
        print(melody.text)
    return 0
