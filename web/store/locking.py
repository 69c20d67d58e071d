"""This file defines the write transaction that checks before it writes: a move is judged on rows nobody else
can change until the commit.

Reading a status, deciding the move is legal, then writing it, in separate steps, lets two reviewers
(reject, approve 70 ms apart) both win. A writer instead opens `write_transaction(session)` and reads the
rows it will change with `lock_rows(...)`, inside it:

- PostgreSQL: ``SELECT … FOR UPDATE`` (in id order, so two writers never deadlock): a second writer waits
  at that read until the first commits, then reads the new status;
- SQLite: the transaction begins ``IMMEDIATE`` (the database's one write lock is taken at BEGIN, with the
  busy timeout of web.store.db): a second writer waits at BEGIN. ``FOR UPDATE`` is not SQLite syntax and
  SQLAlchemy leaves it out there.

Both re-read the rows (`populate_existing`), so the check sees what is committed, not the session's cache.
The chain-appending writers of web.store.queries take the chain lock the same way; reviews, the applicant's
answer, allocation and payments check their lifecycle move after taking it (engine.lifecycle.advance).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

T = TypeVar("T")


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """A transaction that holds the write lock on SQLite from its BEGIN; commits on success, rolls back on error.

    Whatever the session holds is committed first (a transaction cannot change its BEGIN mode).
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def lock_rows(session: Session, model: type[T], ids: Iterable[int]) -> list[T]:
    """The rows of `model` with these ids, freshly read and locked until the transaction ends (id order)."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    key: Any = model.id  # type: ignore[attr-defined]
    stmt = select(model).where(key.in_(wanted)).order_by(key).with_for_update()
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def lock_row(session: Session, model: type[T], row_id: int) -> T | None:
    """One row, freshly read and locked (None if it does not exist)."""
    rows = lock_rows(session, model, [row_id])
    return rows[0] if rows else None
