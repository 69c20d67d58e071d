"""This file defines how the store connects: an Engine and a session factory from a database URL.

SQLite (development, tests, the demo) runs in WAL mode with foreign keys enforced and a generous busy
timeout; pysqlite's own transaction handling is switched off so that SQLAlchemy emits BEGIN itself, and a
transaction started with the execution option ``sqlite_begin="IMMEDIATE"`` takes the write lock at once
(how chain appends are serialised on SQLite). PostgreSQL is reached through psycopg 3
(``postgresql+psycopg://``).

A deferred SQLite transaction that has read and then writes fails at once with "database is locked" when
another connection committed meanwhile (its snapshot is stale; the busy timeout is not consulted): under
load, every view that reads and then saves something (a draft, a notice, a login event) answered 500 now
and then (issue 18). So the first write statement of a deferred transaction that has not written yet ends
the read part and continues in a ``BEGIN IMMEDIATE`` transaction (waiting for the write lock with the busy
timeout): a view then sees what PostgreSQL's READ COMMITTED gives it — reads are not a snapshot for later
writes — which is what the code already runs with on PostgreSQL. Writers whose check must hold until their
write (the chain, reviews, idempotency, triage) begin IMMEDIATE themselves (web.store.locking).

Writers queue at a gate, not in SQLite's busy handler (issue 18). SQLite's handler retries a busy BEGIN after
sleeps that grow to 100 ms, so under load a waiting writer keeps missing the short gaps between other writers'
transactions while newcomers take them: at 32 clients a login waited 1.6 s (median) and 4.7 s (p95) for the write
lock it holds for a few milliseconds. So every IMMEDIATE transaction of an Engine first passes its `_WriteGate`:
a lock of the process (threads wait in line, woken as soon as it is free), then an advisory `flock` on
``<database>-writegate`` held by one process at a time (polled every few milliseconds by at most one thread
of each other worker). SQLite's own lock is then free when BEGIN IMMEDIATE asks for it. The gate is let go
once the COMMIT (or ROLLBACK) has run, and waiting for it gives up after the busy timeout, like SQLite.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_S = 60
SQLITE_BEGIN_MODES = ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_MODE = "subsidy.sqlite_mode"
_GATE_HELD = "subsidy.write_gate"
GATE_POLL_S = (0.0005, 0.001, 0.002, 0.004)  # the flock is polled after these sleeps, then every 4 ms
# Connections a server database's pool keeps per process: one for each of a `subsidy serve` worker's 8 request
# threads, its mail sender and its triage thread. With SQLAlchemy's default of 5, a worker whose threads were busy
# closed every connection above five when it came back and opened a new one (a new PostgreSQL backend) on the next
# request: 38 new sessions in a 20 s load phase at 10,000 open (issue 18).
SERVER_POOL_SIZE = 10


def make_engine(url: str, *, sqlite_foreign_keys: bool = True, **kwargs: Any) -> Engine:
    """Create an Engine for `url`, configured for this project's databases.

    Args:
        url: a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql+psycopg://user@host/db``).
        sqlite_foreign_keys: enforce foreign keys on SQLite (migrations turn this off while they
            rebuild tables in batch mode, and check the keys afterwards).
        **kwargs: passed to `create_engine`.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        if "poolclass" not in kwargs:  # a NullPool (backups, some tests) keeps none
            kwargs.setdefault("pool_size", SERVER_POOL_SIZE)
        return create_engine(url, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    on_disk = parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:")
    _configure_sqlite(engine, sqlite_foreign_keys, _WriteGate(f"{parsed.database}-writegate" if on_disk else None,
                                                              float(connect_args["timeout"])))
    return engine


class _WriteGate:
    """One writing transaction at a time per database file: a lock of the process, then a file lock (module doc)."""

    def __init__(self, path: str | None, timeout_s: float):
        self.path, self.timeout_s = path, timeout_s
        self.local = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout_s
        if not self.local.acquire(timeout=self.timeout_s):
            raise sqlite3.OperationalError("database is locked (no turn at the write gate)")
        try:
            if self.path is not None:
                self._lock_file(deadline)
        except BaseException:
            self.local.release()
            raise

    def _lock_file(self, deadline: float) -> None:
        if self._pid != os.getpid():  # opened after a fork: a descriptor shared with the parent shares its lock
            self._fd, self._pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()  # type: ignore[arg-type]
        assert self._fd is not None
        for attempt in range(1 << 30):
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked (another process holds the write gate)") \
                        from None
                time.sleep(GATE_POLL_S[min(attempt, len(GATE_POLL_S) - 1)])

    def release(self) -> None:
        if self.path is not None and self._fd is not None and self._pid == os.getpid():
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self.local.release()


def _configure_sqlite(engine: Engine, foreign_keys: bool, gate: _WriteGate) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _on_begin)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        finally:
            cursor.close()

    def begin_writing(conn: Any, mode: str) -> None:
        """BEGIN IMMEDIATE / EXCLUSIVE on the raw connection, through the gate (held until the transaction ends)."""
        statement = f"BEGIN {mode}"
        try:
            gate.acquire()
        except sqlite3.OperationalError as busy:  # as SQLite's own "database is locked" would reach the caller
            raise OperationalError(statement, None, busy) from None
        try:
            conn.connection.dbapi_connection.execute(statement)
        except BaseException as exc:
            gate.release()
            if isinstance(exc, sqlite3.Error):
                raise OperationalError(statement, None, exc) from None
            raise
        conn.info[_GATE_HELD] = True

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode not in SQLITE_BEGIN_MODES:
            raise ValueError(f"sqlite_begin must be one of {SQLITE_BEGIN_MODES}, got {mode!r}")
        if mode == "DEFERRED":
            conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            begin_writing(conn, mode)
        conn.info[_MODE] = mode

    @event.listens_for(engine, "before_cursor_execute")
    def _first_write(conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        if conn.info.get(_MODE) != "DEFERRED" or conn.in_nested_transaction():
            return
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            conn.connection.dbapi_connection.execute("COMMIT")  # nothing written yet: only the read snapshot ends
            begin_writing(conn, "IMMEDIATE")
            conn.info[_MODE] = "IMMEDIATE"

    _release_gate_at_end(engine, gate)


def _release_gate_at_end(engine: Engine, gate: _WriteGate) -> None:
    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        conn.info.pop(_MODE, None)
        if conn.info.get(_GATE_HELD):  # commit here, then open the gate (SQLAlchemy's own commit finds none open)
            raw = conn.connection.dbapi_connection
            if raw.in_transaction:
                raw.execute("COMMIT")
            _let_go(conn.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        conn.info.pop(_MODE, None)
        if conn.info.get(_GATE_HELD):
            raw = conn.connection.dbapi_connection
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            _let_go(conn.info)

    @event.listens_for(engine, "checkin")
    @event.listens_for(engine, "invalidate")
    def _on_return(_dbapi_connection: Any, record: Any, *_rest: Any) -> None:
        if record is not None and record.info.get(_GATE_HELD):  # never left holding the gate
            _let_go(record.info)

    def _let_go(info: dict[str, Any]) -> None:
        info.pop(_GATE_HELD, None)
        gate.release()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to `engine`; objects stay readable after commit (the CLI prints them)."""
    return sessionmaker(engine, expire_on_commit=False)


def is_postgresql(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"
