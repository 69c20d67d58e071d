"""This file defines the reads and writes of calls (申报通知): open one, read them, and the submission gate.

A call covers one or more measures for a year, with a window (naive UTC in the database; pages enter
and show Asia/Shanghai), a budget in whole yuan, per-measure caps (the most that measure may take of the
call), a materials checklist per measure, the accepting body and the allocation method. Opening a call
puts it on the audit chain (ledger entry `call_opened` holding `call_record`), because its budget and
method decide money. Applications are accepted only while a call is open for every measure applied for
(`require_open`, used by every path that submits). Writers own their chain transaction.

A call is managed (issue 23): edited before it opens, extended, closed early or withdrawn — each with a
reason, chained as `call_changed` (the change, the reason and the new call record) and listed on the public
page (`changes`). The accepting body is one of the local bodies (`LOCAL_BODIES`), never a national rule's.
The call's ranking criterion (`rank_by`) and 公示期 (`notice_days`) are part of its record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.errors import Message
from web.store import models
from web.store.models import CALL_METHODS, RANK_BY, Call, CallMeasure, LedgerEntry, utcnow
from web.store.queries import StoreError, append_ledger, chain_transaction

UPCOMING, OPEN, CLOSED, WITHDRAWN = "upcoming", "open", "closed", "withdrawn"
STATUS_LABELS = {OPEN: Message("申报中", "open"), UPCOMING: Message("即将开始", "opens soon"),
                 CLOSED: Message("已截止", "closed"), WITHDRAWN: Message("已撤回", "withdrawn")}
# The accepting bodies (受理部门) a call may name: the local S&T bodies of the three places (zh → en).
LOCAL_BODIES = {
    "清远市科学技术局": "Qingyuan Science and Technology Bureau",
    "清远市清城区科技主管部门": "Qingcheng District science and technology office",
    "清远高新区科技信息局": "Qingyuan Hi-tech Zone Science, Technology and Information Bureau",
    "广清产业园科创局": "Guangqing Industrial Park Science and Innovation Bureau",
    "韶关市科学技术局": "Shaoguan Science and Technology Bureau",
}
RANK_LABELS = {"received": Message("按受理时间（先到先得）", "by the time received (first come, first served)"),
               "score": Message("按评审得分（高→低），同分按受理时间", "by the reviewers' score (high to low), then time received"),
               "amount_asc": Message("按申请金额（小→大），同额按受理时间",
                                     "by the amount (small to large), then time received")}
CHANGE_LABELS = {"edited": Message("修改通知", "call edited"), "extended": Message("延长截止时间", "deadline extended"),
                 "closed_early": Message("提前截止", "closed early"), "withdrawn": Message("撤回通知", "call withdrawn")}


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


def clock_at(moment: dt.datetime) -> Any:
    """A context in which the store's clock reads `moment` (and ticks on): the demo's back-dated call only."""
    return models.clock_at(moment)


def status_of(call: Any, now: dt.datetime) -> str:
    """withdrawn once withdrawn; else upcoming before the window, open inside it (opens_at ≤ now < closes_at),
    closed after it."""
    if getattr(call, "withdrawn_at", None) is not None:
        return WITHDRAWN
    if now < call.opens_at:
        return UPCOMING
    return OPEN if now < call.closes_at else CLOSED


def call_record(call: Call) -> dict[str, Any]:
    """What a call decides, as it goes on the chain and as an auditor re-reads it."""
    return {"id": call.id, "year": call.year, "title": call.title, "body": call.body,
            "opens_at": call.opens_at.isoformat(), "closes_at": call.closes_at.isoformat(), "budget": call.budget,
            "method": call.method, "rank_by": call.rank_by, "notice_days": call.notice_days,
            "withdrawn": call.withdrawn_at is not None, "measures": [
                {"measure_id": m.measure_id, "cap": m.cap, "materials": [i["key"] for i in m.materials]}
                for m in call.measures]}


def create_call(session: Session, *, year: int, title: str, body: str, opens_at: dt.datetime,
                closes_at: dt.datetime, budget: int, method: str, measures: list[MeasureSpec],
                user_id: int | None, rank_by: str = "received", notice_days: int = 5) -> Call:
    """Open a call (stored and chained in one transaction).

    Raises:
        StoreError: window backwards, negative budget or cap, unknown method or ranking criterion, a 公示期 out
        of range, a body not in LOCAL_BODIES, no measure or a measure twice.
    """
    _check(opens_at, closes_at, budget, method, measures)
    _check_terms(body, rank_by, notice_days)
    with chain_transaction(session) as head:
        call = Call(year=year, title=title.strip(), body=body.strip(), opens_at=opens_at, closes_at=closes_at,
                    budget=budget, method=method, created_by=user_id, rank_by=rank_by, notice_days=notice_days)
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


def _check_terms(body: str, rank_by: str, notice_days: int) -> None:
    if body.strip() not in LOCAL_BODIES:
        raise StoreError("call-body", "受理部门须从本地受理部门列表中选择", "choose the accepting body from the list of local bodies")
    if rank_by not in RANK_BY:
        raise StoreError("call-rank-by", f"未知的排序规则：{rank_by}", f"unknown ranking criterion {rank_by!r}")
    if not 0 <= notice_days <= 60:
        raise StoreError("call-notice-days", "公示期须为0至60天", "the 公示期 must be 0 to 60 days")


def _reason(reason: str) -> str:
    if not (reason or "").strip():
        raise StoreError("reason-required", "每项修改都必须填写理由", "every change needs a reason")
    return reason.strip()


def _changing(session: Session, call_id: int) -> Call:
    call = get_call(session, call_id)
    if call is None:
        raise StoreError("no-call", f"申报通知 #{call_id} 不存在", f"call #{call_id} not found")
    if call.withdrawn_at is not None:
        raise StoreError("call-withdrawn", "该申报通知已撤回，不能再修改", "this call was withdrawn: it cannot change")
    if call.allocated_at is not None:
        raise StoreError("call-allocated", "该申报通知已分配资金，不能再修改", "this call has been allocated: it cannot change")
    return call


def _chain_change(session: Session, head: Any, call: Call, change: str, reason: str, user_id: int | None) -> None:
    session.flush()
    append_ledger(session, head, "call_changed", {"change": change, "reason": reason, "call": call_record(call)},
                  call_id=call.id, user_id=user_id)


def edit_call(session: Session, call_id: int, *, reason: str, user_id: int | None, now: dt.datetime | None = None,
              title: str, body: str, opens_at: dt.datetime, closes_at: dt.datetime, budget: int, method: str,
              rank_by: str, notice_days: int, caps: dict[str, int | None] | None = None) -> Call:
    """Edit a call before it opens (chained `call_changed` / edited).

    Raises:
        StoreError: the call has opened, a bad value (as `create_call`), no reason.
    """
    now, reason = now or utcnow(), _reason(reason)
    with chain_transaction(session) as head:
        call = _changing(session, call_id)
        if status_of(call, now) != UPCOMING:
            raise StoreError("call-opened", "申报通知开始受理后不能再修改（可延长或提前截止）",
                             "a call cannot be edited once it has opened (extend it or close it early)")
        specs = [MeasureSpec(m.measure_id, (caps or {}).get(m.measure_id, m.cap), ()) for m in call.measures]
        _check(opens_at, closes_at, budget, method, specs)
        _check_terms(body, rank_by, notice_days)
        call.title, call.body, call.opens_at, call.closes_at = title.strip(), body.strip(), opens_at, closes_at
        call.budget, call.method, call.rank_by, call.notice_days = budget, method, rank_by, notice_days
        for measure, spec in zip(call.measures, specs, strict=True):
            measure.cap = spec.cap
        _chain_change(session, head, call, "edited", reason, user_id)
    return call


def extend_call(session: Session, call_id: int, closes_at: dt.datetime, *, reason: str, user_id: int | None,
                now: dt.datetime | None = None) -> Call:
    """Move the deadline later (before the allocation; chained `call_changed` / extended).

    Raises:
        StoreError: the new deadline is not later than the old one or already past, no reason.
    """
    now, reason = now or utcnow(), _reason(reason)
    with chain_transaction(session) as head:
        call = _changing(session, call_id)
        if closes_at <= call.closes_at or closes_at <= now:
            raise StoreError("call-extend", "新的截止时间须晚于原截止时间且晚于现在",
                             "the new deadline must be later than the old one and than now")
        call.closes_at = closes_at
        _chain_change(session, head, call, "extended", reason, user_id)
    return call


def close_early(session: Session, call_id: int, *, reason: str, user_id: int | None,
                now: dt.datetime | None = None) -> Call:
    """Close an open call now (chained `call_changed` / closed_early).

    Raises:
        StoreError: the call is not open, no reason.
    """
    now, reason = now or utcnow(), _reason(reason)
    with chain_transaction(session) as head:
        call = _changing(session, call_id)
        if status_of(call, now) != OPEN:
            raise StoreError("call-not-open", "只有申报中的通知才能提前截止", "only an open call can be closed early")
        call.closes_at = max(now, call.opens_at + dt.timedelta(seconds=1))
        _chain_change(session, head, call, "closed_early", reason, user_id)
    return call


def withdraw_call(session: Session, call_id: int, *, reason: str, user_id: int | None,
                  now: dt.datetime | None = None) -> Call:
    """Withdraw a call before its allocation: it accepts nothing more and allocates nothing (chained).

    Raises:
        StoreError: already allocated or withdrawn, no reason.
    """
    now, reason = now or utcnow(), _reason(reason)
    with chain_transaction(session) as head:
        call = _changing(session, call_id)
        call.withdrawn_at = now
        _chain_change(session, head, call, "withdrawn", reason, user_id)
    return call


@dataclass(frozen=True)
class Change:
    change: str
    reason: str
    at: dt.datetime


def changes(session: Session, call_id: int) -> list[Change]:
    """The call's changes as the chain records them (oldest first), for the public page."""
    out = []
    for entry in session.scalars(select(LedgerEntry).where(LedgerEntry.call_id == call_id,
                                                           LedgerEntry.kind == "call_changed").order_by(LedgerEntry.id)):
        body = json.loads(entry.body)
        out.append(Change(body["change"], body["reason"], entry.created_at))
    return out


