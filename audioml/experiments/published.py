"""The method's published search results (Tables 1-3) and the ranges it states, as plain data.

Every number is copied from the paper. Table 2's published rows fall partly outside the
ranges the paper states for its own search (four learning rates above 0.001 and three epoch
counts below 60); both facts are kept, :func:`outside_ranges` names the offenders and
:func:`outside_counts` counts them per parameter.
"""

from __future__ import annotations

from audioml.errors import AudioMLError

#: Table 1: VAE architectures at eta = 0.0005, B = 32. Keys are the architecture names used
#: by the search space ("layers/latent").
TABLE1_ARCHITECTURES: dict[str, dict] = {
    "2/32": {"filters": [100, 50], "kernels": [3, 3], "strides": [2, 2], "latent_dim": 32},
    "2/64": {"filters": [100, 50], "kernels": [3, 3], "strides": [2, 2], "latent_dim": 64},
    "3/32": {"filters": [150, 100, 50], "kernels": [3, 3, 3], "strides": [2, 2, 2], "latent_dim": 32},
    "3/64": {"filters": [150, 100, 50], "kernels": [3, 3, 3], "strides": [2, 2, 2], "latent_dim": 64},
    "4/32": {"filters": [150, 100, 50, 50], "kernels": [5, 5, 5, 5], "strides": [1, 2, 2, 1],
             "latent_dim": 32},
}
TABLE1_FIXED = {"learning_rate": 0.0005, "batch_size": 32}
#: Table 1's epoch count, E = 50.
TABLE1_EPOCHS = 50
TABLE1 = [
    {"architecture": "2/32", "mse": 0.0018},
    {"architecture": "2/64", "mse": 0.0016},
    {"architecture": "3/32", "mse": 0.002},
    {"architecture": "3/64", "mse": 0.0019},
    {"architecture": "4/32", "mse": 0.0015},
]

#: Table 2: VAE hyperparameters, 2 conv layers, latent 64.
TABLE2_FIXED = {"architecture": "2/64"}
TABLE2_RANGES = {"learning_rate": (0.00005, 0.001), "batch_size": (15, 50), "epochs": (60, 140)}
TABLE2 = [
    {"learning_rate": 0.00347, "batch_size": 20, "epochs": 57, "mse": 0.0015},
    {"learning_rate": 0.00157, "batch_size": 29, "epochs": 50, "mse": 0.0015},
    {"learning_rate": 0.00202, "batch_size": 47, "epochs": 54, "mse": 0.0015},
    {"learning_rate": 0.00056, "batch_size": 37, "epochs": 102, "mse": 0.0015},
    {"learning_rate": 0.00205, "batch_size": 48, "epochs": 63, "mse": 0.0019},
    {"learning_rate": 0.00016, "batch_size": 33, "epochs": 77, "mse": 0.0017},
]
TABLE2_BEST = {"learning_rate": 0.002, "batch_size": 35, "epochs": 60}

#: Table 3: the melody LSTM; the metric is test next-step accuracy.
TABLE3_RANGES = {"units": (100, 300), "learning_rate": (0.0001, 0.01), "batch_size": (16, 64),
                 "epochs": (50, 100)}
TABLE3 = [
    {"units": 256, "learning_rate": 0.0010, "batch_size": 57, "epochs": 70, "accuracy": 0.83},
    {"units": 133, "learning_rate": 0.0061, "batch_size": 22, "epochs": 74, "accuracy": 0.72},
    {"units": 184, "learning_rate": 0.0028, "batch_size": 62, "epochs": 52, "accuracy": 0.85},
    {"units": 191, "learning_rate": 0.0086, "batch_size": 34, "epochs": 57, "accuracy": 0.75},
    {"units": 207, "learning_rate": 0.0008, "batch_size": 47, "epochs": 86, "accuracy": 0.85},
    {"units": 179, "learning_rate": 0.0024, "batch_size": 25, "epochs": 51, "accuracy": 0.76},
]
TABLE3_BEST = {"units": 184}

