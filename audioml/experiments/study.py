"""Create, load and run the studies of Tables 1-3 with Optuna.

Storage is a SQLite file by default (``runs/studies.db``); any Optuna RDB URL works
(``postgresql://...``, ``mysql+pymysql://...``), so several processes or machines can run
trials of one study at once: each worker calls :func:`run_study` with the same storage and
study name. The sampler is random by default, as the paper's searches were; TPE is an option.

A study records its table, epoch scale, sampler and data in its user attributes; loading it
again with a different epoch scale is refused, so one study never mixes scales.

Paper-scale trials take hours, so a worker may die mid-trial. Every worker sends a heartbeat
while it trains; a trial whose heartbeat stopped is marked failed by the next worker to start
and queued again with the same parameters (:data:`HEARTBEAT_S`, :data:`GRACE_S`), and the retry
resumes from the dead trial's last epoch. ``total=N`` makes a run idempotent: it runs only the
trials the study still lacks, so the same command can be started again in every session until
the study is done. :func:`run_seeds` trains the configuration a search chose with more seeds.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import random
import time
import warnings
from typing import Callable

from audioml.errors import AudioMLError
from audioml.experiments import TABLES
from audioml.experiments.published import TABLE1_ARCHITECTURES, table as published_table
from audioml.paths import RUNS_DIR
from audioml.progress import ProgressFn, no_progress

DEFAULT_STORAGE = f"sqlite:///{RUNS_DIR / 'studies.db'}"
SAMPLERS = ("random", "tpe")
#: Dialects Optuna's RDB storage is known to work with (SQLAlchemy URL prefixes).
DIALECTS = ("sqlite", "postgresql", "mysql", "oracle", "mssql")
#: Tries at opening a storage whose tables another worker is creating at the same moment.
SCHEMA_ATTEMPTS = 5
#: Seconds between a running trial's heartbeats, and the silence after which it counts as dead.
HEARTBEAT_S = 60
GRACE_S = 300
#: Retries of a trial whose worker died, before it stays failed.
MAX_RETRIES = 5
#: Trials each search runs at the paper's scale (``scripts/paper_tables.sh``), and seeds of
#: the configuration each one chooses.
PAPER_SCALE_TRIALS = {"table1": 5, "table2": 6, "table3": 6}
PAPER_SCALE_SEEDS = 3
#: Training seeds of the seed studies (the search's own trials use 0 + trial number).
SEEDS = (1001, 1002, 1003, 1004, 1005)


def check_options(table: str, *, trials: int = 1, epochs_scale: float = 1.0,
                  sampler: str = "random") -> None:
    """Raise :class:`AudioMLError` for an unknown table or sampler, trials < 1 or a bad scale."""
    if table not in TABLES:
        raise AudioMLError(f"unknown table {table!r}; choose one of {', '.join(TABLES)}")
    if not isinstance(trials, int) or trials < 1:
        raise AudioMLError(f"trials must be a whole number of at least 1; got {trials!r}")
    if not 0 < epochs_scale <= 1:
        raise AudioMLError(f"epochs scale must be in (0, 1]; got {epochs_scale!r}")
    if sampler not in SAMPLERS:
        raise AudioMLError(f"unknown sampler {sampler!r}; choose one of {', '.join(SAMPLERS)}")


def storage_for(url: str | None = None):
    """An Optuna RDB storage for *url* (default :data:`DEFAULT_STORAGE`).

    SQLite gets a 60 s lock timeout, so concurrent workers wait for each other instead of
    failing with "database is locked". Workers that open an empty server database at the same
    moment race to create Optuna's tables; the losers try again (:data:`SCHEMA_ATTEMPTS` times).
    Running trials send heartbeats; one silent for :data:`GRACE_S` is failed and queued again.

    Raises
    ------
    AudioMLError
        When the URL does not parse or names a dialect other than :data:`DIALECTS`.
    """
    import optuna
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, IntegrityError, ProgrammingError

    url = url or DEFAULT_STORAGE
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise AudioMLError(f"bad storage URL {url!r}; expected e.g. sqlite:///runs/studies.db "
                           f"or postgresql://user:pass@host/db") from None
    dialect = parsed.get_backend_name()
    if dialect not in DIALECTS:
        raise AudioMLError(f"storage URL dialect {dialect!r} is not supported; use one of "
                           f"{', '.join(DIALECTS)} (e.g. sqlite:///runs/studies.db)")
    kwargs = {}
    if dialect == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs = {"connect_args": {"timeout": 60}}
    with _quiet_experimental():
        retry = optuna.storages.RetryHeartbeatStaleTrialCallback(
            max_retry=MAX_RETRIES, inherit_intermediate_values=True)
    for attempt in range(SCHEMA_ATTEMPTS):
        try:
            with _quiet_experimental():
                return optuna.storages.RDBStorage(
                    url, engine_kwargs=kwargs, heartbeat_interval=HEARTBEAT_S,
                    grace_period=GRACE_S, heartbeat_stale_trial_callback=retry)
        except (IntegrityError, ProgrammingError):
            # Workers starting at once on an empty server database race to create Optuna's
            # tables (PostgreSQL: "duplicate key ... pg_type_typname_nsp_index"); the loser
            # finds them made on the next try.
            if attempt == SCHEMA_ATTEMPTS - 1:
                raise AudioMLError(f"cannot open storage {_shown_url(parsed)!r}: its tables could not "
                                   f"be created (another worker kept creating them)") from None
            time.sleep(0.2 + random.random() * 0.5 * (attempt + 1))
        except Exception as err:  # noqa: BLE001 - a driver or connection error becomes one clear line
            raise AudioMLError(f"cannot open storage {_shown_url(parsed)!r}: {type(err).__name__}: "
                               f"{err}") from None


@contextlib.contextmanager
def _quiet_experimental():
    """Silence Optuna's notice that heartbeats are experimental (they have been since 2.9)."""
    from optuna.exceptions import ExperimentalWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        yield


