"""The one cached model layer: every model is loaded once per server process.

``st.cache_resource`` shares the returned object between all sessions, so
callers must treat it as read-only (Keras inference is thread-safe; nothing here
mutates a model after loading).
"""

from __future__ import annotations

import sys

import streamlit as st

from audioml import registry, shipped


@st.cache_resource(show_spinner="Loading model…")
def load_model(name: str):
    """The shipped model *name*, loaded with safe mode (see :func:`audioml.shipped.load_model`)."""
    # One line per load in the server log: the load test counts them (once per process).
    print(f"audioml: loading model {name}", file=sys.stderr, flush=True)
    return shipped.load_model(name)


@st.cache_data(show_spinner=False)
def model_cards(task: str | None = None) -> list[dict]:
    """Model cards from ``models/``, optionally for one task."""
    return registry.list_cards(task)


def cards_or_stop(task: str, train_hint: str) -> dict[str, dict]:
    """The shipped cards of *task* by name; without any, say how to train one and stop the page."""
    cards = {c["name"]: c for c in model_cards(task)}
    if not cards:
        st.info(f"No {task} model is shipped yet. Train one with `{train_hint}`.")
        st.stop()
    return cards
