"""AppTest of the experiments page: it renders from the shipped report alone."""

import json
import re

import pytest

import ui.experiments as ex
from audioml.experiments.report import load_pilot, load_report

PAGE = "pages/5_experiments.py"


@pytest.fixture
def no_live_studies(monkeypatch):
    """Hide runs/studies.db so that the page has nothing but the shipped report."""
    monkeypatch.setattr(ex, "live_report", lambda: None)


def test_page_renders_the_three_tables_from_the_shipped_report(no_live_studies, open_page):
    at = open_page(PAGE)
    assert not at.radio  # no source choice without live studies
    assert [s.value for s in at.subheader] == [
        "Table 1 - VAE architectures", "Table 2 - VAE hyperparameters", "Table 3 - melody LSTM"]
    # Table 1 side by side, then the published rows (and ours) of Tables 2 and 3.
    first = at.dataframe[0].value
    assert {"published mse", "our mse"} <= set(first.columns)
    assert list(first["layers/latent"]) == ["2/32", "2/64", "3/32", "3/64", "4/32"]
    assert list(first["published mse"]) == [0.0018, 0.0016, 0.002, 0.0019, 0.0015]
    assert len(at.dataframe) >= 3
    published = [d.value for d in at.dataframe if "inside stated ranges" in d.value.columns]
    assert [len(p) for p in published] == [6, 6]
    infos = " ".join(i.value for i in at.info)
    assert "outside the ranges" in infos
    # The earlier quick searches stay on the page, saying how much they were cut.
    assert [e.label for e in at.expander if "earlier quick search" in e.label] == [
        "The earlier quick search (epochs × 0.02)", "The earlier quick search (epochs × 0.05)",
        "The earlier quick search (epochs × 0.2)"]
    assert "multiplied by" in " ".join(c.value for c in at.caption)
    assert at.header[0].value == "The shipped models and the searches"


def full_scale_report() -> dict:
    """A report as the background run leaves it: Table 1 finished with its first seed training,
    Table 2 half-way, with a trial still running, and Table 3 finished with its seeds."""
    def trial(n, state, metric, params, **extra):
        return {"number": n, "state": state, "metric": metric, "params": params, **extra}

    t2 = {"learning_rate": 3e-4, "batch_size": 32, "epochs": 100}
    t3 = {"units": 200, "learning_rate": 1e-3, "batch_size": 40, "epochs": 60}
    t1 = {"architecture": "3/32"}
    return {"created": "2026-12-02T00:00:00+00:00", "tables": {
        "table1": {"epochs_scale": 1.0, "sampler": "random", "data": "FSDD", "trials": [
            trial(0, "complete", 0.0099, t1, epochs_run=50, seed=0),
            trial(1, "complete", 0.0105, {"architecture": "2/64"}, epochs_run=50, seed=1)],
            "seeds": {"source_trial": 0, "params": t1, "trials": [
                trial(0, "running", None, t1, epochs_done=3, seed=1001)]}},
        "table2": {"epochs_scale": 1.0, "sampler": "random", "data": "FSDD", "trials": [
            trial(0, "complete", 0.012, t2, epochs_run=100, seed=0, resumes=1),
            trial(1, "running", None, {**t2, "epochs": 80}, epochs_done=12, seed=1)]},
        "table3": {"epochs_scale": 1.0, "sampler": "random", "data": "songs", "trials": [
            trial(0, "complete", 0.71, t3, epochs_run=60, best_epoch=41, always_hold=0.69),
            trial(1, "complete", 0.70, {**t3, "units": 120}, epochs_run=60, best_epoch=50,
                  always_hold=0.69)],
            "seeds": {"source_trial": 0, "params": t3, "trials": [
                trial(0, "complete", 0.705, t3, epochs_run=60, seed=1001),
                trial(1, "complete", 0.715, t3, epochs_run=60, seed=1002)]}}}}


