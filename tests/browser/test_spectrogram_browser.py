"""The spectrogram and experiments pages in a real browser: widget state, phone and desktop layout."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available, running_app, wait_idle

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(),
                                 reason="Debian's chromium is needed (apt-get install chromium chromium-driver)")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}


@pytest.fixture(scope="module")
def app_url():
    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def open_page(browser, url: str, viewport: dict):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(url)
    wait_idle(page)
    return context, page


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def slider_value(page, label: str) -> str:
    slider = page.locator("[data-testid='stSlider']").filter(has_text=label).first
    return slider.locator("[data-testid='stSliderThumbValue']").first.inner_text().strip()


def step_slider(page, label: str, presses: int) -> None:
    """Move a (select) slider by arrow keys, then wait for the rerun."""
    thumb = page.locator("[data-testid='stSlider']").filter(has_text=label).first.locator("input[type='range']")
    thumb.focus()
    for _ in range(abs(presses)):
        thumb.press("ArrowRight" if presses > 0 else "ArrowLeft")
    page.wait_for_timeout(300)
    wait_idle(page)


def checked_radio(page, label: str) -> str:
    group = page.locator("[data-testid='stRadio']").filter(has_text=label).first
    return group.locator("[data-testid='stRadioOption'][data-selected='true']").inner_text().strip()


def test_settings_survive_a_page_that_waits_for_an_upload(app_url, browser, tmp_path):
    """N = 1024 and a rectangular window, then "Upload a file": after the upload both still show and apply."""
    import soundfile as sf

    context, page = open_page(browser, f"{app_url}/spectrogram", DESKTOP)
    try:
        step_slider(page, "Frame size N", 1)  # 512 -> 1024
        page.locator("[data-testid='stRadio']").filter(has_text="Window w").get_by_text("rectangular").click()
        wait_idle(page)
        assert slider_value(page, "Frame size N") == "1024"
        assert "15.6 Hz per bin" in main_text(page)

        page.get_by_text("Upload a file").click()
        wait_idle(page)
        clip = tmp_path / "tone.wav"
        sf.write(clip, 0.3 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000), 16000)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(clip))
        wait_idle(page)

        text = main_text(page)
        assert "your upload" in text
        assert slider_value(page, "Frame size N") == "1024"  # shown...
        assert "15.6 Hz per bin" in text  # ...and used
        assert checked_radio(page, "Window w") == "rectangular"
        assert any("rectangular window" in t for t in page.locator(".gtitle").all_text_contents())
    finally:
        context.close()
