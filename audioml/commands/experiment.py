"""CLI: ``audioml experiment table1|table2|table3`` runs a search; ``audioml experiment report``;
``audioml experiment snr-sweep`` and ``melody-protocols`` check the paper's headline figures.

Optuna and TensorFlow load only inside the handlers, so ``audioml --help`` stays fast.
"""

from __future__ import annotations

import json
import sys

from audioml.errors import AudioMLError

TABLE_HELP = {
    "table1": "Table 1: the five VAE architectures (eta 0.0005, B 32) on FSDD",
    "table2": "Table 2: VAE learning rate, batch size and epochs (2 layers, latent 64) on FSDD",
    "table3": "Table 3: LSTM units, learning rate, batch size and epochs on **kern melodies",
}


def register(groups) -> None:
    """Add ``experiment`` and its subcommands to the root group."""
    from audioml.experiments.objectives import DEFAULT_COLLECTION
    from audioml.experiments.study import DEFAULT_STORAGE, SAMPLERS

    parser = groups["root"].add_parser(
        "experiment", help="reproduce the paper's searches (Tables 1-3) as Optuna studies",
        description="Run the paper's searches as Optuna studies stored in SQLite (or any Optuna "
                    "RDB URL, so several workers can share one study), and report them; check "
                    "its headline figures under its own protocol (snr-sweep, melody-protocols).")
    sub = parser.add_subparsers(dest="experiment", metavar="COMMAND", required=True)
    for table, text in TABLE_HELP.items():
        p = sub.add_parser(table, help=text, description=text + ". Every trial trains one "
                           "configuration and records its parameters, test metric, training "
                           "time and parameter count.")
        count = p.add_mutually_exclusive_group()
        count.add_argument("--trials", type=_integer,
                           help="trials this worker runs (default 5 unless --total is given)")
        count.add_argument("--total", type=_integer,
                           help="run until the study holds this many completed trials; repeat the "
                                "same command after a stop and it runs only what is missing, "
                                "resuming a trial that was cut off from its last epoch")
        p.add_argument("--epochs-scale", type=_number, default=1.0,
                       help="factor in (0, 1] on every epoch count, at least 1 epoch (default 1)")
        p.add_argument("--storage", help=f"Optuna RDB URL (default {DEFAULT_STORAGE})")
        p.add_argument("--study-name", help=f"study name (default {table})")
        p.add_argument("--sampler", choices=SAMPLERS, default="random",
                       help="random (as the paper) or tpe (default random)")
        p.add_argument("--seed", type=int, help="sampler and training seed (leave out when "
                                                "several workers share a study)")
        p.add_argument("--data", help="FSDD folder (tables 1-2) or songs folder (table 3); "
                                      "default: the shared data folders")
        if table == "table3":
            p.add_argument("--collection", default=DEFAULT_COLLECTION,
                           help=f"sub-collection searched on (default {DEFAULT_COLLECTION}: 544 "
                                "songs kept of 687 files; 'all' for every song)")
        else:
            p.add_argument("--max-train", type=_integer, help="use only the first N training clips")
            p.add_argument("--max-test", type=_integer, help="use only the first N test clips")
        p.set_defaults(func=_run, table=table)

    from audioml.experiments.study import SEEDS

    sd = sub.add_parser(
        "seeds", help="train the configuration a search chose with more seeds",
        description="Repeat the best completed trial of a table's study with more training "
                    "seeds, in the study <name>-seeds (same storage, data and epoch scale), so "
                    "the seed-to-seed spread can stand beside the differences between "
                    "configurations. Repeat the command after a stop: it runs the seeds still "
                    "missing.")
    sd.add_argument("table", choices=tuple(TABLE_HELP), help="the table whose choice to repeat")
    sd.add_argument("--seeds", type=_integer, default=3,
                    help=f"how many seeds (1 to {len(SEEDS)}, default 3)")
    sd.add_argument("--storage", help=f"Optuna RDB URL (default {DEFAULT_STORAGE})")
    sd.add_argument("--study-name", help="the search's study (default: the table's name)")
    sd.add_argument("--data", help="FSDD folder (tables 1-2) or songs folder (table 3); "
                                   "default: the shared data folders")
    sd.add_argument("--collection", default=DEFAULT_COLLECTION,
                    help=f"table 3's sub-collection (default {DEFAULT_COLLECTION}, as its search)")
    sd.set_defaults(func=_seeds)

    from audioml.experiments.fidelity import SWEEP_CLIPS, SWEEP_MODELS

    w = sub.add_parser(
        "snr-sweep", help="the autoencoders' test MSE against the SNR, beside the paper's 0.0015",
        description="Score the shipped autoencoders and the noisy input on FSDD's random split "
                    "(the models' training split) with white noise at 0 to 60 dB "
                    "and noise-free, in both MSE spaces; say where the published 0.0015 "
                    "is reached. Writes a JSON report.")
    w.add_argument("--model", action="append", dest="models",
                   help=f"autoencoder to score, repeatable (default: {', '.join(SWEEP_MODELS)})")
    w.add_argument("--limit", type=_integer, default=SWEEP_CLIPS,
                   help=f"the first N test clips (default {SWEEP_CLIPS}; 0 for all)")
    w.add_argument("--snr", type=_number, action="append", dest="snrs",
                   help="an SNR in dB, repeatable (default 0 5 10 15 20 30 40 50 60, and noise-free)")
    w.add_argument("--data", help="FSDD folder (default: the shared data folder)")
    w.add_argument("--out", help="report file (default reports/denoise_snr_sweep.json)")
    w.add_argument("--json", action="store_true", help="print the report as JSON")
    w.set_defaults(func=_snr_sweep)

    from audioml.experiments.fidelity import PROTOCOL_COLLECTION, PROTOCOL_DEFAULTS as PD

    m = sub.add_parser(
        "melody-protocols", help="the LSTM's accuracy under the paper's split (random windows) "
                                 "and ours (whole songs held out), on the same songs",
        description="Cut the first N songs of one Essen collection into the paper's fixed-length "
                    "windows, then train the same small LSTM twice: once on the windows split "
                    "80/20 at random (the paper's protocol: test windows overlap training "
                    "windows) and once with whole songs held out (ours). Prints and writes both "
                    "protocols' next-step accuracy and how much of each test set the training "
                    "windows already hold.")
    m.add_argument("--data", help="folder of songs (default: essen-deutschl/COLLECTION of the kern data)")
    m.add_argument("--collection", default=PROTOCOL_COLLECTION,
                   help=f"Essen collection (default {PROTOCOL_COLLECTION})")
    m.add_argument("--songs", type=_integer, default=PD["songs"],
                   help=f"the first N songs kept (default {PD['songs']}, as the paper)")
    m.add_argument("--window", type=_integer, default=PD["window"],
                   help=f"steps a prediction sees (default {PD['window']}, as the paper)")
    m.add_argument("--units", type=_integer, default=PD["units"], help=f"LSTM units (default {PD['units']})")
    m.add_argument("--epochs", type=_integer, default=PD["epochs"],
                   help=f"most epochs per protocol (default {PD['epochs']})")
    m.add_argument("--minutes", type=_number, default=PD["minutes"],
                   help=f"training time limit per protocol (default {PD['minutes']:g})")
    m.add_argument("--seed", type=int, default=PD["seed"], help="split and training seed (default 0)")
    m.add_argument("--protocol", action="append", dest="protocols",
                   choices=("random-windows", "song-split"),
                   help="run only this protocol, repeatable (default both)")
    m.add_argument("--longer-run", action="store_true",
                   help="add this run to the existing report as a longer run of its protocols "
                        "(same songs and windows) instead of replacing the report")
    m.add_argument("--out", help="report file (default reports/melody_protocols.json)")
    m.add_argument("--json", action="store_true", help="print the report as JSON")
    m.set_defaults(func=_melody_protocols)

    r = sub.add_parser("report", help="print or write the report of the studies",
                       description="Print the shipped report (reports/experiments.json), or "
                                   "--export the studies in the storage to it first.")
    r.add_argument("--json", action="store_true",
                   help='print {"table1": [...], "table2": [...], "table3": [...]}')
    r.add_argument("--export", action="store_true", help="write the report from the storage first")
    r.add_argument("--storage", help=f"Optuna RDB URL for --export (default {DEFAULT_STORAGE})")
    r.add_argument("--path", help="report file (default reports/experiments.json)")
    r.add_argument("--study", action="append", default=[], metavar="TABLE=NAME",
                   help="for --export: the study holding TABLE when it is not named after it "
                        "(e.g. table2=table2-shared), repeatable")
    r.set_defaults(func=_report)


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise AudioMLError(f"expected a whole number; got {text!r}") from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise AudioMLError(f"expected a number; got {text!r}") from None


