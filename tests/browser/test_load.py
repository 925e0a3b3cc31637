"""A reduced load test (the full one is `make bench`): simultaneous sessions denoising and
generating on one server all succeed, and each model is loaded once per process."""

import pytest

from tests.support.browser import chromium_available, running_app
from tests.support.load import load_test, model_loads
from ui.navigation import available_pages

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is needed")]

BUSY_PAGES = ["denoise", "melody"]


def test_four_simultaneous_sessions():
    paths = [p.url_path for p in available_pages() if p.url_path in BUSY_PAGES] or ["spectrogram"]
    with running_app() as url:
        result = load_test(url, paths, sessions=4, timeout_s=400)
        loads = model_loads(running_app.last_log)
    assert not result["errors"], result["errors"]  # a session past timeout_s is an error too
    assert all(n == 1 for n in loads.values()), loads
