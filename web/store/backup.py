"""This file defines a portable backup of the whole store: every table as JSON lines, in dependency order.

One format for both databases, so a SQLite backup restores into PostgreSQL and back:

    {"format": "subsidy-backup", "version": 1, "revision": ["0002"], "tables": [...], ...}   header
    {"t": "applicant", "r": {"id": 1, "kind": "enterprise", ...}}                           one per row
    ...
    {"end": true, "rows": {"applicant": 3, ...}, "sha256": "<of every line above>"}          trailer

Rows are read from the database's own schema (reflected), parents before children (foreign keys), in one
consistent snapshot (REPEATABLE READ on PostgreSQL, one read transaction on SQLite). Values keep their
exact stored form — timestamps to the microsecond, JSON as JSON — so the audit chain recomputes to the
same hashes after a restore. The file is written to a temporary name and renamed: there is never a half
backup under the final name; a truncated or edited file fails the trailer check and restores nothing.

Restore migrates an empty database to the backup's revision, loads every row in one transaction, brings
PostgreSQL's id sequences past the restored ids, upgrades to the latest revision, and verifies the chain.

The header also carries the instance's ledger key (web.settings.ledger_key: the key of the chain's digests of payee
account numbers), so that a restored chain still proves its accounts; restore installs it where the target instance
reads its key unless that instance has one. A backup holds full account numbers anyway: keep it as secret as the
database.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.pool import NullPool

from web.settings import install_ledger_key, ledger_key
from web.store import migrate
from web.store.db import make_engine, make_session_factory

FORMAT, VERSION = "subsidy-backup", 1
SKIP_TABLES = {"alembic_version"}
SEEDED_TABLES = {"chain_head"}  # rows a fresh migration creates; replaced by the backup's
BATCH = 500


class BackupError(Exception):
    """A backup or restore that cannot be done, with a zh/en message fit for an operator."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass
class BackupResult:
    path: Path
    revision: tuple[str, ...]
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass
class RestoreResult:
    revision: tuple[str, ...]
    rows: dict[str, int]
    chain_ok: bool
    chain_links: int
    problems: list[str] = field(default_factory=list)


# -- values --------------------------------------------------------------------------------------------

def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(column: Any) -> Any:
    kind = column.type
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat
    if isinstance(kind, Date):
        return dt.date.fromisoformat
    if isinstance(kind, Numeric) and not isinstance(kind, Integer) and getattr(kind, "asdecimal", False):
        return Decimal
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    return None


def _reflect(connection: Connection) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(connection)
    return [t for t in metadata.sorted_tables if t.name not in SKIP_TABLES]