def _shown_url(parsed) -> str:
    """The URL as messages show it: any password hidden."""
    return parsed.render_as_string(hide_password=True)


def make_sampler(name: str = "random", *, seed: int | None = None):
    """Optuna's RandomSampler (the paper's search) or TPESampler."""
    import optuna

    if name not in SAMPLERS:
        raise AudioMLError(f"unknown sampler {name!r}; choose one of {', '.join(SAMPLERS)}")
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def create_or_load(table: str, *, storage: str | None = None, study_name: str | None = None,
                   sampler: str = "random", epochs_scale: float = 1.0, seed: int | None = None,
                   data: str = ""):
    """Create study *study_name* (default: *table*) or load it when it exists.

    Parameters
    ----------
    table : {"table1", "table2", "table3"}
    storage : str or optuna.storages.BaseStorage, optional
        Optuna RDB URL (default :data:`DEFAULT_STORAGE`) or an opened storage.
    sampler : {"random", "tpe"}
    epochs_scale : float
        Factor in (0, 1] applied to every epoch count; stored on the study.
    seed : int, optional
        Sampler seed. Leave it out when several workers share a study, or they draw the
        same configurations.
    data : str
        A description of the data, stored on the study.

    Returns
    -------
    optuna.Study

    Raises
    ------
    AudioMLError
        On bad options, or when the stored study belongs to another table or epoch scale.
    """
    import optuna

    check_options(table, epochs_scale=epochs_scale, sampler=sampler)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    name = study_name or table
    rdb = storage if storage is not None and not isinstance(storage, str) else storage_for(storage)
    study = optuna.create_study(storage=rdb, study_name=name,
                                direction=published_table(table)["direction"],
                                sampler=make_sampler(sampler, seed=seed), load_if_exists=True)
    attrs = study.user_attrs
    if not attrs:
        for key, value in {"table": table, "epochs_scale": epochs_scale, "sampler": sampler,
                           "data": data, "metric": published_table(table)["metric"],
                           "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                           }.items():
            study.set_user_attr(key, value)
    elif attrs.get("table") != table:
        raise AudioMLError(f"study {name!r} holds {attrs.get('table')}, not {table}; "
                           f"choose another --study-name")
    elif abs(float(attrs.get("epochs_scale", epochs_scale)) - epochs_scale) > 1e-12:
        raise AudioMLError(f"study {name!r} was run with epochs scale {attrs['epochs_scale']}; "
                           f"use that scale or another --study-name")
    return study


def enqueue_architectures(study, trials: int) -> int:
    """Queue Table 1's architectures that no trial has tried yet (at most *trials*).

    Five trials drawn at random from five choices would repeat some and miss others; queueing
    them first covers every published row, and later trials are drawn at random.

    Returns
    -------
    int
        How many were queued.
    """
    import optuna

    seen = {t.params.get("architecture") for t in study.get_trials(deepcopy=False)}
    seen |= {t.system_attrs.get("fixed_params", {}).get("architecture")
             for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,))}
    missing = [a for a in TABLE1_ARCHITECTURES if a not in seen][:max(0, trials)]
    for arch in missing:
        study.enqueue_trial({"architecture": arch}, skip_if_exists=True)
    return len(missing)


def _count(study, *states: str) -> int:
    return sum(t.state.name in states for t in study.get_trials(deepcopy=False))


