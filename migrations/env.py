"""Alembic environment: the models of web.store are the target; the URL comes from the caller or web.settings.

Where the database URL comes from, first match wins:
  1. ``config.attributes["connection"]`` — an open Connection handed over by a caller (tests);
  2. ``config.attributes["url"]`` — set by web.store.migrate (the `subsidy db` commands);
  3. ``alembic -x url=…`` on the command line;
  4. ``sqlalchemy.url`` in alembic.ini (left empty on purpose);
  5. web.settings.database_url() — $DATABASE_URL, else SQLite in instance/.

On PostgreSQL a migration gives up after LOCK_TIMEOUT waiting for a table lock (an idle transaction
elsewhere would otherwise stall it, and every query queued behind it). Batch mode (``render_as_batch``)
lets SQLite alter tables; foreign keys are off on SQLite while a
migration runs and are checked (``PRAGMA foreign_key_check``) before it commits. Autogenerate compares
types, and writes no revision when nothing changed.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.pool import NullPool

from web.settings import database_url
from web.store.db import make_engine
from web.store.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
LOCK_TIMEOUT = "60s"


def _url() -> str:
    return (config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
            or config.get_main_option("sqlalchemy.url") or database_url())


def _no_empty_revisions(_context: Any, _revision: Any, directives: list[Any]) -> None:
    if getattr(config.cmd_opts, "autogenerate", False) and directives and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        print("No schema change detected; no revision written.")


def _options() -> dict[str, Any]:
    return {"target_metadata": target_metadata, "render_as_batch": True, "compare_type": True,
            "process_revision_directives": _no_empty_revisions}


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    rows = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if rows:
        raise RuntimeError(f"foreign keys broken by this migration: {rows[:10]}")


def _run(connection: Connection) -> None:
    context.configure(connection=connection, transactional_ddl=True, **_options())
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":  # fail, rather than queue forever behind an open transaction
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        context.run_migrations()
        _check_sqlite_foreign_keys(connection)


def run_migrations_offline() -> None:
    context.configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"}, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url(), sqlite_foreign_keys=False, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
