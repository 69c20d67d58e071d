"""This file defines the request-scoped database session of the web app: one Session per request.

`init_db(app)` builds one Engine per application from `DATABASE_URL` (the app config, else
`web.settings.database_url()`: $DATABASE_URL, else instance/subsidy.db). No connection is opened until a
view asks for `db()`; the session is closed at teardown (rolled back if a view left a transaction open),
so a worker forked by gunicorn never shares a connection with its master.  [flask docs/patterns/sqlalchemy]

SQLite (issue 18): transactions begin DEFERRED, so pages that only read never wait for a writer (WAL). A
deferred transaction that reads and then writes fails at once with "database is locked" when another
writer committed in between (the busy timeout does not help there), so every store function that reads
then writes opens its own transaction with BEGIN IMMEDIATE (web.store.locking.write_transaction, the chain
transaction, idempotency keys, rate limits, triage, the login policy's begin_write). Making every POST
request IMMEDIATE instead was measured and rejected: the write lock was then held for a whole request
(password hashing, evaluation, rendering) and review p95 rose to 13 s at 32 clients.
`db(writes=True)` gives such a session where a view wants it anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g

from web.settings import database_url
from web.store.db import make_engine, make_session_factory

if TYPE_CHECKING:  # views and this module reach SQLAlchemy only through web.store
    from sqlalchemy.orm import Session, sessionmaker

FACTORY_KEY = "subsidy.sessions"


def init_db(app: Flask) -> None:
    """Resolve the database URL once and register the teardown that closes each request's session."""
    url = str(app.config.get("DATABASE_URL") or database_url())
    app.config["DATABASE_URL"] = url
    app.extensions[FACTORY_KEY] = _LazyFactory(url)
    app.teardown_appcontext(close_db)


class _LazyFactory:
    """The session factories, with their Engine created on first use (in the process that uses it)."""

    def __init__(self, url: str):
        self.url = url
        self._factory: sessionmaker[Session] | None = None
        self._writer: sessionmaker[Session] | None = None

    def __call__(self, *, writes: bool = False) -> Session:
        if self._factory is None:
            engine = make_engine(self.url)
            self._factory = make_session_factory(engine)
            self._writer = make_session_factory(engine.execution_options(sqlite_begin="IMMEDIATE")) \
                if engine.dialect.name == "sqlite" else self._factory
        factory = self._writer if writes and self._writer is not None else self._factory
        return factory()

    def dispose(self) -> None:
        if self._factory is not None and self._factory.kw.get("bind") is not None:
            self._factory.kw["bind"].dispose()
        self._factory = self._writer = None


def db(*, writes: bool = False) -> Session:
    """The Session of the current request (opened on first use); `writes`: its transactions begin IMMEDIATE."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[FACTORY_KEY](writes=writes)
    session: Session = g.db_session
    return session


def close_db(_exc: BaseException | None = None) -> None:
    session: Any = g.pop("db_session", None)
    if session is not None:
        session.close()


def dispose(app: Flask) -> None:
    """Close every pooled connection of `app` (tests call this before removing a database file)."""
    app.extensions[FACTORY_KEY].dispose()
