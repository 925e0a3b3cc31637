"""The shipped report of the studies: ``reports/experiments.json``, written and read back.

The report is small (one object per trial) so that a fresh install shows the studies'
results without Optuna's database. Layout::

    {"created": ISO time, "tables": {"table1": {"study_name", "epochs_scale", "sampler",
     "direction", "metric", "data", "trials": [{"number", "state", "params", "metric",
     "training_time_s", "training_cpu_s", "param_count", "epochs_run", "epochs_published",
     "config", "seed", "resumes", "epochs_done", ...}],
     "seeds": {"source_trial", "params", "trials": [...]}}}}

A trial still training is listed as ``running`` with its ``epochs_done``; an attempt whose
process died is listed once, as its retry (``waiting`` until a worker picks it up, which
carries on from its last epoch). Collecting the report fails and queues again a dead worker's
trial first, as the next worker would, so the report never shows it as running.
``seeds`` is present once the table's seed study exists. The earlier quick searches, run at
2-20% of the epochs on a few hundred clips, are kept in :data:`PILOT_PATH` in the same layout.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from audioml.errors import AudioMLError
from audioml.experiments import TABLES
from audioml.paths import PROJECT_ROOT

REPORT_PATH = PROJECT_ROOT / "reports" / "experiments.json"
PILOT_PATH = PROJECT_ROOT / "reports" / "experiments_pilot.json"
#: User attributes copied from each trial into the report.
TRIAL_KEYS = ("training_time_s", "training_cpu_s", "param_count", "epochs_run", "epochs_published",
              "config", "worker", "onset_accuracy", "nll", "always_hold", "test_songs", "best_epoch",
              "seed", "resumes", "epochs_done", "first_attempt")


def study_summary(study) -> dict:
    """One table's entry of the report, from an Optuna *study* (finished or not)."""
    attrs = study.user_attrs
    every = study.get_trials(deepcopy=False)
    # A retry copies its first attempt's user attributes, "first_attempt" among them, so every
    # attempt of one trial (a retry may die and be retried too) carries the same key.
    retried = {t.user_attrs.get("first_attempt") for t in every if t.state.name != "FAIL"}
    trials = []
    for t in every:
        queued = t.state.name == "WAITING" and "first_attempt" not in t.user_attrs
        unrun = t.state.name == "PRUNED" and "seed" not in t.user_attrs   # see study._queued_only
        key = t.user_attrs.get("first_attempt", t.number)
        if queued or unrun or (t.state.name == "FAIL" and key in retried):
            continue   # not started, or never to be; or died, and its last retry stands for it
        row = {"number": t.number, "state": t.state.name.lower(), "params": dict(t.params),
               "metric": t.value if t.values else None}
        row.update({k: t.user_attrs[k] for k in TRIAL_KEYS if k in t.user_attrs})
        trials.append(row)
    return {"study_name": study.study_name, "table": attrs.get("table"),
            "epochs_scale": attrs.get("epochs_scale"), "sampler": attrs.get("sampler"),
            "direction": study.direction.name.lower(), "metric": attrs.get("metric"),
            "data": attrs.get("data", ""), "created": attrs.get("created"), "trials": trials}


def collect(storage=None, *, study_names: dict | None = None) -> dict:
    """The report of every table whose study exists in *storage*, with its seed study.

    A trial whose worker has sent no heartbeat for the grace period is failed and queued
    again first, as the next worker would do on starting, so it is reported as ``waiting``.

    Parameters
    ----------
    storage : str or optuna.storages.BaseStorage, optional
        Optuna RDB URL (default: ``runs/studies.db``) or an opened storage.
    study_names : dict, optional
        ``{table: study name}``; a table's name defaults to the table itself.

    Returns
    -------
    dict
        ``{"created", "tables"}``; ``tables`` is empty when no study exists.
    """
    import optuna

    from audioml.experiments.study import fail_stale, seeds_study_name, storage_for

    rdb = storage if storage is not None and not isinstance(storage, str) else storage_for(storage)
    present = {s.study_name for s in optuna.get_all_study_summaries(rdb, include_best_trial=False)}

    def load(name):
        loaded = optuna.load_study(study_name=name, storage=rdb)
        fail_stale(loaded)
        return loaded

    tables = {}
    for table in TABLES:
        name = (study_names or {}).get(table, table)
        if name not in present:
            continue
        tables[table] = study_summary(load(name))
        seeds_name = seeds_study_name(name)
        if seeds_name in present:
            seeds = load(seeds_name)
            tables[table]["seeds"] = {"study_name": seeds_name,
                                      "source_trial": seeds.user_attrs.get("source_trial"),
                                      "params": seeds.user_attrs.get("params", {}),
                                      "trials": study_summary(seeds)["trials"]}
    return {"created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "tables": tables}


def export_report(*, storage: str | None = None, study_names: dict | None = None,
                  path: str | Path | None = None) -> Path:
    """Write :func:`collect`'s report to *path* (default :data:`REPORT_PATH`).

    Raises
    ------
    AudioMLError
        When none of the studies exists.
    """
    report = collect(storage, study_names=study_names)
    if not report["tables"]:
        names = {t: (study_names or {}).get(t, t) for t in TABLES}
        raise AudioMLError(f"no study named {', '.join(names.values())} in the storage; "
                           f"run `audioml experiment table1` first")
    path = Path(path or REPORT_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    return path


def load_report(path: str | Path | None = None) -> dict:
    """Read the report (default :data:`REPORT_PATH`) and check its shape.

    Raises
    ------
    AudioMLError
        When the file is missing, is not JSON, or lacks ``tables`` with trial lists.
    """
    path = Path(path or REPORT_PATH)
    if not path.is_file():
        raise AudioMLError(f"no experiments report at {path}; run `audioml experiment report "
                           f"--export` after a study")
    try:
        report = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise AudioMLError(f"experiments report {path} is not valid JSON: {err}") from None
    tables = report.get("tables") if isinstance(report, dict) else None
    if not isinstance(tables, dict) or any(
            t not in TABLES or not isinstance(v, dict) or not isinstance(v.get("trials"), list)
            for t, v in tables.items()):
        raise AudioMLError(f"experiments report {path} lacks {{'tables': {{table: {{'trials': "
                           f"[...]}}}}}} for tables {', '.join(TABLES)}")
    return report


def load_pilot(path: str | Path | None = None) -> dict | None:
    """The earlier quick searches' report (default :data:`PILOT_PATH`), or ``None`` if absent."""
    path = Path(path or PILOT_PATH)
    return load_report(path) if path.is_file() else None


def trials_by_table(report: dict) -> dict[str, list[dict]]:
    """``{"table1": [...], "table2": [...], "table3": [...]}``: one object per trial
    (``number``, ``state``, ``params``, ``metric``, ``training_time_s`` and the rest);
    a table without a study gets an empty list."""
    return {t: list(report["tables"].get(t, {}).get("trials", [])) for t in TABLES}


def completed(trials: list[dict]) -> list[dict]:
    """The trials that finished with a metric."""
    return [t for t in trials if t.get("state") == "complete" and t.get("metric") is not None]
