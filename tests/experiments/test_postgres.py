"""Several workers, one study, on a real PostgreSQL server (as several machines would share one).

The server is started by the tests themselves, in a temporary data directory, listening on a
loopback port only (Debian's ``postgresql`` package: ``initdb`` and ``pg_ctl`` from
``/usr/lib/postgresql/*/bin``; ``make test`` installs it through ``scripts/system_deps.sh``).
PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user (or
``nobody``). Everything here skips, with the reason, when no server can be started.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pg_bin(tool: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return found[-1] if found else shutil.which(tool)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user() -> tuple[list[str], str | None]:
    """The command prefix that runs the server as a non-root user, and that user (None: ourselves)."""
    if os.geteuid() != 0:
        return [], None
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        if shutil.which("runuser"):
            return ["runuser", "-u", user, "--"], user
        if shutil.which("su"):
            return ["su", "-s", "/bin/sh", user, "-c"], user  # the command follows as one string
    return [], None


@pytest.fixture(scope="module")
def postgres_server():
    """``(host, port)`` of a throwaway PostgreSQL server with trust auth for user ``postgres``."""
    pytest.importorskip("psycopg", reason="the PostgreSQL driver psycopg is not installed "
                                          "(pip install -r requirements.txt)")
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's "
                    "postgresql package (scripts/system_deps.sh does as root)")
    prefix, user = _as_user()
    if os.geteuid() == 0 and user is None:
        pytest.skip("running as root and no postgres/nobody user to run the server as")
    # Not under pytest's tmp_path: its parents are private to root, and the server's user must
    # reach its data directory. mkdtemp makes a private folder in /tmp, then it is handed over.
    base = Path(tempfile.mkdtemp(prefix="audioml-pg-"))
    if user:
        shutil.chown(base, user)

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = [*prefix, shlex.join(args)] if prefix[:1] == ["su"] else [*prefix, *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)

    data, log, port = base / "data", base / "server.log", _free_port()
    done = run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    if done.returncode:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"initdb failed: {(done.stderr or done.stdout).strip()[-300:]}")
    options = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
               f"-c max_connections=50")
    done = run(pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start")
    if done.returncode:
        text = log.read_text()[-300:] if log.exists() else (done.stderr or done.stdout)[-300:]
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"the PostgreSQL server did not start: {text.strip()}")
    try:
        yield "127.0.0.1", port
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop", timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def database(postgres_server, request) -> str:
    """An empty database of its own on the server; its SQLAlchemy URL (default driver)."""
    import psycopg

    host, port = postgres_server
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@{host}:{port}/{name}"


#: One worker: what `audioml experiment table2 --storage URL --study-name NAME` does, with a
#: trial function that costs milliseconds instead of a VAE's training (argv: url, name, trials).
WORKER = textwrap.dedent("""
    import os, socket, sys, time
    from audioml.experiments import spaces, study

    url, name, trials = sys.argv[1], sys.argv[2], int(sys.argv[3])

    def objective(trial):
        values = spaces.suggest(trial, "table2")
        trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")
        trial.set_user_attr("training_time_s", 0.05)
        time.sleep(0.05)   # long enough for the two workers' trials to interleave
        return values["learning_rate"] * 10 + 1 / values["batch_size"]

    s = study.run_study("table2", trials=trials, epochs_scale=0.05, storage=url, study_name=name,
                        objective=objective, data_description="cheap objective")
    print(len(s.trials))
""")


def _start_workers(url: str, name: str, trials: int, count: int = 2) -> list[subprocess.Popen]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return [subprocess.Popen([sys.executable, "-c", WORKER, url, name, str(trials)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(count)]


def test_two_workers_share_one_study_in_postgresql(database, tmp_path, capsys):
    import optuna

    from audioml.cli import main
    from audioml.experiments import report

    per_worker = 5
    # No coordinator: both workers start at once on an empty database, so both race to create
    # Optuna's tables and the study; every trial must still be recorded exactly once.
    workers = _start_workers(database, "table2", per_worker)
    for w in workers:
        out, err = w.communicate(timeout=180)
        assert w.returncode == 0, err[-3000:]

    stored = optuna.load_study(study_name="table2", storage=database)
    trials = stored.get_trials(deepcopy=False)
    assert len(trials) == 2 * per_worker
    assert all(t.state.name == "COMPLETE" for t in trials)
    numbers = [t.number for t in trials]
    assert sorted(numbers) == list(range(2 * per_worker))            # distinct, none lost
    assert len({t._trial_id for t in trials}) == len(trials)          # no row twice
    by_worker: dict[str, list[int]] = {}
    for t in trials:
        by_worker.setdefault(t.user_attrs["worker"].rsplit(":", 1)[1], []).append(t.number)
    assert set(by_worker) == {str(w.pid) for w in workers}
    assert all(len(v) == per_worker for v in by_worker.values())
    assert stored.user_attrs["table"] == "table2" and stored.user_attrs["epochs_scale"] == 0.05
    # Without --seed the workers draw their own configurations.
    assert len({t.params["learning_rate"] for t in trials}) == len(trials)

    # The report reads the shared study back: the library call, then the CLI as a user runs it.
    path = report.export_report(storage=database, path=tmp_path / "experiments.json")
    rows = report.trials_by_table(report.load_report(path))["table2"]
    assert sorted(r["number"] for r in rows) == list(range(2 * per_worker))
    values = {t.number: t.value for t in trials}
    assert all(r["metric"] == pytest.approx(values[r["number"]]) for r in rows)
    assert {r["worker"].rsplit(":", 1)[1] for r in rows} == {str(w.pid) for w in workers}

    cli_path = tmp_path / "cli.json"
    assert main(["experiment", "report", "--export", "--storage", database, "--path",
                 str(cli_path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert len(printed["table2"]) == 2 * per_worker and printed["table1"] == []


def test_a_worker_joining_later_continues_the_numbering(database, tmp_path, capsys):
    import optuna

    from audioml.cli import main

    (first,) = _start_workers(database, "late", 2, count=1)
    assert first.wait(timeout=120) == 0, first.stderr.read()[-3000:]
    (second,) = _start_workers(database, "late", 3, count=1)
    assert second.wait(timeout=120) == 0, second.stderr.read()[-3000:]
    trials = optuna.load_study(study_name="late", storage=database).trials
    assert [t.number for t in trials] == [0, 1, 2, 3, 4]
    assert [t.user_attrs["worker"].rsplit(":", 1)[1] for t in trials] == \
        [str(first.pid)] * 2 + [str(second.pid)] * 3
    # A study not named after its table is exported by naming it.
    path = tmp_path / "late.json"
    assert main(["experiment", "report", "--export", "--storage", database, "--study", "table2=late",
                 "--path", str(path), "--json"]) == 0
    assert [t["number"] for t in json.loads(capsys.readouterr().out)["table2"]] == [0, 1, 2, 3, 4]
    assert main(["experiment", "report", "--export", "--storage", database, "--study", "table9=late",
                 "--path", str(path)]) == 2
    assert "TABLE=NAME" in capsys.readouterr().err


def test_an_unreachable_server_is_one_clear_error(postgres_server):
    from audioml.errors import AudioMLError
    from audioml.experiments import study

    host, _ = postgres_server
    url = f"postgresql://postgres@{host}:{_free_port()}/nowhere"
    start = time.monotonic()
    with pytest.raises(AudioMLError, match="cannot open storage"):
        study.storage_for(url)
    assert time.monotonic() - start < 60
