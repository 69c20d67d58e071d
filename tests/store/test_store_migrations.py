"""Models and migrations agree, on SQLite and PostgreSQL; the `subsidy db` commands drive Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from click.testing import CliRunner
from sqlalchemy import inspect
from sqlalchemy.pool import NullPool

from web.cli import main
from web.store import migrate
from web.store.db import make_engine
from web.store.models import Base


def _tables(url: str) -> set[str]:
    engine = make_engine(url, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_the_models(db_url: str) -> None:
    migrate.downgrade(db_url, "base")
    assert _tables(db_url) <= {"alembic_version"}
    migrate.upgrade(db_url)
    assert _tables(db_url) == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    assert migrate.schema_drift(db_url) == []
    command.check(migrate.alembic_config(db_url))  # raises if autogenerate would write anything
    assert migrate.is_at_head(db_url)


def test_db_commands(db_url: str) -> None:
    runner = CliRunner()
    current = runner.invoke(main, ["db", "current", "--db", db_url])
    (head,) = migrate.head_revisions()
    assert current.exit_code == 0 and f"{head} (head)" in current.output
    check = runner.invoke(main, ["db", "check", "--db", db_url])
    assert check.exit_code == 0 and "agree" in check.output


def test_db_upgrade_and_downgrade_on_a_new_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'x.db'}"
    runner = CliRunner()
    assert "(empty)" in runner.invoke(main, ["db", "current", "--db", url]).output
    assert runner.invoke(main, ["db", "upgrade", "--db", url]).exit_code == 0
    assert migrate.current_revisions(url) == migrate.head_revisions()
    assert runner.invoke(main, ["db", "downgrade", "base", "--db", url]).exit_code == 0
    assert migrate.current_revisions(url) == ()
    bad = runner.invoke(main, ["db", "upgrade", "9999", "--db", url])
    assert bad.exit_code == 2 and "9999" in bad.output


def test_commands_refuse_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["decisions", "list", "--db", f"sqlite:///{tmp_path / 'empty.db'}"])
    assert result.exit_code == 2
    assert "subsidy db upgrade" in result.output
