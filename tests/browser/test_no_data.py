"""Every page whole with no data folder and no network: what a page shows comes from the repository.

The server runs with $AUDIOML_DATA and $AUDIOML_SHARED_DATA pointing at an empty folder, so
`audioml.paths.find_data` finds no dataset; each page is opened at its default settings and must
show no exception, no error and no notice that some of its content is missing.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available, running_app, wait_idle
from ui.navigation import available_pages

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(),
                                 reason="Debian's chromium is needed (apt-get install chromium chromium-driver)")]

#: What an st.info / st.warning says when content is missing.
MISSING = re.compile(
    r"\bnot (found|available|shipped|present)\b|\bno \w+ (data|dataset|model|file)s?\b|\bis missing\b"
    r"|\bcannot be (shown|scored|loaded|found)\b|\b(needs?|requires?) the [\w ]{0,30}(data|dataset)\b"
    r"|\bdownload (it|the data)\b|\bunavailable\b", re.IGNORECASE)
PATHS = [""] + [p.url_path for p in available_pages()]


@pytest.fixture(scope="module")
def app_without_data(tmp_path_factory):
    empty = tmp_path_factory.mktemp("no_data")
    with running_app(env={"AUDIOML_DATA": str(empty), "AUDIOML_SHARED_DATA": str(empty)}) as url:
        yield url, running_app.last_log


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def test_missing_pattern_catches_the_notices_pages_use():
    for text in ("The held-out codes are not shipped beside the models", "no fsdd data found",
                 "The digit judge is not shipped, so samples cannot be scored", "MNIST not found"):
        assert MISSING.search(text), text
    for text in ("Upload a file or record a few words to go on", "Table 1's epoch count is not published",
                 "Plots appear once a trial has completed."):
        assert not MISSING.search(text), text


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "home")
def test_page_is_whole_without_data(app_without_data, browser, path):
    url, log = app_without_data
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{url}/{path}")
        wait_idle(page)
        name = path or "home"
        exceptions = page.locator("[data-testid='stException']")
        assert exceptions.count() == 0, f"{name}: exception shown: {exceptions.first.inner_text()[:500]}"
        shown = page.locator("[data-testid='stAlertContentError']")
        assert shown.count() == 0, f"{name}: error shown: {shown.first.inner_text()[:300]}"
        notices = page.locator("[data-testid='stAlertContentInfo'], [data-testid='stAlertContentWarning']")
        missing = [t for t in notices.all_inner_texts() if MISSING.search(t)]
        assert not missing, f"{name}: notices of missing content: {missing}"
        assert not errors, f"{name}: JavaScript errors: {errors[:3]}"
    finally:
        context.close()
    assert "Traceback" not in log.read_text(), f"the server logged a traceback: {log}"
