"""This file defines the queries over the `auth_event` table that the login policy (web/auth_policy.py) uses.

Every login outcome (web form and API alike), every lock and every clearance is one row, so that the policy's
state is shared by all gunicorn workers and survives a restart. Never a password: username (casefolded),
address, channel, the admin who cleared and a short note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session

from web.store.models import AuthEvent, User, utcnow

ANY = ""  # the username of an address-wide event, the address of an account-wide one


def record(session: Session, kind: str, username: str, address: str, channel: str = "web", *,
           actor_id: int | None = None, note: str | None = None, at: dt.datetime | None = None) -> AuthEvent:
    """Append one event and flush it (the caller commits)."""
    event = AuthEvent(kind=kind, username=username[:150], address=address[:64], channel=channel[:16],
                      actor_id=actor_id, note=(note or None) and note[:500], at=at or utcnow())
    session.add(event)
    session.flush()
    return event


LOCK_KEY = 19_019  # the PostgreSQL advisory lock every login decision takes (one login decided at a time)


def begin_write(session: Session, policy_lock: bool = True) -> None:
    """Start a write transaction: BEGIN IMMEDIATE on SQLite (the write lock at once, so a second worker's decision
    waits for this one); on PostgreSQL also the login-policy lock (an advisory transaction lock) unless
    `policy_lock` is False — for a write that cannot make any limit laxer for anyone else (a success settled)."""
    if session.in_transaction():
        session.commit()
    connection = session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    if policy_lock and connection.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def settle(session: Session, event_id: int, kind: str, at: dt.datetime | None = None) -> None:
    """A reserved attempt's outcome: kind "success" (stamped `at`) or "failure" (the reservation stands)."""
    values: dict[str, object] = {"kind": kind, "note": None}
    if at is not None:
        values["at"] = at
    session.execute(update(AuthEvent).where(AuthEvent.id == event_id).values(**values))
    session.flush()


def events_about(session: Session, since: dt.datetime, username: str, address: str) -> Sequence[AuthEvent]:
    """Events since `since` for this username or from this address (clearances of either included), oldest first."""
    return session.scalars(select(AuthEvent).where(
        AuthEvent.at >= since, or_(AuthEvent.username == username, AuthEvent.address == address))
        .order_by(AuthEvent.at, AuthEvent.id)).all()


def known_addresses(session: Session, username: str, since: dt.datetime) -> set[str]:
    """Addresses this user logged in from successfully since `since`."""
    return set(session.scalars(select(AuthEvent.address).where(
        AuthEvent.username == username, AuthEvent.kind == "success", AuthEvent.at >= since).distinct()))


def events_since(session: Session, since: dt.datetime) -> Sequence[AuthEvent]:
    """Every event since `since`, oldest first (the admin's lock list is computed from them)."""
    return session.scalars(select(AuthEvent).where(AuthEvent.at >= since).order_by(AuthEvent.at, AuthEvent.id)).all()


def recent_locks_and_clears(session: Session, limit: int = 50) -> list[tuple[AuthEvent, str | None]]:
    """The latest lock and clear events with the clearing admin's username, newest first."""
    rows = session.execute(select(AuthEvent, User.username).outerjoin(User, User.id == AuthEvent.actor_id)
                           .where(AuthEvent.kind.in_(("lock", "clear")))
                           .order_by(AuthEvent.at.desc(), AuthEvent.id.desc()).limit(limit)).all()
    return [(event, actor) for event, actor in rows]


def now() -> dt.datetime:
    """The store's clock (naive UTC), the one every event is stamped with."""
    return utcnow()
