"""Search spaces of Tables 1-3, matching the ranges the paper states.

A space is a tuple of :class:`Param`; :func:`suggest` draws one configuration from an Optuna
trial and :func:`distributions` gives Optuna's distribution objects (for enqueued trials and
plots). Epoch counts are drawn on the published scale; the study scales them afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from audioml.errors import AudioMLError
from audioml.experiments.published import TABLE1_ARCHITECTURES, TABLE2_RANGES, TABLE3_RANGES


@dataclass(frozen=True)
class Param:
    """One searched parameter.

    Attributes
    ----------
    name : str
    kind : {"float", "int", "categorical"}
    low, high : float or int
        Inclusive bounds (numbers only).
    log : bool
        Draw on a log scale (floats only).
    choices : tuple
        The choices of a categorical.
    """

    name: str
    kind: str
    low: float | int | None = None
    high: float | int | None = None
    log: bool = False
    choices: tuple = ()


SPACES: dict[str, tuple[Param, ...]] = {
    "table1": (Param("architecture", "categorical", choices=tuple(TABLE1_ARCHITECTURES)),),
    "table2": (
        Param("learning_rate", "float", *TABLE2_RANGES["learning_rate"], log=True),
        Param("batch_size", "int", *TABLE2_RANGES["batch_size"]),
        Param("epochs", "int", *TABLE2_RANGES["epochs"]),
    ),
    "table3": (
        Param("units", "int", *TABLE3_RANGES["units"]),
        Param("learning_rate", "float", *TABLE3_RANGES["learning_rate"], log=True),
        Param("batch_size", "int", *TABLE3_RANGES["batch_size"]),
        Param("epochs", "int", *TABLE3_RANGES["epochs"]),
    ),
}


def space(table: str) -> tuple[Param, ...]:
    """The search space of *table*; raise :class:`AudioMLError` naming the tables."""
    if table not in SPACES:
        raise AudioMLError(f"unknown table {table!r}; choose one of {', '.join(SPACES)}")
    return SPACES[table]


def suggest(trial, table: str) -> dict:
    """Draw one configuration of *table* from an Optuna *trial*; return ``{name: value}``."""
    values = {}
    for p in space(table):
        if p.kind == "categorical":
            values[p.name] = trial.suggest_categorical(p.name, list(p.choices))
        elif p.kind == "int":
            values[p.name] = trial.suggest_int(p.name, int(p.low), int(p.high))
        else:
            values[p.name] = trial.suggest_float(p.name, float(p.low), float(p.high), log=p.log)
    return values


def distributions(table: str) -> dict:
    """Optuna distributions of *table*'s space, ``{name: BaseDistribution}``."""
    from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                      IntDistribution)

    out = {}
    for p in space(table):
        if p.kind == "categorical":
            out[p.name] = CategoricalDistribution(list(p.choices))
        elif p.kind == "int":
            out[p.name] = IntDistribution(int(p.low), int(p.high))
        else:
            out[p.name] = FloatDistribution(float(p.low), float(p.high), log=p.log)
    return out


def scaled_epochs(epochs: int, scale: float) -> int:
    """Epochs actually run for a published count *epochs* at *scale*: at least one."""
    return max(1, int(round(epochs * scale)))
