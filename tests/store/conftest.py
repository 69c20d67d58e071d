"""Fixtures of the persistence suite: every test runs twice, on SQLite (a temp file) and on PostgreSQL.

PostgreSQL: a fresh database `subsidy_test_<random>` is created for the test session through the admin
URL $TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and dropped at
the end. When no server answers, the PostgreSQL leg is skipped and the skip reason says so.
Both databases are migrated with Alembic (never create_all), and emptied before each test.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from engine import RuleLoadError, load_ruleset
from engine.model import RuleSet
from web.store import migrate
from web.store.db import make_engine, make_session_factory
from web.store.models import GENESIS_HASH, Base

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
if str(HERE) not in sys.path:  # storekit must be importable by name, also in spawned processes
    sys.path.insert(0, str(HERE))

from storekit import write_mini_rules  # noqa: E402

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _pg_conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database per backend for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'store.db'}"
        migrate.upgrade(url)
        yield url
        return
    try:
        admin = psycopg.connect(_pg_conninfo(ADMIN_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        shown = make_url(ADMIN_URL).render_as_string(hide_password=True)
        pytest.skip(f"PostgreSQL leg skipped: no PostgreSQL server answers at {shown} ({str(exc).strip()})")
    name = f"subsidy_test_{secrets.token_hex(4)}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def wipe(engine: Engine) -> None:
    """Empty every table and reset the chain head (the schema stays)."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "chain_head":
                conn.execute(table.delete())
        conn.execute(text("UPDATE chain_head SET seq = 0, hash = :h, status_seq = 0, status_hash = :h"),
                     {"h": GENESIS_HASH})  # the status-change log's head too (0007)


@pytest.fixture
def db_url(database_url: str) -> str:
    """The session's database, emptied for this test."""
    engine = make_engine(database_url, poolclass=NullPool)
    try:
        wipe(engine)
    finally:
        engine.dispose()
    return database_url


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url, poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    with make_session_factory(db_engine)() as s:
        yield s


@pytest.fixture
def mini_rules(tmp_path: Path) -> Path:
    """A one-measure rule directory in a temp folder (with a comment and a tests block)."""
    return write_mini_rules(tmp_path / "rules")


@pytest.fixture
def ruleset(mini_rules: Path) -> RuleSet:
    return load_ruleset(mini_rules)


@pytest.fixture(scope="session")
def loadable_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's rules/ taken once per session, reduced to the files that load.

    Rule files are edited concurrently by others; a file that does not load at this moment is left out of
    the copy (and named on stdout), so that these persistence tests test persistence. tests/rules is where
    a broken rule file fails.
    """
    target = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", target)
    for _ in range(10):
        try:
            load_ruleset(target)
            return target
        except RuleLoadError as exc:
            for rel in sorted({error.file for error in exc.errors}):
                print(f"rules copy: left out {rel} (does not load right now)")
                (target / rel).unlink(missing_ok=True)
    load_ruleset(target)  # raises with the remaining errors
    return target


@pytest.fixture
def rules_copy(loadable_rules: Path, tmp_path: Path) -> Path:
    """A temp copy of the project's rules/ for one test, which may change or delete its files."""
    return Path(shutil.copytree(loadable_rules, tmp_path / "rules_copy"))
