"""Published rows beside ours: the rows, summaries and sentences the experiments page shows.

Pure data in, pure data out (lists of dicts and strings), so the page stays thin and the
comparison is testable without Streamlit.
"""

from __future__ import annotations

import statistics

from audioml.denoising.features import TARGET_SCALING
from audioml.experiments.published import (TABLE1_ARCHITECTURES, TABLE1_EPOCHS, TABLE1_FIXED,
                                           TABLE3_BEST, TABLE3_RANGES, TABLES, outside_counts,
                                           outside_ranges, printed_decimals, shorter_values,
                                           table as published_table)
from audioml.experiments.report import completed


PARAM_LABELS = {"architecture": "layers/latent", "learning_rate": "η", "batch_size": "B",
                "epochs": "E", "units": "n"}
#: Decimals of our own metrics wherever the page shows them (tables, tiles, sentences).
OUR_DECIMALS = {"mse": 4, "accuracy": 3}


def published_decimals(table: str) -> dict[str, int]:
    """``{column of the published rows: decimals}``, the paper's own (``"published mse": 4``)."""
    metric = published_table(table)["metric"]
    return {f"published {metric}" if k == metric else PARAM_LABELS.get(k, k): d
            for k, d in printed_decimals(table).items()}


def published_figure(table: str, value: float) -> str:
    """A published metric of *table* written with the paper's decimals."""
    metric = published_table(table)["metric"]
    return f"{value:.{printed_decimals(table)[metric]}f}"


def our_figure(table: str, value: float) -> str:
    """One of our metrics of *table* with the page's decimals for it."""
    return f"{value:.{OUR_DECIMALS[published_table(table)['metric']]}f}"


def precision_note() -> str:
    """The one sentence that says how the page writes published and measured figures."""
    parts, short = [], []
    for name, info in TABLES.items():
        number = name.removeprefix("table")
        found = printed_decimals(name)
        names = {"learning_rate": "η", "mse": "MSE"}
        parts.append(f"Table {number}: " + ", ".join(f"{names.get(k, k)} to {d}"
                                                     for k, d in found.items()))
        metric = info["metric"]
        for i in shorter_values(name, metric):
            row = info["rows"][i]
            label = row.get("architecture", f"row {i + 1}")
            short.append(f"the paper's {row[metric]:g} for Table {number}'s {label} reads "
                         f"{row[metric]:.{found[metric]}f}")
    text = "Published figures are shown with the decimals the paper prints (" + "; ".join(parts) + ")"
    if short:
        text += ", so " + " and ".join(short)
    mse, acc = OUR_DECIMALS["mse"], OUR_DECIMALS["accuracy"]
    return text + f". Ours: MSE to {mse} decimals, accuracy to {acc}, seconds whole."


def _best(values: list[float], direction: str) -> float | None:
    if not values:
        return None
    return min(values) if direction == "minimize" else max(values)


def published_rows(table: str) -> list[dict]:
    """The published rows of *table*, with ``in_range`` (inside the paper's stated ranges)."""
    info = published_table(table)
    bad = {o["row"] for o in outside_ranges(table)}
    rows = []
    for i, row in enumerate(info["rows"]):
        # The first parameter, then the metric: on a phone the columns past the first few are
        # scrolled to, so the figure compared comes before the rest of the configuration.
        params = [(PARAM_LABELS.get(k, k), v) for k, v in row.items() if k != info["metric"]]
        out = dict(params[:1])
        out[f"published {info['metric']}"] = row[info["metric"]]
        out.update(params[1:])
        if table == "table1":
            arch = TABLE1_ARCHITECTURES[row["architecture"]]
            out.update(filters=", ".join(map(str, arch["filters"])), kernel=arch["kernels"][0],
                       strides=", ".join(map(str, arch["strides"])))
        if info["ranges"]:
            out["inside stated ranges"] = "yes" if i not in bad else "no"
        rows.append(out)
    return rows


def epochs_text(trial: dict, epochs_scale: float | None = 1.0) -> str:
    """How far *trial* trained: ``"50"`` when done, ``"12 of 50 so far"`` while it runs; for
    Table 3, which keeps its best epoch on the validation songs, ``"70, kept 41"``."""
    if trial.get("state") == "complete":
        text = str(trial.get("epochs_run"))
        if trial.get("best_epoch") is not None:
            text += f", kept {trial['best_epoch']}"
        return text
    planned = trial.get("params", {}).get("epochs", trial.get("epochs_published"))
    if planned is None and trial.get("params", {}).get("architecture"):
        planned = TABLE1_EPOCHS
    if planned is not None and epochs_scale:
        planned = max(1, int(round(planned * epochs_scale)))
    done = trial.get("epochs_done", 0)
    return f"{done} of {planned} so far" if planned else f"{done} so far"


