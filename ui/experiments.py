"""Streamlit helpers and plotly figures of the experiments page.

The figures come from Optuna's ``optuna.visualization``; the study they draw is rebuilt in
memory from the shipped report's trials, or loaded from ``runs/studies.db`` when that holds
the study, so the page draws the same way from either source.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from audioml.experiments import report as rep
from audioml.experiments.published import table as published_table
from audioml.experiments.spaces import distributions
from audioml.experiments.study import DEFAULT_STORAGE
from ui.plots import log_axis, title_layout

FONT = dict(size=15)
HEIGHT = 380


@st.cache_data(show_spinner=False)
def shipped_report() -> dict:
    """The shipped report ``reports/experiments.json`` (raises AudioMLError when unusable)."""
    return rep.load_report()


def live_storage() -> str | None:
    """The default SQLite storage URL when its file exists, else ``None``."""
    path = Path(DEFAULT_STORAGE.removeprefix("sqlite:///"))
    return DEFAULT_STORAGE if path.is_file() else None


@st.cache_data(show_spinner=False, ttl=60)
def live_report() -> dict | None:
    """A report made from ``runs/studies.db`` (refreshed each minute), or ``None`` without one."""
    import optuna

    storage = live_storage()
    if storage is None:
        return None
    try:
        names = {s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)}
        tables = {t: rep.study_summary(optuna.load_study(study_name=t, storage=storage))
                  for t in ("table1", "table2", "table3") if t in names}
    except Exception:  # noqa: BLE001 - a locked or foreign database simply means: use the report
        return None
    return {"tables": tables} if tables else None


def memory_study(table: str, trials: list[dict]):
    """An in-memory Optuna study holding *trials* (report rows), for ``optuna.visualization``."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dists = distributions(table)
    study = optuna.create_study(direction=published_table(table)["direction"])
    for t in rep.completed(trials):
        params = {k: v for k, v in t["params"].items() if k in dists}
        if set(params) != set(dists):
            continue
        study.add_trial(optuna.trial.create_trial(
            params=params, distributions={k: dists[k] for k in params}, value=float(t["metric"]),
            user_attrs={k: v for k, v in t.items() if k in rep.TRIAL_KEYS}))
    return study


def _style(fig: go.Figure, title: str) -> go.Figure:
    title_dict, top = title_layout(title, size=17)
    fig.update_layout(title=title_dict, height=HEIGHT, font=FONT, margin=dict(l=60, r=20, t=top, b=50))
    return fig


def history_figure(study, metric_label: str) -> go.Figure:
    """Optuna's optimisation history: each trial's metric and the best so far."""
    from optuna.visualization import plot_optimization_history

    fig = plot_optimization_history(study, target_name=metric_label)
    return _style(fig, "Optimisation history")


def parallel_figure(study, metric_label: str) -> go.Figure:
    """Optuna's parallel coordinates: every trial's parameters joined to its metric."""
    from optuna.visualization import plot_parallel_coordinate

    return _style(plot_parallel_coordinate(study, target_name=metric_label), "Parallel coordinates")


def importance_figure(study, metric_label: str) -> go.Figure | None:
    """Optuna's parameter importances (fANOVA), or ``None`` when they cannot be estimated.

    They need at least two completed trials whose parameters differ and whose metrics differ
    (with one metric for all, every parameter would get the same share of nothing).
    """
    from optuna.visualization import plot_param_importances

    trials = [t for t in study.trials if t.value is not None]
    if (len(trials) < 2 or len({tuple(sorted(t.params.items())) for t in trials}) < 2
            or len({t.value for t in trials}) < 2):
        return None
    try:
        fig = plot_param_importances(study, target_name=metric_label)
    except (RuntimeError, ValueError, ZeroDivisionError):
        return None
    return _style(fig, "Parameter importance")


