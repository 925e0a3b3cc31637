"""Create, load and run the studies of Tables 1-3 with Optuna.

Storage is a SQLite file by default (``runs/studies.db``); any Optuna RDB URL works
(``postgresql://...``, ``mysql+pymysql://...``), so several processes or machines can run
trials of one study at once: each worker calls :func:`run_study` with the same storage and
study name. The sampler is random by default, as the paper's searches were; TPE is an option.

A study records its table, epoch scale, sampler and data in its user attributes; loading it
again with a different epoch scale is refused, so one study never mixes scales.
"""

from __future__ import annotations

import datetime as _dt
import random
import time
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
    for attempt in range(SCHEMA_ATTEMPTS):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=kwargs)
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
    missing = [a for a in TABLE1_ARCHITECTURES if a not in seen][:trials]
    for arch in missing:
        study.enqueue_trial({"architecture": arch}, skip_if_exists=True)
    return len(missing)


def run_study(table: str, *, trials: int, epochs_scale: float = 1.0, storage: str | None = None,
              study_name: str | None = None, sampler: str = "random", seed: int | None = None,
              data: str | None = None, objective: Callable | None = None,
              data_description: str = "", progress: ProgressFn = no_progress, **data_options):
    """Run *trials* more trials of *table*'s search and return the study.

    Parameters
    ----------
    table : {"table1", "table2", "table3"}
    trials : int
        Trials this call runs (other workers may add their own to the same study).
    epochs_scale : float
        Factor in (0, 1] on every epoch count (at least one epoch is run).
    storage, study_name, sampler, seed
        See :func:`create_or_load`.
    data : str, optional
        FSDD folder (Tables 1-2) or songs folder (Table 3); default: the shared data folders.
    objective : callable, optional
        A ready trial function; by default it is built from the data
        (:mod:`audioml.experiments.objectives`). Tests pass tiny ones.
    progress : callable
        ``progress(done, trials, message)`` after each finished trial.
    **data_options
        Passed to the data loader (``max_train``/``max_test`` or ``collection``).
    """
    from audioml.experiments import objectives

    check_options(table, trials=trials, epochs_scale=epochs_scale, sampler=sampler)
    # Open the storage before loading any data: a bad URL should fail in a second, not a minute.
    rdb = storage_for(storage) if storage is None or isinstance(storage, str) else storage
    if objective is None:
        if table == "table3":
            loaded = objectives.load_melody_data(data, **data_options)
            objective = objectives.melody_objective(loaded, epochs_scale=epochs_scale,
                                                    seed=seed or 0)
        else:
            loaded = objectives.load_denoise_data(data, **data_options)
            objective = objectives.denoise_objective(table, loaded, epochs_scale=epochs_scale,
                                                     seed=seed or 0)
        data_description = data_description or loaded.description
    study = create_or_load(table, storage=rdb, study_name=study_name, sampler=sampler,
                           epochs_scale=epochs_scale, seed=seed, data=data_description)
    if table == "table1":
        enqueue_architectures(study, trials)
    done = [0]
    progress(0, trials, "starting")

    def report(study, trial) -> None:
        done[0] += 1
        try:
            best = f"best={study.best_value:.4g}"
        except ValueError:  # no completed trial yet
            best = "no completed trial"
        progress(done[0], trials, f"trial {trial.number}: {trial.state.name.lower()}, {best}")

    study.optimize(objective, n_trials=trials, callbacks=[report], gc_after_trial=True)
    return study
