"""Load benchmark: a class of 30 browser sessions opening the four heavy pages at once (spread
evenly) on one freshly started server, as when a class opens the Space together.

Reports p50 / p95 time to a finished page, failures, the server's peak memory (VmHWM), its CPU
seconds per session and how many times each model was loaded."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.browser import cpu_seconds, peak_rss_mb, running_app  # noqa: E402
from tests.support.load import load_test, model_loads  # noqa: E402
from ui.navigation import available_pages  # noqa: E402

SESSIONS = 30
HEAVY = ["latent-space", "denoise", "melody", "experiments"]

if __name__ == "__main__":
    paths = [p.url_path for p in available_pages() if p.url_path in HEAVY] or ["spectrogram"]
    with running_app() as url:
        pid = running_app.last_pid
        c0, t0 = cpu_seconds(pid), time.perf_counter()
        result = load_test(url, paths, sessions=SESSIONS, timeout_s=1500)
        wall = time.perf_counter() - t0
        cpu = cpu_seconds(pid) - c0
        memory = peak_rss_mb(pid)
        loads = model_loads(running_app.last_log)
    print(f"| {SESSIONS} sessions at once on {', '.join(paths)} (cold server): p50 / p95 time to a "
          f"finished page | {result['p50_s']:.1f} / {result['p95_s']:.1f} s | "
          f"{len(result['errors'])} failed; all done in {wall:.0f} s |")
    print(f"| Server CPU under that load, per session | {cpu / SESSIONS:.2f} s | "
          f"{cpu:.0f} s in all, model loads included |")
    print(f"| Server peak memory under load | {memory:.0f} MB | VmHWM |")
    print(f"| Model loads per process | {max(loads.values(), default=0)} | {dict(loads)} |")
    for url_, error in result["errors"][:3]:
        print(f"| failed: {url_.rsplit('/', 1)[-1]} | – | {error[:150].replace('|', '/')} |")
    sys.exit(1 if result["errors"] else 0)
