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
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_S = 60
SQLITE_BEGIN_MODES = ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_MODE = "subsidy.sqlite_mode"


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
        return create_engine(url, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    _configure_sqlite(engine, sqlite_foreign_keys)
    return engine


def _configure_sqlite(engine: Engine, foreign_keys: bool) -> None:
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

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode not in SQLITE_BEGIN_MODES:
            raise ValueError(f"sqlite_begin must be one of {SQLITE_BEGIN_MODES}, got {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")
        conn.info[_MODE] = mode

    @event.listens_for(engine, "before_cursor_execute")
    def _first_write(conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        if conn.info.get(_MODE) != "DEFERRED" or conn.in_nested_transaction():
            return
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            raw = conn.connection.dbapi_connection
            raw.execute("COMMIT")  # nothing written yet: only the read snapshot ends
            raw.execute("BEGIN IMMEDIATE")
            conn.info[_MODE] = "IMMEDIATE"

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Any) -> None:
        conn.info.pop(_MODE, None)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to `engine`; objects stay readable after commit (the CLI prints them)."""
    return sessionmaker(engine, expire_on_commit=False)


def is_postgresql(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"
