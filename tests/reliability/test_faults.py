"""Faults during appends to the audit chain: a full disk, kill -9 mid-submission, a PostgreSQL restart.

Each fault runs in a child process (tests/reliability/relkit.py: `append_loop`) that prints ``ACK id``
only after `submit_and_decide` returned, i.e. after COMMIT. Afterwards: every acknowledged decision is
present, nothing is half written (every record is on the chain, every application has its decision),
and `verify_chain` passes. Loops are bounded in count and time.

The PostgreSQL restart test restarts the local cluster (pg_ctlcluster … restart) and is opt-in:
``RELIABILITY_RESTART_POSTGRES=1 pytest tests/reliability/test_faults.py -k restart``.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from relkit import HERE_PATHS, limit_file_size, wait_for
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from tests.store.conftest import ADMIN_URL, _pg_conninfo
from web.store import migrate, queries
from web.store.db import make_engine, make_session_factory
from web.store.models import Application, ChainLink, Decision

PROJECT_ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.faults


def _child(url: str, rules: Path, count: int, seconds: float, keep_going: bool, tag: str = "w",
           preexec: object = None) -> subprocess.Popen[str]:
    code = (f"import sys, relkit; sys.exit(relkit.append_loop({url!r}, {str(rules)!r}, {count}, {seconds}, "
            f"{keep_going}, {tag!r}))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*HERE_PATHS, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=preexec)  # type: ignore[arg-type]


def _acks(output: str) -> list[int]:
    return [int(line.split()[1]) for line in output.splitlines() if line.startswith("ACK ")]


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("ERR ")]


def assert_consistent(session: Session, acked: list[int]) -> int:
    """Every acknowledged decision is there, nothing is half written, and the chain verifies."""
    present = set(session.scalars(select(Decision.id)))
    assert set(acked) <= present, f"acknowledged but lost: {sorted(set(acked) - present)[:10]}"
    report = queries.verify_chain(session)
    assert report.ok, [str(p) for p in report.problems[:5]]
    links = session.scalar(select(func.count()).select_from(ChainLink))
    assert links == len(present) + session.scalar(select(func.count()).select_from(queries.ReviewAction))
    orphans = session.scalar(select(func.count()).select_from(Application)
                             .where(~Application.decisions.any()))
    assert orphans == 0, f"{orphans} application(s) without their decision: a half-written submission"
    return len(present)


# -- disk full -----------------------------------------------------------------------------------------

@pytest.fixture(params=["tmpfs", "rlimit"])
def small_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, object]]:
    """A folder on a 4 MB tmpfs (a real ENOSPC; needs root) or, failing that / as well, a writer whose
    RLIMIT_FSIZE ends 96 KB past the database's size (EFBIG, SIGXFSZ ignored)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if request.param == "rlimit":
        yield folder, "rlimit"
        return
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (not root / no CAP_SYS_ADMIN): the rlimit leg covers it")
    try:
        yield folder, "tmpfs"
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_disk_full_during_appends_is_a_clear_error_and_loses_nothing(small_disk: tuple[Path, str],
                                                                      mini_rules: Path) -> None:
    """The writer gets an OperationalError ("database or disk is full" / "disk I/O error"), the transaction
    rolls back, every acknowledged decision is there and the chain verifies (read with the disk still full)."""
    folder, how = small_disk
    db = folder / "store.db"
    url = f"sqlite:///{db}"
    migrate.upgrade(url)
    preexec = None
    if how == "rlimit":
        limit = max(p.stat().st_size for p in folder.iterdir()) + 96 * 1024
        preexec = lambda: limit_file_size(limit)  # noqa: E731
    child = _child(url, mini_rules, 20000, 90, keep_going=False, preexec=preexec)
    out, err = child.communicate(timeout=150)
    errors = _errors(out)
    assert child.returncode == 3 and errors, (child.returncode, out[-500:], err[-2000:])
    assert "OperationalError" in errors[0] and ("full" in errors[0] or "disk I/O" in errors[0]), errors[0]
    acked = _acks(out)
    assert len(acked) >= 3, out[-500:]
    print(f"\ndisk full ({how}): {len(acked)} acknowledged, then {errors[0]}")
    engine = make_engine(url, poolclass=NullPool)
    try:
        with make_session_factory(engine)() as session:
            assert assert_consistent(session, acked) == len(acked)  # nothing beyond what was acknowledged
    finally:
        engine.dispose()


