"""Read-only access to what the README quotes: its text and tables, the model cards and reports.

Everything is read from disk at call time (cached per test session), never copied: a card or
report refreshed by a new run is what the README check compares against.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from audioml.registry import get_card

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
REPORTS = ROOT / "reports"
MINUS = "\u2212"   # the README writes negative figures with a minus sign, not a hyphen


@functools.cache
def readme() -> str:
    """The README, its whitespace runs collapsed to one space (prose wraps anywhere)."""
    return re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))


def readme_lines() -> list[str]:
    """The README's lines as written."""
    return README.read_text(encoding="utf-8").splitlines()


def table_rows(header_start: str) -> list[str]:
    """The body rows of the README table whose header line starts with *header_start*."""
    lines = readme_lines()
    starts = [i for i, line in enumerate(lines) if line.startswith(header_start)]
    assert len(starts) == 1, f"{len(starts)} README tables start with {header_start!r}"
    rows = []
    for line in lines[starts[0] + 2:]:   # past the header and the |---| line
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


@functools.cache
def card(name: str) -> dict:
    """The model card ``models/<name>.json``."""
    return get_card(name)


def metric(name: str, *keys: str):
    """``card(name)["metrics"][keys[0]][keys[1]]...``."""
    value = card(name)["metrics"]
    for key in keys:
        value = value[key]
    return value


@functools.cache
def report(name: str) -> dict:
    """The report ``reports/<name>.json``."""
    return json.loads((REPORTS / f"{name}.json").read_text(encoding="utf-8"))


@functools.cache
def stats(name: str) -> dict:
    """A model's training-data statistics, ``models/<name>_stats.json``."""
    return json.loads((ROOT / "models" / f"{name}_stats.json").read_text(encoding="utf-8"))


def realworld(method: str, kind: str, key: str) -> float:
    """A figure of the real-world benchmark: *method*'s mean *key* on the *kind* mixtures."""
    return report("denoise_realworld")["methods"][method][kind][key]


def fsdd(condition: str, method: str, key: str) -> float:
    """A figure of an FSDD evaluation report (``reports/denoise_<condition>.json``)."""
    return report(f"denoise_{condition}")["methods"][method][key]


def signed(x: float, decimals: int, unit: str = "") -> str:
    """*x* with its sign, a minus sign for negatives: ``+6.5 dB``, ``−10.5 dB``; 0 as ``0``."""
    if x == 0:
        return "0"
    return f"{x:+.{decimals}f}".replace("-", MINUS) + unit


def dashed(low: float, high: float, fmt: str) -> str:
    """A range as the README writes one: ``0.0446–0.0471``."""
    return f"{fmt.format(low)}–{fmt.format(high)}"
