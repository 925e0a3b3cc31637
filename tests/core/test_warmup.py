"""The server's warm-up imports what the pages import, so that no two sessions import a heavy
package at once (the browser test of a class arriving on a cold server is in tests/browser)."""

from __future__ import annotations

import importlib
import sys

from tests.support.browser import ROOT
from ui import warmup
from ui.navigation import available_pages


def test_after_the_warm_up_a_page_imports_nothing_entangled():
    from streamlit.testing.v1 import AppTest

    for name in warmup.MODULES:
        importlib.import_module(name)
    sys.modules["PIL.Image"].init()
    late = {}
    for info in available_pages():
        before = set(sys.modules)
        at = AppTest.from_file(str(info.path), default_timeout=300).run()
        assert not at.exception, (info.file, at.exception)
        late[info.file] = sorted(m for m in set(sys.modules) - before
                                 if not m.startswith(warmup.LAZY_WITHIN_PLOTLY)
                                 and not m.startswith(("__autograph_generated", "encodings.")))
    assert not any(late.values()), late


def test_a_page_waits_for_the_imports_with_a_progress_bar(monkeypatch):
    """On a warm server the wait returns at once; while the imports run it shows where they are."""
    from streamlit.testing.v1 import AppTest

    state = warmup.WarmUp()
    state.done, state.step = 3, "importing tensorflow"
    monkeypatch.setattr(warmup, "_STATE", state)
    script = ("import threading\nfrom ui import warmup\n"
              "threading.Timer(1.0, warmup._STATE.imported.set).start()\n"
              "warmup.wait_for_imports(poll_s=0.05)\nimport streamlit as st\nst.title('page')\n")
    at = AppTest.from_string(script, default_timeout=30)
    at.run()
    assert not at.exception
    assert at.title[0].value == "page"
    assert warmup._STATE is state   # no second warm-up was started


def test_warm_up_runs_once_and_records_what_failed(monkeypatch):
    monkeypatch.setattr(warmup, "MODULES", ("json", "audioml_no_such_module"))
    monkeypatch.setattr(warmup, "_STATE", None)
    state = warmup.start(load_models=False)
    assert warmup.start(load_models=False) is state
    assert state.finished.wait(30)
    assert state.imported.is_set() and state.done == 2
    assert len(state.failures) == 1 and "audioml_no_such_module" in state.failures[0]
