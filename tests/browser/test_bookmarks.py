"""A lesson can be bookmarked: the spectrogram page opened from a link, changed, and reloaded."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.support.browser import wait_idle


def slider_value(page, label: str) -> str:
    slider = page.locator("[data-testid='stSlider']").filter(has_text=label).first
    return slider.locator("[data-testid='stSliderThumbValue']").first.inner_text().strip()


def checked_radio(page, label: str) -> str:
    group = page.locator("[data-testid='stRadio']").filter(has_text=label).first
    return group.locator("[data-testid='stRadioOption'][data-selected='true']").inner_text().strip()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


#: Counts the page's script runs, as the browser sees them start (installed before the app loads).
COUNT_RUNS = """
window.scriptRuns = 0;
new MutationObserver(() => {
  const app = document.querySelector("[data-testid='stApp']");
  const state = app && app.getAttribute('data-test-script-state');
  if (state === 'running' && window.lastScriptState !== 'running') window.scriptRuns += 1;
  window.lastScriptState = state;
}).observe(document, {attributes: true, subtree: true, childList: true,
                      attributeFilter: ['data-test-script-state']});
"""


def test_a_link_sets_up_the_page_a_change_goes_in_the_url_and_a_reload_keeps_it(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(COUNT_RUNS)
    try:
        page.goto(f"{app_url}/spectrogram?stft_nfft=1024&stft_window=rectangular&stft_sr=8000")
        wait_idle(page)
        assert page.evaluate("window.scriptRuns") == 1   # set up in the visit's one script run
        assert slider_value(page, "Frame size N") == "1024"
        assert checked_radio(page, "Window w") == "rectangular"
        assert "Frame = 128.0 ms" in page.locator("[data-testid='stMain']").inner_text()

        # A change is written into the address bar, without loading the page again.
        page.evaluate("window.notReloaded = true")
        page.locator("[data-testid='stRadio']").filter(has_text="Frequency axis").get_by_text("mel").click()
        page.wait_for_url(re.compile(r"stft_scale=mel"))
        wait_idle(page)
        assert page.evaluate("window.notReloaded === true")
        assert page.evaluate("window.scriptRuns") == 2   # one run for the change, none to sync the URL
        assert query(page) == {"stft_nfft": ["1024"], "stft_window": ["rectangular"], "stft_sr": ["8000"],
                               "stft_scale": ["mel"]}

        page.reload()
        wait_idle(page)
        assert page.evaluate("window.scriptRuns") == 1
        assert slider_value(page, "Frame size N") == "1024"
        assert checked_radio(page, "Window w") == "rectangular"
        assert checked_radio(page, "Frequency axis") == "mel"
        assert "Frame = 128.0 ms" in page.locator("[data-testid='stMain']").inner_text()

        # Another page does not inherit them.
        page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Home").click()
        page.wait_for_url(lambda url: "spectrogram" not in url)
        wait_idle(page)
        assert not any(name.startswith("stft_") for name in query(page)), page.url
    finally:
        page.close()