def _run(args) -> int:
    from audioml.experiments.study import check_options, run_study
    from audioml.progress import TqdmProgress

    trials = args.trials if args.trials is not None or args.total is not None else 5
    # Check cheap options before TensorFlow and the data load.
    check_options(args.table, trials=trials if args.total is None else args.total,
                  epochs_scale=args.epochs_scale, sampler=args.sampler)
    options = ({"collection": None if args.collection == "all" else args.collection}
               if args.table == "table3" else {"max_train": args.max_train, "max_test": args.max_test})
    with TqdmProgress(f"{args.table} trials", unit="trial") as bar:
        study = run_study(args.table, trials=None if args.total is not None else trials,
                          total=args.total, epochs_scale=args.epochs_scale,
                          storage=args.storage, study_name=args.study_name, sampler=args.sampler,
                          seed=args.seed, data=args.data, progress=bar, **options)
    _print_best(study)
    return 0


def _seeds(args) -> int:
    from audioml.experiments.study import run_seeds
    from audioml.progress import TqdmProgress

    options = ({"collection": None if args.collection == "all" else args.collection}
               if args.table == "table3" else {})
    with TqdmProgress(f"{args.table} seeds", unit="trial") as bar:
        study = run_seeds(args.table, seeds=args.seeds, storage=args.storage,
                          study_name=args.study_name, data=args.data, progress=bar, **options)
    _print_best(study)
    return 0