def _revision(connection: Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def _open(path: Path, mode: str, gz: bool | None = None) -> IO[str]:
    if path.suffix == ".gz" if gz is None else gz:
        return gzip.open(path, mode + "t", encoding="utf-8", newline="\n")  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8", newline="\n")


# -- backup --------------------------------------------------------------------------------------------

def _rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result.mappings():
        yield {key: _encode(value) for key, value in row.items()}


def backup(url: str, path: Path | str) -> BackupResult:
    """Write every table of the database at `url` to `path` (JSON lines; gzip when it ends in .gz).

    Raises:
        BackupError: the database has no schema (never migrated).
    """
    path = Path(path)
    engine = make_engine(url, poolclass=NullPool)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                revision = _revision(connection)
                if not revision:
                    raise BackupError("数据库没有表结构（从未迁移）", "the database has no schema (never migrated)")
                tables = _reflect(connection)
                result = BackupResult(path, revision)
                digest = hashlib.sha256()
                with _open(tmp, "w", gz=path.suffix == ".gz") as out:
                    def put(obj: dict[str, Any]) -> None:
                        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
                        digest.update(line.encode("utf-8"))
                        out.write(line)

                    key = ledger_key(url, create=False)
                    put({"format": FORMAT, "version": VERSION, "revision": list(revision),
                         "dialect": connection.dialect.name, "tables": [t.name for t in tables],
                         "created_at": dt.datetime.now(dt.UTC).isoformat(),
                         **({"ledger_key": key.decode("ascii")} if key else {})})
                    for table in tables:
                        count = 0
                        for row in _rows(connection, table):
                            put({"t": table.name, "r": row})
                            count += 1
                        result.rows[table.name] = count
                    out.write(json.dumps({"end": True, "rows": result.rows, "sha256": digest.hexdigest()},
                                         sort_keys=True) + "\n")
                    out.flush()
                    if path.suffix != ".gz":
                        os.fsync(out.fileno())
        os.replace(tmp, path)
        return result
    finally:
        tmp.unlink(missing_ok=True)
        engine.dispose()


# -- restore -------------------------------------------------------------------------------------------

def _read(path: Path) -> tuple[dict[str, Any], Iterator[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """Check the whole file first (header, trailer, digest), then hand back a fresh row iterator."""
    digest, header, trailer, lines = hashlib.sha256(), None, None, 0
    try:
        with _open(path, "r") as src:
            for raw in src:
                obj = json.loads(raw)
                if obj.get("end"):
                    trailer = obj
                    break
                digest.update(raw.encode("utf-8"))
                header = header or obj
                lines += 1
            extra = src.read(1)
    except (OSError, ValueError, EOFError) as exc:
        raise BackupError(f"无法读取备份文件：{exc}", f"cannot read the backup file: {exc}") from exc
    if not header or header.get("format") != FORMAT or header.get("version") != VERSION:
        raise BackupError("不是本系统的备份文件", "not a subsidy backup file (bad header)")
    if trailer is None or extra:
        raise BackupError("备份文件不完整（被截断）", "the backup file is incomplete (truncated): nothing restored")
    if trailer.get("sha256") != digest.hexdigest():
        raise BackupError("备份文件校验失败（内容被修改）", "the backup file fails its checksum: nothing restored")

    def rows() -> Iterator[tuple[str, dict[str, Any]]]:
        with _open(path, "r") as src:
            next(src)
            for raw in src:
                obj = json.loads(raw)
                if obj.get("end"):
                    return
                yield obj["t"], obj["r"]

    return header, rows(), trailer


def _decode_row(row: dict[str, Any], decoders: dict[str, Any]) -> dict[str, Any]:
    return {k: (decoders[k](v) if v is not None and decoders.get(k) else v) for k, v in row.items()}


def _has_data(connection: Connection, tables: list[Table]) -> list[str]:
    busy = []
    for table in tables:
        if table.name in SEEDED_TABLES:
            if table.name == "chain_head" and connection.execute(
                    select(func.coalesce(func.max(table.c.seq), 0))).scalar_one():
                busy.append(table.name)
        elif connection.execute(select(func.count()).select_from(table)).scalar_one():
            busy.append(table.name)
    return busy


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        quoted = connection.dialect.identifier_preparer.format_table(table)
        seq = connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                 {"t": quoted, "c": pk[0].name}).scalar()
        if seq:
            connection.execute(text(f"SELECT setval(:s, COALESCE((SELECT MAX({pk[0].name}) FROM {quoted}), 0) + 1, "
                                    "false)"), {"s": seq})


def restore(url: str, path: Path | str) -> RestoreResult:
    """Load a backup into the empty database at `url` (SQLite or PostgreSQL; created schema if none).

    Raises:
        BackupError: the file is not a complete, unaltered backup; the database already holds data; or
            the backup's revision is unknown to this version of the code.
    """
    from web.store import queries

    path = Path(path)
    header, rows, trailer = _read(path)
    revision = tuple(header["revision"])
    known = _known_revisions()
    if not set(revision) <= known:
        raise BackupError(f"备份的数据库版本 {revision} 不为本程序所知，请用更新的版本恢复",
                          f"the backup's schema revision {revision} is unknown to this code: restore with a newer "
                          "version")
    engine = make_engine(url, poolclass=NullPool)
    try:
        current = migrate.current_revisions(engine)
        if not current:
            migrate.upgrade(url, revision[0] if len(revision) == 1 else "heads")
        elif tuple(sorted(current)) != revision:
            raise BackupError(f"目标数据库版本 {current} 与备份 {revision} 不同：请恢复到一个空的新数据库",
                              f"the target database is at revision {current}, the backup at {revision}: restore "
                              "into a fresh, empty database")
        counts: dict[str, int] = {}
        with engine.begin() as connection:
            tables = {t.name: t for t in _reflect(connection)}
            busy = _has_data(connection, list(tables.values()))
            if busy:
                raise BackupError(f"目标数据库已有数据（{', '.join(busy)}），不会覆盖",
                                  f"the target database already holds data ({', '.join(busy)}); nothing restored")
            missing = [name for name in header["tables"] if name not in tables]
            if missing:
                raise BackupError(f"目标数据库缺少表：{missing}", f"the target database lacks tables {missing}")
            for name in reversed(header["tables"]):
                connection.execute(tables[name].delete())  # the seeded rows (chain_head) of a fresh schema
            decoders = {name: {c.name: _decoder(c) for c in t.columns if not isinstance(c.type, JSON)}
                        for name, t in tables.items()}
            batch: list[dict[str, Any]] = []
            batch_table: str | None = None

            def flush() -> None:
                if batch and batch_table:
                    connection.execute(tables[batch_table].insert(), batch)
                batch.clear()

            for name, row in rows:
                if name != batch_table or len(batch) >= BATCH:
                    flush()
                    batch_table = name
                batch.append(_decode_row(row, decoders[name]))
                counts[name] = counts.get(name, 0) + 1
            flush()
            if counts != {k: v for k, v in trailer["rows"].items() if v}:
                raise BackupError("恢复的行数与备份不符", f"restored row counts {counts} differ from the backup's")
            _reset_sequences(connection, list(tables.values()))
        migrate.upgrade(url)
        _install_key(header, url)
        with make_session_factory(engine)() as session:
            report = queries.verify_chain(session)
        return RestoreResult(revision, counts, report.ok, report.links, [str(p) for p in report.problems])
    finally:
        engine.dispose()


def _install_key(header: dict[str, Any], url: str) -> None:
    """The backed-up ledger key where the restored instance reads it, unless it has one already."""
    if header.get("ledger_key"):
        install_ledger_key(str(header["ledger_key"]).encode("ascii"), url)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config(""))
    return {rev.revision for rev in script.walk_revisions()}
