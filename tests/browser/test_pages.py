"""Real-browser tests: headless Chromium opens every page of a running app and finds no exception,
no error and no notice that content is missing.

Every test runs twice: against a server that finds the datasets where they usually are, and
against one whose data lookup finds nothing ($AUDIOML_DATA and $AUDIOML_SHARED_DATA pointing at an
empty folder), as on a Space: what a page shows must come from the repository.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import ARTIFACTS, running_app, wait_idle
from ui.navigation import available_pages



#: What an st.info / st.warning says when some content is missing.
MISSING = re.compile(
    r"\bnot (found|available|shipped|present)\b|\bno \w+ (data|dataset|model|file)s?\b|\bis missing\b"
    r"|\bcannot be (shown|scored|loaded|found)\b|\b(needs?|requires?) the [\w ]{0,30}(data|dataset)\b"
    r"|\bunavailable\b", re.IGNORECASE)


@pytest.fixture(scope="module", params=["data", "no-data"])
def app_url(request, tmp_path_factory):
    env = {}
    if request.param == "no-data":
        empty = tmp_path_factory.mktemp("no_data")
        env = {"AUDIOML_DATA": str(empty), "AUDIOML_SHARED_DATA": str(empty)}
    with running_app(env=env) as url:
        yield url
        log = running_app.last_log.read_text()
    assert "Traceback" not in log, f"the server logged a traceback ({request.param}): {log[-2000:]}"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


def assert_clean(page, name: str) -> None:
    shots = ARTIFACTS / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    # Streamlit scrolls inside its main block, so grow the viewport to the content for a whole-page shot.
    height = page.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(max(int(height) + 50, 1000), 16000)})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, f"{name}: exception shown: {exceptions.first.inner_text()[:500]}"
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, f"{name}: error shown: {errors.first.inner_text()[:300]}"
    notices = page.locator("[data-testid='stAlertContentInfo'], [data-testid='stAlertContentWarning']")
    missing = [t for t in notices.all_inner_texts() if MISSING.search(t)]
    assert not missing, f"{name}: notices that content is missing: {missing}"
    assert not page.js_errors, f"{name}: JavaScript errors: {page.js_errors[:3]}"


def test_missing_content_pattern():
    """The pattern catches the notices pages use when something is missing, and only those."""
    for text in ("The held-out codes are not shipped beside the models", "no fsdd data found",
                 "The digit judge is not shipped, so samples cannot be scored", "MNIST was not found"):
        assert MISSING.search(text), text
    for text in ("Upload a file or record a few words to go on", "Table 1's epoch count is not published",
                 "Plots appear once a trial has completed.", "Pick at least one model."):
        assert not MISSING.search(text), text


def test_home_lists_every_page(app_url, page):
    page.goto(app_url)
    wait_idle(page)
    assert_clean(page, "0_home")
    text = page.locator("[data-testid='stMain']").inner_text()
    for info in available_pages():
        assert info.title in text


@pytest.mark.parametrize("info", available_pages(), ids=lambda p: p.url_path)
def test_page_renders_without_exception(app_url, page, info):
    page.goto(f"{app_url}/{info.url_path}")
    wait_idle(page)
    assert_clean(page, info.file.removesuffix(".py"))
    assert page.locator("h1").first.inner_text().strip(), "page has no title"


def test_spectrogram_upload_and_bad_file(app_url, page, tmp_path, speech):
    """Upload real speech, then a text file with a .wav name: a spectrogram, then a clear message."""
    import soundfile as sf

    page.goto(f"{app_url}/spectrogram")
    wait_idle(page)
    page.get_by_text("Upload a file").click()
    wait_idle(page)
    good = tmp_path / "hello.wav"
    sf.write(good, speech("hello world", sr=16000), 16000)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(good))
    wait_idle(page)
    assert_clean(page, "1_spectrogram_upload")
    assert "your upload" in page.locator("[data-testid='stMain']").inner_text().lower()
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not audio")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(bad))
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert "could not read" in page.locator("[data-testid='stAlertContentError']").first.inner_text()
