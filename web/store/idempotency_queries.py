"""Idempotency keys of the JSON API in the `idempotency_key` table: claim, complete, release.

Kept in the store package so that the API views reach the database only through query modules. The
HTTP meaning (422 for a reused key, 409 while in flight) is given by web/api/idempotency.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web.store.models import IdempotencyKey, utcnow

STALE_AFTER = dt.timedelta(seconds=120)


class KeyReused(Exception):
    """The key was already used with a different request."""


class KeyInFlight(Exception):
    """A request with this key is still being processed."""


@dataclass(frozen=True)
class Stored:
    status: int
    body: str


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
        row = self._row(key, user_id)
        if row is None:
            self.session.add(IdempotencyKey(key=key, user_id=user_id, method=method, path=path[:500],
                                            request_hash=digest, created_at=utcnow()))
            try:
                self.session.commit()
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
            return None
        stored = Stored(row.response_status, row.response_body or "")
        self.session.rollback()
        return stored

    def complete(self, key: str, user_id: int, status: int, body: str) -> None:
        row = self._row(key, user_id)
        if row is not None:
            row.response_status, row.response_body = status, body
            self.session.commit()

    def release(self, key: str, user_id: int) -> None:
        self.session.rollback()
        self.session.execute(delete(IdempotencyKey).where(IdempotencyKey.key == key, IdempotencyKey.user_id == user_id,
                                                          IdempotencyKey.response_status.is_(None)))
        self.session.commit()
