"""scripts/system_deps.sh, which `make test` runs first: installs what it can, else says what skips.

Each case runs the script against stand-ins for dpkg-query, apt-get, apt-cache, id and sudo
on PATH, so nothing on this machine is installed or checked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system_deps.sh"
#: The script's own list, so that a package added there is covered here.
PACKAGES = re.search(r'^PACKAGES="([^"]+)"', SCRIPT.read_text(), re.MULTILINE).group(1).split()

FAKES = {
    # Installed packages are the lines of $FAKE/installed.
    "dpkg-query": 'grep -qx "${@: -1}" "$FAKE/installed" && printf "install ok installed" || exit 1',
    "apt-get": 'echo "apt-get $*" >> "$FAKE/calls"\n'
               '[ "$1" = install ] && for a in "$@"; do case "$a" in -*|install) ;; *) echo "$a" >> "$FAKE/installed";; esac; done\n'
               'exit 0',
    "apt-cache": 'grep -qx "$2" "$FAKE/unavailable" && echo "  Candidate: (none)" || echo "  Candidate: 1.0"',
    "id": 'echo "$FAKE_UID"',
    "sudo": '[ "$FAKE_SUDO" = yes ] || exit 1\n[ "$1" = -n ] && shift\n"$@"',
}


@pytest.fixture
def run(tmp_path):
    """``run(installed, uid=0, sudo=False, unavailable=(), tools=None)``: (stdout lines, apt calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in FAKES.items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    for tool in ("grep", "env", "bash"):
        (bin_dir / tool).symlink_to(shutil.which(tool))

    def go(installed=PACKAGES, *, uid=0, sudo=False, unavailable=(), debian=True, **env):
        (tmp_path / "installed").write_text("".join(f"{p}\n" for p in installed))
        (tmp_path / "unavailable").write_text("".join(f"{p}\n" for p in unavailable))
        (tmp_path / "calls").write_text("")
        if not debian:
            for name in ("dpkg-query", "apt-get", "apt-cache"):
                (bin_dir / name).unlink(missing_ok=True)
        done = subprocess.run(
            ["/bin/sh", str(SCRIPT)], capture_output=True, text=True, timeout=30,
            env={"PATH": str(bin_dir), "FAKE": str(tmp_path), "FAKE_UID": str(uid),
                 "FAKE_SUDO": "yes" if sudo else "no", "HOME": str(tmp_path), **env})
        assert done.returncode == 0 and not done.stderr, done
        return done.stdout.splitlines(), (tmp_path / "calls").read_text().splitlines()

    return go


def test_nothing_missing_prints_nothing_and_installs_nothing(run):
    assert run() == ([], [])
    assert run(uid=1000) == ([], [])


def test_without_root_or_sudo_one_line_names_the_missing_and_what_skips(run):
    lines, calls = run([p for p in PACKAGES if p not in ("chromium", "sox")], uid=1000)
    assert calls == [] and len(lines) == 1
    assert "missing chromium sox " in lines[0] and "sudo apt-get install chromium sox" in lines[0]
    assert "browser tests skip" in lines[0] and "speech tests" in lines[0]


@pytest.mark.parametrize("uid, sudo", [(0, False), (1000, True)])
def test_as_root_or_with_sudo_it_installs_only_what_is_missing(run, uid, sudo):
    lines, calls = run([p for p in PACKAGES if p not in ("espeak-ng", "graphviz")], uid=uid, sudo=sudo)
    assert calls[0].startswith("apt-get update")
    assert calls[1].startswith("apt-get install") and calls[1].endswith(" espeak-ng graphviz")
    assert lines == ["system_deps: installing espeak-ng graphviz (apt-get, once)"]
    assert run() == ([], [])   # the next run: nothing to do


def test_a_package_that_does_not_exist_here_is_reported_and_the_rest_installed(run):
    lines, calls = run([p for p in PACKAGES if p not in ("chromium", "sox")], unavailable=["chromium"])
    assert calls[1].endswith("--no-install-recommends sox")
    assert len(lines) == 2 and lines[1].startswith("system_deps: could not install chromium (")


def test_elsewhere_it_only_checks_the_tools(run, tmp_path):
    lines, calls = run(debian=False, AUDIOML_CHROMIUM=str(tmp_path / "nowhere"))
    assert lines == [f"system_deps: not Debian/Ubuntu, nothing installed; missing: chromium espeak-ng sox "
                     f"(the browser tests skip without chromium, the generated-speech tests without "
                     f"espeak-ng and sox, the shared-study test without postgresql)"]
    assert run(debian=False, AUDIOML_NO_SYSTEM_DEPS="1") == ([], [])


def test_make_test_runs_it_first_and_ci_needs_nothing_else():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/system_deps.sh || true" in recipe.splitlines()[1]
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith("#")]
    assert ci[-1] == "make test" and not any("apt-get" in line for line in ci)
    assert os.access(SCRIPT, os.X_OK)
