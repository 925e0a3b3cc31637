"""How the app is started and shipped: `make run`, the Streamlit config and the Dockerfile.

Docker cannot run on the test machines, so the Dockerfile's steps are replayed here instead: its
COPY and RUN lines are read and checked against the files git ships, the .dockerignore patterns and
what `make run` installs; the packages its pip lines install are worked out from the requirement
files and the installed packages' metadata (no network).
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def makefile_recipe(target: str) -> list[str]:
    """The command lines of a Makefile target."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^{re.escape(target)}\s*:", line))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    out, current = [], ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        current += (" " if current else "") + line.removesuffix("\\").strip()
        if not line.endswith("\\"):
            word, _, rest = current.partition(" ")
            out.append((word.upper(), rest.strip()))
            current = ""
    return out


def makefile_prerequisites(target: str) -> list[str]:
    """The prerequisites of a Makefile target, as written (variables unexpanded)."""
    for line in (ROOT / "Makefile").read_text().splitlines():
        if re.match(rf"^{re.escape(target)}\s*:", line):
            return line.split(":", 1)[1].split()
    raise AssertionError(f"the Makefile has no target {target}")


def pinned(name: str) -> dict[str, str]:
    """Canonical project name to its pin line, for a requirement file and the files it includes."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            pins |= pinned(line[3:].strip())
        elif line and not line.startswith("-"):
            pins[canonicalize_name(Requirement(line).name)] = line
    return pins


def installed_closure(lines) -> tuple[set[str], set[str]]:
    """Every project pip installs for requirement *lines*, from the installed packages' metadata,
    and those among them that a dependent pins exactly (``==``; psycopg[binary]'s psycopg-binary).

    A project not installed here counts with no dependencies of its own.
    """
    import importlib.metadata as md

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found, exact, todo = set(), set(), [Requirement(line) for line in lines]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        for extra in sorted(req.extras) or [""]:
            if (name, extra) in found:
                continue
            found.add((name, extra))
            try:
                requires = md.requires(name) or []
            except md.PackageNotFoundError:
                continue
            for dep in map(Requirement, requires):
                if dep.marker is None or dep.marker.evaluate({"extra": extra}):
                    todo.append(dep)
                    if any(spec.operator == "==" for spec in dep.specifier):
                        exact.add(canonicalize_name(dep.name))
    return {name for name, _ in found}, exact


def git_files() -> list[str]:
    try:
        result = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [f for f in result.stdout.splitlines() if (ROOT / f).exists()]


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker's build context leaves *path* out (Go filepath.Match rules, last match wins)."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        parts = path.split("/")
        # A pattern matches a path or any folder above it; "**" matches any number of folders.
        if any(re.fullmatch(_docker_glob(pattern), "/".join(parts[:depth]))
               for depth in range(1, len(parts) + 1)):
            ignored = not negate
    return ignored


def _docker_glob(pattern: str) -> str:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out


def dockerignore_patterns() -> list[str]:
    path = ROOT / ".dockerignore"
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.strip().startswith("#")]


# --- The server as started by `make run` and the container -------------------------------------

def test_no_file_watcher_outside_development():
    """The server watches no files (it would walk .venv/ and overflow inotify), however started."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"].get("runOnSave", False) is False
    # Neither `make run` nor the container turns it back on.
    for command in makefile_recipe("run") + [args for word, args in dockerfile_instructions() if word == "CMD"]:
        assert "fileWatcherType" not in command or re.search(r"fileWatcherType[= ]\"?none", command), command
    # The container reads the same config file.
    assert not dockerignored(".streamlit/config.toml", dockerignore_patterns())


def test_no_per_run_work_a_served_page_does_not_need():
    """A full garbage collection after every script run (about half of the server's CPU per
    visit with TensorFlow loaded) and the magic rewrite of each page's source are off."""
    runner = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["runner"]
    assert runner["postScriptGC"] is False and runner["magicEnabled"] is False


def test_make_run_and_the_container_start_the_app_the_same_way():
    """Both start the server through app.py (which routes deep links right from the first visitor)."""
    run = " ".join(makefile_recipe("run"))
    assert re.search(r"\$\(PY\)\s+app\.py\b", run), run
    cmd = next(args for word, args in dockerfile_instructions() if word == "CMD")
    import json

    argv = json.loads(cmd)
    assert argv[:2] == ["python", "app.py"], argv