def _data_and_objective(table: str, *, data, epochs_scale: float, seed: int | None,
                        checkpoint_root, data_options: dict):
    """Load the table's data and build its trial function; return ``(objective, description)``."""
    from audioml.experiments import objectives

    if table == "table3":
        loaded = objectives.load_melody_data(data, **data_options)
        objective = objectives.melody_objective(loaded, epochs_scale=epochs_scale, seed=seed or 0)
    else:
        loaded = objectives.load_denoise_data(data, **data_options)
        root = objectives.CHECKPOINT_ROOT if checkpoint_root == "default" else checkpoint_root
        objective = objectives.denoise_objective(table, loaded, epochs_scale=epochs_scale,
                                                 seed=seed or 0, checkpoint_root=root)
    return objective, loaded.description


def fail_stale(study) -> None:
    """Fail the trials whose worker died long ago; the retry callback queues them again."""
    import optuna

    with _quiet_experimental():
        optuna.storages.fail_stale_trials(study)


def _trials_needed(study, *, trials: int | None, total: int | None) -> int:
    """How many trials to run now: *trials*, or what the study lacks to hold *total* completed
    ones (counting those other workers are running). Call :func:`fail_stale` first, so a dead
    worker's trial is not counted as running."""
    if total is None:
        return int(trials)
    return max(0, total - _count(study, "COMPLETE") - _count(study, "RUNNING"))


def _queued_only(objective: Callable) -> Callable:
    """*objective* for a study that runs only the trials queued in it (the seed studies).

    Each worker plans its number of trials when it starts; when another worker has taken the
    last queued trial in the meantime, Optuna would hand this one a trial of the sampler's
    choosing instead. That trial (it carries no queued ``seed``) stops this worker, unrun.
    """
    import optuna

    def run(trial):
        if "seed" not in trial.user_attrs:
            trial.study.stop()
            raise optuna.TrialPruned("no queued trial left: another worker took the last one")
        return objective(trial)
    return run


def _stop_when_queue_empty(study, trial) -> None:
    """Optuna callback: end the loop once no queued trial is left (see :func:`_queued_only`)."""
    from optuna.trial import TrialState

    if not study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
        study.stop()


def _optimize(study, objective, trials: int, progress: ProgressFn, *,
              queued_only: bool = False) -> None:
    """Run *trials* trials (queued ones first), reporting each to *progress*; with
    *queued_only*, run queued trials only and stop when none is left."""
    done = [0]
    progress(0, trials, "starting" if trials else "the study already holds its trials")
    if not trials:
        return

    def report(study, trial) -> None:
        done[0] += 1
        try:
            best = f"best={study.best_value:.4g}"
        except ValueError:  # no completed trial yet
            best = "no completed trial"
        progress(done[0], trials, f"trial {trial.number}: {trial.state.name.lower()}, {best}")

    callbacks = [report]
    if queued_only:
        objective = _queued_only(objective)
        callbacks.append(_stop_when_queue_empty)
    study.optimize(objective, n_trials=trials, callbacks=callbacks, gc_after_trial=True)


def run_study(table: str, *, trials: int | None = None, total: int | None = None,
              epochs_scale: float = 1.0, storage: str | None = None,
              study_name: str | None = None, sampler: str = "random", seed: int | None = None,
              data: str | None = None, objective: Callable | None = None,
              data_description: str = "", checkpoint_root="default",
              progress: ProgressFn = no_progress, **data_options):
    """Run more trials of *table*'s search and return the study.

    Parameters
    ----------
    table : {"table1", "table2", "table3"}
    trials : int, optional
        Trials this call runs (other workers may add their own to the same study).
    total : int, optional
        Instead of *trials*: run until the study holds this many completed trials (counting
        those other workers are running), so the same command can be repeated until done.
    epochs_scale : float
        Factor in (0, 1] on every epoch count (at least one epoch is run).
    storage, study_name, sampler, seed
        See :func:`create_or_load`.
    data : str, optional
        FSDD folder (Tables 1-2) or songs folder (Table 3); default: the shared data folders.
    objective : callable, optional
        A ready trial function; by default it is built from the data
        (:mod:`audioml.experiments.objectives`). Tests pass tiny ones.
    checkpoint_root : path-like or None
        Where Tables 1-2 keep each trial's last epoch (default ``runs/checkpoints``);
        ``None`` turns resuming off.
    progress : callable
        ``progress(done, trials, message)`` after each finished trial.
    **data_options
        Passed to the data loader (``max_train``/``max_test`` or ``collection``).
    """
    if (trials is None) == (total is None):
        raise AudioMLError("give either trials (run this many) or total (run until the study "
                           "holds this many), not both")
    check_options(table, trials=trials if trials is not None else total,
                  epochs_scale=epochs_scale, sampler=sampler)
    # Open the storage before loading any data: a bad URL should fail in a second, not a minute.
    rdb = storage_for(storage) if storage is None or isinstance(storage, str) else storage
    if objective is None:
        objective, loaded = _data_and_objective(table, data=data, epochs_scale=epochs_scale,
                                                seed=seed, checkpoint_root=checkpoint_root,
                                                data_options=data_options)
        data_description = data_description or loaded
    study = create_or_load(table, storage=rdb, study_name=study_name, sampler=sampler,
                           epochs_scale=epochs_scale, seed=seed, data=data_description)
    # With *total*, a second round: a worker that died less than GRACE_S before this run began
    # still counts as running in the first, and its trial, failed and queued again during the
    # run, takes one of the first round's places.
    for round_ in range(1 if total is None else 2):
        fail_stale(study)
        needed = _trials_needed(study, trials=trials, total=total)
        if round_ and not needed:
            break
        if table == "table1":
            # Queued trials (retries among them) run first; queue architectures for the rest.
            enqueue_architectures(study, needed - _count(study, "WAITING"))
        _optimize(study, objective, needed, progress)
    return study


