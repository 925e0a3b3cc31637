"""The denoise page in a real browser: settings survive the wait for an upload."""

from __future__ import annotations

import pytest

from tests.support.browser import wait_idle


@pytest.fixture(scope="module")
def page(visit):
    return visit("denoise")


def snr_slider(page):
    return page.locator("[data-testid='stSlider']").filter(has_text="Signal-to-noise")


def slider_value(slider) -> str:
    return slider.locator("input[type=range]").input_value()


def checked_options(page) -> list[str]:
    """The chosen option of every radio group on the page."""
    return [t.strip() for t in page.locator("[data-testid='stRadio'] label:has(input:checked)").all_inner_texts()]


def test_settings_survive_the_wait_for_an_upload(page, tmp_path, speech):
    import soundfile as sf

    page.locator("[data-testid='stRadio']").filter(has_text="Noise").get_by_text("hum", exact=True).click()
    wait_idle(page)
    snr_slider(page).locator("input[type=range]").focus()
    page.keyboard.press("End")   # the slider's top: 20 dB
    wait_idle(page)
    assert slider_value(snr_slider(page)) == "20"
    page.get_by_text("Upload a file", exact=True).click()
    wait_idle(page)
    assert snr_slider(page).count() == 0   # the page waits for a file
    clip = tmp_path / "hello.wav"
    sf.write(clip, speech("hello there, one two three", sr=16000), 16000)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(clip))
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    # An upload is taken as already noisy; asked to add noise, the page adds what was set.
    assert snr_slider(page).count() == 0
    page.locator("[data-testid='stRadio']").filter(has_text="The input is").get_by_text(
        "clean: add noise to it", exact=True).click()
    wait_idle(page)
    assert slider_value(snr_slider(page)) == "20"
    assert "hum" in checked_options(page)
    assert "hello.wav" in page.locator("[data-testid='stMain']").inner_text()


def test_on_a_phone_every_spectrogram_gets_the_screen_width(visit):
    phone = visit("denoise", width=390, height=844)
    charts = phone.locator("[class*='st-key-dn_spectrogram_'] [data-testid='stPlotlyChart'], "
                           "[data-testid='stPlotlyChart'][class*='st-key-dn_spectrogram_']")
    charts.nth(4).locator(".js-plotly-plot").wait_for()
    boxes = [charts.nth(i).bounding_box() for i in range(charts.count())]
    # clean, noisy and the three models trained here: one readable panel each, stacked.
    assert len(boxes) == 5
    assert all(b["width"] >= 300 and b["x"] >= 0 and b["x"] + b["width"] <= 390 for b in boxes), boxes
    tops = sorted(b["y"] for b in boxes)
    assert all(later - earlier >= 200 for earlier, later in zip(tops, tops[1:])), tops


def test_on_a_desktop_every_model_chip_and_player_is_readable(visit):
    """The Models box shows all three chips of the default choice, and each player is wide
    enough for its controls (five players in one row showed only "0:00")."""
    page = visit("denoise")
    box = page.locator("[data-testid='stMultiSelect']").first
    chips = box.locator("[data-tag]")
    chips.nth(2).wait_for()
    assert chips.count() == 3
    right = box.bounding_box()["x"] + box.bounding_box()["width"]
    assert all(chips.nth(i).bounding_box()["x"] + chips.nth(i).bounding_box()["width"] <= right
               for i in range(3))
    players = page.locator("[data-testid='stAudio']")
    players.nth(4).wait_for()
    assert players.count() == 5
    assert min(players.nth(i).bounding_box()["width"] for i in range(5)) >= 250


def test_on_a_phone_the_scores_show_every_column(visit):
    """At 390 px the scores table keeps PESQ in view (a scrolling grid hid it behind the names)."""
    phone = visit("denoise", width=390, height=844)
    table = phone.locator("[data-testid='stTable']")
    table.wait_for()
    headers = table.locator("th")
    names = ["".join(h.inner_text().split()) for h in headers.all()]   # a header may wrap
    assert {"clip", "PESQ-nb", "PESQ-wb", "SI-SDRgain(dB)"} <= set(names), names
    for h in headers.all():
        box = h.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (h.inner_text(), box)
