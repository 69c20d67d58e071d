"""This file defines schema management from Python: upgrade, downgrade, current revision, drift check.

Thin wrappers over Alembic's command API using the top-level alembic.ini, for the `subsidy db` and
`subsidy demo` commands and for tests. The URL is handed to migrations/env.py through
`Config.attributes`, so it never passes through ConfigParser interpolation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from web.settings import PROJECT_ROOT
from web.store.db import make_engine
from web.store.models import Base

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"


def alembic_config(url: str, *, ini: Path = ALEMBIC_INI) -> Config:
    """An Alembic Config for `url` that leaves the caller's logging alone."""
    config = Config(str(ini))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revisions() -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config("")).get_heads())


def current_revisions(url_or_engine: str | Engine) -> tuple[str, ...]:
    """The revisions the database is at (empty for a database never migrated)."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.connect() as connection:
            return tuple(MigrationContext.configure(connection).get_current_heads())
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def is_at_head(url_or_engine: str | Engine) -> bool:
    return set(current_revisions(url_or_engine)) == set(head_revisions())


def schema_drift(url: str) -> list[Any]:
    """Differences between web.store.models and the database's schema (empty when they agree)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()
