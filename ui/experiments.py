"""Streamlit helpers and plotly figures of the experiments page.

The figures come from Optuna's ``optuna.visualization``; the study they draw is rebuilt in
memory from the shipped report's trials, or loaded from ``runs/studies.db`` when that holds
the study, so the page draws the same way from either source.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from audioml.experiments import report as rep
from audioml.experiments.published import table as published_table
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


@st.cache_resource(show_spinner=False)
def _opened_storage(url: str):
    """One opened Optuna storage per URL and process: opening one checks its schema (Alembic
    loads every migration script), which cost more than reading all the trials."""
    from audioml.experiments.study import storage_for

    return storage_for(url)


@st.cache_data(show_spinner=False, ttl=60)
def live_report() -> dict | None:
    """A report made from ``runs/studies.db`` (refreshed each minute), or ``None`` without one."""
    storage = live_storage()
    if storage is None:
        return None
    try:
        report = rep.collect(_opened_storage(storage))
    except Exception:  # noqa: BLE001 - a locked or foreign database simply means: use the report
        return None
    return report if report["tables"] else None


def running_note(trials: list[dict]) -> str:
    """``", trial 7 running (epoch 12)"`` for the trials still training, else ``""``."""
    running = [t for t in trials if t.get("state") in ("running", "waiting")]
    return "".join(f", trial {t['number']} {t['state']} (epoch {t.get('epochs_done', 0)} done)"
                   for t in running)


@st.cache_data(show_spinner=False)
def pilot_report() -> dict | None:
    """The earlier quick searches' report, or ``None`` when it is not shipped."""
    return rep.load_pilot()


def seeds_section(table_name: str, entry: dict) -> None:
    """The seed study of *table_name*: its trials and how their spread compares."""
    from audioml.experiments import compare

    st.markdown("**The chosen configuration with more seeds**")
    sentence = compare.seed_sentence(table_name, entry)
    seeds = (entry.get("seeds") or {}).get("trials", [])
    if seeds:
        table(compare.our_rows(table_name, seeds, entry.get("epochs_scale"), seeds=True))
    if sentence:
        st.info(sentence)
    elif seeds:
        st.caption(f"No seed has finished yet{running_note(seeds)}; their spread shows once one has.")
    else:
        st.caption("Not run yet: the seeds follow once this search has all its trials.")


def pilot_section(table_name: str) -> None:
    """The earlier quick search of *table_name* (a fraction of the epochs), in an expander."""
    from audioml.experiments import compare

    pilot = pilot_report()
    entry = (pilot or {}).get("tables", {}).get(table_name)
    if not entry:
        return
    with st.expander(f"The earlier quick search (epochs × {entry.get('epochs_scale')})"):
        st.caption(entry.get("data", ""))
        table(compare.our_rows(table_name, entry["trials"], entry.get("epochs_scale")))
        st.caption(compare.discussion(table_name, entry))


def memory_study(table: str, trials: list[dict]):
    """An in-memory Optuna study holding *trials* (report rows), for ``optuna.visualization``."""
    from audioml.experiments.importance import memory_study as study_of

    return study_of(table, trials)


@st.cache_data(show_spinner=False, max_entries=32)
def importance_spread(table: str, trials: list[dict]) -> dict | None:
    """fANOVA importances over bootstrap resamples of *trials*, computed once per set of trials
    and process (a few seconds) and shared by every session."""
    from audioml.experiments.importance import importance_spread as spread

    return spread(table, trials)


def _style(fig: go.Figure, title: str) -> go.Figure:
    title_dict, top = title_layout(title, size=17)
    fig.update_layout(title=title_dict, height=HEIGHT, font=FONT, margin=dict(l=60, r=20, t=top, b=50))
    return fig


