"""The spectrogram and experiments pages in a real browser: widget state, phone and desktop layout."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.browser import wait_idle


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}


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
    """Move a (select) slider by arrow keys, one rerun a key (a key pressed during a rerun may be lost)."""
    for _ in range(abs(presses)):
        thumb = page.locator("[data-testid='stSlider']").filter(has_text=label).first.locator("input[type='range']")
        thumb.focus()
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
        assert "15.6 Hz apart" in main_text(page)

        page.get_by_text("Upload a file").click()
        wait_idle(page)
        clip = tmp_path / "tone.wav"
        sf.write(clip, 0.3 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000), 16000)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(clip))
        wait_idle(page)

        text = main_text(page)
        assert "your upload" in text.lower()   # the caption under the waveform names the clip
        assert slider_value(page, "Frame size N") == "1024"  # shown...
        assert "15.6 Hz apart" in text  # ...and used
        assert checked_radio(page, "Window w") == "rectangular"
        assert any("rectangular" in t for t in page.locator(".gtitle").all_text_contents())
    finally:
        context.close()


def overflowing_equations(page) -> list[int]:
    """Pixels of each displayed equation hidden at the right, of its box or of the screen."""
    return page.evaluate("""(w) => [...document.querySelectorAll('.katex-display')].map(e => {
        const box = e.querySelector('.katex').getBoundingClientRect();
        return Math.max(0, e.scrollWidth - e.clientWidth, Math.ceil(box.right - w)); })""", PHONE["width"])


@pytest.mark.parametrize("path", ["spectrogram", "latent-space"])
def test_equations_fit_a_phone_screen(app_url, browser, path):
    context, page = open_page(browser, f"{app_url}/{path}", PHONE)
    try:
        hidden = overflowing_equations(page)
        # KaTeX's struts may poke a pixel or two past the box; a cut-off equation loses more.
        assert len(hidden) >= 2 and max(hidden) <= 3, hidden
    finally:
        context.close()


def boxes_overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] \
        and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def choose(page, label: str, option: str) -> None:
    """Pick *option* of the select box *label*, then wait for the rerun."""
    page.locator("[data-testid='stSelectbox']").filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def longest_titles(page) -> None:
    """The settings that make this page's chart titles longest: N = H = 4096, rectangular, 44.1 kHz."""
    choose(page, "Sample rate", "44100")
    page.locator("[data-testid='stRadio']").filter(has_text="Window w").get_by_text("rectangular").click()
    wait_idle(page)
    step_slider(page, "Frame size N", 3)   # 512 -> 4096
    step_slider(page, "Hop H", 2)          # N / 4 -> N
    assert slider_value(page, "Frame size N") == "4096" and slider_value(page, "Hop H") == "4096"


def unreadable_titles(page) -> list:
    """Every chart whose title is cut by the chart's edges or the screen's, or lies under the
    toolbar the chart shows on hover: (title, title box, chart box, toolbar box)."""
    width = page.viewport_size["width"]
    bad = []
    charts = page.locator("[data-testid='stPlotlyChart']")
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        chart.hover()
        page.wait_for_timeout(300)
        svg = chart.locator(".main-svg").first.bounding_box()
        bar = chart.locator(".modebar").bounding_box()
        title = chart.locator(".gtitle").bounding_box()
        text = chart.locator(".gtitle").text_content()
        inside = (svg["x"] <= title["x"] and title["x"] + title["width"] <= min(svg["x"] + svg["width"], width)
                  and svg["y"] <= title["y"])
        if not text or not inside or boxes_overlap(bar, title):
            bad.append((text, title, svg, bar))
    return bad


@pytest.mark.parametrize("settings", [None, longest_titles], ids=["defaults", "longest-titles"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_chart_titles_are_whole_and_clear_of_the_toolbar(app_url, browser, viewport, settings):
    context, page = open_page(browser, f"{app_url}/spectrogram", viewport)
    try:
        if settings:
            settings(page)
        page.wait_for_function("document.querySelectorAll(\"[data-testid='stPlotlyChart'] .gtitle\").length >= 9",
                               timeout=60_000)
        assert not unreadable_titles(page)
        # The metrics' labels are whole too (Streamlit cuts a label too long for its column).
        cut = page.evaluate("""() => [...document.querySelectorAll("[data-testid='stMetricLabel']")]
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)""")
        assert not cut, cut
    finally:
        context.close()


def test_experiments_tables_show_every_column_on_a_desktop(app_url, browser):
    from audioml.experiments.report import load_report, trials_by_table

    # Every table: the published rows (Table 1: beside ours) and, once it has any, our trials.
    tables = trials_by_table(load_report())
    expected = [1 + bool(tables[t]) for t in ("table1", "table2", "table3")]
    context, page = open_page(browser, f"{app_url}/experiments", DESKTOP)
    try:
        for i in (0, 1, 2):
            page.get_by_role("tab").nth(i).click()
            page.wait_for_timeout(1500)
            hidden = page.evaluate("""() => [...document.querySelectorAll(
                    "[role='tabpanel']:not([hidden]) [data-testid='stDataFrame'] .dvn-scroller")]
                .filter(s => s.getBoundingClientRect().width > 0)
                .map(s => s.scrollWidth - s.clientWidth)""")
            assert len(hidden) >= expected[i] and max(hidden) <= 2, (i, hidden)
    finally:
        context.close()


def test_experiments_tables_fit_a_phone_and_scroll_sideways(app_url, browser):
    context, page = open_page(browser, f"{app_url}/experiments", PHONE)
    try:
        page.get_by_role("tab").nth(2).click()
        page.wait_for_timeout(1500)
        grids = page.evaluate("""() => [...document.querySelectorAll(
                "[role='tabpanel']:not([hidden]) [data-testid='stDataFrame'] .dvn-scroller")]
            .map(s => { const r = s.getBoundingClientRect();
                        return [r.left, r.right, s.scrollWidth > s.clientWidth, getComputedStyle(s).overflowX]; })""")
        assert len(grids) >= 2   # published rows, our trials (and the split protocols)
        for left, right, wide, overflow in grids:
            assert 0 <= left and right <= PHONE["width"]  # the table's box fits the screen...
            assert not wide or overflow in ("auto", "scroll")  # ...and what does not fit scrolls into view
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
