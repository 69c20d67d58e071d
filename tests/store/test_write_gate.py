"""Issue 18: SQLite writers queue at the Engine's write gate (web.store.db) instead of SQLite's busy handler,
whose sleeps grow to 100 ms: a writer waiting for another starts as soon as that one commits or rolls back,
the gate is never left closed (commit, rollback, an error, a session closed mid-transaction), and waiting for
it gives up after the busy timeout like SQLite."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from web.store.db import make_engine, make_session_factory


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    eng = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    yield eng
    eng.dispose()


def _writer(engine, value: int, hold_s: float, log: list[tuple[str, int, float]]) -> None:  # type: ignore[no-untyped-def]
    with make_session_factory(engine)() as session:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        log.append(("in", value, time.monotonic()))
        session.execute(text("INSERT INTO t VALUES (:x)"), {"x": value})
        time.sleep(hold_s)
        log.append(("out", value, time.monotonic()))
        session.commit()


def test_writers_take_turns_and_the_next_starts_at_once(engine) -> None:  # type: ignore[no-untyped-def]
    log: list[tuple[str, int, float]] = []
    threads = [threading.Thread(target=_writer, args=(engine, i, 0.15, log)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    kinds = [k for k, _v, _t in log]
    assert kinds == ["in", "out"] * 4  # one writer at a time
    gaps = [log[i + 1][2] - log[i][2] for i in range(1, len(log) - 1, 2)]  # out → next in
    assert max(gaps) < 0.08  # SQLite's busy handler polls every 100 ms by then
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT x FROM t")).scalars()) == [0, 1, 2, 3]


def test_the_gate_opens_after_a_rollback_an_error_and_a_session_closed_mid_transaction(engine) -> None:  # type: ignore[no-untyped-def]
    factory = make_session_factory(engine)
    with factory() as session:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        session.execute(text("INSERT INTO t VALUES (1)"))
        session.rollback()
    with factory() as session:
        session.execute(text("SELECT count(*) FROM t"))
        with pytest.raises(OperationalError):
            session.execute(text("INSERT INTO nowhere VALUES (1)"))  # a deferred read upgraded, then an error
        session.rollback()
    session = factory()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    session.execute(text("INSERT INTO t VALUES (2)"))
    session.close()  # never committed: rolled back when the connection goes back to the pool
    log: list[tuple[str, int, float]] = []
    done = threading.Thread(target=_writer, args=(engine, 3, 0.0, log))
    done.start()
    done.join(5)
    assert [k for k, _v, _t in log] == ["in", "out"]
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT x FROM t")).scalars()) == [3]


def test_another_process_engine_waits_for_the_file_lock_and_gives_up_after_the_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gate.db'}"
    first = make_engine(url)
    second = make_engine(url, connect_args={"timeout": 0.3})  # its own gate, as in another worker process
    try:
        with first.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        holder = make_session_factory(first)()
        holder.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        started = time.monotonic()
        with make_session_factory(second)() as session, pytest.raises(OperationalError) as refused:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        assert 0.25 < time.monotonic() - started < 5
        assert isinstance(refused.value.orig, sqlite3.OperationalError)
        assert "locked" in str(refused.value.orig)
        holder.rollback()
        holder.close()
        with make_session_factory(second)() as session:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            session.execute(text("INSERT INTO t VALUES (1)"))
            session.commit()
    finally:
        first.dispose()
        second.dispose()