def history_figure(study, metric_label: str) -> go.Figure:
    """Optuna's optimisation history: each trial's metric and the best so far."""
    from optuna.visualization import plot_optimization_history

    fig = plot_optimization_history(study, target_name=metric_label)
    fig = _style(fig, "Optimisation history")
    # Below the plot, not over it: on a phone a legend at the side takes half the width.
    fig.update_layout(legend=dict(orientation="h", y=-0.25, yanchor="top", x=0),
                      height=HEIGHT + 40, margin=dict(b=90))
    return fig


#: Axis names of the parallel coordinates, short enough that five sit side by side on a phone.
SHORT_METRIC = {"mse": "MSE", "accuracy": "accuracy"}
#: Decimals of each metric wherever the page shows one of ours.
METRIC_DECIMALS = {"mse": 4, "accuracy": 3}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _ticks(texts: list[str], decimals: int | None = None) -> list[str]:
    """One parallel axis's labels in one format: the metric to its *decimals*, whole numbers as
    they are, small ones as ``9.2e-5`` (every label of that axis, so that ``3.7e-4`` never stands
    beside ``0.00037``), others to two significant digits; categories (architectures) as given."""
    if not all(_is_number(t) for t in texts):
        return texts
    values = [float(t) for t in texts]
    if decimals is not None:
        return [f"{v:.{decimals}f}" for v in values]
    if all(v == round(v) for v in values):
        return [f"{v:.0f}" for v in values]
    if min(abs(v) for v in values) < 0.01:
        return [f"{v:.1e}".replace("e-0", "e-") for v in values]
    return [f"{v:.2g}" for v in values]


def parallel_figure(study, metric: str) -> go.Figure:
    """Optuna's parallel coordinates, every trial's parameters joined to its *metric*, made to
    read on a phone and a projector: one-letter axis names (η, B, E, n) set level, each numeric
    axis labelled at its two ends only, to two digits, and no colour bar (the first axis is the
    metric the lines are coloured by)."""
    from optuna.visualization import plot_parallel_coordinate

    from audioml.experiments.compare import PARAM_LABELS

    name = SHORT_METRIC.get(metric, metric)
    fig = plot_parallel_coordinate(study, target_name=name)
    for trace in fig.data:
        if trace.marker is not None and trace.marker.showscale:
            trace.marker.showscale = False
    axis = fig.layout.xaxis
    if axis.ticktext:
        fig.update_xaxes(ticktext=[PARAM_LABELS.get(t, t) for t in axis.ticktext], tickangle=0,
                         tickfont=dict(size=15))
    by_axis: dict = {}
    for note in fig.layout.annotations:
        by_axis.setdefault(note.x, []).append(note)
    kept = []
    for x, notes in sorted(by_axis.items()):
        ends = sorted(notes, key=lambda n: n.y)
        if all(_is_number(n.text) for n in ends) and len(ends) > 1:
            ends = [ends[0], ends[-1]]
        texts = _ticks([n.text for n in ends], METRIC_DECIMALS.get(metric) if x == 0 else None)
        kept += [n.update(text=t, font=dict(size=12, color="#495057")) for n, t in zip(ends, texts)]
    fig.layout.annotations = kept
    fig = _style(fig, "Parallel coordinates")
    fig.update_layout(margin=dict(l=50, r=20, b=40))
    return fig


def importance_note(table: str, trials: list[dict]) -> str | None:
    """What the importance chart beside it can say from so few trials (``None`` without one)."""
    from audioml.experiments.importance import spread_note

    spread = importance_spread(table, trials)
    if spread is None:
        return None
    return spread_note(spread, {k: k.replace("_", " ") for k in spread["params"]})