def seeds_study_name(study_name: str) -> str:
    """The name of the study that repeats *study_name*'s chosen configuration with more seeds."""
    return f"{study_name}-seeds"


def run_seeds(table: str, *, seeds: int = 3, storage: str | None = None,
              study_name: str | None = None, data: str | None = None,
              objective: Callable | None = None, checkpoint_root="default",
              progress: ProgressFn = no_progress, **data_options):
    """Train the configuration *table*'s search chose (its best completed trial) with *seeds*
    more training seeds (:data:`SEEDS`), in the study :func:`seeds_study_name`.

    The seed study keeps the search's epoch scale and data, so its spread can stand beside the
    differences between the search's configurations. Running it again runs only the seeds
    still missing; when the search's best trial changed since, the seed study is refused.

    Returns
    -------
    optuna.Study
        The seed study.

    Raises
    ------
    AudioMLError
        When the search has no completed trial, *seeds* is not in 1..len(SEEDS), or the seed
        study was made for another configuration.
    """
    import optuna

    if not isinstance(seeds, int) or not 1 <= seeds <= len(SEEDS):
        raise AudioMLError(f"seeds must be a whole number from 1 to {len(SEEDS)}; got {seeds!r}")
    rdb = storage_for(storage) if storage is None or isinstance(storage, str) else storage
    source_name = study_name or table
    try:
        source = optuna.load_study(study_name=source_name, storage=rdb)
    except KeyError:
        raise AudioMLError(f"no study {source_name!r} in the storage; run `audioml experiment "
                           f"{table}` first") from None
    try:
        chosen = source.best_trial
    except ValueError:
        raise AudioMLError(f"study {source_name!r} has no completed trial to repeat yet") from None
    attrs = source.user_attrs
    scale = float(attrs.get("epochs_scale", 1.0))
    if objective is None:
        objective, _ = _data_and_objective(table, data=data, epochs_scale=scale, seed=0,
                                           checkpoint_root=checkpoint_root,
                                           data_options=data_options)
    study = create_or_load(table, storage=rdb, study_name=seeds_study_name(source_name),
                           epochs_scale=scale, data=attrs.get("data", ""))
    if "params" not in study.user_attrs:
        study.set_user_attr("seeds_of", source_name)
        study.set_user_attr("source_trial", chosen.number)
        study.set_user_attr("params", chosen.params)
    elif study.user_attrs["params"] != chosen.params:
        raise AudioMLError(f"study {seeds_study_name(source_name)!r} repeats trial "
                           f"{study.user_attrs.get('source_trial')} of {source_name!r}, but the "
                           f"best trial is now {chosen.number}; delete the seed study to redo it")
    fail_stale(study)   # a dead worker's seed trial is queued again, not added twice
    wanted = SEEDS[:seeds]
    present = {t.user_attrs.get("seed") for t in study.get_trials(deepcopy=False)
               if t.state.name in ("COMPLETE", "RUNNING", "WAITING")}
    for value in wanted:
        if value not in present:
            study.enqueue_trial(chosen.params, user_attrs={"seed": value})
    complete = {t.user_attrs.get("seed") for t in study.get_trials(deepcopy=False)
                if t.state.name == "COMPLETE"}
    missing = len(set(wanted) - complete)
    _optimize(study, objective, _trials_needed(study, trials=None,
                                               total=_count(study, "COMPLETE") + missing),
              progress, queued_only=True)
    return study