#: Per table: its rows, the metric and whether lower is better, and what the paper kept.
TABLES: dict[str, dict] = {
    "table1": {"title": "Table 1 - VAE architectures", "rows": TABLE1, "metric": "mse",
               "metric_label": "test spectrogram MSE", "direction": "minimize",
               "ranges": {}, "fixed": TABLE1_FIXED, "best": {"architecture": "4/32"}},
    "table2": {"title": "Table 2 - VAE hyperparameters", "rows": TABLE2, "metric": "mse",
               "metric_label": "test spectrogram MSE", "direction": "minimize",
               "ranges": TABLE2_RANGES, "fixed": TABLE2_FIXED, "best": TABLE2_BEST},
    "table3": {"title": "Table 3 - melody LSTM", "rows": TABLE3, "metric": "accuracy",
               "metric_label": "test next-step accuracy", "direction": "maximize",
               "ranges": TABLE3_RANGES, "fixed": {}, "best": TABLE3_BEST},
}


def table(name: str) -> dict:
    """The published data of table *name* (``"table1"``, ``"table2"`` or ``"table3"``)."""
    if name not in TABLES:
        raise AudioMLError(f"unknown table {name!r}; choose one of {', '.join(TABLES)}")
    return TABLES[name]


def outside_ranges(name: str) -> list[dict]:
    """Published rows of table *name* with a value outside the paper's stated range.

    Returns
    -------
    list of dict
        One per offending row: ``row`` (its index), ``values`` ``{parameter: value}`` of the
        out-of-range parameters.
    """
    info = table(name)
    found = []
    for i, row in enumerate(info["rows"]):
        bad = {k: row[k] for k, (lo, hi) in info["ranges"].items() if not lo <= row[k] <= hi}
        if bad:
            found.append({"row": i, "values": bad})
    return found


def outside_counts(name: str) -> list[dict]:
    """How many published rows of table *name* lie below or above each stated range.

    Returns
    -------
    list of dict
        One per parameter and side with at least one row there, in the order of the ranges:
        ``param``, ``side`` (``"below"`` or ``"above"``), ``bound`` (the range's end) and ``rows``
        (how many).
    """
    info = table(name)
    found = []
    for param, (lo, hi) in info["ranges"].items():
        values = [row[param] for row in info["rows"]]
        for side, bound, n in (("above", hi, sum(v > hi for v in values)),
                               ("below", lo, sum(v < lo for v in values))):
            if n:
                found.append({"param": param, "side": side, "bound": bound, "rows": n})
    return found


def span(name: str, param: str) -> tuple:
    """The smallest and largest *param* among table *name*'s published rows."""
    values = [row[param] for row in table(name)["rows"] if param in row]
    if not values:
        raise AudioMLError(f"table {name} has no parameter {param!r}; choose one of "
                           f"{', '.join(k for k in table(name)['rows'][0] if k != table(name)['metric'])}")
    return min(values), max(values)


def decimals(values) -> int:
    """The fewest decimals that write every one of *values* exactly (``0.0018`` -> 4), at most 10."""
    return next(d for d in range(11) if all(round(v, d) == v for v in values)) if values else 0


def printed_decimals(name: str) -> dict[str, int]:
    """The decimals of each fractional column of table *name* as the paper prints it, read from
    its rows: ``{"learning_rate": 5, "mse": 4}`` for Table 2 (its whole-number columns left out).

    A value printed with fewer (Table 1's 0.002) is shown with the column's decimals; see
    :func:`shorter_values`.
    """
    rows = table(name)["rows"]
    found = {}
    for key in rows[0]:
        values = [row[key] for row in rows]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) \
                and any(v != round(v) for v in values):
            found[key] = decimals(values)
    return found


def shorter_values(name: str, key: str) -> list[int]:
    """Rows of table *name* whose *key* the paper writes with fewer decimals than the column has."""
    wanted = printed_decimals(name).get(key, 0)
    return [i for i, row in enumerate(table(name)["rows"]) if decimals([row[key]]) < wanted]
