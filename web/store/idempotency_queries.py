"""Idempotency keys of the JSON API in the `idempotency_key` table: claim, complete, release.

Kept in the store package so that the API views reach the database only through query modules. The
HTTP meaning (422 for a reused key, 409 while in flight) is given by web/api/idempotency.py.

A claim is completed *in the same transaction as the write it guards* (issue 18): `claim` leaves the key in
`session.info`, and the store's writer (queries.submit_and_decide) calls `complete_pending` before it commits,
recording status 201 and the new application's id. So once the application exists the key says so, even if
the request then fails (a 500 after the commit, a killed worker): a retry replays the original answer and
never creates a second application. The view's own `complete` later replaces the body with the full answer.
Every write here begins IMMEDIATE on SQLite (read-then-write: no "database is locked" under load).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web.store.models import IdempotencyKey, utcnow

STALE_AFTER = dt.timedelta(seconds=120)
PENDING = "subsidy.idempotency.pending"
PROVISIONAL = "provisional_application_id"


class KeyReused(Exception):
    """The key was already used with a different request."""


class KeyInFlight(Exception):
    """A request with this key is still being processed."""


@dataclass(frozen=True)
class Stored:
    status: int
    body: str

    @property
    def provisional_application(self) -> int | None:
        """The application id when only the write's own transaction completed the key (the view never did)."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return None
        return int(data[PROVISIONAL]) if isinstance(data, dict) and PROVISIONAL in data else None


def _immediate(session: Session) -> None:
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def complete_pending(session: Session, application_id: int) -> None:
    """Inside the writer's transaction: complete the key this request claimed (if any) with 201 and the id."""
    pending = session.info.pop(PENDING, None)
    if pending is None:
        return
    key, user_id = pending
    row = session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == key, IdempotencyKey.user_id == user_id)
                          .execution_options(populate_existing=True)).first()
    if row is not None:
        row.response_status, row.response_body = 201, json.dumps({PROVISIONAL: application_id})
        session.flush()


def purge(session: Session, older_than: dt.datetime) -> int:
    """Delete keys created before `older_than` (a client retries within minutes, not weeks); committed."""
    _immediate(session)
    done = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < older_than)).rowcount
    session.commit()
    return int(done or 0)


class IdempotencyStore:
    """Claim, complete and release keys in the `idempotency_key` table of a Session."""

    def __init__(self, session: Session):
        self.session = session

    def _row(self, key: str, user_id: int) -> IdempotencyKey | None:
        return self.session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == key,
                                                                 IdempotencyKey.user_id == user_id)
                                    .execution_options(populate_existing=True)).first()

    def claim(self, key: str, user_id: int, method: str, path: str, digest: str) -> Stored | None:
        """Claim `key` for this request; returns the stored response when it is a finished repeat.

        Raises:
            KeyReused: the key was used with another request; KeyInFlight: that request still runs.
        """
        _immediate(self.session)
        row = self._row(key, user_id)
        if row is None:
            self.session.add(IdempotencyKey(key=key, user_id=user_id, method=method, path=path[:500],
                                            request_hash=digest, created_at=utcnow()))
            try:
                self.session.commit()
                self.session.info[PENDING] = (key, user_id)
                return None
            except IntegrityError:
                self.session.rollback()
                row = self._row(key, user_id)
                if row is None:  # claimed and released meanwhile: let the client retry
                    raise KeyInFlight() from None
        if row.request_hash != digest or row.method != method or row.path != path[:500]:
            self.session.rollback()
            raise KeyReused()
        if row.response_status is None:
            if utcnow() - row.created_at < STALE_AFTER:
                self.session.rollback()
                raise KeyInFlight()
            row.created_at = utcnow()  # abandoned claim: take it over
            self.session.commit()
            self.session.info[PENDING] = (key, user_id)
            return None
        stored = Stored(row.response_status, row.response_body or "")
        self.session.rollback()
        return stored

    def complete(self, key: str, user_id: int, status: int, body: str) -> None:
        self.session.info.pop(PENDING, None)
        _immediate(self.session)
        row = self._row(key, user_id)
        if row is not None:
            row.response_status, row.response_body = status, body
        self.session.commit()

    def release(self, key: str, user_id: int) -> None:
        """Forget a claim whose request failed *before* writing anything (a completed key stays)."""
        self.session.info.pop(PENDING, None)
        self.session.rollback()
        _immediate(self.session)
        self.session.execute(delete(IdempotencyKey).where(IdempotencyKey.key == key, IdempotencyKey.user_id == user_id,
                                                          IdempotencyKey.response_status.is_(None)))
        self.session.commit()
