"""Load benchmark: 10 simultaneous browser sessions on the denoising and melody pages."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.app import peak_rss_mb  # noqa: E402
from tests.browser import running_app  # noqa: E402
from tests.load import load_test, model_loads  # noqa: E402
from ui.navigation import available_pages  # noqa: E402

SESSIONS = 10

if __name__ == "__main__":
    paths = [p.url_path for p in available_pages() if p.url_path in ("denoise", "melody")] or ["spectrogram"]
    with running_app() as url:
        result = load_test(url, paths, sessions=SESSIONS, timeout_s=500)
        memory = peak_rss_mb(running_app.last_pid)
        loads = model_loads(running_app.last_log)
    print(f"| {SESSIONS} sessions at once on {', '.join(paths)}: p50 / p95 latency | "
          f"{result['p50_s']:.1f} / {result['p95_s']:.1f} s | {len(result['errors'])} failed |")
    print(f"| Server peak memory under load | {memory:.0f} MB | VmHWM |")
    print(f"| Model loads per process | {max(loads.values(), default=0)} | {dict(loads)} |")
    sys.exit(1 if result["errors"] else 0)
