"""The server's warm-up: its heavy imports and model loads, done once, in one thread.

Each session's script runs in a thread of its own. When a class opens the link together on a
freshly started server, a dozen threads would import pandas, pyarrow, TensorFlow and the rest at
the same moment, and two packages that import each other (pandas and pyarrow, for one) can then
hand a thread a half-initialised module: "partially initialized module 'pandas' has no attribute
'Series'". So one thread does every first import, in order, and then loads the shipped models;
a page's script waits for the imports (with a progress bar) before it runs, and a page that needs
a model still loading waits for that model alone (``ui.cache.load_model`` computes each model
once; a second caller waits for the first).

``python app.py`` starts the warm-up as the server starts; ``streamlit run app.py`` at the first
script run. Either way it runs once per process.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
from dataclasses import dataclass, field

#: What the pages import, heaviest and most entangled first, with the submodules that their
#: packages would otherwise import lazily during a script run (librosa and optuna load theirs on
#: first use; Streamlit imports pyarrow at the first table). Measured by running every page once
#: and listing the modules each run added.
MODULES = (
    "pandas", "pandas.io.formats.style", "pyarrow", "pyarrow.pandas_compat",
    "pyarrow.vendored.version", "narwhals._interchange.dataframe", "packaging.tags", "packaging.utils",
    "streamlit.components.v2.manifest_scanner", "streamlit.dataframe_util", "streamlit.emojis",
    "streamlit.material_icon_names",
    "plotly.graph_objects", "plotly.express", "plotly.subplots",
    "scipy.signal", "scipy.interpolate", "soundfile", "soxr",
    "librosa", "librosa.core.spectrum", "librosa.core.audio", "librosa.filters", "librosa.feature",
    "librosa.util.utils",
    "tensorflow", "keras",
    "music21", "verovio",
    "optuna", "optuna.visualization", "optuna.importance", "sklearn.ensemble",
    "pesq", "PIL.Image",
    "audioml.shipped", "audioml.nn.layers", "audioml.denoising.denoisers", "audioml.denoising.peers",
    "audioml.melody.model", "audioml.experiments.compare", "audioml.experiments.fidelity",
    "audioml.experiments.importance", "audioml.experiments.spaces", "audioml.latent.inference",
    "ui.plots", "ui.spectrogram", "ui.latent", "ui.denoise", "ui.melody", "ui.experiments",
    "ui.navigation",
)
#: Modules a page may still import on its first run: plotly loads each figure class on first
#: use, within its own package (no package that imports plotly back).
LAZY_WITHIN_PLOTLY = ("plotly.", "_plotly_utils.")


@dataclass
class WarmUp:
    """Where the warm-up stands: ``imported`` is set once every module is in, ``finished`` once
    every shipped model is loaded too. ``step`` names what it is doing now."""

    imported: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    total: int = len(MODULES)
    step: str = "starting"
    failures: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.monotonic)


_STATE: WarmUp | None = None
_START_LOCK = threading.Lock()
THREAD_NAME = "audioml-warm-up"


def _not_this_thread(record) -> bool:
    """Keep every log record but Streamlit's "missing ScriptRunContext" of the warm-up thread,
    which loads models outside any session, as intended."""
    return threading.current_thread().name != THREAD_NAME


def _run(state: WarmUp, load_models: bool) -> None:
    for name in MODULES:
        state.step = f"importing {name.split('.')[0]}"
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a page importing it will report it properly
            state.failures.append(f"{name}: {exc}")
        state.done += 1
    if "PIL.Image" in sys.modules:
        sys.modules["PIL.Image"].init()   # PIL's format plugins, imported at the first image otherwise
    state.imported.set()
    print(f"audioml: warm-up imported {len(MODULES)} modules in "
          f"{time.monotonic() - state.started_at:.1f} s", file=sys.stderr, flush=True)
    if load_models:
        import logging

        from ui import cache

        logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
            _not_this_thread)

        for card in cache.model_cards():
            state.step = f"loading model {card['name']}"
            try:
                cache.load_model(card["name"])
            except Exception as exc:  # noqa: BLE001 - the page that needs it shows the error
                state.failures.append(f"{card['name']}: {exc}")
    state.step = "ready"
    state.finished.set()
    print(f"audioml: warm-up finished in {time.monotonic() - state.started_at:.1f} s"
          + (f"; failed: {'; '.join(state.failures)}" if state.failures else ""),
          file=sys.stderr, flush=True)


def start(*, load_models: bool = True) -> WarmUp:
    """Start the warm-up thread, once per process; return its state (also when already started)."""
    global _STATE
    with _START_LOCK:
        if _STATE is None:
            _STATE = WarmUp()
            threading.Thread(target=_run, args=(_STATE, load_models), name=THREAD_NAME,
                             daemon=True).start()
        return _STATE


def wait_for_imports(poll_s: float = 0.25) -> None:
    """Start the warm-up if needed and, while its imports run, show a progress bar and wait.

    Called at the top of a page's run, before the page imports anything heavy. Returns at once
    on a warm server. The bar is drawn in an ``st.empty`` slot and removed when done; each update
    lets Streamlit stop or rerun the waiting script as usual.
    """
    state = start()
    if state.imported.is_set():
        return
    import streamlit as st

    slot = st.empty()
    while not state.imported.wait(poll_s):
        slot.progress(state.done / state.total,
                      text=f"The server has just started: {state.step} "
                           f"({state.done} of {state.total}). This happens once.")
    slot.empty()
