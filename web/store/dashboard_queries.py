"""This file defines the figures of the bureau's year for the dashboard: applications by call and status and by
measure; per call its budget and the amounts approved (核定), put into the allocation, allocated and paid;
processing times (days from submission to the decision, and to the final allocation; a span that ends before
it starts — times that disagree — is counted and shown, never averaged in as a negative duration). Aggregates run in
the database (GROUP BY); only the per-measure count reads one small column of each application."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from web.store.models import Allocation, Application, ApprovedAmount, Call, Payment, ReviewAction


@dataclass(frozen=True)
class Money:
    call_id: int
    title: str
    budget: int
    approved: int
    requested: int  # the amounts that went into the allocation (approved amount or the rule's exact figure)
    allocated: int
    paid: int


@dataclass(frozen=True)
class Times:
    call_id: int | None
    title: str
    decided: int  # applications with a decision (approve / reject)
    median_days_to_decision: float | None
    median_days_to_final: float | None
    out_of_order: int = 0  # spans that end before they start (a record's times disagree): counted, never in a median


def calls(session: Session) -> dict[int, Call]:
    return {c.id: c for c in session.scalars(select(Call).order_by(Call.opens_at.desc(), Call.id.desc()))}


def by_call_status(session: Session) -> dict[int | None, dict[str, int]]:
    out: dict[int | None, dict[str, int]] = {}
    for call_id, status, n in session.execute(select(Application.call_id, Application.status, func.count(Application.id))
                                              .group_by(Application.call_id, Application.status)):
        out.setdefault(call_id, {})[status] = int(n)
    return out


def by_measure(session: Session, limit: int = 15) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for measures in session.scalars(select(Application.measures)):
        counts.update(measures or ())
    return counts.most_common(limit)


def _sum_by_call(session: Session, stmt: object) -> dict[int, int]:
    return {int(c): int(v or 0) for c, v in session.execute(stmt)}  # type: ignore[call-overload]


def money(session: Session) -> list[Money]:
    approved = _sum_by_call(session, select(Application.call_id, func.sum(ApprovedAmount.amount))
                            .join(Application, Application.id == ApprovedAmount.application_id)
                            .where(Application.call_id.is_not(None)).group_by(Application.call_id))
    requested = _sum_by_call(session, select(Allocation.call_id, func.sum(Allocation.requested)).group_by(Allocation.call_id))
    allocated = _sum_by_call(session, select(Allocation.call_id, func.sum(Allocation.granted)).group_by(Allocation.call_id))
    paid = _sum_by_call(session, select(Allocation.call_id, func.sum(Payment.amount))
                        .join(Allocation, Allocation.id == Payment.allocation_id).group_by(Allocation.call_id))
    return [Money(c.id, c.title, c.budget, approved.get(c.id, 0), requested.get(c.id, 0), allocated.get(c.id, 0),
                  paid.get(c.id, 0)) for c in calls(session).values()]


def _median_days(spans: list[dt.timedelta]) -> float | None:
    """The median in days of the spans that run forwards (None when there are none: missing is not zero).

    >>> _median_days([dt.timedelta(days=1), dt.timedelta(days=3), dt.timedelta(days=-400)])
    2.0
    >>> _median_days([dt.timedelta(days=-1)]) is None
    True
    """
    forwards = [s.total_seconds() for s in spans if s >= dt.timedelta(0)]
    return round(statistics.median(forwards) / 86400, 1) if forwards else None


def _backwards(*groups: list[dt.timedelta]) -> int:
    return sum(1 for spans in groups for s in spans if s < dt.timedelta(0))


def times(session: Session) -> list[Times]:
    first = (select(ReviewAction.application_id, func.min(ReviewAction.created_at).label("at"))
             .where(ReviewAction.action.in_(("approve", "reject"))).group_by(ReviewAction.application_id).subquery())
    rows = session.execute(select(Application.call_id, Application.submitted_at, first.c.at, Call.finalized_at)
                           .join(first, first.c.application_id == Application.id)
                           .outerjoin(Call, Call.id == Application.call_id))
    to_decision: dict[int | None, list[dt.timedelta]] = {}
    to_final: dict[int | None, list[dt.timedelta]] = {}
    for call_id, submitted, decided, final in rows:
        to_decision.setdefault(call_id, []).append(decided - submitted)
        if final is not None:
            to_final.setdefault(call_id, []).append(final - submitted)
    titles = {c.id: c.title for c in calls(session).values()}
    return [Times(call_id, titles.get(call_id, "—") if call_id else "—", len(spans), _median_days(spans),
                  _median_days(to_final.get(call_id, [])), _backwards(spans, to_final.get(call_id, [])))
            for call_id, spans in to_decision.items()]