def importance_figure(spread: dict | None) -> go.Figure | None:
    """Each parameter's importance: a bar at the median over the resamples of
    :func:`audioml.experiments.importance.importance_spread`, a whisker over its 10-90% range;
    ``None`` without a spread (fewer than two trials, or all alike)."""
    if spread is None:
        return None
    params = list(spread["params"].items())[::-1]   # largest at the top
    names = [k.replace("_", " ") for k, _ in params]
    med = [p["median"] for _, p in params]
    fig = go.Figure(go.Bar(
        x=med, y=names, orientation="h", marker_color="#3b5bdb", name="median",
        error_x=dict(type="data", symmetric=False, array=[p["high"] - p["median"] for _, p in params],
                     arrayminus=[p["median"] - p["low"] for _, p in params], color="#212529",
                     thickness=2, width=6),
        customdata=[[p["low"], p["high"], p["all"]] for _, p in params],
        hovertemplate="%{y}: median %{x:.2f}, 10–90%: %{customdata[0]:.2f}–%{customdata[1]:.2f}"
                      "; all trials once %{customdata[2]:.2f}<extra></extra>"))
    fig.update_xaxes(title="importance (fANOVA share)", range=[0, 1])
    fig.update_yaxes(automargin=True)
    fig = _style(fig, "Parameter importance")
    fig.update_layout(showlegend=False)
    return fig


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
    # Short enough to stay whole on a phone; the y axis says which test metric.
    short = SHORT_METRIC.get(metric, metric)
    return _style(fig, f"{short[:1].upper()}{short[1:]} against {param.replace('_', ' ')}")


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
    return _style(fig, "MSE per architecture")


@st.cache_resource(show_spinner=False, max_entries=32)
def table_figures(table: str, trials: list[dict]) -> dict[str, go.Figure | None]:
    """The plots under *table*'s trials, built once per set of trials and shared by every
    session (no session changes a figure after it is built).

    Returns
    -------
    dict
        ``{}`` when no trial has completed; else ``"history"``, ``"parallel"``, ``"importance"``
        (``None`` when it cannot be estimated, and for Table 1's single parameter) and
        ``"against"`` (Table 1: published and ours per architecture; else the metric against
        the learning rate).
    """
    study = memory_study(table, trials)
    if not study.trials:
        return {}
    label = published_table(table)["metric_label"]
    single = table == "table1"
    return {"history": history_figure(study, label),
            "parallel": parallel_figure(study, published_table(table)["metric"]),
            "importance": None if single else importance_figure(importance_spread(table, trials)),
            "against": table1_bars(trials) if single else published_vs_ours(table, trials,
                                                                            "learning_rate")}


#: Short headers for long column names (the full name is the header's tooltip).
SHORT_HEADERS = {"always-hold accuracy": "always-hold", "test NLL (nats)": "NLL (nats)",
                 "training time (s)": "time (s)", "training CPU (s)": "CPU (s)",
                 "inside stated ranges": "in ranges",
                 "test answers inside training windows": "leaked",
                 "test accuracy (musical steps)": "test acc.",
                 "test accuracy (all steps, with delimiters)": "test acc. (all)",
                 "test onset accuracy": "onsets", "training accuracy (musical steps)": "train acc.",
                 "test windows": "test win."}
#: What a column measures, where its full name does not say enough.
TIPS = {"training time (s)": "Wall-clock seconds in training, summed over a resumed trial's runs. "
                             "The trials shared two cores with other work, so a time says how long "
                             "the trial took here, not how costly its configuration is: compare "
                             "CPU seconds where recorded, or parameters.",
        "training CPU (s)": "CPU seconds the training process spent, summed over its threads and "
                            "a resumed trial's runs: other work on the machine and pauses add "
                            "nothing to it, so it compares configurations' cost. Trials run before "
                            "it was recorded show a dash."}


#: Columns of shares from 0 to 1, written with decimals even where every share is 0 or 1.
FRACTIONS = {"test answers inside training windows"}


def number_format(name: str, values: pd.Series, decimals: dict[str, int] | None = None) -> str:
    """One printf format for a numeric column, the same for every cell of it: *decimals* where
    given (the paper's, for its published columns), else by what the column holds: whole numbers
    as they are, MSEs to four decimals, accuracies and NLLs to three, seconds whole, η to six."""
    from audioml.experiments.compare import OUR_DECIMALS

    if decimals and name in decimals:
        return f"%.{decimals[name]}f"
    if pd.api.types.is_integer_dtype(values):
        return "%d"
    if "mse" in name:
        return f"%.{OUR_DECIMALS['mse']}f"
    if "acc" in name or "onsets" in name or "NLL" in name or "always-hold" in name:
        return f"%.{OUR_DECIMALS['accuracy']}f"
    if name.endswith("(s)"):
        return "%.0f"
    if name == "η":
        return "%.6f"
    known = values.dropna()
    if len(known) and (known == known.round()).all() and name not in FRACTIONS:
        return "%d"    # whole numbers with a gap (a trial not run yet) are floats to pandas
    return "%.2f"


