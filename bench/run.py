"""`make bench`: every benchmark in one table, with the machine it ran on.

Timings on a shared machine are noisy, so each figure is a median of several runs, and
speeds are given as ratios to a baseline measured in the same process where one exists.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

#: Sections: (title, script). Scripts print Markdown table rows `| what | value | note |`.
SECTIONS = [
    ("Spectral core", "core.py"),
    ("App in headless Chromium", "app.py"),
    ("Denoising", "denoise.py"),
    ("Melody generation", "melody.py"),
    ("Concurrent users", "load.py"),
]


def main() -> int:
    import core

    print(f"Machine: {core.machine()}\n")
    print("| benchmark | value | note |\n|---|---|---|")
    failed = 0
    for title, script in SECTIONS:
        path = HERE / script
        if not path.exists():
            continue
        print(f"| **{title}** | | |", flush=True)
        result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                                cwd=HERE.parent)
        rows = [line for line in result.stdout.splitlines() if line.startswith("|")]
        print("\n".join(rows), flush=True)
        if result.returncode != 0:
            failed += 1
            print(f"| {script} failed | exit {result.returncode} | {result.stderr.strip().splitlines()[-1:]} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
