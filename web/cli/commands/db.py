"""`subsidy db upgrade [REV] | downgrade REV | current | check`: the schema, through Alembic."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import click
from alembic.util import CommandError
from sqlalchemy.exc import OperationalError

from web.cli.app import EXIT_NEGATIVE, fail
from web.cli.commands._store import db_option, resolve_url, shown
from web.store import migrate

T = TypeVar("T")


def register(main: click.Group) -> None:
    main.add_command(db)


@click.group()
def db() -> None:
    """数据库结构迁移 / database schema migrations (Alembic)."""


@db.command()
@click.argument("revision", default="head")
@db_option
def upgrade(revision: str, db_url: str | None) -> None:
    """升级到指定版本（默认最新） / upgrade to REVISION (default: head)."""
    url = resolve_url(db_url)
    _run(lambda: migrate.upgrade(url, revision), url)
    click.echo(f"{shown(url)}: {', '.join(migrate.current_revisions(url)) or '(empty)'}")


@db.command()
@click.argument("revision")
@db_option
def downgrade(revision: str, db_url: str | None) -> None:
    """降级到指定版本（base = 删除全部表） / downgrade to REVISION ("base" drops every table)."""
    url = resolve_url(db_url)
    _run(lambda: migrate.downgrade(url, revision), url)
    click.echo(f"{shown(url)}: {', '.join(migrate.current_revisions(url)) or '(empty)'}")


@db.command()
@db_option
def current(db_url: str | None) -> None:
    """显示当前版本与最新版本 / show the database's revision and the latest one."""
    url = resolve_url(db_url)
    revisions = _run(lambda: migrate.current_revisions(url), url)
    heads = migrate.head_revisions()
    state = "(head)" if set(revisions) == set(heads) else f"(latest is {', '.join(heads)})"
    click.echo(f"{shown(url)}: {', '.join(revisions) or '(empty)'} {state}")


@db.command()
@db_option
def check(db_url: str | None) -> None:
    """模型与数据库结构是否一致 / do web/store/models.py and the database schema agree?"""
    url = resolve_url(db_url)
    drift = _run(lambda: migrate.schema_drift(url), url)
    if drift:
        click.echo(f"{len(drift)} difference(s) between the models and {shown(url)}:")
        for item in drift:
            click.echo(f"  {item}")
        sys.exit(EXIT_NEGATIVE)
    click.echo(f"{shown(url)}: models and schema agree")


def _run(action: Callable[[], T], url: str) -> T:
    try:
        return action()
    except OperationalError as exc:
        fail(f"无法连接数据库 / cannot open the database {shown(url)}: {exc.orig}")
    except CommandError as exc:
        fail(f"迁移失败 / migration failed: {exc}")
