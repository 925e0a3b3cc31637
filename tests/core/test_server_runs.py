"""What the server does after every script run: close figures, but keep Keras's state."""

import importlib
import inspect

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from streamlit.runtime.scriptrunner import script_runner  # noqa: E402

app = importlib.import_module("app")


def test_streamlit_still_calls_the_hook_after_each_run():
    # If an upgrade renames the hook, keep_keras_between_runs would silently do nothing.
    assert "_clean_problem_modules" in inspect.getsource(script_runner.ScriptRunner._run_script)


def test_after_a_run_keras_keeps_its_state_and_figures_close(monkeypatch):
    monkeypatch.setattr(script_runner, "_clean_problem_modules",
                        script_runner._clean_problem_modules)  # restored after the test
    app.keep_keras_between_runs()
    keras.backend.clear_session()
    first = keras.layers.Dense(1).name
    plt.figure()

    script_runner._clean_problem_modules()   # what the runner calls at the end of a run

    # clear_session would have reset the layer-name counter (and run a full gc.collect).
    second = keras.layers.Dense(1).name
    assert (first, second) == ("dense", "dense_1")
    assert plt.get_fignums() == []