def _print_best(study) -> None:
    done = [t for t in study.trials if t.value is not None]
    print(f"study {study.study_name}: {len(done)} completed trials", file=sys.stderr)
    if done:
        best = study.best_trial
        print(json.dumps({"best_trial": best.number, "metric": best.value, "params": best.params,
                          "training_time_s": best.user_attrs.get("training_time_s")}))


def _report(args) -> int:
    from audioml.experiments.report import export_report, load_report, trials_by_table

    names = {}
    for item in args.study:
        table, _, name = item.partition("=")
        if table not in TABLE_HELP or not name:
            raise AudioMLError(f"--study expects TABLE=NAME with TABLE one of {', '.join(TABLE_HELP)}; "
                               f"got {item!r}")
        names[table] = name
    if args.export:
        path = export_report(storage=args.storage, study_names=names or None, path=args.path)
        print(f"wrote {path}", file=sys.stderr)
    report = load_report(args.path)
    by_table = trials_by_table(report)
    if args.json:
        print(json.dumps(by_table))
        return 0
    for table, trials in by_table.items():
        info = report["tables"].get(table, {})
        print(f"{table}: {len(trials)} trials, epochs scale {info.get('epochs_scale')}, "
              f"metric {info.get('metric')}")
        for t in trials:
            metric = "-" if t.get("metric") is None else f"{t['metric']:.4g}"
            print(f"  #{t['number']:<3} {metric:>8}  {t.get('training_time_s', '-')!s:>7} s  "
                  f"{json.dumps(t['params'])}")
    return 0


def _snr_sweep(args) -> int:
    from audioml.experiments.fidelity import (SNR_SWEEP_REPORT, SPACES, SWEEP_MODELS,
                                              run_snr_sweep, sweep_sentence, write_report)
    from audioml.progress import TqdmProgress

    snrs = None if not args.snrs else [*args.snrs, None]
    with TqdmProgress("SNR sweep", unit="condition") as bar:
        report = run_snr_sweep(args.data, models=args.models or list(SWEEP_MODELS),
                               limit=args.limit or None, snrs=snrs, progress=bar)
    path = write_report(report, args.out or SNR_SWEEP_REPORT)
    print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(report))
        return 0
    methods = ["noisy", *report["models"]]
    for space, label in SPACES.items():
        print(f"spectrogram MSE in {label}")
        print(f"{'SNR':>10} " + " ".join(f"{m:>14}" for m in methods) + f" {'oracle':>10}")
        for c in report["conditions"]:
            snr = "noise-free" if c["snr_db"] is None else f"{c['snr_db']:g} dB"
            print(f"{snr:>10} " + " ".join(f"{c['methods'][m][space]:>14.5f}" for m in methods)
                  + f" {c['references']['clean_neighbour_oracle_mse']:>10.5f}")
        print(sweep_sentence(report, space))
    return 0



def _melody_protocols(args) -> int:
    from audioml.experiments.fidelity import (PROTOCOLS_REPORT, add_longer_run, load_protocols,
                                              protocol_sentence, protocol_songs, run_protocols,
                                              write_report)
    from audioml.progress import TqdmProgress

    if args.songs < 2 or args.window < 1 or args.units < 1 or args.epochs < 1:
        raise AudioMLError("--songs must be at least 2 and --window, --units, --epochs at least 1")
    out = args.out or PROTOCOLS_REPORT
    base = load_protocols(out) if args.longer_run else None   # fails before training, not after
    songs, text = protocol_songs(args.data, collection=args.collection, songs=args.songs)
    with TqdmProgress("protocols", unit="epoch") as bar:
        report = run_protocols(songs, description=text, window=args.window, units=args.units,
                               epochs=args.epochs, minutes=args.minutes, seed=args.seed,
                               protocols=args.protocols, progress=bar)
    if base is not None:
        report = add_longer_run(base, report)
    path = write_report(report, out)
    print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"{report['songs']} songs, {report['windows']} windows of {report['window']} steps")
    for name, p in report["protocols"].items():
        print(f"{name:>15}: test accuracy {p['test']['accuracy']:.3f} (all steps "
              f"{p['test']['accuracy_all']:.3f}, always-hold {p['test']['always_hold']:.3f}), "
              f"train {p['train']['accuracy']:.3f}; test answers inside training windows "
              f"{p['leakage']['target_in_training_inputs']:.0%}; {p['history']['epochs_run']} epochs")
    print(protocol_sentence(report))
    return 0
