"""Start the app as `make run` does (`python app.py`) on a free loopback port and drive it with
headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("AUDIOML_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(timeout: float = 120.0, *, env: dict[str, str] | None = None,
                root: Path = ROOT, streamlit_run: bool = False, script: str = "app.py"):
    """Yield the base URL of a fresh server started as `make run` starts it; stop it afterwards.

    The server reads .streamlit/config.toml as deployed (no file watcher among others); *env*
    adds environment variables for the server process (e.g. where it looks for data). *root*
    serves another checkout of the app (a benchmark's baseline revision), started with
    ``streamlit run app.py`` when *streamlit_run* is set, as revisions before ``app.py`` could
    start itself were (or ``streamlit run`` of another *script* under *root*).
    """
    port = free_port()
    log = open(ARTIFACTS.mkdir(parents=True, exist_ok=True) or ARTIFACTS / f"server_{port}.log", "w")
    start = [sys.executable, "-m", "streamlit", "run", script] if streamlit_run else [
        sys.executable, str(root / "app.py")]
    extra = {"PYTHONPATH": str(root)} if root != ROOT else {}
    proc = subprocess.Popen(
        [*start, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=root, stdout=log, stderr=subprocess.STDOUT,
        # AUDIOML_SERVED_BY is the server's own mark (app.py), never inherited from this process.
        env={**{k: v for k, v in os.environ.items() if k != "AUDIOML_SERVED_BY"},
             "TF_CPP_MIN_LOG_LEVEL": "3", **extra, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    running_app.last_pid = proc.pid  # for benchmarks that read the server's memory
    running_app.last_log = Path(log.name)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log.name}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of process *pid* so far, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU time of process *pid* so far, user + system, its waited-for children included, in s."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def wait_idle(page, timeout_ms: int = 180_000) -> None:
    """Wait until the script has run to the end (and a little longer, for late elements)."""
    # A fresh page reports "notRunning" before its first run starts: wait for content too.
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout_ms)
    page.wait_for_timeout(500)
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_timeout(500)
    page.wait_for_selector(IDLE, timeout=timeout_ms)