def _column(name: str, values: pd.Series, *, first: bool = False,
            decimals: dict[str, int] | None = None):
    """A compact column: a short header, one number format for all its cells
    (:func:`number_format`), big counts as 3.2M; the *first* column stays pinned while a phone
    scrolls the rest."""
    label = SHORT_HEADERS.get(name, name)
    tip = TIPS.get(name) or (name if name in SHORT_HEADERS else None)
    common = dict(help=tip, pinned=first or None)
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return st.column_config.Column(label, **common)
    if name == "parameters":
        return st.column_config.NumberColumn(label, format="compact", **common)
    return st.column_config.NumberColumn(label, format=number_format(name, values, decimals), **common)


def table(rows: list[dict], *, decimals: dict[str, int] | None = None) -> None:
    """Rows of a comparison as a dataframe as wide as the page, every column in view on a desktop,
    each numeric column in one format (*decimals* fixes a column's, as the paper prints it); a
    phone scrolls it sideways with the first column pinned. A value not there yet (a running
    trial's metric) shows as a dash, not as "None"."""
    frame = pd.DataFrame(rows)
    st.dataframe(frame, hide_index=True, width="stretch", placeholder="—",
                 column_config={c: _column(c, frame[c], first=i == 0, decimals=decimals)
                                for i, c in enumerate(frame.columns)})


# --- the paper's figures under its own protocol ---------------------------------------------------

@st.cache_data(show_spinner=False)
def snr_sweep_report() -> dict | None:
    """The shipped SNR sweep (``reports/denoise_snr_sweep.json``), or ``None`` without one."""
    from audioml.experiments import fidelity

    return _shipped_or_none(fidelity.load_snr_sweep)


@st.cache_data(show_spinner=False)
def protocols_report() -> dict | None:
    """The shipped melody protocols report (``reports/melody_protocols.json``), or ``None``."""
    from audioml.experiments import fidelity

    return _shipped_or_none(fidelity.load_protocols)


def _shipped_or_none(load) -> dict | None:
    """``load()``, or ``None`` where the report is not shipped (it raises AudioMLError)."""
    from audioml.errors import AudioMLError

    try:
        return load()
    except AudioMLError:
        return None


#: Lines of the SNR sweep: report key, legend name, colour, dash.
SWEEP_LINES = (("vae_denoiser", "VAE (vae_denoiser)", "#3b5bdb", "solid"),
               ("dcae_denoiser", "DCAE (dcae_denoiser)", "#0b7285", "solid"),
               ("noisy", "noisy input", "#868e96", "dot"))


