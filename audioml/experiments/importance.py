"""Parameter importances of a search (fANOVA), with their spread over bootstrap resamples.

A search of six trials gives fANOVA six points in three or four dimensions: its importances
move a lot when one trial is left out or counted twice. :func:`importance_spread` therefore
reports, per parameter, the median and the 10-90% range over resamples of the trials (drawn
with replacement), so that a page can show how little the ranking is settled.

Optuna loads inside the functions, as everywhere in :mod:`audioml.experiments`.
"""

from __future__ import annotations

import numpy as np

from audioml.errors import AudioMLError
from audioml.experiments.published import table as published_table
from audioml.experiments.report import TRIAL_KEYS, completed
from audioml.experiments.spaces import distributions

#: Bootstrap resamples of the trials; with fANOVA's forest cut to :data:`N_TREES` trees they
#: cost a few seconds once per set of trials.
RESAMPLES = 40
#: Trees of each resample's fANOVA forest (Optuna's default is 64; the spread between
#: resamples dwarfs what fewer trees add).
N_TREES = 16
#: The quantiles of the range shown beside the median.
QUANTILES = (0.1, 0.9)


def memory_study(table: str, trials: list[dict]):
    """An in-memory Optuna study of *table* holding the completed *trials* (report rows) that
    have every parameter of the table's space."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dists = distributions(table)
    study = optuna.create_study(direction=published_table(table)["direction"])
    for t in completed(trials):
        params = {k: v for k, v in t["params"].items() if k in dists}
        if set(params) != set(dists):
            continue
        study.add_trial(optuna.trial.create_trial(
            params=params, distributions={k: dists[k] for k in params}, value=float(t["metric"]),
            user_attrs={k: v for k, v in t.items() if k in TRIAL_KEYS}))
    return study


def _estimable(trials: list[dict]) -> bool:
    """fANOVA needs two configurations that differ and two metrics that differ."""
    return (len({tuple(sorted(t["params"].items())) for t in trials}) >= 2
            and len({t["metric"] for t in trials}) >= 2)


def importances(table: str, trials: list[dict], *, seed: int = 0, n_trees: int = N_TREES
                ) -> dict[str, float] | None:
    """fANOVA's importance of each parameter of *table* from *trials* (shares adding up to 1),
    or ``None`` where they cannot be estimated (see :func:`importance_spread`)."""
    from optuna.importance import FanovaImportanceEvaluator, get_param_importances

    study = memory_study(table, trials)
    kept = [{"params": t.params, "metric": t.value} for t in study.trials]
    if len(kept) < 2 or not _estimable(kept):
        return None
    try:
        found = get_param_importances(study, evaluator=FanovaImportanceEvaluator(
            n_trees=n_trees, seed=seed))
    except (RuntimeError, ValueError, ZeroDivisionError):
        return None
    return {k: float(v) for k, v in found.items()}


def importance_spread(table: str, trials: list[dict], *, resamples: int = RESAMPLES,
                      seed: int = 0, n_trees: int = N_TREES) -> dict | None:
    """Each parameter's fANOVA importance over bootstrap resamples of *trials*.

    Parameters
    ----------
    table : {"table2", "table3"}
        The search (Table 1 has one parameter, whose importance is 1 by definition).
    trials : list of dict
        The table's report rows; only completed trials with every parameter count.
    resamples : int
        Resamples drawn, each as many trials as there are, with replacement. A resample whose
        configurations or metrics are all alike is drawn again (at most twice as many draws).
    seed : int
        Seed of the resampling and of each forest.

    Returns
    -------
    dict or None
        ``None`` where fANOVA cannot be estimated on the trials themselves (fewer than two, or
        all configurations or all metrics the same). Else ``trials`` (how many), ``resamples``
        (how many gave importances), ``quantiles`` and ``params``: ``{name: {"all", "median",
        "low", "high"}}`` ordered by median, largest first; ``all`` is the importance from every
        trial once, ``low`` and ``high`` the :data:`QUANTILES` over the resamples.
    """
    if resamples < 1:
        raise AudioMLError(f"resamples must be at least 1; got {resamples}")
    study = memory_study(table, trials)
    rows = [{"number": t.number, "state": "complete", "params": t.params, "metric": t.value}
            for t in study.trials]
    whole = importances(table, rows, seed=seed, n_trees=n_trees)
    if whole is None:
        return None
    rng = np.random.default_rng(seed)
    found: dict[str, list[float]] = {k: [] for k in whole}
    for _ in range(2 * resamples):
        if len(found[next(iter(found))]) == resamples:
            break
        drawn = [rows[i] for i in rng.integers(0, len(rows), size=len(rows))]
        share = importances(table, drawn, seed=seed, n_trees=n_trees) if _estimable(drawn) else None
        if share is not None:
            for k in found:
                found[k].append(share.get(k, 0.0))
    used = len(found[next(iter(found))])
    params = {}
    for k, values in found.items():
        low, median, high = (np.quantile(values, [QUANTILES[0], 0.5, QUANTILES[1]])
                             if values else (whole[k],) * 3)
        params[k] = {"all": whole[k], "median": float(median), "low": float(low),
                     "high": float(high)}
    ordered = dict(sorted(params.items(), key=lambda kv: -kv[1]["median"]))
    return {"trials": len(rows), "resamples": used, "quantiles": QUANTILES, "params": ordered}


def spread_note(spread: dict, labels: dict[str, str] | None = None) -> str:
    """What the importances of a few trials can say, in two or three sentences, from *spread*."""
    labels = labels or {}
    lo, hi = (round(q * 100) for q in spread["quantiles"])
    params = spread["params"]
    top, *rest = params
    overlapping = [labels.get(k, k) for k in rest if params[k]["high"] >= params[top]["low"]]
    n = spread["trials"]
    how = (f"Each bar is the median fANOVA importance over {spread['resamples']} bootstrap "
           f"resamples of the {n} trials (drawn with replacement), its whisker the {lo}–{hi}% range.")
    if overlapping:
        named = (", ".join(overlapping[:-1]) + " and " + overlapping[-1] if len(overlapping) > 1
                 else overlapping[0])
        return (f"From {n} trials these importances are within noise: the range of "
                f"{labels.get(top, top)} (largest median) overlaps that of {named}, so the ranking "
                f"is not settled. {how}")
    return (f"The range of {labels.get(top, top)} lies above every other parameter's, but {n} trials "
            f"are few: a trial more or less can still reorder them. {how}")
