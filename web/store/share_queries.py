"""This file defines the resumable self-check links: create one, open one, forget expired ones.

A link carries an unguessable token (`secrets.token_urlsafe`, 32 bytes); only its SHA-256 is stored in
`selfcheck_share`, with the answers (the shape of SelfcheckDraft.answers) and an expiry. Nothing in the
URL identifies the company. An expired link opens nothing. Writers only flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from web.store.models import SelfcheckShare, utcnow

LIFETIME = dt.timedelta(days=30)
TOKEN_BYTES = 32


@dataclass(frozen=True)
class Share:
    kind: str
    answers: dict[str, Any]
    expires_at: dt.datetime


def digest(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_share(session: Session, kind: str, answers: dict[str, Any], *, now: dt.datetime | None = None,
                 lifetime: dt.timedelta = LIFETIME) -> tuple[str, dt.datetime]:
    """Store the answers under a new token; returns (the token, its expiry). The token is never stored."""
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + lifetime
    session.add(SelfcheckShare(token_digest=digest(token), kind=kind, answers=answers, created_at=now,
                               expires_at=expires))
    session.flush()
    return token, expires


def open_share(session: Session, token: str, *, now: dt.datetime | None = None) -> Share | None:
    """The answers behind a token, or None when it is unknown or expired."""
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(SelfcheckShare).where(SelfcheckShare.token_digest == digest(token)))
    if row is None or row.expires_at <= (now or utcnow()):
        return None
    return Share(row.kind, dict(row.answers), row.expires_at)


def delete_expired(session: Session, *, now: dt.datetime | None = None) -> int:
    """Forget the links whose expiry has passed; the number deleted."""
    stmt = delete(SelfcheckShare).where(SelfcheckShare.expires_at <= (now or utcnow()))
    return int(cast("CursorResult[Any]", session.execute(stmt)).rowcount or 0)
