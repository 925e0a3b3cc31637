"""The one cached model layer: every model is loaded once per server process.

``st.cache_resource`` shares the returned object between all sessions, so
callers must treat it as read-only (Keras inference is thread-safe; nothing here
mutates a model after loading).
"""

from __future__ import annotations

import math
import os
import sys
import threading
from pathlib import Path

import streamlit as st

from audioml import registry, shipped


_TF_LOCK = threading.Lock()
_tf_configured = False


def cpu_budget(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may use: ``$AUDIOML_TF_THREADS``, else affinity and cgroup quota.

    In a container ``os.cpu_count()`` is the host's count (dozens on a Space with 2 vCPUs): sizing
    thread pools by it would have every inference fight over the two CPUs the container gets.
    """
    if os.environ.get("AUDIOML_TF_THREADS", "").strip().isdigit():
        return max(1, int(os.environ["AUDIOML_TF_THREADS"]))
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    for read in (lambda: (cgroup / "cpu.max").read_text().split()[:2],  # v2: "<quota> <period>"
                 lambda: [(cgroup / "cpu" / f).read_text().strip()  # v1
                          for f in ("cpu.cfs_quota_us", "cpu.cfs_period_us")]):
        try:
            quota, period = read()
            if quota not in ("max", "-1"):
                n = min(n, max(1, math.ceil(int(quota) / int(period))))
        except (OSError, ValueError, ZeroDivisionError):
            continue
        break
    return max(1, n)


def configure_tensorflow() -> None:
    """Size TensorFlow's thread pools for a shared server, once per process, before any model loads.

    Intra-op (one operation's parallel work, e.g. a convolution) gets the CPU budget; inter-op
    (independent operations run side by side) one thread: the sessions of a class already run
    side by side, and more threads than CPUs only add switching.
    """
    global _tf_configured
    with _TF_LOCK:
        if _tf_configured:
            return
        import tensorflow as tf

        threads = cpu_budget()
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(1)
            note = ""
        except RuntimeError as exc:  # TensorFlow already ran an operation: its pools are fixed
            note = f" (not applied: {exc})"
        _tf_configured = True
        print(f"audioml: TensorFlow threads intra={tf.config.threading.get_intra_op_parallelism_threads()} "
              f"inter={tf.config.threading.get_inter_op_parallelism_threads()}{note}",
              file=sys.stderr, flush=True)


@st.cache_resource(show_spinner="Loading model…")
def load_model(name: str):
    """The shipped model *name*, loaded with safe mode (see :func:`audioml.shipped.load_model`)."""
    configure_tensorflow()
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


@st.cache_resource(show_spinner=False)
def training_curves(name: str):
    """The shipped model *name*'s training curves from its card (:func:`ui.plots.training_curves`),
    built once per process and shared (a figure is read-only once made); None without a history."""
    from audioml.registry import get_card
    from ui.plots import training_curves as figure

    return figure(get_card(name))