def our_rows(table: str, trials: list[dict], epochs_scale: float | None = 1.0, *,
             seeds: bool = False) -> list[dict]:
    """Our trials of *table* as display rows: parameters, epochs run, metric, time, size.

    A running trial shows how many epochs it has done, and a ``state`` column appears while any
    trial is unfinished. A ``training CPU (s)`` column appears once a trial has its CPU time. A
    ``resumed`` column, counting the times a trial picked up from its last epoch after its worker
    stopped, appears when one did; a ``seed`` column when *seeds* (the seed studies, whose
    trials differ by nothing else).
    """
    metric = published_table(table)["metric"]
    cpu_timed = any(t.get("training_cpu_s") is not None for t in trials)
    resumed = any(t.get("resumes") for t in trials)
    unfinished = any(t.get("state") != "complete" for t in trials)
    rows = []
    for t in trials:
        # Trial (and seed), then the metric, then what was tried: the columns a phone shows first.
        row = {"trial": t["number"]}
        if seeds:
            row["seed"] = t.get("seed")
        row[f"our {metric}"] = t.get("metric")
        row.update({PARAM_LABELS.get(k, k): v for k, v in t["params"].items()})
        row["epochs run" + (" (kept)" if t.get("best_epoch") is not None else "")] = \
            epochs_text(t, epochs_scale)
        if "always_hold" in t:
            row["always-hold accuracy"] = t["always_hold"]
            row["test NLL (nats)"] = t.get("nll")
        row["training time (s)"] = t.get("training_time_s")
        if cpu_timed:
            row["training CPU (s)"] = t.get("training_cpu_s")
        row["parameters"] = t.get("param_count")
        if resumed:
            row["resumed"] = t.get("resumes", 0)
        if unfinished:
            row["state"] = t.get("state")
        rows.append(row)
    return rows


def seed_summary(entry: dict) -> dict | None:
    """The seed study of a table's *entry*, summarised; ``None`` before it has a finished seed.

    Returns
    -------
    dict or None
        ``source_trial`` and ``params`` (the configuration repeated), ``seeds`` (finished),
        ``mean``, ``sd`` (sample standard deviation, 0 with one seed), ``low``, ``high``,
        ``source_metric`` (the search's own trial of it), ``between_configs`` (the span of
        the search's finished trials), so the two spreads can be compared, and ``close`` (the
        numbers of the search's other trials that scored within one seed span of the chosen one).
    """
    seeds = entry.get("seeds") or {}
    values = [t["metric"] for t in completed(seeds.get("trials", []))]
    if not values:
        return None
    done = completed(entry.get("trials", []))
    search = [t["metric"] for t in done]
    source = next((t for t in entry.get("trials", []) if t["number"] == seeds.get("source_trial")), {})
    span = max(values) - min(values)
    close = [t["number"] for t in done if t["number"] != source.get("number")
             and source.get("metric") is not None and abs(t["metric"] - source["metric"]) <= span]
    return {"source_trial": seeds.get("source_trial"), "params": seeds.get("params", {}),
            "seeds": len(values), "mean": statistics.fmean(values),
            "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
            "low": min(values), "high": max(values), "source_metric": source.get("metric"),
            "between_configs": max(search) - min(search) if len(search) > 1 else None,
            "close": close}


def seed_sentence(table: str, entry: dict) -> str | None:
    """One paragraph on the seed-to-seed spread beside the differences between configurations."""
    s = seed_summary(entry)
    if s is None:
        return None
    fmt = f"{{:.{OUR_DECIMALS[published_table(table)['metric']]}f}}"
    params = ", ".join(f"{PARAM_LABELS.get(k, k)} = {_shown(v)}" for k, v in s["params"].items())
    text = (f"The configuration the search chose (trial {s['source_trial']}: {params}) trained "
            f"again with {s['seeds']} other seeds: {fmt.format(s['mean'])} ± {fmt.format(s['sd'])} "
            f"(from {fmt.format(s['low'])} to {fmt.format(s['high'])}).")
    if s["between_configs"] is not None:
        span = s["high"] - s["low"]
        # Twice the seeds' span before calling the configurations' differences real: with three
        # seeds the span itself is a rough figure. Even then the configurations nearest the
        # chosen one may lie within a seed's reach of it, so they are named.
        close = s["close"]
        numbers = [str(n) for n in close]
        named = (f"trials {', '.join(numbers[:-1])} and {numbers[-1]}" if len(numbers) > 1 else
                 f"trial {''.join(numbers)}")
        verdict = ("so a new seed moves the metric about as much as a new configuration does: the "
                   "ranking of configurations is not settled by one run each"
                   if s["between_configs"] < 2 * span else
                   "so the search's best and worst configurations differ by more than a new seed "
                   "changes" + (f", but {named} scored within one seed span of the chosen one and "
                                "cannot be told apart from it by one run each" if close else
                                ", and no other configuration scored within one seed span of the "
                                "chosen one"))
        text += (f" Seeds span {fmt.format(span)}; the search's configurations span "
                 f"{fmt.format(s['between_configs'])}, {verdict}.")
    return text


