"""This file defines rate limits counted in the database, so that every worker process sees one count (issue 18).

`hit(session, name, subject, rate)` counts this request against limit `name` for `subject` (an applicant id,
an address): the `rate_event` rows of the last period, read and written in one immediate transaction
(indexed on name, subject, at). Used for submissions per applicant and resume links per address; the
anonymous API limits stay in memory (web.api.ratelimit). `subsidy cleanup` deletes events older than a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from web.store.models import RateEvent, utcnow

PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}


@dataclass(frozen=True)
class Rate:
    count: int
    period: float

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """'60/minute' → Rate(60, 60.0); '0' / 'off' → None (unlimited).

        >>> Rate.parse("5/second"), Rate.parse("off")
        (Rate(count=5, period=1.0), None)
        """
        text = str(text).strip().lower()
        if text in ("", "0", "off", "none"):
            return None
        count, _, unit = text.partition("/")
        unit = unit.strip() or "minute"
        if unit not in PERIODS or not count.strip().isdigit() or int(count) < 1:
            raise ValueError(f"rate limit must look like '60/minute', not {text!r}")
        return cls(int(count), PERIODS[unit])


def hit(session: Session, name: str, subject: str, rate: Rate, *, now: dt.datetime | None = None) -> float:
    """Count one request; 0 when allowed (and recorded), else the seconds until the oldest counted one expires."""
    now = now or utcnow()
    since = now - dt.timedelta(seconds=rate.period)
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        window = (RateEvent.name == name, RateEvent.subject == subject[:200], RateEvent.at > since)
        used = session.scalar(select(func.count()).select_from(RateEvent).where(*window)) or 0
        if used >= rate.count:
            oldest = session.scalar(select(func.min(RateEvent.at)).where(*window)) or now
            session.rollback()
            return max((oldest - since).total_seconds(), 1.0)
        session.add(RateEvent(name=name, subject=subject[:200], at=now))
        session.commit()
        return 0.0
    except BaseException:
        session.rollback()
        raise


def limited(session: Session, name: str, subject: str, setting: str | None) -> float:
    """`hit` with the limit given as its setting text ("20/hour"; None, "0" or "off": no limit)."""
    rate = Rate.parse(setting or "off")
    return 0.0 if rate is None else hit(session, name, subject, rate)