def latest_call_record(session: Session, call_id: int) -> dict[str, Any] | None:
    """The call record last put on the chain (call_opened or call_changed)."""
    entry = session.scalars(select(LedgerEntry).where(LedgerEntry.call_id == call_id,
                                                      LedgerEntry.kind.in_(("call_opened", "call_changed")))
                            .order_by(LedgerEntry.id.desc())).first()
    if entry is None:
        return None
    body = json.loads(entry.body)
    return body["call"] if entry.kind == "call_changed" else body


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
                           .join(Call, Call.id == CallMeasure.call_id).where(Call.withdrawn_at.is_(None))).all()
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
    if status == WITHDRAWN:
        raise CallNotOpen("call-withdrawn", f"申报通知“{call.title}”已撤回，不受理申请",
                          f"the call '{call.title}' was withdrawn and accepts no applications")
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
        if call.withdrawn_at is not None:
            continue
        covered = wanted & {m.measure_id for m in call.measures}
        if covered:
            shown = "、".join(sorted(covered))
            raise CallNotOpen("measure-needs-call", f"{shown} 须在申报通知“{call.title}”（#{call.id}）下、开放期间申请",
                              f"{', '.join(sorted(covered))}: apply under the call '{call.title}' (#{call.id}) "
                              "while it is open")
    return None
