"""This file defines the durable "to triage" mark (issue 18): which applications still wait for their triage.

A submission (or an applicant's answer) stores `mark()` in its own transaction, so an acknowledged application is
never left untriaged by a crash. A drainer (web.bureau.triage_soon) `claim()`s the due marks in one conditional
update — their `due_at` moved to the end of a lease, so two drainers never take the same mark, and a drainer that
dies leaves its marks due again when the lease runs out — triages them, and removes them with `done()` inside the
triage run's own transaction (only a mark still holding that claim: one set again meanwhile stays, to be triaged
again). A run that fails puts its marks back with `failed()` (tried again after 1, 2, 4 … minutes, at most hourly).
`pending()` tells a page which applications are not yet triaged. `drain()` is the loop every drainer runs: the
site's triage thread, `subsidy triage`, `subsidy cleanup`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.triage import Exclusions, TriageRuleSet
from web.store import triage_queries
from web.store.db import is_postgresql
from web.store.models import TriageDue, utcnow
from web.store.triage_queries import RunReport

LEASE = dt.timedelta(seconds=60)
BATCH = 50
MAX_WAIT = dt.timedelta(hours=1)
log = logging.getLogger("subsidy.triage")


def mark(session: Session, application_id: int, now: dt.datetime | None = None) -> None:
    """Mark the application to be triaged now (inside the caller's transaction; a mark already there is due again)."""
    when = now or utcnow()
    dialect = postgresql if is_postgresql(session) else sqlite
    stmt = dialect.insert(TriageDue).values(application_id=application_id, due_at=when, attempts=0, marked_at=when)
    session.execute(stmt.on_conflict_do_update(index_elements=[TriageDue.application_id],
                                               set_={"due_at": when, "attempts": 0, "marked_at": when}))


def claim(session: Session, now: dt.datetime, limit: int = BATCH) -> tuple[dt.datetime, list[int]]:
    """Take up to `limit` due marks (the longest waiting first) until the returned lease end; returns (lease end,
    application ids). The caller commits. On PostgreSQL a mark another drainer is claiming is skipped, not waited
    for; a mark claimed meanwhile is no longer due and is not taken twice."""
    until = now + LEASE
    if session.scalar(select(TriageDue.application_id).where(TriageDue.due_at <= now).limit(1)) is None:
        return until, []  # nothing due: no write (on SQLite, no write lock)
    due = (select(TriageDue.application_id).where(TriageDue.due_at <= now)
           .order_by(TriageDue.due_at, TriageDue.application_id).limit(limit))
    if is_postgresql(session):
        due = due.with_for_update(skip_locked=True)
    taken = session.execute(update(TriageDue)
                            .where(TriageDue.application_id.in_(due.scalar_subquery()), TriageDue.due_at <= now)
                            .values(due_at=until, attempts=TriageDue.attempts + 1)
                            .returning(TriageDue.application_id))
    return until, sorted(int(i) for i in taken.scalars())


def done(session: Session, application_ids: Iterable[int], until: dt.datetime) -> None:
    """Remove the marks this claim (`until`) holds — in the triage run's transaction; a mark set again since stays."""
    ids = list(application_ids)
    if ids:
        session.execute(delete(TriageDue).where(TriageDue.application_id.in_(ids), TriageDue.due_at == until))


def retry_after(attempts: int) -> dt.timedelta:
    """How long after its `attempts`-th failed run a mark is due again.

    >>> retry_after(1), retry_after(3), retry_after(20)
    (datetime.timedelta(seconds=60), datetime.timedelta(seconds=240), datetime.timedelta(seconds=3600))
    """
    return min(dt.timedelta(minutes=2 ** min(attempts - 1, 10)), MAX_WAIT)


def failed(session: Session, application_ids: Iterable[int], until: dt.datetime, now: dt.datetime) -> None:
    """Put back the marks this claim holds after a failed run: due again after `retry_after(attempts)`."""
    for app_id in application_ids:
        attempts = session.scalar(select(TriageDue.attempts).where(TriageDue.application_id == app_id,
                                                                   TriageDue.due_at == until))
        if attempts is not None:
            session.execute(update(TriageDue).where(TriageDue.application_id == app_id, TriageDue.due_at == until)
                            .values(due_at=now + retry_after(int(attempts))))


def pending(session: Session, application_ids: Iterable[int]) -> set[int]:
    """Those of these applications not yet triaged since they last changed (a page shows "triage pending")."""
    ids = sorted({int(i) for i in application_ids})
    if not ids:
        return set()
    return {int(i) for i in session.scalars(select(TriageDue.application_id)
                                            .where(TriageDue.application_id.in_(ids)))}


def due_count(session: Session, now: dt.datetime | None = None) -> int:
    """How many marks are due by `now` (default: all of them)."""
    stmt = select(func.count()).select_from(TriageDue)
    if now is not None:
        stmt = stmt.where(TriageDue.due_at <= now)
    return int(session.scalar(stmt) or 0)


# -- the drain ----------------------------------------------------------------------------------------

def drain(session: Session, triage_rules: TriageRuleSet, *, exclusions: Exclusions | None = None,
          today: Callable[[], dt.date] = dt.date.today, clock: Callable[[], dt.datetime] = utcnow,
          on_report: Callable[[RunReport], None] | None = None) -> int:
    """Triage every application whose mark is due, a claimed batch per run (one run serves every submission that
    arrived meanwhile); returns how many marks were settled. A failed run is tried again for each application
    alone, and one that still fails is put back (`failed`); nothing here raises for a run that fails."""
    settled = 0
    while True:
        try:
            until, ids = claim(session, clock())
            _relax_commit(session)
            session.commit()
        except Exception:  # noqa: BLE001 — the marks stay; the next kick or sweep tries again
            session.rollback()
            log.exception("triage marks could not be claimed")
            return settled
        if not ids:
            return settled
        settled += _run(session, ids, until, triage_rules, exclusions, today, clock, on_report)


def _run(session: Session, ids: list[int], until: dt.datetime, triage_rules: TriageRuleSet,
         exclusions: Exclusions | None, today: Callable[[], dt.date], clock: Callable[[], dt.datetime],
         on_report: Callable[[RunReport], None] | None) -> int:
    try:
        report = triage_queries.retriage(session, ids, today(), triage_rules, exclusions=exclusions,
                                         within=lambda s: done(s, ids, until))
    except Exception:  # noqa: BLE001 — advice only: logged, and the marks are tried again
        log.exception("triage of applications %s failed", ids)
        if len(ids) > 1:
            return sum(_run(session, [i], until, triage_rules, exclusions, today, clock, on_report) for i in ids)
        try:
            failed(session, ids, until, clock())
            session.commit()
        except Exception:  # noqa: BLE001 — the claim runs out and the mark is due again
            session.rollback()
            log.exception("triage mark of application %s could not be put back", ids)
        return 0
    if on_report is not None:
        on_report(report)
    return len(ids)


def _relax_commit(session: Session) -> None:
    """A claim is not worth a WAL flush: lost in a crash, its marks are simply still due."""
    if is_postgresql(session):
        session.execute(text("SET LOCAL synchronous_commit = off"))
