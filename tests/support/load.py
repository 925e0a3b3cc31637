"""Many simultaneous browser sessions against one server: every page loads, models load once."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections import Counter
from pathlib import Path

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, IDLE


async def _session(browser, url: str, timeout_ms: int) -> tuple[float, str | None]:
    """Open *url* in a fresh context; return (seconds to a finished run, error text or None)."""
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    t0 = time.perf_counter()
    try:
        await page.goto(url, timeout=timeout_ms)
        await page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout_ms)
        await page.wait_for_timeout(500)
        await page.wait_for_selector(IDLE, timeout=timeout_ms)
        elapsed = time.perf_counter() - t0
        problems = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
        error = (await problems.first.inner_text())[:200] if await problems.count() else None
        return elapsed, error
    except Exception as exc:  # noqa: BLE001 - a failed session is a result to report
        return time.perf_counter() - t0, f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        await context.close()


async def _run(urls: list[str], timeout_ms: int):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(_session(browser, u, timeout_ms) for u in urls))
        finally:
            await browser.close()


def load_test(base_url: str, paths: list[str], sessions: int, *, timeout_s: float = 300) -> dict:
    """Open *sessions* pages at once, cycling through *paths*; return latency and error figures."""
    urls = [f"{base_url}/{paths[i % len(paths)]}" for i in range(sessions)]
    t0 = time.perf_counter()
    results = asyncio.run(asyncio.wait_for(_run(urls, int(timeout_s * 1000)), timeout_s + 60))
    latencies = sorted(r[0] for r in results)
    return {
        "sessions": sessions,
        "wall_s": time.perf_counter() - t0,
        "p50_s": statistics.median(latencies),
        "p95_s": latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))],
        "errors": [(u, r[1]) for u, r in zip(urls, results) if r[1]],
    }


def model_loads(server_log: Path) -> Counter:
    """How many times each model was loaded, from the server's log."""
    return Counter(re.findall(r"audioml: loading model ([A-Za-z0-9_]+)", server_log.read_text()))