def test_page_shows_running_trials_and_the_seed_spread(no_live_studies, monkeypatch, open_page):
    monkeypatch.setattr(ex, "shipped_report", full_scale_report)
    at = open_page(PAGE)
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "1 of 6 planned trials finished, trial 1 running (epoch 12 done)" in captions
    epochs = {tuple(d.value[c]): d.value for d in at.dataframe for c in d.value.columns
              if c.startswith("epochs run")}
    assert list(epochs[("100", "12 of 80 so far")]["resumed"]) == [1, 0]
    # Every time column says what its seconds are.
    timed = [json.loads(d.proto.columns)["training time (s)"] for d in at.dataframe
             if "training time (s)" in d.value.columns]
    assert timed and all(c["help"] == ex.TIPS["training time (s)"] for c in timed)
    # The running trial has no metric yet: a dash in its cell, not "None".
    assert all(d.proto.placeholder == "—" for d in at.dataframe
               if any(c.startswith("epochs run") for c in d.value.columns))
    assert ("60, kept 41", "60, kept 50") in epochs
    infos = " ".join(i.value for i in at.info)
    assert "0.710 ± 0.007 (from 0.705 to 0.715)" in infos
    assert "a new seed moves the metric about as much as a new configuration does" in infos
    assert "Not run yet" in captions   # Table 2 has no seeds yet
    assert "No seed has finished yet, trial 0 running (epoch 3 done)" in captions   # Table 1


def test_page_offers_the_live_studies_when_present(monkeypatch, open_page):
    live = load_report()
    monkeypatch.setattr(ex, "live_report", lambda: live)
    at = open_page(PAGE)
    at.radio(key="ex_source").set_value("live studies in runs/studies.db").run()
    assert not at.exception
    assert any("live studies" in c.value for c in at.caption)


def test_importance_needs_varied_trials():
    trials = [{"number": i, "state": "complete", "metric": m,
               "params": {"learning_rate": lr, "batch_size": 20, "epochs": 80}}
              for i, (m, lr) in enumerate([(0.05, 1e-4), (0.05, 2e-4)])]
    study = ex.memory_study("table2", trials)
    assert len(study.trials) == 2
    assert ex.importance_spread("table2", trials) is None  # same metric: nothing to explain
    assert ex.importance_figure(None) is None
    trials[1]["metric"] = 0.04
    trials.append({"number": 2, "state": "complete", "metric": 0.06,
                   "params": {"learning_rate": 5e-4, "batch_size": 40, "epochs": 120}})
    assert ex.importance_figure(ex.importance_spread("table2", trials)) is not None
    assert ex.importance_spread("table2", trials[:1]) is None


def test_importance_is_shown_with_its_spread_and_what_six_trials_can_say(no_live_studies, open_page):
    """Tables 2 and 3: median bars with 10-90% whiskers over bootstrap resamples, and beside
    them the sentence that so few trials leave the importances within noise."""
    from audioml.experiments.report import completed, trials_by_table

    by_table = trials_by_table(load_report())
    for table in ("table2", "table3"):
        spread = ex.importance_spread(table, by_table[table])
        bar = ex.importance_figure(spread).data[0]
        params = list(spread["params"].values())[::-1]
        assert list(bar.x) == [p["median"] for p in params]
        assert list(bar.error_x.array) == pytest.approx([p["high"] - p["median"] for p in params])
        assert list(bar.error_x.arrayminus) == pytest.approx([p["median"] - p["low"] for p in params])
        assert any(p["high"] > p["low"] for p in params)
        assert spread["resamples"] > 10 and spread["trials"] == len(completed(by_table[table]))
    at = open_page(PAGE)
    captions = [c.value for c in at.caption if "bootstrap resamples" in c.value]
    assert len(captions) == 2
    for table, caption in zip(("table2", "table3"), captions):
        n = len(completed(by_table[table]))
        top, *rest = ex.importance_spread(table, by_table[table])["params"].values()
        overlap = any(p["high"] >= top["low"] for p in rest)
        assert (f"From {n} trials these importances are within noise" in caption) == overlap
        assert f"resamples of the {n} trials" in caption


