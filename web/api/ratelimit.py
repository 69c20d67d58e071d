"""This file defines the API's rate limiter: an in-memory token bucket per client IP and per limit.

Deliberately simple: the buckets live in the worker process, so under gunicorn with N workers a client
may get up to N × the limit (each worker counts on its own), and a restart forgets them. That bounds
abuse of the anonymous evaluate endpoint without a shared store; put a proxy limit (nginx
`limit_req`) in front for a hard global limit. The client IP is `request.remote_addr`: behind a proxy,
wrap the app in werkzeug's ProxyFix so that it is the client's address, not the proxy's.

Limits are "N/second|minute|hour" strings in the app config (API_EVALUATE_RATE_LIMIT, default
"60/minute"; API_TOKENS_RATE_LIMIT, default "10/minute"); "0" or "off" disables one.

Submissions are limited per applicant, counted in the database so that all workers share the count
(`enforce_per_applicant`, API_SUBMISSIONS_RATE_LIMIT, default "20/hour"; web.store.rate_queries).
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections import OrderedDict

from flask import current_app, request

from web.api.problems import Problem
from web.db_session import db
from web.store import rate_queries
from web.store.rate_queries import Rate

EXTENSION_KEY = "subsidy.api.ratelimit"
DEFAULTS = {"evaluate": "60/minute", "tokens": "10/minute", "submissions": "20/hour"}
MAX_CLIENTS = 10_000  # buckets kept per limit (least recently used dropped first)


class Limiter:
    """Token buckets: `count` requests at once, refilled at count/period per second."""

    def __init__(self, clock: object = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, OrderedDict[str, tuple[float, float]]] = {}

    def hit(self, name: str, client: str, rate: Rate) -> float:
        """Take one token; returns 0 when allowed, else the seconds until a token is available."""
        now = self._clock()  # type: ignore[operator]
        with self._lock:
            buckets = self._buckets.setdefault(name, OrderedDict())
            tokens, last = buckets.pop(client, (float(rate.count), now))
            tokens = min(float(rate.count), tokens + (now - last) * rate.count / rate.period)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) * rate.period / rate.count
            buckets[client] = (tokens, now)
            while len(buckets) > MAX_CLIENTS:
                buckets.popitem(last=False)
        return wait


def limiter() -> Limiter:
    found = current_app.extensions.get(EXTENSION_KEY)
    if found is None:
        found = current_app.extensions.setdefault(EXTENSION_KEY, Limiter())
    return found  # type: ignore[no-any-return]


def rate_for(name: str) -> Rate | None:
    return _parsed(current_app.config.get(f"API_{name.upper()}_RATE_LIMIT", DEFAULTS[name]))


@functools.lru_cache(maxsize=64)
def _parsed(setting: str) -> Rate | None:
    """Rate.parse of a setting, read once per distinct setting (every evaluate request asked again)."""
    return Rate.parse(setting)


def enforce(name: str) -> None:
    """Count this request against limit `name` for its client IP; 429 problem with Retry-After if over."""
    rate = rate_for(name)
    if rate is None:
        return
    wait = limiter().hit(name, request.remote_addr or "unknown", rate)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise Problem("rate-limited", f"At most {rate.count} requests per {int(rate.period)} s from one client; "
                      f"retry in {seconds} s / 请求过于频繁，请{seconds}秒后重试",
                      headers={"Retry-After": str(seconds)})


def enforce_per_applicant(name: str, applicant_id: int | None) -> None:
    """Count this request against limit `name` for the applicant, in the database; 429 problem if over."""
    rate = rate_for(name)
    if rate is None or applicant_id is None:
        return
    wait = rate_queries.hit(db(), name, f"applicant:{applicant_id}", rate)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise Problem("rate-limited", f"At most {rate.count} submissions per {int(rate.period)} s for one applicant; "
                      f"retry in {seconds} s / 提交过于频繁，请{seconds}秒后重试",
                      headers={"Retry-After": str(seconds)})
