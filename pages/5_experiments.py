"""Experiments: the method's three searches reproduced as Optuna studies, beside the published numbers."""

import json

import pandas as pd
import streamlit as st

from audioml.experiments import TABLES
from audioml.experiments import compare
from audioml.experiments.published import TABLE1_FIXED, outside_ranges, table as published_table
from audioml.experiments.report import trials_by_table
from audioml.experiments.study import PAPER_SCALE_SEEDS, PAPER_SCALE_TRIALS
from ui import cache
from ui import experiments as ex
from ui.common import safe_text, user_errors
from ui.navigation import page_link

st.title("Experiments: the searches behind the models")
st.markdown(
    "The method chose its networks with three searches: five VAE architectures (**Table 1**), "
    "the VAE's learning rate η, batch size B and epochs E (**Table 2**), and the melody LSTM's "
    "units n, η, B and E (**Table 3**). Each is reproduced here as an "
    "[Optuna](https://optuna.org) study with a random sampler, as the paper searched at random. "
    "Every trial trains one configuration at the paper's scale (its epochs, the whole training "
    "split) and records its parameters, its test metric, its training time and its parameter "
    f"count; then the configuration each search chose is trained again with {PAPER_SCALE_SEEDS} "
    "more seeds. "
    "That is hours of CPU, so the searches run in the background "
    "(`nohup sh scripts/paper_tables.sh > runs/paper_tables.log &`) and pick up where they "
    "stopped, a trial cut off mid-way from its last epoch. Studies are kept in `runs/studies.db` "
    "(SQLite) or any database Optuna can use, so several computers can share one.")

with user_errors():
    shipped = ex.shipped_report()
live = ex.live_report()
source = "shipped report"
if live is not None:
    source = st.radio("Trials from", ["shipped report", "live studies in runs/studies.db"],
                      horizontal=True, key="ex_source",
                      help="The shipped report is reports/experiments.json; the live studies are "
                           "the SQLite database your own runs write to.")
report = live if source.startswith("live") else shipped
by_table = trials_by_table(report)
st.caption(f"Showing the {source}" + (f", made {report['created']}." if report.get("created") else ".")
           + f" {compare.precision_note()}")

tabs = st.tabs([published_table(t)["title"] for t in TABLES])
for tab, table in zip(tabs, TABLES):
    with tab:
        info = published_table(table)
        entry = report["tables"].get(table, {})
        trials = by_table[table]
        s = compare.summary(table, trials)
        st.subheader(info["title"])
        scale = entry.get("epochs_scale")
        st.caption(f"Our study: {s['our_trials']} of {PAPER_SCALE_TRIALS[table]} planned trials "
                   f"finished{ex.running_note(trials)}; sampler {entry.get('sampler', '-')}, "
                   f"epochs scaled by {scale if scale is not None else '-'}. "
                   f"Data: {safe_text(entry.get('data') or 'not recorded', limit=400)}")
        c1, c2, c3 = st.columns(3)
        c1.metric(f"published best {info['metric']}", compare.published_figure(table, s["published_best"]))
        c2.metric(f"our best {info['metric']}",
                  compare.our_figure(table, s["our_best"]) if s["our_best"] is not None else "—")
        c3.metric("trials completed", f"{s['our_trials']} of {PAPER_SCALE_TRIALS[table]}")

        if table == "table1":
            st.markdown(f"**Published rows beside ours** (η = {TABLE1_FIXED['learning_rate']}, "
                        f"B = {TABLE1_FIXED['batch_size']}; our best trial of each "
                        "architecture)")
            ex.table(compare.table1_side_by_side(trials), decimals=compare.published_decimals(table))
        else:
            # One above the other, each as wide as the page, so that no column is cut off.
            st.markdown("**Published rows**")
            ex.table(compare.published_rows(table), decimals=compare.published_decimals(table))
        st.markdown("**Our trials**")
        if trials:
            ex.table(compare.our_rows(table, trials, scale))
        else:
            st.info("No trial yet: this search waits for the one before it in the background run.")
        if table != "table1":
            ranges = ", ".join(f"{k.replace('_', ' ')} ∈ [{lo:g}, {hi:g}]"
                               for k, (lo, hi) in info["ranges"].items())
            st.caption(f"Stated ranges: {ranges}. Published rows outside them: "
                       f"{len(outside_ranges(table))} of {len(info['rows'])}.")
        st.info(compare.discussion(table, entry))
        ex.seeds_section(table, entry)
        ex.pilot_section(table)
        if table == "table3":
            ex.protocols_section()

        figures = ex.table_figures(table, trials)
        if not figures:
            st.info("Plots appear once a trial has completed.")
            continue
        p1, p2 = st.columns(2)
        p1.plotly_chart(figures["history"], key=f"ex_hist_{table}")
        p2.plotly_chart(figures["parallel"], key=f"ex_par_{table}")
        p3, p4 = st.columns(2)
        if table == "table1":
            p3.info("Table 1 searches one parameter, the architecture, so its importance is 1 by "
                    "definition; Tables 2 and 3 show importances between parameters.")
        elif figures["importance"] is None:
            p3.info("Parameter importance needs at least two completed trials with different "
                    "parameters and different results.")
        else:
            p3.plotly_chart(figures["importance"], key=f"ex_imp_{table}")
            p3.caption(ex.importance_note(table, trials))
        p4.plotly_chart(figures["against"], key=f"ex_against_{table}")

ex.snr_sweep_section()

st.header("The shipped models and the searches")
st.markdown("Which configuration each shipped model uses, read from its model card.")
cards = {c["name"]: c for c in cache.model_cards()}
for name in ("vae_denoiser", "dcae_denoiser", "masknet_denoiser", "melody_lstm"):
    card = cards.get(name)
    if card is None:
        continue
    with st.container(border=True):
        st.markdown(f"**{name}** — {compare.shipped_note(card)}")
        page_link(card["task"], f"Try it on the {card['task']} page")
        with st.expander(f"Model card: {card.get('card', name + '.json')}"):
            st.dataframe(pd.DataFrame(compare.config_rows(card.get("config", {})),
                                      columns=["setting", "value"]), hide_index=True)
            st.caption(f"Retrain: `{card.get('retrain_command', '')}`")
            st.download_button("Download the card (JSON)", json.dumps(card, indent=2),
                               file_name=f"{name}.json", mime="application/json",
                               key=f"ex_card_{name}", on_click="ignore")
