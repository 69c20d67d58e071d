"""This file defines the self-check drafts of logged-in users: save (upsert), load, delete.

One row per (user, applicant kind) in `selfcheck_draft`, holding what the self-check keeps in the session
for that kind: ``{"pages": {page_id: {field: text}}, "rows": {group: count}}``. Every query is filtered by
the user's id, so one user's draft is never read for another. Writers only flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from web.store.models import SelfcheckDraft, utcnow


@dataclass(frozen=True)
class Draft:
    kind: str
    answers: dict[str, Any]


def save_draft(session: Session, user_id: int, kind: str, answers: dict[str, Any]) -> None:
    """Insert or replace the user's draft for `kind`: one INSERT … ON CONFLICT statement (race-free)."""
    now = utcnow()
    values: dict[str, Any] = {"user_id": user_id, "kind": kind, "answers": answers, "updated_at": now}
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = insert(SelfcheckDraft).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=["user_id", "kind"],
                                          set_={"answers": stmt.excluded.answers,
                                                "updated_at": stmt.excluded.updated_at})
        session.execute(stmt)
        return
    draft = session.scalar(select(SelfcheckDraft).where(SelfcheckDraft.user_id == user_id,
                                                        SelfcheckDraft.kind == kind))
    if draft is None:
        session.add(SelfcheckDraft(**values))
    else:
        draft.answers, draft.updated_at = answers, now
    session.flush()


def load_draft(session: Session, user_id: int, kind: str) -> Draft | None:
    row = session.scalar(select(SelfcheckDraft).where(SelfcheckDraft.user_id == user_id,
                                                      SelfcheckDraft.kind == kind))
    return Draft(row.kind, dict(row.answers)) if row is not None else None


def latest_draft(session: Session, user_id: int) -> Draft | None:
    """The user's most recently saved draft (of any kind), or None."""
    row = session.scalar(select(SelfcheckDraft).where(SelfcheckDraft.user_id == user_id)
                         .order_by(SelfcheckDraft.updated_at.desc(), SelfcheckDraft.id.desc()).limit(1))
    return Draft(row.kind, dict(row.answers)) if row is not None else None


def delete_drafts(session: Session, user_id: int, kind: str | None = None) -> int:
    """Delete the user's draft of `kind` (every kind when None); the number of rows deleted."""
    stmt = delete(SelfcheckDraft).where(SelfcheckDraft.user_id == user_id)
    if kind is not None:
        stmt = stmt.where(SelfcheckDraft.kind == kind)
    result = cast("CursorResult[Any]", session.execute(stmt))  # a DML statement's result has a rowcount
    return int(result.rowcount or 0)