def table1_side_by_side(trials: list[dict]) -> list[dict]:
    """Table 1 row by row: each published architecture with our best trial of it (or none);
    the architecture, the published and our MSE come first."""
    ours: dict[str, dict] = {}
    for t in completed(trials):
        arch = t["params"].get("architecture")
        if arch not in ours or t["metric"] < ours[arch]["metric"]:
            ours[arch] = t
    rows = []
    for row in published_rows("table1"):
        mine = ours.get(row["layers/latent"], {})
        arch, published, *rest = row.items()
        rows.append({**dict([arch, published]), "our mse": mine.get("metric"), **dict(rest),
                     "epochs run": mine.get("epochs_run"),
                     "training time (s)": mine.get("training_time_s"),
                     "parameters": mine.get("param_count")})
    return rows


def summary(table: str, trials: list[dict]) -> dict:
    """Best and median metric, published and ours, with counts.

    Returns
    -------
    dict
        ``metric``, ``direction``, ``published_best``, ``published_median``, ``our_best``,
        ``our_median``, ``our_trials`` (completed), ``all_trials``, ``best_params`` (ours).
    """
    info = published_table(table)
    metric, direction = info["metric"], info["direction"]
    pub = [r[metric] for r in info["rows"]]
    done = completed(trials)
    mine = [t["metric"] for t in done]
    best = _best(mine, direction)
    best_trial = next((t for t in done if t["metric"] == best), None)
    return {"metric": metric, "metric_label": info["metric_label"], "direction": direction,
            "published_best": _best(pub, direction), "published_median": statistics.median(pub),
            "our_best": best, "our_median": statistics.median(mine) if mine else None,
            "our_trials": len(done), "all_trials": len(trials),
            "best_params": best_trial["params"] if best_trial else None}


def discussion(table: str, entry: dict) -> str:
    """A few sentences on how our study of *table* differs from the published one.

    Parameters
    ----------
    entry : dict
        The table's entry of the report (``trials``, ``epochs_scale``, ``data``).
    """
    s = summary(table, entry.get("trials", []))
    scale = entry.get("epochs_scale")
    fmt = f"{{:.{OUR_DECIMALS[s['metric']]}f}}"
    if not s["our_trials"]:
        text = ["No trial of this search has finished yet; the published rows stand alone. Run "
                f"`audioml experiment {table}` and `audioml experiment report --export`."]
    else:
        text = [f"{s['our_trials']} of our trials finished (best {s['metric_label']} "
                f"{fmt.format(s['our_best'])}, published best "
                f"{published_figure(table, s['published_best'])})."]
    if table == "table1":
        text.append(f"Every architecture trains for E = {TABLE1_EPOCHS} epochs at η = "
                    f"{TABLE1_FIXED['learning_rate']}, B = {TABLE1_FIXED['batch_size']}.")
    if scale is not None and scale < 1:
        text.append(f"Every epoch count was multiplied by {scale:g} (at least one epoch) "
                    "to fit a small CPU budget, so our networks are far less trained than the "
                    "paper's: the gap in the metric is expected, and at this little training even "
                    "the ranking of configurations is weak evidence.")
    elif scale is not None:
        text.append("Every trial runs its full epoch count on the whole training split"
                    + ("." if table == "table3" else "; none is stopped early."))
    if table in ("table1", "table2") and s["our_trials"]:
        text.append("Our MSE is in the same [0, 1] image space but with our scaling of the clean "
                    f"target ({TARGET_SCALING}; see the denoise page), on a subset of FSDD "
                    "where the data line says so.")
    if table == "table2":
        n = len(outside_ranges("table2"))
        rows = len(published_table(table)["rows"])
        counts = ", ".join(f"{c['rows']} with {PARAM_LABELS.get(c['param'], c['param'])} "
                           f"{c['side']} {c['bound']:g}" for c in outside_counts("table2"))
        text.append(f"{n} of the {rows} published rows lie outside the ranges the paper states for this "
                    f"search ({counts}); our search keeps to the stated ranges, so it cannot "
                    "revisit those rows.")
    if table == "table3":
        done = [t for t in completed(entry.get("trials", [])) if t.get("always_hold") is not None]
        level = f" ({done[0]['always_hold']:.3f} on our test songs)" if done else ""
        text.append("Our accuracy counts every musical sixteenth-note step (pitches, holds, rests); "
                    f"holds dominate, so always guessing a hold already scores high{level}. The paper "
                    "does not say how it counts. Our search ran on one sub-collection of the Essen "
                    "songs only (see the data line). Every trial keeps the weights of its best epoch "
                    "on validation songs (a tenth of the training songs) and halves its learning "
                    "rate when that epoch does not improve; the epochs column names the epoch kept.")
        stuck = [t for t in done if t["metric"] <= t["always_hold"] + 1e-9]
        if stuck:
            text.append(f"{len(stuck)} of our {len(done)} trials did not get past that level "
                        "(the argmax is still 'hold' almost everywhere); their test NLL still tells "
                        "the configurations apart.")
    mine = [t["metric"] for t in completed(entry.get("trials", []))]
    if len(mine) >= 2:
        pub = [r[s["metric"]] for r in published_table(table)["rows"]]
        text.append(f"Between configurations our metric spans {fmt.format(max(mine) - min(mine))}, "
                    f"the published one {published_figure(table, max(pub) - min(pub))}.")
    return " ".join(text)


