"""This file defines the reads and writes of calls (申报通知): open one, read them, and the submission gate.

A call covers one or more measures for a year, with a window (naive UTC in the database; pages enter
and show Asia/Shanghai), a budget in whole yuan, per-measure caps (the most that measure may take of the
call), a materials checklist per measure, the accepting body and the allocation method. Opening a call
puts it on the audit chain (ledger entry `call_opened` holding `call_record`), because its budget and
method decide money. Applications are accepted only while a call is open for every measure applied for
(`require_open`, used by every path that submits). Writers own their chain transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from web.store.models import CALL_METHODS, Call, CallMeasure, utcnow
from web.store.queries import StoreError, append_ledger, chain_transaction

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


class CallNotOpen(StoreError):
    """Submitting outside a call's window, or for a measure no open call covers."""


@dataclass(frozen=True)
class MeasureSpec:
    measure_id: str
    cap: int | None  # yuan
    materials: tuple[tuple[str, str, str], ...]  # (key, zh, en)


def now() -> dt.datetime:
    """The store's clock (naive UTC), for pages that compare with call windows."""
    return utcnow()


def status_of(call: Any, now: dt.datetime) -> str:
    """upcoming before the window, open inside it (opens_at ≤ now < closes_at), closed after it."""
    if now < call.opens_at:
        return UPCOMING
    return OPEN if now < call.closes_at else CLOSED


def call_record(call: Call) -> dict[str, Any]:
    """What a call decides, as it goes on the chain and as an auditor re-reads it."""
    return {"id": call.id, "year": call.year, "title": call.title, "body": call.body,
            "opens_at": call.opens_at.isoformat(), "closes_at": call.closes_at.isoformat(), "budget": call.budget,
            "method": call.method, "measures": [
                {"measure_id": m.measure_id, "cap": m.cap, "materials": [i["key"] for i in m.materials]}
                for m in call.measures]}


def create_call(session: Session, *, year: int, title: str, body: str, opens_at: dt.datetime,
                closes_at: dt.datetime, budget: int, method: str, measures: list[MeasureSpec],
                user_id: int | None) -> Call:
    """Open a call (stored and chained in one transaction).

    Raises:
        StoreError: window backwards, negative budget or cap, unknown method, no measure or a measure twice.
    """
    _check(opens_at, closes_at, budget, method, measures)
    with chain_transaction(session) as head:
        call = Call(year=year, title=title.strip(), body=body.strip(), opens_at=opens_at, closes_at=closes_at,
                    budget=budget, method=method, created_by=user_id)
        call.measures = [CallMeasure(measure_id=m.measure_id, cap=m.cap, materials=[
            {"key": k, "zh": zh, "en": en} for k, zh, en in m.materials]) for m in measures]
        session.add(call)
        session.flush()
        append_ledger(session, head, "call_opened", call_record(call), call_id=call.id, user_id=user_id)
    return call


def _check(opens_at: dt.datetime, closes_at: dt.datetime, budget: int, method: str,
           measures: list[MeasureSpec]) -> None:
    if closes_at <= opens_at:
        raise StoreError("call-window", "截止时间必须晚于开始时间", "the call must close after it opens")
    if budget < 0 or any(m.cap is not None and m.cap < 0 for m in measures):
        raise StoreError("call-budget", "预算和限额不能为负数", "budget and caps cannot be negative")
    if method not in CALL_METHODS:
        raise StoreError("call-method", f"未知的分配方式：{method}", f"unknown allocation method {method!r}")
    ids = [m.measure_id for m in measures]
    if not ids or len(set(ids)) != len(ids):
        raise StoreError("call-measures", "申报通知须包含至少一项政策措施，且不能重复",
                         "a call needs at least one measure, each once")


def get_call(session: Session, call_id: int) -> Call | None:
    return session.scalars(select(Call).where(Call.id == call_id).options(selectinload(Call.measures))
                           .execution_options(populate_existing=True)).first()


def list_calls(session: Session) -> list[Call]:
    """Every call, newest window first."""
    return list(session.scalars(select(Call).options(selectinload(Call.measures))
                                .order_by(Call.opens_at.desc(), Call.id.desc())))


def open_calls(session: Session, now: dt.datetime | None = None) -> list[Call]:
    now = now or utcnow()
    return [c for c in list_calls(session) if status_of(c, now) == OPEN]


def measure_statuses(session: Session, now: dt.datetime | None = None) -> dict[str, str]:
    """Per measure, the status of its most relevant call: open beats upcoming beats closed."""
    now, rank = now or utcnow(), {OPEN: 0, UPCOMING: 1, CLOSED: 2}
    out: dict[str, str] = {}
    rows = session.execute(select(CallMeasure.measure_id, Call.opens_at, Call.closes_at)
                           .join(Call, Call.id == CallMeasure.call_id)).all()
    for measure_id, opens_at, closes_at in rows:
        status = status_of(Call(opens_at=opens_at, closes_at=closes_at), now)
        if measure_id not in out or rank[status] < rank[out[measure_id]]:
            out[measure_id] = status
    return out


def require_open(session: Session, call_id: int | None, measures: list[str],
                 now: dt.datetime | None = None) -> Call:
    """The call an application is submitted under, if it is open now and covers every measure applied for.

    Raises:
        CallNotOpen: no such call, not open (yet / any more), or a measure it does not cover; zh/en message.
    """
    now = now or utcnow()
    call = get_call(session, call_id) if call_id is not None else None
    if call is None:
        raise CallNotOpen("no-call", "只能在申报通知开放期间申请：请选择一个正在申报中的通知",
                          "applications are accepted only under an open call: choose a call that is open")
    status = status_of(call, now)
    if status == UPCOMING:
        raise CallNotOpen("call-not-yet-open", f"申报通知“{call.title}”尚未开始受理（即将开始）",
                          f"the call '{call.title}' is not open yet (opens soon)")
    if status == CLOSED:
        raise CallNotOpen("call-closed", f"申报通知“{call.title}”已截止，不再受理申请",
                          f"the call '{call.title}' has closed and accepts no more applications")
    covered = {m.measure_id for m in call.measures}
    outside = [m for m in measures if m not in covered]
    if not measures or outside:
        shown = "、".join(outside) or "—"
        raise CallNotOpen("measure-not-in-call", f"申报通知“{call.title}”不受理这些措施：{shown}",
                          f"the call '{call.title}' does not cover: {', '.join(outside) or '(no measure chosen)'}")
    return call


def gate(session: Session, call_id: int | None, measures: list[str] | None, now: dt.datetime | None = None) -> Call | None:
    """The submission gate for paths that may also record screening decisions (the CLI, the JSON API).

    With a call: `require_open`. Without one: refused when any measure applied for is covered by a call
    (it must be applied for under that call, while it is open); measures no call covers pass (None).

    Raises:
        CallNotOpen: zh/en message naming the measure and its call.
    """
    if call_id is not None:
        return require_open(session, call_id, list(measures or ()), now)
    wanted = set(measures or ())
    for call in list_calls(session):
        covered = wanted & {m.measure_id for m in call.measures}
        if covered:
            shown = "、".join(sorted(covered))
            raise CallNotOpen("measure-needs-call", f"{shown} 须在申报通知“{call.title}”（#{call.id}）下、开放期间申请",
                              f"{', '.join(sorted(covered))}: apply under the call '{call.title}' (#{call.id}) "
                              "while it is open")
    return None
