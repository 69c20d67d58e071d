"""`subsidy backup FILE` / `subsidy restore FILE`: a portable dump of the whole store, for both databases.

The backup is JSON lines (gzip when FILE ends in .gz): a header, every row of every table in dependency
order (the audit chain included), and a trailer with row counts and a SHA-256 of the content. It is
written under a temporary name and renamed, so FILE is either a whole backup or absent. `restore` loads a
backup into a fresh, empty database of either kind (SQLite or PostgreSQL; the schema is created when
missing), in one transaction, then upgrades the schema and verifies the chain.

Exit 0 on success, 1 when a restore completed but the chain does not verify, 2 when nothing was done.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from web.cli.app import EXIT_NEGATIVE, EXIT_OK, fail
from web.cli.commands._store import db_option, resolve_url, shown
from web.store.backup import BackupError, backup, restore


def register(main: click.Group) -> None:
    main.add_command(backup_command)
    main.add_command(restore_command)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def backup_command(file: Path, db_url: str | None) -> None:
    """备份整个数据库（含审计链）到文件 / back up every table (the audit chain included) to FILE."""
    url = resolve_url(db_url)
    try:
        result = backup(url, file)
    except BackupError as exc:
        fail(f"备份失败 / backup failed ({shown(url)}): {exc}")
    except (SQLAlchemyError, OSError) as exc:
        fail(f"备份失败 / backup failed ({shown(url)}): {type(exc).__name__}: {exc}")
    click.echo(f"OK  {file}: {result.total} row(s) in {len(result.rows)} table(s), schema "
               f"{', '.join(result.revision)} / 已备份")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def restore_command(file: Path, db_url: str | None) -> None:
    """把备份恢复到一个空的新数据库 / restore FILE into a fresh, empty database (SQLite or PostgreSQL)."""
    url = resolve_url(db_url)
    try:
        result = restore(url, file)
    except BackupError as exc:
        fail(f"恢复失败，未写入任何数据 / restore failed, nothing written ({shown(url)}): {exc}")
    except (SQLAlchemyError, OSError) as exc:
        fail(f"恢复失败，未写入任何数据 / restore failed, nothing written ({shown(url)}): {type(exc).__name__}: {exc}")
    total = sum(result.rows.values())
    if result.chain_ok:
        click.echo(f"OK  {shown(url)}: {total} row(s) restored; chain intact ({result.chain_links} link(s)) / 已恢复")
        sys.exit(EXIT_OK)
    click.echo(f"RESTORED, CHAIN BROKEN  {total} row(s) restored but the chain does not verify:")
    for problem in result.problems[:20]:
        click.echo(f"  {problem}")
    sys.exit(EXIT_NEGATIVE)
