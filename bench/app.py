"""Benchmark of the app in headless Chromium, on one server started as `make run` starts it.

- cold start: server launch to the home page rendered;
- per page, warm: a fresh visit (a new session, in a new tab) until the page is shown (the frame
  painted once its last run has ended and its last chart is drawn), median of several: from a
  browser that has been to the app before (its scripts cached), and from one with nothing cached;
- per page, warm: a visit from the sidebar in the same tab, from the click to the page shown, as
  a student goes from page to page;
- the floor under those visits: a bare Streamlit page (:file:`bench/bare_page.py`), with a title
  only and with one Plotly chart, opened the same way (this checkout only);
- per heavy page, warm: the server's CPU seconds per visit (user + system of the server process,
  children included, from /proc/<pid>/stat) while N sessions open the page at its default settings
  at once, divided by N, less what the idle server spends in the same time;
- per heavy page, warm: a rerun where only a display option changed, from the input to the
  frame painted after the run (times taken in the page), and its server CPU;
- the server's peak resident memory (VmHWM) after all that.

Wall-clock times depend on what else runs on the machine (Chromium itself runs here too); the
server's CPU seconds per visit do not, and are what a 2-vCPU Space has to give each student.

Before and after, in the same run: the same measurements are first taken on a checkout of
:data:`BASELINE` (the last revision before the app was tuned for a class: no caching by
inputs, no fragments, the default server settings), started as that revision's `make run`
started it, then on this checkout; each row shows both and their ratio. ``--no-baseline``
measures this checkout alone; ``--baseline REV`` picks another revision.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, IDLE, cpu_seconds, peak_rss_mb, running_app, wait_idle)
from tests.support.load import load_test  # noqa: E402
from ui.navigation import available_pages  # noqa: E402

HEAVY = ["latent-space", "denoise", "melody", "experiments"]
VISITS = 3          # fresh visits per page for the median
SESSIONS = 8        # sessions at once per heavy page for CPU per visit (with 4, a figure varies by ±0.1 s)
RERUNS = 8          # display-option reruns per heavy page (a WebGL chart is now and then slow to remake)
#: The revision measured as "before": the last one before caching by inputs, fragments and the
#: server's settings for a class.
BASELINE = "8a393ea~1"


def _click_label(text: str):
    def act(page):
        page.locator("[data-testid='stMain'] label", has_text=text).first.click()
    return act


def _step_slider(page):
    page.get_by_role("tab", name="Step through").click()
    page.wait_for_timeout(300)
    slider = page.locator("[data-testid='stSlider']", has_text="Generated step").locator("input[type='range']")
    slider.first.focus()
    page.keyboard.press("ArrowRight")


#: Per heavy page: (what changes, how to change it). A display option reruns the page (or its
#: fragment) and recomputes nothing the figures are made from.
DISPLAY_OPTIONS = {
    "latent-space": ("'Same axes for both plots' ticked/unticked", _click_label("Same axes for both plots")),
    "denoise": ("'Match loudness' toggled", _click_label("Match loudness to the noisy clip")),
    "melody": ("step-through slider moved one step (a fragment)", _step_slider),
}


def idle_cpu_rate(pid: int, seconds: float = 3.0) -> float:
    c0 = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / seconds


#: Installed in every page before the app loads: the time (ms since the navigation began) of
#: each user input, of each change of the app's script state, of each chart Plotly draws (it
#: adds the chart's first <svg class="main-svg">), and of the first frame painted after each
#: run ended and after each chart was drawn. Times come from the page itself, so the browser
#: driver's own delays (finding an element, polling for a state) are not counted.
TIMELINE = """
window.__timeline = [];
const log = (what) => window.__timeline.push([what, performance.now()]);
const logPaint = () => requestAnimationFrame(() => requestAnimationFrame(() => log("painted")));
document.addEventListener("pointerdown", () => log("input"), true);
document.addEventListener("keydown", () => log("input"), true);
new MutationObserver((changes) => {
  // A quick run can change the state twice before this is called: each change's new value is
  // the next change's old value (the last one's is the attribute now).
  changes.forEach((change, i) => {
    const state = i + 1 < changes.length ? changes[i + 1].oldValue
                                         : change.target.getAttribute("data-test-script-state");
    log(state);
    if (state === "notRunning") logPaint();
  });
}).observe(document, {attributes: true, subtree: true, attributeOldValue: true,
                      attributeFilter: ["data-test-script-state"]});
