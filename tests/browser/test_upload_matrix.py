"""Every valid upload works on every page that takes audio, in a real browser.

The files span what the README accepts: lengths up to the limit, the common rates, mono and
stereo, WAV and FLAC, each taken on the denoise page as already noisy or as clean. Trying every
combination (3 x 4 x 2 x 2 x 2 = 96 runs, each 5-20 s in the browser on two cores) would take
most of the test budget, so the matrix is an all-pairs design of 12 files: every length meets
every rate (the pair that once broke the denoise page: its display hop outgrew the frame past
6.4 s at 48 kHz), and every value of any factor meets every value of any other at least once.
A page may stop a user's error with a message; a valid file never shows an error or an exception.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from audioml.audio import MAX_SECONDS
from tests.support.browser import wait_idle

pytestmark = pytest.mark.slow

LENGTHS_S = (1.0, 10.6, float(MAX_SECONDS))
RATES = (8000, 16000, 44100, 48000)
CHANNELS = (1, 2)
FORMATS = ("WAV", "FLAC")
PROBLEMS = "[data-testid='stException'], [data-testid='stAlertContentError']"


MODES = ("already noisy: denoise it as it is", "clean: add noise to it")
#: Mode of each (length, rate) row, in the order of :func:`all_pairs`; found by a search over
#: the 2**12 choices for one that covers every pair with the other four factors.
MODE_OF_ROW = (0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0)


def all_pairs() -> list[tuple[float, int, int, str, str]]:
    """Every (length, rate), with channels alternating with length + rate, the format with
    length + rate // 2, and the denoise page's mode from :data:`MODE_OF_ROW`."""
    rows = [(length, rate, CHANNELS[(i + j) % 2], FORMATS[(i // 2 + j) % 2])
            for j, length in enumerate(LENGTHS_S) for i, rate in enumerate(RATES)]
    return [row + (MODES[m],) for row, m in zip(rows, MODE_OF_ROW)]


def test_the_design_covers_every_pair_of_factors():
    rows = all_pairs()
    levels = (LENGTHS_S, RATES, CHANNELS, FORMATS, MODES)
    for a, b in itertools.combinations(range(len(levels)), 2):
        assert {(r[a], r[b]) for r in rows} == set(itertools.product(levels[a], levels[b])), (a, b)


@pytest.fixture(scope="module")
def files(tmp_path_factory, speech):
    """The matrix's files: read speech at the file's rate, tiled to its length, with a little
    noise; the right channel of a stereo file is the left one delayed and quieter."""
    import soundfile as sf

    folder = tmp_path_factory.mktemp("uploads")
    made = []
    for length, rate, channels, fmt, mode in all_pairs():
        voice = speech("seven, three, nine. the quick brown fox jumps over the lazy dog.", sr=rate)
        y = np.resize(voice, int(round(length * rate)))
        y = y + 0.01 * np.random.default_rng(rate).standard_normal(len(y))
        if channels == 2:
            y = np.stack([y, 0.6 * np.roll(y, rate // 100)], axis=1)
        path = folder / f"speech_{length:g}s_{rate}Hz_{'stereo' if channels == 2 else 'mono'}.{fmt.lower()}"
        sf.write(path, np.clip(y, -1, 1).astype(np.float32), rate, format=fmt, subtype="PCM_16")
        made.append((path, rate, mode))
    return made


def assert_clean(page, label: str) -> None:
    problems = page.locator(PROBLEMS)
    assert problems.count() == 0, f"{label}: {problems.first.inner_text()[:400]}"


def upload(page, path, *, nth: int = 0) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").nth(nth).set_input_files(str(path))
    wait_idle(page)


def choose(page, group: str, option: str) -> None:
    page.locator("[data-testid='stRadio']").filter(has_text=group).get_by_text(option, exact=True).click()
    wait_idle(page)


def test_the_spectrogram_page_draws_every_file(visit, files):
    page = visit("spectrogram")
    choose(page, "Signal", "Upload a file")
    for path, _, _ in files:
        upload(page, path)
        assert_clean(page, path.name)
        assert "your upload" in page.locator("[data-testid='stMain']").inner_text().lower(), path.name


def test_the_denoise_page_denoises_every_file(visit, files):
    page = visit("denoise")
    choose(page, "Input", "Upload a file")
    for path, rate, mode in sorted(files, key=lambda f: f[2]):   # one change of mode
        upload(page, path)
        if not page.locator("[data-testid='stRadio'] label:has(input:checked)").filter(
                has_text=mode).count():
            choose(page, "The input is", mode)   # kept for the files after it
        assert_clean(page, f"{path.name}, {mode}")
        main = page.locator("[data-testid='stMain']").inner_text()
        assert path.name in main and f"at {rate} Hz" in main, (path.name, "its own rate")
        assert page.locator("[data-testid='stPlotlyChart']").count() >= 2, path.name
        # Scores need a clean reference, which only the "clean" mode has.
        assert (page.locator("[data-testid='stTable']").count() > 0) == mode.startswith("clean")


def test_the_batch_denoises_every_file_at_once(visit, files):
    page = visit("denoise")
    batch = page.locator("[data-testid='stFileUploaderDropzoneInput']").last
    batch.set_input_files([str(path) for path, _, _ in files])
    wait_idle(page)
    # The fastest model: what is tested here is reading and writing every file of a batch.
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Model for the batch")
    chooser = box.locator("input")
    chooser.click()
    page.keyboard.press("ArrowDown")   # opens the list
    page.get_by_role("option", name="masknet_denoiser", exact=True).click()
    wait_idle(page)
    assert chooser.input_value() == "masknet_denoiser"
    page.get_by_role("button", name=f"Denoise {len(files)} file(s)").click()
    page.get_by_role("button", name=f"Download {len(files)} denoised file(s) (ZIP)").wait_for(timeout=600_000)
    wait_idle(page)
    assert_clean(page, "batch")
    assert page.locator("[data-testid='stAlertContentWarning']").count() == 0