def test_table_figures_are_built_once_per_set_of_trials():
    trials = [{"number": i, "state": "complete", "metric": m,
               "params": {"learning_rate": lr, "batch_size": b, "epochs": e}}
              for i, (m, lr, b, e) in enumerate([(0.05, 1e-4, 20, 80), (0.04, 5e-4, 40, 120),
                                                 (0.06, 2e-4, 30, 100)])]
    figures = ex.table_figures("table2", trials)
    assert set(figures) == {"history", "parallel", "importance", "against"}
    assert figures["importance"] is not None
    assert figures["against"].layout.xaxis.type == "log"  # the learning rate
    # A second session with the same trials gets the same figures, not a rebuild.
    same = [dict(t) for t in trials]
    assert ex.table_figures("table2", same)["history"] is figures["history"]
    trials[0]["metric"] = 0.03
    assert ex.table_figures("table2", trials)["history"] is not figures["history"]

    table1 = [{"number": 0, "state": "complete", "metric": 0.01, "params": {"architecture": "2/32"}}]
    figures = ex.table_figures("table1", table1)
    assert figures["importance"] is None   # one parameter: nothing to apportion
    assert [bar.name for bar in figures["against"].data] == ["published", "ours"]
    assert ex.table_figures("table2", [{"number": 0, "state": "running", "metric": None,
                                        "params": {}}]) == {}


def test_bar_chart_log_axis_has_few_readable_ticks():
    import numpy as np

    from audioml.experiments.report import trials_by_table

    # The quick search's MSEs lie a decade and more above the published ones: a wide range.
    trials = trials_by_table(load_pilot())["table1"]
    axis = ex.table1_bars(trials).layout.yaxis
    assert axis.type == "log" and axis.tickmode == "array"
    ticks = list(axis.tickvals)
    assert 2 <= len(ticks) <= 8
    assert {round(t / 10 ** np.floor(np.log10(t)), 6) for t in ticks} <= {1.0, 2.0, 5.0}
    assert list(axis.ticktext) == [f"{t:g}" for t in ticks]


def test_model_cards_show_a_readable_table_not_raw_json(no_live_studies, open_page):
    at = open_page(PAGE)
    assert not at.get("json")
    tables = [d.value for d in at.dataframe if list(d.value.columns) == ["setting", "value"]]
    assert len(tables) >= 3
    for table in tables:
        for value in table["value"]:
            # No number printed with more than 6 decimals (text such as "x^0.3 (...)" is fine).
            assert not re.search(r"\d\.\d{7,}", value), value
    infos = " ".join(m.value for m in at.markdown)
    assert "bidirectional GRU" in infos and "fully convolutional" not in infos
    # Downloading a card reruns nothing.
    cards = [b for b in at.get("download_button") if b.proto.label == "Download the card (JSON)"]
    assert cards and all(b.proto.ignore_rerun for b in cards)


def test_every_number_column_has_one_format_and_published_ones_the_papers(no_live_studies, open_page):
    """Each numeric column of the page is written in one fixed format (no "%g", which put 0.002
    beside 0.0098 and 1.1e+03 beside 1.08e+03), published columns with the decimals of the paper's
    rows, and the page says so once."""
    from audioml.experiments import compare

    at = open_page(PAGE)
    assert not at.exception
    seen = set()
    for frame in at.dataframe:
        columns = json.loads(frame.proto.columns)
        for name in frame.value.columns:
            fmt = columns.get(name, {}).get("type_config", {}).get("format")
            numeric = frame.value[name].dtype.kind in "fi"
            if not numeric:
                continue
            assert fmt == "compact" or re.fullmatch(r"%d|%\.\df", fmt), (name, fmt)
            if name.startswith("published "):
                metric = name.removeprefix("published ")
                table = "table3" if metric == "accuracy" else "table1"
                assert fmt == f"%.{compare.published_decimals(table)[name]}f", (name, fmt)
                seen.add(name)
            elif "mse" in name or name.startswith("our "):
                assert fmt == f"%.{compare.OUR_DECIMALS[name.split()[-1]]}f", (name, fmt)
            # One format per column: every cell of it prints with the same number of decimals.
            cells = [fmt % v for v in frame.value[name].dropna()] if fmt != "compact" else []
            assert len({len(c.partition(".")[2]) for c in cells}) <= 1, (name, cells)
    assert seen == {"published mse", "published accuracy"}
    notes = [c.value for c in at.caption if compare.precision_note() in c.value]
    assert len(notes) == 1
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["published best accuracy"] == "0.85" and tiles["published best mse"] == "0.0015"
