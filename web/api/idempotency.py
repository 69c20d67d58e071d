"""This file defines Idempotency-Key handling for the API's POSTs that create records.

A client sends `Idempotency-Key: <unique string>` with `POST /api/v1/applications`. Keys are scoped to
the token's user and stored in the `idempotency_key` table with a hash of the request (method, path and
the canonical JSON of the body):

- first use: a row is claimed (committed, response empty), the request runs, and a 2xx response is
  stored in the row; a non-2xx answer releases the key, so the client can correct the body and retry;
- the write itself completes the key in its own transaction (web.store.idempotency_queries): a 500 *after*
  the application was stored, or a worker killed there, still leaves the key completed, and the retry gets
  the original 201 (rebuilt from the stored application), never a second application;
- same key, same body, finished: the stored response is sent again, `Idempotent-Replayed: true`, and no
  second application is created;
- same key, different body: 422 problem `idempotency-key-reused`;
- same key while the first request still runs: 409 problem `idempotency-key-in-flight` (a claim older
  than STALE_AFTER seconds is treated as abandoned, e.g. after a crash, and taken over).
The unique (key, user_id) constraint settles two concurrent first uses: one claims, the other gets 409.
Keys are purged after a week by `subsidy cleanup` (`created_at` is indexed for that).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from web.api.problems import FieldError, Problem
from web.store import queries
from web.store.idempotency_queries import IdempotencyStore as _Store
from web.store.idempotency_queries import KeyInFlight, KeyReused, Stored

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

def request_hash(method: str, path: str, body: Any) -> str:
    text = json.dumps([method.upper(), path, body], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        raise Problem("validation-error", "Idempotency-Key must be 1–255 visible ASCII characters / 幂等键应为1至255个可见ASCII字符",
                      [FieldError("header.Idempotency-Key", "INVALID_IDEMPOTENCY_KEY", "幂等键格式无效",
                                  "1–255 visible ASCII characters, e.g. a UUID")])
    return key


class IdempotencyStore(_Store):
    """The store's idempotency keys, with their HTTP meaning: 422 for a reused key, 409 while in flight."""

    def claim(self, key: str, user_id: int, method: str, path: str, digest: str) -> Stored | None:
        try:
            stored = super().claim(key, user_id, method, path, digest)
        except KeyReused:
            raise Problem("idempotency-key-reused", "This Idempotency-Key was already used with a different "
                          "request body; use a new key for a new request / 该幂等键已用于内容不同的请求，请换用新键",
                          status=422) from None
        except KeyInFlight:
            raise _in_flight() from None
        if stored is not None and stored.provisional_application is not None:
            stored = self._rebuilt(stored.provisional_application)
        return stored

    def _rebuilt(self, application_id: int) -> Stored:
        """The 201 answer of a write whose request failed after its commit, from the stored application."""
        from web.api.present import application_out

        application = queries.get_application(self.session, application_id)
        if application is None:  # cannot happen: the key was completed in the application's own transaction
            raise _in_flight()
        return Stored(201, application_out(application, "applicant").model_dump_json())


def _in_flight() -> Problem:
    return Problem("idempotency-key-in-flight", "A request with this Idempotency-Key is still being processed; "
                   "retry shortly / 相同幂等键的请求正在处理，请稍后重试", headers={"Retry-After": "1"})