# -- kill -9 mid-submission ----------------------------------------------------------------------------

def test_kill_9_mid_submission_loses_no_acknowledged_application(db_url: str, db_engine: object,
                                                                  mini_rules: Path) -> None:
    rng = random.Random(8)
    acked: list[int] = []
    for round_ in range(3):
        child = _child(db_url, mini_rules, 400, 60, keep_going=False, tag=str(round_))
        lines: list[str] = []
        wanted = rng.randint(5, 25)
        deadline = time.monotonic() + 60
        assert child.stdout is not None
        while len(_acks("\n".join(lines))) < wanted and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            lines.append(line)
        time.sleep(rng.random() * 0.05)  # land anywhere inside the next submission
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        acked += _acks("".join(lines) + rest)
        assert not _errors("".join(lines) + rest)
    with make_session_factory(db_engine)() as session:  # type: ignore[arg-type]
        assert assert_consistent(session, acked) >= len(acked)


# -- PostgreSQL restart under load ---------------------------------------------------------------------

@pytest.fixture
def restartable_postgres() -> Iterator[str]:
    if os.environ.get("RELIABILITY_RESTART_POSTGRES") != "1":
        pytest.skip("restarts the local PostgreSQL cluster: opt in with RELIABILITY_RESTART_POSTGRES=1")
    try:
        admin = psycopg.connect(_pg_conninfo(ADMIN_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server answers ({str(exc).strip()})")
    name = f"subsidy_restart_{secrets.token_hex(4)}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    try:
        yield url
    finally:
        _ensure_postgres_running()
        with psycopg.connect(_pg_conninfo(ADMIN_URL), autocommit=True, connect_timeout=10) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _cluster() -> list[str]:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return [version, "main"]


def _ensure_postgres_running() -> None:
    status = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *_cluster(), "status"],
                            capture_output=True, text=True)
    if status.returncode != 0:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *_cluster(), "start"], check=True, timeout=60)


def _postgres_answers() -> bool:
    try:
        psycopg.connect(_pg_conninfo(ADMIN_URL), connect_timeout=1).close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.mark.postgres
def test_postgres_restart_during_load_loses_no_acknowledged_write(restartable_postgres: str,
                                                                   mini_rules: Path) -> None:
    """RESTARTS POSTGRESQL (opt-in). 4 writers append for 20 s; the cluster restarts after 4 s."""
    url = restartable_postgres
    children = [_child(url, mini_rules, 3000, 20, keep_going=True, tag=str(i)) for i in range(4)]
    time.sleep(4)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *_cluster(), "restart"], check=True, timeout=120)
    assert wait_for(_postgres_answers, 60)
    outputs = [c.communicate(timeout=120)[0] for c in children]
    acked = [i for out in outputs for i in _acks(out)]
    errors = [e for out in outputs for e in _errors(out)]
    assert errors, "the restart went unnoticed: the test did not test anything"
    assert all("OperationalError" in e or "InterfaceError" in e for e in errors), errors[:5]
    engine = make_engine(url, poolclass=NullPool)
    try:
        with make_session_factory(engine)() as session:
            present = assert_consistent(session, acked)
    finally:
        engine.dispose()
    print(f"\nPG restart under load: {len(acked)} acknowledged, {present} present, {len(errors)} client errors")
    assert present == len(acked), "a write the client saw fail was committed (acceptable only if ambiguous)"
