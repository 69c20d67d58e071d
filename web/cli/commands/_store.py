"""Helpers shared by the commands that use the database (db, decide, decisions, replay, audit, export, demo).

No `register` here: this module adds no command of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from web.cli.app import fail
from web.settings import database_url
from web.store import migrate
from web.store.db import make_engine, make_session_factory

db_option = click.option("--db", "db_url", metavar="URL",
                         help="数据库地址 / database URL (default: $DATABASE_URL, else instance/subsidy.db)")


def resolve_url(db_url: str | None) -> str:
    return db_url or database_url()


def shown(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def store_session(db_url: str | None) -> Iterator[Session]:
    """A session on a database whose schema is at the latest revision; exit 2 with advice otherwise."""
    url = resolve_url(db_url)
    engine = make_engine(url)
    try:
        try:
            current = migrate.current_revisions(engine)
        except OperationalError as exc:
            fail(f"无法连接数据库 / cannot open the database {shown(url)}: {exc.orig}")
        heads = migrate.head_revisions()
        if set(current) != set(heads):
            fail(f"数据库结构不是最新（当前 {', '.join(current) or '空'}，最新 {', '.join(heads)}），"
                 f"请运行 subsidy db upgrade / the schema of {shown(url)} is at {', '.join(current) or 'nothing'}, "
                 f"not {', '.join(heads)}: run `subsidy db upgrade`")
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()
