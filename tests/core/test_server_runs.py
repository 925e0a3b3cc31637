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



def test_streamlit_run_says_once_that_python_app_py_is_the_way(tmp_path):
    """`streamlit run app.py` routes a fresh server's first visitor by pages/ file names, which
    app.py cannot undo from a script run: the log says so once; `python app.py` says nothing.
    (Also fails if a Streamlit upgrade moves the legacy-mode flag that serve() clears.)"""
    import urllib.request

    from tests.support.browser import running_app

    from streamlit.runtime.pages_manager import PagesManager

    assert hasattr(PagesManager, "uses_pages_directory")
    for streamlit_run in (True, False):
        with running_app(streamlit_run=streamlit_run) as url:
            for _ in range(2):   # two visits; the script runs when a browser session opens
                _open_session(url)
            log = running_app.last_log.read_text()
        expected = 1 if streamlit_run else 0
        assert log.count("started with `streamlit run app.py`") == expected, log[-2000:]


def _open_session(url: str) -> None:
    """One browser session of the page at *url*, run to its end."""
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available, wait_idle

    if not chromium_available():
        import pytest

        pytest.skip("Debian's chromium is needed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        wait_idle(page)
        browser.close()