// Streamlit loads Plotly on demand and draws charts after the run that sent them may have
// ended: a page is not shown until its charts are.
new MutationObserver((changes) => {
  for (const change of changes)
    for (const node of change.addedNodes)
      if (node.nodeType === 1 && node.matches("svg.main-svg:first-child")) { log("chart"); logPaint(); }
}).observe(document, {childList: true, subtree: true});
"""
#: Once every Plotly chart in the page is drawn: the time (ms) of the frame painted after the
#: last run ended and the last chart was drawn, and a copy of the page's timeline then (later
#: events do not reach it); false until there is such a frame.
SHOWN = """() => {
  const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart']")];
  if (!charts.every((chart) => chart.querySelector("svg.main-svg"))) return false;
  const events = [...window.__timeline];
  const last = Math.max(...events.filter(([what]) => what === "notRunning" || what === "chart")
                                 .map(([, t]) => t));
  const painted = events.filter(([what, t]) => what === "painted" && t >= last).map(([, t]) => t);
  return painted.length > 0 && {shown: Math.min(...painted), events};
}"""


def settle(page, timeout_ms: int = 300_000) -> tuple[float, list[tuple[str, float]]]:
    """Wait until no run is going on, none starts within half a second and the page is shown;
    return when it was shown (ms, see :data:`SHOWN`) and its timeline then."""
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_timeout(500)
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    found = page.wait_for_function(SHOWN, timeout=timeout_ms).json_value()
    return found["shown"], [tuple(e) for e in found["events"]]


def timed_rerun(page, act, timeout_ms: int = 300_000) -> float | None:
    """Seconds from the input *act* makes to the page shown after the run it started (and any
    run that one started); ``None`` when no run started within 3 s."""
    page.evaluate("window.__timeline = []")
    act(page)
    try:
        page.wait_for_function("() => window.__timeline.some(e => e[0] === 'running')",
                               timeout=3000)
    except Exception:  # noqa: BLE001 - nothing reran: the option is handled in the browser
        return None
    shown, events = settle(page, timeout_ms)
    first_run = min(t for what, t in events if what == "running")
    pressed = max(t for what, t in events if what == "input" and t <= first_run)
    return (shown - pressed) / 1000


def new_context(browser):
    """A browser context with nothing cached, whose pages all keep a :data:`TIMELINE`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(TIMELINE)
    return context


def visit(context, url: str) -> float:
    """Seconds from opening *url* in a new tab of *context* (a new session) to the page shown."""
    page = context.new_page()
    page.goto(url)
    wait_idle(page)
    shown, _ = settle(page)
    elapsed = shown / 1000
    page.close()
    return elapsed


def bare_rows(p) -> list[tuple[str, float, str, str]]:
    """What any Streamlit page costs this browser, whatever the app: :file:`bench/bare_page.py`
    (served alone) with a title only and with one Plotly chart, in a new tab of a browser that
    has been there before."""
    out = []
    with running_app(streamlit_run=True, script="bench/bare_page.py") as url:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = new_context(browser)
        for query, what in (("?chart=no", "a title"), ("", "a title and one Plotly chart")):
            visit(context, url + query)   # fills the browser's cache: not counted
            median = statistics.median(visit(context, url + query) for _ in range(VISITS))
            out.append((f"Floor: a bare Streamlit page, {what}, fresh visit", median,
                        f"{median:.2f} s", f"bench/bare_page.py served alone; median of {VISITS}"))
        browser.close()
    return out