def test_page_icon_is_a_shipped_png(monkeypatch):
    """The favicon is a PNG file in the repository (a Material icon is fetched from a font CDN)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    calls = []
    real = st.set_page_config
    monkeypatch.setattr(st, "set_page_config", lambda *a, **k: (calls.append(k), real(*a, **k))[1])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert calls, "app.py does not call st.set_page_config"
    icon = calls[0].get("page_icon")
    assert isinstance(icon, (str, Path)) and not str(icon).startswith((":", "http")), icon
    path = Path(icon)
    assert path.is_absolute() and path.is_file(), icon
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.resolve().is_relative_to(ROOT)
    assert str(path.relative_to(ROOT)) in git_files() or not (ROOT / ".git").exists(), \
        f"{path.relative_to(ROOT)} is not committed"


# --- The Dockerfile, replayed ---------------------------------------------------------------------

def test_container_installs_what_make_run_installs():
    """Same requirement files, in the same order and with the same pip flags, as `make run`."""
    make = " ".join(makefile_recipe("$(STAMP)"))
    docker = " ".join(args for word, args in dockerfile_instructions() if word == "RUN")
    for requirement in (r"-r requirements\.txt", r"--no-deps -r requirements-nodeps\.txt",
                        r"--no-deps --no-build-isolation -e \."):
        assert re.search(requirement, make), requirement
        assert re.search(requirement, docker), f"the Dockerfile does not run pip install {requirement}"
    make_order = [re.search(r, make).start() for r in ("requirements.txt", "requirements-nodeps.txt", "-e .")]
    docker_order = [re.search(r, docker).start() for r in ("requirements.txt", "requirements-nodeps.txt", "-e .")]
    assert make_order == sorted(make_order) and docker_order == sorted(docker_order)
    # Every requirement is pinned, so both install the same versions.
    for name in ("requirements.txt", "requirements-nodeps.txt", "requirements-test.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                assert "==" in line or "@" in line, f"{name}: {line} is not pinned"


def test_the_image_holds_no_test_tool():
    """The container installs the app's pins only: no package of requirements-test.txt, not even
    as a dependency of an app package; `make run` installs the same, `make test` adds the rest."""
    docker = " ".join(args for word, args in dockerfile_instructions() if word == "RUN")
    files = re.findall(r"-r\s+(\S+)", docker)
    assert "requirements.txt" in files and "requirements-test.txt" not in files, files
    image = {}
    for name in files:
        image |= pinned(name)
    runtime = pinned("requirements.txt")
    test_only = {k: v for k, v in pinned("requirements-test.txt").items() if k not in runtime}
    assert {"pytest", "pytest-timeout", "playwright"} <= set(test_only), sorted(test_only)
    assert not set(test_only) & set(image)
    # pip also installs what the pins depend on: that must be pinned for the app, and no test tool.
    pulled, exact = installed_closure(pinned("requirements.txt").values())
    assert not pulled & set(test_only), sorted(pulled & set(test_only))
    # pip freeze leaves out the packaging tools, which the base image and the venv bring.
    unpinned = pulled - set(runtime) - exact - {"pip", "setuptools", "wheel"}
    assert not unpinned, f"unpinned dependencies: {sorted(unpinned)}"
    # The app, the CLI and the library import no test tool (else the image could not run them).
    modules = {"pytest", "_pytest", "pytest_timeout", "playwright", "greenlet", "pluggy", "iniconfig"}
    sources = [p for d in ("audioml", "ui", "pages") for p in (ROOT / d).rglob("*.py")] + [ROOT / "app.py"]
    for path in sources:
        tree = ast.parse(path.read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not {n.split(".")[0] for n in names} & modules, f"{path.relative_to(ROOT)} imports a test tool"
    # Two stamps: `make test` after `make run` installs the test pins; `make run` never does.
    assert makefile_prerequisites("run") == ["$(STAMP)"]
    assert makefile_prerequisites("test") == ["$(TEST_STAMP)"]
    assert "$(STAMP)" in makefile_prerequisites("$(TEST_STAMP)")
    assert "requirements-test.txt" in makefile_prerequisites("$(TEST_STAMP)")
    assert any(re.search(r"-r requirements-test\.txt", c) for c in makefile_recipe("$(TEST_STAMP)"))
    assert not any("requirements-test" in c for c in makefile_recipe("$(STAMP)"))
    stamps = re.findall(r"^(TEST_STAMP|STAMP)\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert len(dict(stamps)) == 2 and len(set(dict(stamps).values())) == 2, stamps


def test_build_context_holds_every_shipped_file():
    """.dockerignore drops no file the app needs: code, pages, models (with *_codes.npz), reports."""
    patterns = dockerignore_patterns()
    files = git_files()
    needed = [f for f in files if f.split("/")[0] in
              {"audioml", "pages", "ui", "models", "reports", ".streamlit"}] + ["app.py", "pyproject.toml",
                                                                              "requirements.txt",
                                                                              "requirements-nodeps.txt"]
    assert any(f.startswith("models/") and f.endswith("_codes.npz") for f in needed), "no *_codes.npz shipped"
    assert any(f.startswith("reports/") for f in needed)
    dropped = [f for f in needed if dockerignored(f, patterns)]
    assert not dropped, dropped
    # What the app reads must be real files, not Git LFS pointers.
    pointers = [f for f in needed if f.startswith("models/") and (ROOT / f).stat().st_size < 200
                and (ROOT / f).read_bytes().startswith(b"version https://git-lfs")]
    assert not pointers, pointers
    # And the card of every model names files that are shipped.
    import json

    for card_file in (f for f in needed if f.startswith("models/") and f.endswith(".json")):
        card = json.loads((ROOT / card_file).read_text())
        for key, value in card.items():
            if isinstance(value, str) and "/" not in value and value.endswith((".keras", ".npz", ".npy")):
                assert f"models/{value}" in files, f"{card_file}: {key} {value} is not shipped"


def test_build_context_leaves_out_local_state():
    patterns = dockerignore_patterns()
    for path in (".venv/bin/python", ".git/HEAD", "runs/studies.db", "tests/artifacts/x.log",
                 "audioml/__pycache__/x.pyc", ".pytest_cache/v/cache", "audioml.egg-info/PKG-INFO"):
        assert dockerignored(path, patterns), f"{path} would be copied into the image"


def test_copy_steps_bring_the_app():
    """The COPY lines copy the install files first (for the layer cache), then the whole context."""
    copies = [shlex.split(args) for word, args in dockerfile_instructions() if word == "COPY"]
    assert copies, "no COPY"
    sources = [[a for a in c[:-1] if not a.startswith("--")] for c in copies]
    first = set(sources[0])
    assert {"requirements.txt", "requirements-nodeps.txt", "pyproject.toml"} <= first
    for name in first:
        assert (ROOT / name).exists(), f"COPY {name}: no such file"
    assert ["."] in sources, "the app itself is never copied"
    assert all("--chown=user" in c for c in copies), "files copied as root cannot be written by UID 1000"


def test_container_runs_as_uid_1000_and_writes_only_home_and_tmp():
    steps = dockerfile_instructions()
    words = [w for w, _ in steps]
    user_at = words.index("USER")
    assert steps[user_at][1] == "user"
    assert any(w == "RUN" and "--uid 1000" in a and "useradd" in a for w, a in steps[:user_at])
    # Nothing after the switch goes back to root; everything the app runs as happens after it.
    assert all(a != "root" for w, a in steps if w == "USER")
    assert words.index("CMD") > user_at
    env = " ".join(a for w, a in steps if w == "ENV")
    assert "HOME=/home/user" in env
    workdir = [a for w, a in steps if w == "WORKDIR"][-1]
    assert workdir.startswith("/home/user/")
    # WORKDIR makes a missing folder owned by root: the user must own it before the editable
    # install writes audioml.egg-info there and the app writes runs/.
    assert any(w == "RUN" and f"mkdir -p {workdir}" in a and f"chown user:user {workdir}" in a
               for w, a in steps[:user_at]), "the app folder would belong to root"
    # pip installs into the user's home (~/.local), never into the system site-packages.
    for w, a in steps[user_at:]:
        if w == "RUN" and "pip install" in a:
            for command in a.split("&&"):
                if "pip install" in command:
                    assert "--user" in command or " -e " in command, command
    # The app's own writes: caches under $HOME (matplotlib, keras) and the runs/ folder of the
    # checkout, which lies under the home folder in the image.
    env = {k: v for k, v in os.environ.items() if k != "AUDIOML_RUNS"}  # the tests set their own
    found = subprocess.run([sys.executable, "-c", "from audioml import paths; print(paths.RUNS_DIR)"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert Path(found.stdout.strip()) == ROOT / "runs", found.stderr[-500:]