def matching_architecture(config: dict) -> str | None:
    """The Table 1 architecture (``"2/64"``...) a denoiser card's *config* uses, if any."""
    for name, arch in TABLE1_ARCHITECTURES.items():
        if all(list(config.get(k) or []) == list(v) if isinstance(v, list) else config.get(k) == v
               for k, v in arch.items()):
            return name
    return None


def shipped_note(card: dict) -> str:
    """One sentence placing a shipped model's configuration among Tables 1-3."""
    cfg = card.get("config", {})
    arch = cfg.get("architecture")
    if card.get("task") == "melody":
        units = list(cfg.get("units") or [])
        values = {"units": units[0] if len(units) == 1 else None, "learning_rate": cfg.get("learning_rate"),
                  "batch_size": cfg.get("batch_size"), "epochs": card.get("epochs")}
        outside = [PARAM_LABELS[k] for k, (lo, hi) in TABLE3_RANGES.items()
                   if values[k] is None or not lo <= values[k] <= hi]
        where = ("inside all of Table 3's ranges" if not outside
                 else f"outside Table 3's range for {', '.join(outside)}")
        extra = (" It adds bar-position and lookback inputs the paper's network lacks."
                 if cfg.get("position_dim") or cfg.get("lookback_bars") else "")
        shown = units[0] if len(units) == 1 else units
        return (f"{shown} LSTM units, η = {values['learning_rate']}, B = {values['batch_size']}, "
                f"{values['epochs']} epochs: {where} (the paper kept {TABLE3_BEST['units']} units).{extra}")
    if arch in ("vae", "dcae"):
        match = matching_architecture(cfg)
        where = f"Table 1's {match} row" if match else "no Table 1 row"
        fixed = (cfg.get("learning_rate") == TABLE1_FIXED["learning_rate"]
                 and cfg.get("batch_size") == TABLE1_FIXED["batch_size"])
        note = " (Table 1's fixed η and B)" if fixed else ""
        return (f"{arch.upper()} with {where}, η = {cfg.get('learning_rate')}, B = "
                f"{cfg.get('batch_size')}, {card.get('epochs')} epochs{note}.")
    if arch == "masknet":
        description = card.get("description", "").strip().rstrip(".")
        return (f"Not part of the paper's searches. {description}. Trained with "
                f"η = {cfg.get('learning_rate')}, B = {cfg.get('batch_size')} for "
                f"{card.get('epochs')} epochs.")
    return "Not part of the paper's searches."


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def config_rows(config: dict, prefix: str = "") -> list[dict]:
    """A model card's *config* as ``{"setting", "value"}`` rows for a table.

    Nested dicts become ``"outer: inner"`` rows, lists are joined with commas, floats keep
    four significant digits (0.00030000000000000003 is shown as 0.0003), and every value is a
    string so that one table column holds them all.
    """
    rows = []
    for key, value in config.items():
        name = prefix + str(key).replace("_", " ")
        if isinstance(value, dict):
            rows += config_rows(value, prefix=f"{name}: ")
        else:
            rows.append({"setting": name, "value": _shown(value)})
    return rows