def cpu_per_visit(url: str, pid: int, path: str, sessions: int) -> tuple[float, float, list]:
    """Server CPU seconds per visit of *path* with *sessions* opening it at once (warm)."""
    idle = idle_cpu_rate(pid)
    c0, t0 = cpu_seconds(pid), time.perf_counter()
    result = load_test(url, [path], sessions=sessions, timeout_s=900)
    time.sleep(1.0)
    spent = cpu_seconds(pid) - c0 - idle * (time.perf_counter() - t0)
    return spent / sessions, result["p50_s"], result["errors"]


@contextlib.contextmanager
def checkout(rev: str):
    """A temporary worktree of revision *rev* (its models included), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="audioml-baseline-"))
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(folder), rev], cwd=ROOT,
                   check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=False)


def measure(root: Path = ROOT, *, baseline: bool = False) -> list[tuple[str, float, str, str]]:
    """Every measurement of one server: ``(what, seconds, shown, note)`` rows."""
    from playwright.sync_api import sync_playwright

    out = []
    pages = available_pages()
    # An old revision reads the data folder beside its own checkout; point it at this one's.
    env = {"AUDIOML_DATA": str(os.environ.get("AUDIOML_DATA") or ROOT.parent / "shared" / "data")}
    t0 = time.perf_counter()
    with running_app(root=root, streamlit_run=baseline, env=env if baseline else None) as url:
        pid = running_app.last_pid
        with sync_playwright() as p:
            out += _browser_rows(p, url, pid, pages, t0)
            if not baseline:
                out += bare_rows(p)
        # Sessions driven by the load helper (its own event loop), outside the sync browser.
        # The home page draws almost nothing: what a visit to it costs is the baseline every
        # page pays (a new session, the page's assets), measured in the same run.
        base, p50, errors = cpu_per_visit(url, pid, "", SESSIONS)
        out.append(("Server CPU per visit, warm: Home (a near-empty page)", base, f"{base:.2f} s",
                    f"{SESSIONS} sessions at once; p50 {p50:.1f} s; {len(errors)} failed"))
        for info in (i for i in pages if i.url_path in HEAVY):
            per_visit, p50, errors = cpu_per_visit(url, pid, info.url_path, SESSIONS)
            failed = f"; first failure: {errors[0][1][:120]}".replace("|", "/") if errors else ""
            out.append((f"Server CPU per visit, warm: {info.title}", per_visit, f"{per_visit:.2f} s",
                        f"{per_visit - base:+.2f} s beyond the home page; {SESSIONS} sessions at "
                        f"once; p50 {p50:.1f} s; {len(errors)} failed{failed}"))
        memory = peak_rss_mb(pid)
        out.append(("Server peak memory after all of the above", memory, f"{memory:.0f} MB", "VmHWM"))
    return out


def rows(baseline: str | None = BASELINE) -> list[tuple[str, str, str]]:
    """The table: this checkout's figures, beside the *baseline* revision's when given."""
    before = {}
    if baseline:
        with checkout(baseline) as root:
            before = {name: (value, shown) for name, value, shown, _ in measure(root, baseline=True)}
    out = []
    for name, value, shown, note in measure():
        if name in before and before[name][0] > 0:
            old_value, old_shown = before[name]
            note = f"before: {old_shown}, after/before {value / old_value:.2f}×; {note}"
        out.append((name, shown, note))
    return out


def _browser_rows(p, url: str, pid: int, pages, t0: float) -> list[tuple[str, float, str, str]]:
    """Cold start, warm fresh visits and display-option reruns, in one Chromium."""
    out = []
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def fresh_visit(path: str, context=None) -> float:
        """:func:`visit` in a new tab of *context*, or of a new context without cached files."""
        if context is not None:
            return visit(context, f"{url}/{path}")
        context = new_context(browser)
        elapsed = visit(context, f"{url}/{path}")
        context.close()
        return elapsed

    fresh_visit("")
    cold = time.perf_counter() - t0
    out.append(("Cold start: server launch to home page rendered", cold, f"{cold:.1f} s", ""))
    # A browser that has been to the app before keeps its scripts and styles (Streamlit
    # serves them to be cached for a year): a student pays for them on the first visit only.
    returning = new_context(browser)
    for info in pages:
        fresh_visit(info.url_path)  # the first visit loads models and fills caches: not counted
        fresh_visit(info.url_path, returning)
        first = statistics.median(fresh_visit(info.url_path) for _ in range(VISITS))
        again = statistics.median(fresh_visit(info.url_path, returning) for _ in range(VISITS))
        out.append((f"Warm fresh visit (one session): {info.title}", again, f"{again:.2f} s",
                    f"a browser's first visit (nothing cached): {first:.2f} s; median of "
                    f"{VISITS}; a new session each"))
    returning.close()

    # How a student moves through the app: in one tab, from the home page down the sidebar,
    # each page timed from the click on its link to the page shown. The tab keeps what it has
    # loaded (Plotly is evaluated once, on the first page with a chart).
    tours = {info.url_path: [] for info in pages}
    for _ in range(VISITS):
        context = new_context(browser)
        page = context.new_page()
        page.goto(url)
        wait_idle(page)
        settle(page)
        for info in pages:
            link = page.locator(f"[data-testid='stSidebarNavLink'][href$='/{info.url_path}']")
            tours[info.url_path].append(timed_rerun(page, lambda page: link.click()))
        context.close()
    for info in pages:
        times = [t for t in tours[info.url_path] if t is not None]
        median = statistics.median(times) if times else 0.0
        out.append((f"Warm visit from the sidebar (same tab): {info.title}", median,
                    f"{median:.2f} s" if times else "–",
                    f"click on its link to the page shown, going down the sidebar from the home "
                    f"page; median of {len(times)}"))

    heavy = [i for i in pages if i.url_path in HEAVY]
    for info in heavy:
        option = DISPLAY_OPTIONS.get(info.url_path)
        if option is None:
            out.append((f"Warm rerun, display option changed: {info.title}", 0.0, "–",
                        "no display option reruns this page (its tabs switch in the browser)"))
            continue
        what, act = option
        context = new_context(browser)
        page = context.new_page()
        page.goto(f"{url}/{info.url_path}")
        wait_idle(page)
        try:
            timed_rerun(page, act)  # once untimed: the first change may fill a cache
        except Exception as err:  # noqa: BLE001 - a revision without this option: say so, go on
            context.close()
            out.append((f"Warm rerun, display option changed: {info.title}", 0.0, "–",
                        f"{what}: not found ({type(err).__name__})"))
            continue
        idle = idle_cpu_rate(pid)
        # Now and then the page never shows a fragment's run as running (seen with the melody
        # slider, whose value still moved; a run that starts and ends within one render would
        # do that). Such an input is not timed, and another is made, up to three times as many
        # inputs as timed reruns; the CPU per rerun counts every input.
        times, inputs, c0, t1 = [], 0, cpu_seconds(pid), time.perf_counter()
        while len(times) < RERUNS and inputs < 3 * RERUNS:
            inputs += 1
            elapsed = timed_rerun(page, act)
            if elapsed is not None:
                times.append(elapsed)
        cpu = (cpu_seconds(pid) - c0 - idle * (time.perf_counter() - t1)) / inputs
        context.close()
        if not times:
            out.append((f"Warm rerun, display option changed: {info.title}", 0.0, "–",
                        f"{what}: no run started"))
            continue
        median = statistics.median(times)
        out.append((f"Warm rerun, display option changed: {info.title}", median,
                    f"{median:.2f} s / {cpu:.2f} s CPU",
                    f"{what}; input to the page shown after the run; median of {len(times)} "
                    f"(and {inputs - len(times)} inputs whose run the page did not show)"))
    browser.close()
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help=f"revision measured as before (default {BASELINE})")
    parser.add_argument("--no-baseline", action="store_true", help="measure this checkout alone")
    args = parser.parse_args()
    for name, value, note in rows(None if args.no_baseline else args.baseline):
        print(f"| {name} | {value} | {note} |", flush=True)