def published_vs_ours(table: str, trials: list[dict], param: str) -> go.Figure:
    """The metric against one parameter: the published rows and our trials on one plot."""
    info = published_table(table)
    metric = info["metric"]
    fig = go.Figure()
    pub = info["rows"]
    fig.add_trace(go.Scatter(x=[r[param] for r in pub], y=[r[metric] for r in pub], mode="markers",
                             name="published", marker=dict(size=13, symbol="diamond", color="#e8590c")))
    ours = rep.completed(trials)
    fig.add_trace(go.Scatter(x=[t["params"].get(param) for t in ours], y=[t["metric"] for t in ours],
                             mode="markers", name="ours", marker=dict(size=11, color="#3b5bdb"),
                             text=[f"trial {t['number']}" for t in ours]))
    lo_hi = info["ranges"].get(param)
    if lo_hi:
        fig.add_vrect(x0=lo_hi[0], x1=lo_hi[1], fillcolor="#2f9e44", opacity=0.08, line_width=0,
                      annotation_text="stated range", annotation_position="top left")
    xs = [v for v in [r[param] for r in pub] + [t["params"].get(param) for t in ours] if v]
    ys = [v for v in [r[metric] for r in pub] + [t["metric"] for t in ours] if v]
    fig.update_xaxes(title=param.replace("_", " "))
    if param == "learning_rate" and xs:
        fig.update_xaxes(**log_axis(min(xs), max(xs), pad=1.3))
    fig.update_yaxes(title=info["metric_label"])
    if metric == "mse" and ys:
        fig.update_yaxes(**log_axis(min(ys), max(ys), pad=1.3))
    return _style(fig, f"{info['metric_label']} against {param.replace('_', ' ')}")


def table1_bars(trials: list[dict]) -> go.Figure:
    """Table 1's test MSE per architecture: published beside our best trial (log scale)."""
    from audioml.experiments.compare import table1_side_by_side

    rows = table1_side_by_side(trials)
    names = [r["layers/latent"] for r in rows]
    fig = go.Figure([
        go.Bar(x=names, y=[r["published mse"] for r in rows], name="published", marker_color="#e8590c"),
        go.Bar(x=names, y=[r["our mse"] for r in rows], name="ours", marker_color="#3b5bdb"),
    ])
    fig.update_xaxes(title="conv layers / latent size")
    values = [v for r in rows for v in (r["published mse"], r["our mse"]) if v]
    fig.update_yaxes(title="test spectrogram MSE", **(log_axis(min(values), max(values), pad=1.5)
                                                       if values else dict(type="log")))
    return _style(fig, "Published and ours, per architecture")


#: Short headers for long column names (the full name is the header's tooltip).
SHORT_HEADERS = {"always-hold accuracy": "always-hold", "test NLL (nats)": "NLL (nats)",
                 "training time (s)": "time (s)", "inside stated ranges": "in ranges"}


def _column(name: str, values: pd.Series, *, first: bool = False):
    """A compact column: a short header, numbers to three or four significant digits, big
    counts as 3.2M; the *first* column stays pinned while a phone scrolls the rest."""
    label, tip = SHORT_HEADERS.get(name, name), name if name in SHORT_HEADERS else None
    common = dict(help=tip, pinned=first or None)
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return st.column_config.Column(label, **common)
    if name == "parameters":
        return st.column_config.NumberColumn(label, format="compact", **common)
    if pd.api.types.is_integer_dtype(values):
        return st.column_config.NumberColumn(label, format="%d", **common)
    return st.column_config.NumberColumn(label, format="%.4g" if "mse" in name else "%.3g", **common)


def table(rows: list[dict]) -> None:
    """Rows of a comparison as a dataframe as wide as the page, every column in view on a desktop
    (numbers rounded for display); a phone scrolls it sideways with the first column pinned."""
    frame = pd.DataFrame(rows)
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={c: _column(c, frame[c], first=i == 0) for i, c in enumerate(frame.columns)})
