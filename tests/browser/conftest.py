"""Fixtures of the real-browser tests: one app server and one headless Chromium per module.

Every test in this folder is marked ``browser`` and skips, with the reason, where Debian's
Chromium is not installed. A module that needs other servers (no data, a fresh one per test)
defines its own ``app_url``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available, running_app

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    skip = pytest.mark.skipif(not chromium_available(),
                              reason="Debian's chromium is needed (apt-get install chromium chromium-driver)")
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(skip)


@pytest.fixture(scope="module")
def app_url():
    """Base URL of a fresh app server (started as ``make run`` starts it) for this module."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for this module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def visit(app_url, browser):
    """``visit(path, width=1400, height=1000)``: a new browser page at *path* of the module's
    server, once its script has run; closed at the end of the module."""
    from tests.support.browser import wait_idle

    opened = []

    def open_at(path: str, *, width: int = 1400, height: int = 1000):
        page = browser.new_page(viewport={"width": width, "height": height})
        opened.append(page)
        page.goto(f"{app_url}/{path.lstrip('/')}")
        wait_idle(page)
        return page

    yield open_at
    for page in opened:
        page.close()