def snr_sweep_figure(report: dict, space: str = "spectrogram_mse") -> go.Figure:
    """Test MSE against SNR on a log scale, with the published 0.0015 as a line.

    The noise-free condition is drawn one step right of the highest SNR, labelled "no noise".
    """
    from audioml.experiments.fidelity import PUBLISHED_MSE, noise_free, sweep_series

    target = report.get("published_mse", PUBLISHED_MSE)
    snrs = [c["snr_db"] for c in report["conditions"] if c["snr_db"] is not None]
    top = max(snrs)
    free_x = top + (snrs[-1] - snrs[-2] if len(snrs) > 1 else 10)
    fig = go.Figure()
    values = [target]
    for key, name, colour, dash in SWEEP_LINES:
        xs, ys = sweep_series(report, key, space)
        if not any(v is not None for v in ys):
            continue
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=name,
                                 line=dict(color=colour, dash=dash, width=3), marker=dict(size=9)))
        free = noise_free(report, key, space)
        if free:   # 0 (the clean image itself) has no place on a log axis
            fig.add_trace(go.Scatter(x=[free_x], y=[free], mode="markers", name=f"{name}, no noise",
                                     marker=dict(color=colour, size=12, symbol="diamond"),
                                     showlegend=False))
            values.append(free)
        values += [v for v in ys if v]
    oracle = [c["references"]["clean_neighbour_oracle_mse"] for c in report["conditions"]
              if c["snr_db"] is not None]
    if oracle:
        fig.add_trace(go.Scatter(x=snrs, y=oracle, mode="lines", name="oracle (knows the clean image)",
                                 line=dict(color="#2f9e44", dash="dash", width=2)))
        values += oracle
    fig.add_hline(y=target, line=dict(color="#e8590c", width=2))
    # On a log axis an annotation's y is the exponent (add_hline's own label lands elsewhere).
    fig.add_annotation(x=snrs[len(snrs) // 2], y=float(np.log10(target)), text=f"published {target:g}",
                       showarrow=False, yshift=12, font=dict(color="#e8590c", size=14))
    ticks = snrs + [free_x]
    fig.update_xaxes(title="SNR of the added white noise (dB)", tickmode="array", tickvals=ticks,
                     ticktext=[f"{s:g}" for s in snrs] + ["no noise"])
    fig.update_yaxes(title="test spectrogram MSE", **log_axis(min(values), max(values), pad=1.4))
    fig.update_layout(legend=dict(orientation="h", y=-0.3, yanchor="top"))
    fig = _style(fig, "Test MSE against the noise level")
    fig.update_layout(height=HEIGHT + 110, margin=dict(l=80, b=130))
    return fig


def sweep_table(report: dict, space: str = "spectrogram_mse") -> list[dict]:
    """The sweep as rows: one per condition, one column per method and the oracle."""
    rows = []
    for c in report["conditions"]:
        row = {"SNR": "no noise" if c["snr_db"] is None else f"{c['snr_db']:g} dB"}
        for key, name, _, _ in SWEEP_LINES:
            if key in c["methods"]:
                row[f"{name.split(' (')[0]} mse"] = c["methods"][key][space]
        row["oracle mse"] = c["references"]["clean_neighbour_oracle_mse"]
        rows.append(row)
    return rows


def snr_sweep_section() -> None:
    """The published 0.0015 against the noise level: the sweep's plot, sentence and table."""
    from audioml.experiments import compare, fidelity

    st.markdown(f"#### Tables 1 and 2: the published MSE of {fidelity.PUBLISHED_MSE:g} and the noise level")
    st.markdown(
        "The paper's MSE is taken in spectrogram images min–max scaled one by one, so the level of "
        "the added noise decides how much of the [0, 1] range the noise floor takes and what an MSE "
        "is worth; the paper does not state that level. Here the shipped VAE and DCAE (trained at "
        "10 dB on FSDD's random 80/20 split) are scored on that split's test clips at every SNR, "
        "beside the noisy input itself and an oracle that knows the clean image.")
    report = snr_sweep_report()
    if report is None:
        st.info("No SNR sweep shipped; run `audioml experiment snr-sweep` to write "
                "reports/denoise_snr_sweep.json.")
        return
    paper_space = st.toggle("Scale each clean target by its own min and max (the paper's space)",
                            key="ex_sweep_space",
                            help=f"Off: our training target ({compare.TARGET_SCALING}), which a "
                                 "denoiser can undo. On: the clean clip's own range, which only a "
                                 "scorer knows.")
    space = "spectrogram_mse_clean_range" if paper_space else "spectrogram_mse"
    st.plotly_chart(snr_sweep_figure(report, space), key="ex_sweep_fig")
    st.info(fidelity.sweep_sentence(report, space))
    with st.expander("The sweep as a table"):
        table(sweep_table(report, space))
        st.caption(f"{report.get('split', '')}. Made {report.get('created', '-')} with "
                   f"`audioml experiment snr-sweep`.")


def protocols_section() -> None:
    """Table 3's accuracy under the paper's split (random windows) and ours (whole songs)."""
    from audioml.experiments import fidelity

    st.markdown(f"#### The published accuracy of {fidelity.PUBLISHED_ACCURACY:g} and the paper's split")
    st.markdown(
        "The paper cut 58 songs into about 25,000 windows of 64 steps and split the *windows* "
        "80/20 at random. Windows one step apart share all but one step, so a test window's "
        "answer is, in its own context, inside the training windows next to it. Our studies hold "
        "whole songs out. The same small LSTM was trained once under each split, on the same songs.")
    report = protocols_report()
    if report is None:
        st.info("No protocols report shipped; run `audioml experiment melody-protocols` to write "
                "reports/melody_protocols.json.")
        return
    # The split is said above and in the sentence below; the table keeps to the figures.
    table([{k: v for k, v in row.items() if k != "split"} for row in fidelity.protocol_rows(report)])
    st.info(fidelity.protocol_sentence(report))
    curves = protocol_curves_figure(report)
    if curves is not None:
        st.plotly_chart(curves, key="ex_protocol_curves")
        st.caption("Accuracy on a sample of each split's test and training windows after every "
                   "epoch, recorded only: neither run chose anything by it.")
    cfg = report.get("config", {})
    st.caption(f"Songs: {safe_data(report.get('data', ''))}. {report.get('windows', 0):,} windows of "
               f"{report.get('window')} steps; LSTM of {cfg.get('units')} units, η = "
               f"{cfg.get('learning_rate')}, B = {cfg.get('batch_size')}, at most "
               f"{cfg.get('time_limit_minutes')} minutes per split. Made {report.get('created', '-')} "
               f"with `audioml experiment melody-protocols`.")


def safe_data(text: str) -> str:
    """A report's free text, shortened and safe to show in Markdown."""
    from ui.common import safe_text

    return safe_text(text or "not recorded", limit=300)


PROTOCOL_COLOURS = {"random-windows": "#e8590c", "song-split": "#3b5bdb"}


def protocol_curves_figure(report: dict) -> go.Figure | None:
    """Accuracy after each epoch under both protocols: test windows solid, training dotted;
    the always-hold level and the published 0.85 as lines. ``None`` without recorded curves."""
    from audioml.experiments.fidelity import PUBLISHED_ACCURACY

    fig = go.Figure()
    holds = []
    for name, p in report.get("protocols", {}).items():
        h = p.get("history", {})
        if not h.get("test_accuracy"):
            continue
        epochs = list(range(1, len(h["test_accuracy"]) + 1))
        colour = PROTOCOL_COLOURS.get(name, "#495057")
        fig.add_trace(go.Scatter(x=epochs, y=h["test_accuracy"], mode="lines+markers",
                                 name=f"{name}: test windows", line=dict(color=colour, width=3)))
        fig.add_trace(go.Scatter(x=epochs, y=h["train_accuracy"], mode="lines",
                                 name=f"{name}: training windows",
                                 line=dict(color=colour, width=2, dash="dot")))
        holds.append(p["test"]["always_hold"])
    if not fig.data:
        return None
    published = report.get("published_accuracy", PUBLISHED_ACCURACY)
    fig.add_hline(y=published, line=dict(color="#2f9e44", width=2),
                  annotation_text=f"published {published:g}", annotation_position="top left")
    if holds:
        fig.add_hline(y=float(np.mean(holds)), line=dict(color="#868e96", width=2, dash="dash"),
                      annotation_text="always guess a hold", annotation_position="bottom right")
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="accuracy (musical steps)")
    fig.update_layout(legend=dict(orientation="h", y=-0.3, yanchor="top"))
    fig = _style(fig, "Accuracy while training, under each split")
    fig.update_layout(height=HEIGHT + 110, margin=dict(l=80, b=130))
    return fig
