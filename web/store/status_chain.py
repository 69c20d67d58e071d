"""This file logs every application status change on a hash chain, whoever makes it.

`install()` registers two session hooks once: after each flush it notes the applications created or whose
status changed; before a commit that holds the chain lock (web.store.queries puts the locked head in
`session.info`), it appends one `StatusChange` (previous logged status → current status) per application whose
status differs from its last logged one. The log is hash-linked like the main chain (web.store.chain.link_hash
of kind "status") with its head in the `chain_head` row, and leaves the main chain's positions alone. A status
changed outside a chain transaction is therefore not logged, and `subsidy audit verify` reports it
(web.store.chain.status_problems).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from web.store import chain
from web.store.models import Application, StatusChange, utcnow

HEAD_KEY = "subsidy.chain_head"
PENDING_KEY = "subsidy.status_pending"
_installed: list[bool] = []


def install() -> None:
    """Register the hooks on every Session (once per process)."""
    if _installed:
        return
    _installed.append(True)

    @event.listens_for(Session, "after_flush")
    def _collect(session: Session, _context: Any) -> None:
        pending: set[int] = session.info.setdefault(PENDING_KEY, set())
        for obj in (*session.new, *session.dirty):
            if isinstance(obj, Application) and (obj in session.new or inspect(obj).attrs.status.history.added):
                pending.add(obj.id)

    @event.listens_for(Session, "before_commit")
    def _chain(session: Session) -> None:
        head = session.info.get(HEAD_KEY)
        if head is None:
            session.info.pop(PENDING_KEY, None)  # changed outside a chain transaction: left unchained, verify says so
            return
        session.flush()
        for application_id in sorted(session.info.pop(PENDING_KEY, set())):
            application = session.get(Application, application_id)
            if application is None:
                continue
            last = last_status(session, application_id)
            if last != application.status:
                append(session, head, StatusChange(application_id=application_id, old_status=last,
                                                   new_status=application.status, created_at=utcnow()))

    @event.listens_for(Session, "after_soft_rollback")
    def _forget(session: Session, _previous: Any) -> None:
        session.info.pop(PENDING_KEY, None)


def last_status(session: Session, application_id: int) -> str | None:
    """The application's last chained status (None: none chained yet)."""
    return session.scalar(select(StatusChange.new_status).where(StatusChange.application_id == application_id)
                          .order_by(StatusChange.chain_seq.desc()).limit(1))


def append(session: Session, head: Any, row: StatusChange) -> None:
    """Add a status change at the end of the log (inside the chain-locked transaction) and move its head."""
    row.chain_seq, row.prev_hash = head.status_seq + 1, head.status_hash
    row.hash = chain.link_hash("status", row.chain_seq, row.prev_hash, chain.status_content(row))
    session.add(row)
    head.status_seq, head.status_hash = row.chain_seq, row.hash
    session.flush()
