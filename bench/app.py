"""Benchmark of the app in headless Chromium: cold start to the first rendered page, each page's
warm render time (median of several visits), and the server's peak resident memory."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS, running_app, wait_idle  # noqa: E402
from ui.navigation import available_pages  # noqa: E402


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of process *pid* and its children so far, in MB."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            total += int(line.split()[1]) / 1024
    return total


def rows(visits: int = 3) -> list[tuple[str, str, str]]:
    from playwright.sync_api import sync_playwright

    out = []
    t0 = time.perf_counter()
    with running_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        wait_idle(page)
        out.append(("Cold start: server launch to home page rendered", f"{time.perf_counter() - t0:.1f} s", ""))
        for info in available_pages():
            page.goto(f"{url}/{info.url_path}")
            wait_idle(page)  # first visit loads models: not counted
            times = []
            for _ in range(visits):
                t1 = time.perf_counter()
                page.goto(f"{url}/{info.url_path}")
                wait_idle(page)
                times.append(time.perf_counter() - t1)
            out.append((f"Warm render: {info.title}", f"{statistics.median(times):.2f} s",
                        f"median of {visits}"))
        server = running_app.last_pid  # set by running_app
        out.append(("Server peak memory after visiting every page", f"{peak_rss_mb(server):.0f} MB", "VmHWM"))
        browser.close()
    return out


if __name__ == "__main__":
    for name, value, note in rows():
        print(f"| {name} | {value} | {note} |")
