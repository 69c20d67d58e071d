"""This file defines what `subsidy cleanup` deletes from the database: rows whose use is over (issue 18).

Each purge is one indexed DELETE in its own immediate transaction: expired resume links (`expires_at`),
old login events (`at`; the login policy looks back minutes to hours, never months), Idempotency-Keys older
than a week (a client retries within minutes), counted rate-limit events older than a day. And the digests
that material rows refer to, which the blob store keeps.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from web.store import idempotency_queries, share_queries
from web.store.models import AuthEvent, Material, RateEvent, utcnow

AUTH_EVENTS_KEPT = dt.timedelta(days=90)
IDEMPOTENCY_KEPT = dt.timedelta(days=7)
RATE_EVENTS_KEPT = dt.timedelta(days=1)


def _immediate(session: Session) -> None:
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def referenced_blobs(session: Session) -> set[str]:
    """The sha256 of every stored material (current or superseded: the audit trail keeps them all)."""
    return set(session.scalars(select(Material.sha256).distinct()))


def purge(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what is over; returns {what: rows deleted}."""
    now = now or utcnow()
    out = {"expired resume links": share_queries.delete_expired(session, now=now)}
    session.commit()
    for name, model, column, kept in (("old login events", AuthEvent, AuthEvent.at, AUTH_EVENTS_KEPT),
                                      ("old rate-limit events", RateEvent, RateEvent.at, RATE_EVENTS_KEPT)):
        _immediate(session)
        out[name] = int(session.execute(delete(model).where(column < now - kept)).rowcount or 0)
        session.commit()
    out["old idempotency keys"] = idempotency_queries.purge(session, now - IDEMPOTENCY_KEPT)
    return out
