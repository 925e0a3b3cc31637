"""A reduced load test (the full one is `make bench`): a class opening every page at once on a
fresh server all succeed, each model is loaded once per process, TensorFlow's thread pools are
sized once before the first model, and the server's memory stays bounded.
No wall-clock figure is asserted: those belong in bench/."""

import pytest

from tests.support.browser import peak_rss_mb, running_app
from tests.support.load import load_test, model_loads
from ui.navigation import available_pages

pytestmark = pytest.mark.slow

#: The server's peak resident memory with every model loaded, in MB (about 1.2 GB measured).
MEMORY_LIMIT_MB = 2500


def test_a_class_arriving_at_once_on_a_cold_server():
    """Twelve sessions reach a server that has served nothing yet, every page at once: none may
    show an exception (script runs of several sessions once imported the same heavy modules in
    parallel threads, and one saw a half-imported pandas)."""
    paths = [""] + [p.url_path for p in available_pages()]
    with running_app() as url:
        result = load_test(url, paths, sessions=2 * len(paths), timeout_s=400)
        memory = peak_rss_mb(running_app.last_pid)
        log = running_app.last_log.read_text()
        loads = model_loads(running_app.last_log)
    assert not result["errors"], result["errors"]  # a session past timeout_s is an error too
    assert loads and all(n == 1 for n in loads.values()), loads
    threads = [line for line in log.splitlines() if "audioml: TensorFlow threads" in line]
    assert len(threads) == 1 and "not applied" not in threads[0], threads
    assert memory < MEMORY_LIMIT_MB, f"server peak memory {memory:.0f} MB"
