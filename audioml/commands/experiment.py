"""CLI: ``audioml experiment table1|table2|table3`` runs a search; ``audioml experiment report``.

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
                    "RDB URL, so several workers can share one study), and report them.")
    sub = parser.add_subparsers(dest="experiment", metavar="TABLE", required=True)
    for table, text in TABLE_HELP.items():
        p = sub.add_parser(table, help=text, description=text + ". Every trial trains one "
                           "configuration and records its parameters, test metric, training "
                           "time and parameter count.")
        p.add_argument("--trials", type=_integer, default=5, help="trials this worker runs (default 5)")
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

    r = sub.add_parser("report", help="print or write the report of the studies",
                       description="Print the shipped report (reports/experiments.json), or "
                                   "--export the studies in the storage to it first.")
    r.add_argument("--json", action="store_true",
                   help='print {"table1": [...], "table2": [...], "table3": [...]}')
    r.add_argument("--export", action="store_true", help="write the report from the storage first")
    r.add_argument("--storage", help=f"Optuna RDB URL for --export (default {DEFAULT_STORAGE})")
    r.add_argument("--path", help="report file (default reports/experiments.json)")
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

    # Check cheap options before TensorFlow and the data load.
    check_options(args.table, trials=args.trials, epochs_scale=args.epochs_scale,
                  sampler=args.sampler)
    options = ({"collection": None if args.collection == "all" else args.collection}
               if args.table == "table3" else {"max_train": args.max_train, "max_test": args.max_test})
    with TqdmProgress(f"{args.table} trials", unit="trial") as bar:
        study = run_study(args.table, trials=args.trials, epochs_scale=args.epochs_scale,
                          storage=args.storage, study_name=args.study_name, sampler=args.sampler,
                          seed=args.seed, data=args.data, progress=bar, **options)
    done = [t for t in study.trials if t.value is not None]
    print(f"study {study.study_name}: {len(done)} completed trials", file=sys.stderr)
    if done:
        best = study.best_trial
        print(json.dumps({"best_trial": best.number, "metric": best.value, "params": best.params,
                          "training_time_s": best.user_attrs.get("training_time_s")}))
    return 0


def _report(args) -> int:
    from audioml.experiments.report import export_report, load_report, trials_by_table

    if args.export:
        path = export_report(storage=args.storage, path=args.path)
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
