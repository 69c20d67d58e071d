"""This file defines the store side of allocation: approved amounts, claims from stored decisions, the steps of a
closed call's allocation (preview → confirm → 公示期 with objections → final), the 公示 list, payments, and the
auditor's re-derivation of an allocation.

**Approved amount** (`set_approved_amount`): a reviewer's 核定金额 per measure line, at most the rule's figure
(exact or "up to"), with a reason when lower or when the rule has no figure; chained (ledger
`approved_amount`), refused once the call is allocated.

**Claims**: each (approved application, measure of the call) with its amount (approved amount, else the
rule's exact receivable figure — `engine.benefits.counts_as_receivable`), outcome, submission time, score and
hold: a blocking triage flag *excludes* the claim, a warning flag raised after the approval *holds* it; both
with the flag's words. Flags and triage priority never rank.

**Steps**: `preview` computes the allocation without storing it and gives its digest; `confirm_allocation`
re-computes it, refuses when the digest differs (something changed since the preview), stores the lines
with the 公示 names frozen, and chains `allocation` and `publicity` (the notice as published, the 公示期 end).
During the 公示期 `raise_objection` / `handle_objection` record objections and their handling (an upheld
objection withdraws its line); `finalize_allocation`, after the 公示期 with every objection handled, moves
the applications to funded / not funded and chains `allocation_final`. Payments only after that.

`rederive` proves an allocation from the call record last chained, the stored decisions (hash checked) and
approved amounts, the holds recorded at allocation time (an input, like the triage run they came from) and
the handled objections.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine import lifecycle
from engine.benefits import counts_as_receivable
from engine.canonical import canonical_json
from web.store import chain, ledger_key
from web.store.allocation import EXCLUDED, HELD, OBJECTION, OK, Claim, Result, allocate
from web.store.call_queries import CLOSED, call_record, get_call, latest_call_record, status_of
from web.store.models import (
    Allocation,
    Application,
    ApprovedAmount,
    Call,
    Decision,
    LedgerEntry,
    Objection,
    Payment,
    ReviewAction,
    TriageFlag,
    utcnow,
)
from web.store.queries import NotFound, StoreError, append_ledger, chain_transaction

PERSON_KINDS = ("talent", "team")
NOT_APPROVABLE = ("ineligible", "not_applicable", "conditional")  # no approved amount for these outcomes


def _figure(result: dict[str, Any]) -> int | None:
    """The rule's figure for a measure (exact or "up to"), whole yuan; None when it publishes none."""
    amount = result.get("amount") or {}
    if amount.get("kind") not in ("exact", "up_to") or amount.get("value") is None:
        return None
    value = Fraction(str(amount["value"]))
    return int(value.numerator // value.denominator)


def _receivable(result: dict[str, Any]) -> int | None:
    """The rule's exact figure when it is money the applicant is paid as of right; None otherwise."""
    if (result.get("amount") or {}).get("kind") != "exact" or not counts_as_receivable(result):
        return None
    return _figure(result)


def _results(decision: Decision) -> dict[str, dict[str, Any]]:
    return {r["measure_id"]: r for r in json.loads(decision.decision_json)["results"]}


def _latest_decisions(session: Session, application_ids: list[int]) -> dict[int, Decision]:
    if not application_ids:
        return {}
    latest = (select(func.max(Decision.id)).where(Decision.application_id.in_(application_ids))
              .group_by(Decision.application_id))
    return {d.application_id: d for d in session.scalars(select(Decision).where(Decision.id.in_(latest)))}


# -- approved amounts ---------------------------------------------------------------------------------

def _call_allocated(session: Session, application: Application) -> bool:
    call = session.get(Call, application.call_id) if application.call_id is not None else None
    return call is not None and call.allocated_at is not None


def approval_refusal(session: Session, application_id: int) -> tuple[str, str] | None:
    """Why approving this application now is refused (zh, en), or None: never after its call's allocation."""
    application = session.get(Application, application_id)
    if application is not None and _call_allocated(session, application):
        return ("该申请所属申报通知已完成资金分配，不能再通过审核（可在下一批次申报）",
                "this application's call has been allocated: it can no longer be approved (apply in a later call)")
    return None


def approval_problems(session: Session, application_id: int, titles: Mapping[str, tuple[str, str]] | None = None,
                      lines: list[ApprovableLine] | None = None) -> list[tuple[str, str]]:
    """Why this application cannot be approved now (zh, en each), or [] — the ONE list every approving path
    checks. Under a call: the call already allocated; a required material not checked and accepted; no score
    when the call ranks by score; an eligible line with neither an exact receivable figure nor an approved
    amount. An application outside any call (before calls existed) is never allocated: nothing to check.
    `lines`: its `approvable_lines`, when the caller has just read them (read here otherwise)."""
    application = session.get(Application, application_id)
    if application is None:
        return [("申请不存在", "no such application")]
    refusal = approval_refusal(session, application_id)
    if refusal is not None:
        return [refusal]
    out: list[tuple[str, str]] = []
    call = session.get(Call, application.call_id) if application.call_id is not None else None
    if call is not None and application.materials_complete is not True:
        out.append(("所有必需材料审核通过后才能通过申请", "every required material must be checked and accepted first"))
    if call is not None and call.rank_by == "score" and application.score is None:
        out.append(("本通知按评审得分排序：请先填写评审得分", "this call ranks by score: enter the reviewers' score first"))
    missing = [line.measure_id for line in (approvable_lines(session, application_id) if lines is None else lines)
               if line.outcome == "eligible" and line.receivable is None and line.approved is None]
    if call is not None and missing:  # measures named by their titles (zh, en) when the caller gives them
        zh = "、".join((titles or {}).get(m, (m, m))[0] for m in missing)
        en = "; ".join((titles or {}).get(m, (m, m))[1] for m in missing)
        out.append((f"请先核定金额：{zh}", f"set the approved amount first: {en}"))
    return out


def set_score(session: Session, application_id: int, score: int | None, user_id: int | None) -> None:
    """Set the reviewers' score (0-100; None clears it); chained as an approved-amount-like record of the review.

    Raises:
        StoreError: out of range, the call already allocated.
    """
    if score is not None and not 0 <= score <= 100:
        raise StoreError("score-range", "评审得分须为0至100", "the score must be 0 to 100")
    with chain_transaction(session) as head:
        application = session.get(Application, application_id, populate_existing=True)
        if application is None:
            raise NotFound("no-application", f"申请 #{application_id} 不存在", f"application #{application_id} not found")
        if _call_allocated(session, application):
            raise StoreError("call-allocated", "申报通知已分配资金，不能再修改评审得分",
                             "the call has been allocated: the score can no longer change")
        append_ledger(session, head, "approved_amount", {"application_id": application.id, "score": score},
                      call_id=application.call_id, application_id=application.id, user_id=user_id)
        application.score = score
        session.flush()


def approved_amounts(session: Session, application_ids: Iterable[int]) -> dict[tuple[int, str], ApprovedAmount]:
    ids = list(application_ids)
    if not ids:
        return {}
    rows = session.scalars(select(ApprovedAmount).where(ApprovedAmount.application_id.in_(ids)))
    return {(r.application_id, r.measure_id): r for r in rows}


def set_approved_amount(session: Session, application_id: int, measure_id: str, amount: int, reason: str,
                        user_id: int | None) -> ApprovedAmount:
    """Set the approved amount (核定金额, yuan) of one measure line (chained; the latest one counts).

    Raises:
        StoreError: no such line, the measure's outcome cannot be approved, amount ≤ 0 or above the rule's figure,
        no reason when lower than the figure (or the rule has none), the call already allocated.
    """
    reason = (reason or "").strip()
    with chain_transaction(session) as head:
        application = session.get(Application, application_id, populate_existing=True)
        if application is None:
            raise NotFound("no-application", f"申请 #{application_id} 不存在", f"application #{application_id} not found")
        if _call_allocated(session, application):
            raise StoreError("call-allocated", "申报通知已分配资金，不能再修改核定金额",
                             "the call has been allocated: approved amounts can no longer change")
        decision = _latest_decisions(session, [application.id]).get(application.id)
        result = _results(decision).get(measure_id) if decision is not None else None
        if result is None or (application.measures and measure_id not in application.measures):
            raise StoreError("no-measure-line", "该申请没有这项政策措施", "this application has no such measure line")
        if result.get("outcome") in NOT_APPROVABLE:
            raise StoreError("not-approvable", "该措施的判断结果为不符合（或认定后可申请），不能核定金额",
                             "the measure is not eligible (or only after recognition): no amount can be approved")
        ceiling = _figure(result)
        if amount <= 0:
            raise StoreError("approved-amount", "核定金额必须大于0", "the approved amount must be more than 0")
        if ceiling is not None and amount > ceiling:
            raise StoreError("approved-above-ceiling", f"核定金额不能超过规则规定的上限（{ceiling}元）",
                             f"the approved amount cannot exceed the rule's figure ({ceiling} yuan)")
        if (ceiling is None or amount < ceiling) and not reason:
            raise StoreError("approved-reason", "核定金额低于规则上限（或规则未公布金额）时必须填写理由",
                             "a reason is required when the approved amount is below the rule's figure "
                             "(or the rule publishes none)")
        entry = append_ledger(session, head, "approved_amount", {
            "application_id": application.id, "measure_id": measure_id, "amount": amount, "ceiling": ceiling,
            "reason": reason, "decision_id": decision.id if decision else None},
            call_id=application.call_id, application_id=application.id, user_id=user_id)
        row = session.scalars(select(ApprovedAmount).where(ApprovedAmount.application_id == application.id,
                                                           ApprovedAmount.measure_id == measure_id)).first()
        if row is None:
            row = ApprovedAmount(application_id=application.id, measure_id=measure_id)
            session.add(row)
        row.amount, row.ceiling, row.reason, row.user_id = amount, ceiling, reason or None, user_id
        row.ledger_id, row.created_at = entry.id, entry.created_at
        session.flush()
    return row


@dataclass(frozen=True)
class ApprovableLine:
    """One measure line of an application as the reviewer sets its approved amount."""

    measure_id: str
    outcome: str
    ceiling: int | None  # the rule's figure (exact or "up to"), yuan
    receivable: int | None  # the rule's exact receivable figure, granted without an approved amount
    approved: ApprovedAmount | None

    @property
    def approvable(self) -> bool:
        return self.outcome not in NOT_APPROVABLE


def approvable_lines(session: Session, application_id: int, decision: Decision | None = None) -> list[ApprovableLine]:
    """The measure lines of an application's latest decision that it applied for (or, with no list, those found
    eligible or undetermined), with their ceiling and approved amount. `decision`: that latest decision when the
    caller has just read it (the reviewer's page: read here otherwise)."""
    application = session.get(Application, application_id)
    if application is None:
        return []
    if decision is None:
        decision = _latest_decisions(session, [application.id]).get(application.id)
    if decision is None:
        return []
    results = _results(decision)
    wanted = list(application.measures or ()) or [m for m, r in results.items()
                                                   if r.get("outcome") in ("eligible", "undetermined")]
    approved = approved_amounts(session, [application.id])
    return [ApprovableLine(m, str(results.get(m, {}).get("outcome", "missing")), _figure(results.get(m, {})),
                           _receivable(results.get(m, {})), approved.get((application.id, m))) for m in sorted(wanted)]


# -- claims -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Prepared:
    """What an allocation is computed from, and its result."""

    call: Call
    applications: list[Application]
    claims: list[Claim]
    recorded: list[dict[str, Any]]  # each claim as it goes on the chain (decision, hold words)
    result: Result
    names: dict[int, str]
    details: dict[tuple[int, str], str]

    @property
    def digest(self) -> str:
        """What the preview showed: confirming checks that nothing changed since."""
        return hashlib.sha256(canonical_json({"call": call_record(self.call), "claims": self.recorded,
                                              "lines": [line.as_dict() for line in self.result.lines]})
                              .encode()).hexdigest()


def public_name(application: Application) -> str:
    """The name as the 公示 prints it: an organisation in full, a person with all but the first character masked."""
    applicant = application.applicant
    if applicant.kind not in PERSON_KINDS:
        return applicant.name
    return applicant.name[:1] + "*" * max(1, len(applicant.name) - 1)


def _holds(session: Session, applications: list[Application]) -> dict[int, tuple[str, str]]:
    """Per application: (held | excluded, the flags' words) — a blocking flag excludes, a warning raised after
    the latest approval holds; other flags change nothing."""
    ids = [a.id for a in applications]
    if not ids:
        return {}
    approved = dict(session.execute(select(ReviewAction.application_id, func.max(ReviewAction.created_at))
                                    .where(ReviewAction.application_id.in_(ids), ReviewAction.action == "approve")
                                    .group_by(ReviewAction.application_id)).all())
    flags: dict[int, list[TriageFlag]] = {}
    for flag in session.scalars(select(TriageFlag).where(TriageFlag.application_id.in_(ids))
                                .order_by(TriageFlag.application_id, TriageFlag.rule_id)):
        flags.setdefault(flag.application_id, []).append(flag)
    out: dict[int, tuple[str, str]] = {}
    for app_id, found in flags.items():
        blocking = [f for f in found if f.route == "block"]
        late = [f for f in found if f.severity in ("warn", "block") and
                (approved.get(app_id) is None or f.created_at > approved[app_id])]
        chosen, hold = (blocking, EXCLUDED) if blocking else (late, HELD)
        if chosen:
            out[app_id] = (hold, "；".join(f.message_zh for f in chosen) + " / " + "; ".join(f.message_en for f in chosen))
    return out


def _prepare(session: Session, call: Call) -> Prepared:
    apps = list(session.scalars(select(Application).where(Application.call_id == call.id,
                                                          Application.status == "approved")
                                .options(selectinload(Application.applicant)).order_by(Application.id)))
    decisions = _latest_decisions(session, [a.id for a in apps])
    approved = approved_amounts(session, [a.id for a in apps])
    holds = _holds(session, apps)
    measures = {m.measure_id for m in call.measures}
    claims, recorded, details = [], [], {}
    for application in apps:
        decision = decisions.get(application.id)
        if decision is None:
            continue
        results = _results(decision)
        wanted = set(application.measures or ()) or {m for m, r in results.items() if r.get("outcome") == "eligible"}
        hold, words = holds.get(application.id, (OK, ""))
        for measure_id in sorted(wanted & measures):
            result = results.get(measure_id, {})
            line = approved.get((application.id, measure_id))
            amount = line.amount if line is not None else _receivable(result)
            claim = Claim(application.id, measure_id, amount, str(result.get("outcome", "missing")),
                          application.submitted_at.isoformat(), application.score, hold, line is not None)
            claims.append(claim)
            recorded.append({**claim.as_dict(), "decision_id": decision.id, "decision_hash": decision.decision_hash,
                             "approved_ledger_id": line.ledger_id if line is not None else None, "hold_words": words})
            if words:
                details[(application.id, measure_id)] = words
    result = allocate(claims, call.budget, call.method, {m.measure_id: m.cap for m in call.measures}, call.rank_by)
    return Prepared(call, apps, claims, recorded, result, {a.id: public_name(a) for a in apps}, details)


def _closed_call(session: Session, call_id: int, now: dt.datetime) -> Call:
    call = get_call(session, call_id)
    if call is None:
        raise NotFound("no-call", f"申报通知 #{call_id} 不存在", f"call #{call_id} not found")
    if call.withdrawn_at is not None:
        raise StoreError("call-withdrawn", "该申报通知已撤回，不分配资金", "this call was withdrawn: nothing is allocated")
    if status_of(call, now) != CLOSED:
        raise StoreError("call-not-closed", "申报通知截止后才能分配资金", "a call is allocated only after it closes")
    if call.allocated_at is not None:
        raise StoreError("call-allocated", "该申报通知已分配，不能重复分配", "this call has already been allocated")
    return call


def preview(session: Session, call_id: int, now: dt.datetime | None = None) -> Prepared:
    """The allocation as it would be confirmed now (nothing stored).

    Raises:
        StoreError: the call is withdrawn, not closed or already allocated. NotFound: no such call.
    """
    return _prepare(session, _closed_call(session, call_id, now or utcnow()))


def confirm_allocation(session: Session, call_id: int, user_id: int | None, digest: str | None = None,
                       now: dt.datetime | None = None) -> LedgerEntry:
    """Store the allocation the preview showed and start the 公示期 (`call.notice_days` days from now).

    `digest` is the preview's; None confirms what is computed now (the CLI, the demo).

    Raises:
        StoreError: as `preview`; `preview-stale` when the allocation differs from the preview's.
    """
    now = now or utcnow()
    with chain_transaction(session) as head:
        prepared = _prepare(session, _closed_call(session, call_id, now))
        if digest is not None and digest != prepared.digest:
            raise StoreError("preview-stale", "预览之后申请或金额有变化，请重新预览后再确认",
                             "something changed since the preview: look at the new preview before confirming")
        call, result = prepared.call, prepared.result
        until = now + dt.timedelta(days=call.notice_days)
        entry = append_ledger(session, head, "allocation", {
            "call": call_record(call), "rank_by": call.rank_by, "digest": prepared.digest, "claims": prepared.recorded,
            "lines": [line.as_dict() for line in result.lines], "granted": result.granted, "left": result.left},
            call_id=call.id, user_id=user_id)
        session.add_all(Allocation(call_id=call.id, application_id=line.application_id, measure_id=line.measure_id,
                                   rank=line.rank, requested=line.requested, granted=line.granted, reason=line.reason,
                                   ledger_id=entry.id, name=prepared.names[line.application_id],
                                   detail=prepared.details.get((line.application_id, line.measure_id)))
                        for line in result.lines)
        session.flush()
        append_ledger(session, head, "publicity", {
            "call_id": call.id, "from": now.isoformat(), "until": until.isoformat(), "days": call.notice_days,
            "notice": [{"name": prepared.names[line.application_id], "measure_id": line.measure_id,
                        "amount": line.granted} for line in result.lines if line.granted > 0]},
            call_id=call.id, user_id=user_id)
        call.allocated_at, call.publicity_until = now, until
        session.flush()
    return entry


def allocate_call(session: Session, call_id: int, user_id: int | None, now: dt.datetime | None = None,
                  *, final: bool = False) -> LedgerEntry:
    """Confirm the allocation of a closed call in one step (the CLI and the demo); with `final`, also end a
    0-day 公示 at once (`finalize_allocation`)."""
    entry = confirm_allocation(session, call_id, user_id, None, now)
    if final:
        finalize_allocation(session, call_id, user_id, now)
    return entry


# -- the 公示期: objections, then final -----------------------------------------------------------------

def stage_of(call: Call, now: dt.datetime) -> str:
    """Where a call's allocation stands: withdrawn, open (not closed), to_allocate, publicity, final."""
    if call.withdrawn_at is not None:
        return "withdrawn"
    if call.finalized_at is not None:
        return "final"
    if call.allocated_at is not None:
        return "publicity"
    return "to_allocate" if status_of(call, now) == CLOSED else "open"


def status_counts(session: Session, call_id: int) -> dict[str, int]:
    """How many of the call's applications are in each status (one GROUP BY, any number of applications)."""
    return {status: int(n) for status, n in session.execute(
        select(Application.status, func.count(Application.id)).where(Application.call_id == call_id)
        .group_by(Application.status)).all()}


def objections_of(session: Session, call_id: int) -> list[Objection]:
    return list(session.scalars(select(Objection).where(Objection.call_id == call_id).order_by(Objection.id)))


def raise_objection(session: Session, call_id: int, *, raised_by: str, text: str, allocation_id: int | None,
                    user_id: int | None, now: dt.datetime | None = None) -> Objection:
    """Record an objection received during the 公示期 (chained).

    Raises:
        StoreError: not in the 公示期, no text or no one named, a line of another call.
    """
    now, text, raised_by = now or utcnow(), (text or "").strip(), (raised_by or "").strip()
    if not text or not raised_by:
        raise StoreError("objection-text", "请填写异议内容和异议人", "an objection needs its text and who raised it")
    with chain_transaction(session) as head:
        call = get_call(session, call_id)
        if call is None:
            raise NotFound("no-call", f"申报通知 #{call_id} 不存在", f"call #{call_id} not found")
        if stage_of(call, now) != "publicity" or call.publicity_until is None or now >= call.publicity_until:
            raise StoreError("not-in-publicity", "只能在公示期内登记异议", "objections are recorded only during the 公示期")
        line = session.get(Allocation, allocation_id) if allocation_id is not None else None
        if allocation_id is not None and (line is None or line.call_id != call.id):
            raise StoreError("objection-line", "异议所指的分配项目不属于该申报通知", "that line is not in this call")
        entry = append_ledger(session, head, "objection", {
            "call_id": call.id, "allocation_id": allocation_id, "raised_by": raised_by, "text": text,
            "received_at": now.isoformat()}, call_id=call.id,
            application_id=line.application_id if line is not None else None, user_id=user_id)
        row = Objection(call_id=call.id, allocation_id=allocation_id, raised_by=raised_by, text=text, received_at=now,
                        ledger_id=entry.id)
        session.add(row)
        session.flush()
    return row


def handle_objection(session: Session, objection_id: int, *, outcome: str, handling: str, user_id: int | None,
                     now: dt.datetime | None = None) -> Objection:
    """Record how an objection was handled (chained): dismissed, or upheld — its line then takes nothing.

    Raises:
        StoreError: unknown outcome, no handling note, already handled, the allocation already final.
    """
    now, handling = now or utcnow(), (handling or "").strip()
    if outcome not in ("upheld", "dismissed"):
        raise StoreError("objection-outcome", "请选择“异议成立”或“异议不成立”", "choose upheld or dismissed")
    if not handling:
        raise StoreError("objection-handling", "请填写处理意见", "write how the objection was handled")
    with chain_transaction(session) as head:
        row = session.get(Objection, objection_id, populate_existing=True)
        if row is None:
            raise NotFound("no-objection", f"异议 #{objection_id} 不存在", f"objection #{objection_id} not found")
        call = session.get(Call, row.call_id)
        assert call is not None
        if row.outcome is not None or call.finalized_at is not None:
            raise StoreError("objection-handled", "该异议已处理（或分配已定稿）", "this objection is already handled "
                             "(or the allocation is final)")
        line = session.get(Allocation, row.allocation_id) if row.allocation_id is not None else None
        withdrawn = outcome == "upheld" and line is not None and line.granted > 0
        body: dict[str, Any] = {"objection_id": row.id, "outcome": outcome, "handling": handling,
                                "allocation_id": row.allocation_id, "withdrawn": line.granted if withdrawn and line else 0}
        if withdrawn and line is not None:  # the line as it now stands (its row then points at this entry)
            body["lines"] = [{**_stored_line(line), "granted": 0, "reason": OBJECTION}]
        entry = append_ledger(session, head, "objection_handled", body, call_id=call.id,
                              application_id=line.application_id if line is not None else None, user_id=user_id)
        if withdrawn and line is not None:
            line.granted, line.reason, line.detail, line.ledger_id = 0, OBJECTION, handling, entry.id
        row.outcome, row.handling, row.handled_by, row.handled_at = outcome, handling, user_id, now
        session.flush()
    return row


def finalize_allocation(session: Session, call_id: int, user_id: int | None,
                        now: dt.datetime | None = None) -> LedgerEntry:
    """End the 公示: the applications become funded / not funded; chained `allocation_final` with the lines.

    Raises:
        StoreError: not in the 公示 stage, the 公示期 not over, an objection not yet handled.
    """
    now = now or utcnow()
    with chain_transaction(session) as head:
        call = get_call(session, call_id)
        if call is None:
            raise NotFound("no-call", f"申报通知 #{call_id} 不存在", f"call #{call_id} not found")
        if stage_of(call, now) != "publicity" or call.publicity_until is None:
            raise StoreError("not-in-publicity", "只有公示中的分配才能定稿", "only an allocation under 公示 can be made final")
        if now < call.publicity_until:
            raise StoreError("publicity-running", "公示期尚未结束，不能定稿", "the 公示期 has not ended yet")
        if any(o.outcome is None for o in objections_of(session, call.id)):
            raise StoreError("objection-open", "还有未处理的异议，处理后才能定稿",
                             "an objection is still open: handle it before making the allocation final")
        lines = allocation_lines(session, call.id)
        entry = append_ledger(session, head, "allocation_final", {
            "call_id": call.id, "lines": [_stored_line(a) for a in lines],
            "granted": sum(a.granted for a in lines)}, call_id=call.id, user_id=user_id)
        funded = {a.application_id for a in lines if a.granted > 0}
        for application in {a.application for a in lines}:
            if application.status != "approved":
                continue
            target = lifecycle.State.FUNDED if application.id in funded else lifecycle.State.NOT_FUNDED
            application.status = lifecycle.advance(application.status, target).value
        call.finalized_at = now
        session.flush()
    return entry


def _stored_line(a: Allocation) -> dict[str, Any]:
    return {"application_id": a.application_id, "measure_id": a.measure_id, "rank": a.rank, "requested": a.requested,
            "granted": a.granted, "reason": a.reason}


def allocation_lines(session: Session, call_id: int) -> list[Allocation]:
    return list(session.scalars(select(Allocation).where(Allocation.call_id == call_id)
                                .options(selectinload(Allocation.application).selectinload(Application.applicant))
                                .order_by(Allocation.rank)))


def lines_of_application(session: Session, application_id: int) -> list[Allocation]:
    """An application's allocation lines (what the applicant is told: amount and the true reason)."""
    return list(session.scalars(select(Allocation).where(Allocation.application_id == application_id)
                                .order_by(Allocation.measure_id)))


def allocation_entry(session: Session, call_id: int) -> LedgerEntry | None:
    return session.scalars(select(LedgerEntry).where(LedgerEntry.call_id == call_id, LedgerEntry.kind == "allocation")
                           .order_by(LedgerEntry.id.desc()).execution_options(populate_existing=True)).first()


@dataclass(frozen=True)
class NoticeRow:
    name: str
    measure_id: str
    amount: int


def notice(session: Session, call_id: int) -> list[NoticeRow]:
    """The 公示 list, printed from what the allocation recorded: the name frozen at allocation (a firm renamed
    since does not change it; a person's name masked), the measure and the amount — no codes or contacts."""
    return [NoticeRow(line.name or public_name(line.application), line.measure_id, line.granted)
            for line in allocation_lines(session, call_id) if line.granted > 0]


# -- payments -----------------------------------------------------------------------------------------

def _chained_paid(session: Session, allocation_ids: list[int]) -> dict[int, int]:
    """Per line, the payments the chain holds (ledger `payment` entries) — what was paid, whatever the table says."""
    out: dict[int, int] = {}
    if not allocation_ids:
        return out
    apps = select(Allocation.application_id).where(Allocation.id.in_(allocation_ids))
    wanted = set(allocation_ids)
    for body in session.scalars(select(LedgerEntry.body).where(LedgerEntry.kind == "payment",
                                                               LedgerEntry.application_id.in_(apps))):
        record = json.loads(body)
        if record.get("allocation_id") in wanted:
            out[record["allocation_id"]] = out.get(record["allocation_id"], 0) + int(record["amount"])
    return out


@dataclass(frozen=True)
class Paid:
    """What a line has been paid: by the payment table and by the chain; they must agree."""

    table: int
    chained: int

    @property
    def amount(self) -> int:
        """The larger of the two: a payment missing from the table is still paid (never offered twice)."""
        return max(self.table, self.chained)

    @property
    def agrees(self) -> bool:
        return self.table == self.chained


def paid_of(session: Session, allocation_ids: Iterable[int]) -> dict[int, Paid]:
    """Paid per line (two queries, any number of lines)."""
    ids = list(allocation_ids)
    table: dict[int, int] = {}
    if ids:
        table = {a: int(t) for a, t in session.execute(
            select(Payment.allocation_id, func.sum(Payment.amount)).where(Payment.allocation_id.in_(ids))
            .group_by(Payment.allocation_id)).all()}
    chained = _chained_paid(session, ids)
    return {i: Paid(table.get(i, 0), chained.get(i, 0)) for i in ids}


def paid_total(session: Session, allocation_id: int) -> int:
    return paid_of(session, [allocation_id])[allocation_id].amount


def record_payment(session: Session, allocation_id: int, *, paid_on: dt.date, amount: int, voucher_no: str,
                   user_id: int | None) -> Payment:
    """Record a payment against a funded line (chained); the application is paid once all its lines are.

    Raises:
        StoreError: not a funded line, amount ≤ 0 or above what is left, empty or duplicate voucher number.
    """
    voucher = (voucher_no or "").strip()
    if not voucher:
        raise StoreError("voucher-required", "请填写付款凭证号", "a voucher number is required")
    if amount <= 0:
        raise StoreError("payment-amount", "付款金额必须大于0", "the amount paid must be more than 0")
    with chain_transaction(session) as head:
        line = session.get(Allocation, allocation_id, populate_existing=True)
        if line is None or line.granted <= 0:
            raise StoreError("not-funded", "只能对已获资助的项目付款", "only a funded line can be paid")
        call = session.get(Call, line.call_id)
        if call is None or call.finalized_at is None:
            raise StoreError("not-final", "公示结束、分配定稿后才能付款", "payments start once the allocation is final")
        paid = paid_of(session, [line.id])[line.id]
        if not paid.agrees:
            raise StoreError("payments-disagree", "该项目的付款记录与审计链不一致，请先核查（审计）",
                             "this line's payment records differ from the audit chain: check them first (audit)")
        if session.scalar(select(func.count(Payment.id)).where(Payment.voucher_no == voucher)):
            raise StoreError("voucher-duplicate", f"凭证号 {voucher} 已登记", f"voucher {voucher} is already recorded")
        left = line.granted - paid.amount
        if amount > left:
            raise StoreError("payment-too-much", f"付款金额超过未付金额（{left}元）", f"more than is left to pay ({left} yuan)")
        body = {"allocation_id": line.id, "application_id": line.application_id, "measure_id": line.measure_id,
                "paid_on": paid_on.isoformat(), "amount": amount, "voucher_no": voucher}
        applicant = line.application.applicant
        payee = chain.payee_record(applicant.payee_name, applicant.bank_name, applicant.bank_account,
                                   ledger_key.for_session(session)) if applicant.bank_account else None
        if payee is not None:  # the payee account registered when paid (last four digits, keyed HMAC: web.store.chain)
            body["payee"] = payee
        entry = append_ledger(session, head, "payment", body, call_id=line.call_id,
                              application_id=line.application_id, user_id=user_id)
        payment = Payment(allocation_id=line.id, paid_on=paid_on, amount=amount, voucher_no=voucher, user_id=user_id,
                          ledger_id=entry.id, created_at=entry.created_at)
        session.add(payment)
        session.flush()
        _mark_paid(session, line)
    return payment


def _mark_paid(session: Session, line: Allocation) -> None:
    lines = session.scalars(select(Allocation).where(Allocation.call_id == line.call_id,
                                                     Allocation.application_id == line.application_id,
                                                     Allocation.granted > 0))
    if all(paid_total(session, other.id) >= other.granted for other in lines):
        application = session.get(Application, line.application_id)
        assert application is not None
        application.status = lifecycle.advance(application.status, lifecycle.State.PAID).value
        session.flush()


def payments_of(session: Session, call_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).join(Allocation, Allocation.id == Payment.allocation_id)
                                .where(Allocation.call_id == call_id).order_by(Payment.id)))


# -- the auditor's proof ------------------------------------------------------------------------------

@dataclass
class Proof:
    call_id: int
    identical: bool = False
    differences: list[str] = field(default_factory=list)
    lines: int = 0
    granted: int = 0
    ledger_seq: int | None = None


def _approved_on_chain(session: Session, ledger_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ledger_ids:
        return {}
    return {e.id: json.loads(e.body) for e in session.scalars(select(LedgerEntry).where(
        LedgerEntry.id.in_(ledger_ids), LedgerEntry.kind == "approved_amount"))}


def _reread_claims(session: Session, body: dict[str, Any], entry: LedgerEntry, diff: list[str]) -> list[Claim]:
    """The allocation's claims re-read from the stored decisions, the chained approved amounts and the scores;
    each disagreement with what the allocation recorded is added to `diff`."""
    ids = sorted({c["application_id"] for c in body["claims"]})
    decisions = {d.id: d for d in session.scalars(select(Decision).where(
        Decision.id.in_([c["decision_id"] for c in body["claims"]])).execution_options(populate_existing=True))}
    approved = set(session.scalars(select(ReviewAction.application_id).where(
        ReviewAction.application_id.in_(ids), ReviewAction.action == "approve", ReviewAction.chain_seq < entry.chain_seq)))
    amounts = _approved_on_chain(session, [c["approved_ledger_id"] for c in body["claims"] if c.get("approved_ledger_id")])
    scores = dict(session.execute(select(Application.id, Application.score).where(Application.id.in_(ids))).all())
    claims = []
    for c in body["claims"]:
        decision = decisions.get(c["decision_id"])
        if decision is None or decision.application_id != c["application_id"]:
            diff.append(f"claim #{c['application_id']} {c['measure_id']}: decision #{c['decision_id']} is missing")
            continue
        if decision.decision_hash != c["decision_hash"]:
            diff.append(f"claim #{c['application_id']}: decision #{decision.id} hash changed")
        result = _results(decision).get(c["measure_id"], {})
        amount = _receivable(result)
        if c.get("approved_ledger_id"):
            chained = amounts.get(c["approved_ledger_id"])
            if chained is None or (chained["application_id"], chained["measure_id"]) != (c["application_id"],
                                                                                     c["measure_id"]):
                diff.append(f"claim #{c['application_id']} {c['measure_id']}: approved amount not on the chain")
            else:
                amount = chained["amount"]
        claim = Claim(c["application_id"], c["measure_id"], amount, str(result.get("outcome", "missing")),
                      c["submitted_at"], scores.get(c["application_id"]), c["hold"], bool(c.get("approved_ledger_id")))
        if claim.as_dict() != {k: c[k] for k in claim.as_dict()}:
            diff.append(f"claim #{c['application_id']} {c['measure_id']}: recorded {c['amount']} / {c['outcome']} / "
                        f"score {c['score']}, re-read {claim.amount} / {claim.outcome} / score {claim.score}")
        if c["application_id"] not in approved:
            diff.append(f"application #{c['application_id']}: no approval on the chain before the allocation")
        claims.append(claim)
    return claims


def rederive(session: Session, call_id: int) -> Proof:
    """Re-derive a call's allocation from the call last chained, the stored decisions, the approved amounts on the
    chain, the holds recorded at allocation and the handled objections (module docstring)."""
    proof, diff = Proof(call_id), []
    call = get_call(session, call_id)
    entry = allocation_entry(session, call_id)
    if call is None:
        raise NotFound("no-call", f"申报通知 #{call_id} 不存在", f"call #{call_id} not found")
    if entry is None:
        raise StoreError("not-allocated", f"申报通知 #{call_id} 尚未分配", f"call #{call_id} has not been allocated")
    proof.ledger_seq = entry.chain_seq
    body = json.loads(entry.body)
    record = call_record(call)
    if latest_call_record(session, call_id) != record:
        diff.append("call: the stored call (budget, method, caps, window) differs from the call last chained "
                    "(call_opened / call_changed)")
    if body["call"] != record:
        diff.append("call: the stored call differs from the call the allocation recorded")
    claims = _reread_claims(session, body, entry, diff)
    result = allocate(claims, call.budget, call.method, {m.measure_id: m.cap for m in call.measures},
                      body.get("rank_by", call.rank_by))
    derived = [line.as_dict() for line in result.lines]
    if derived != body["lines"]:
        diff.append(_first_line_diff("ledger", body["lines"], derived))
    withdrawn = _upheld_lines(session, call_id)
    after = [{**d, "granted": 0, "reason": OBJECTION} if (d["application_id"], d["measure_id"]) in withdrawn else d
             for d in derived]
    stored = [_stored_line(a) for a in allocation_lines(session, call_id)]
    if stored != after:
        diff.append(_first_line_diff("allocation table", stored, after))
    proof.differences, proof.identical = diff, not diff
    proof.lines, proof.granted = len(after), sum(d["granted"] for d in after)
    return proof


def _upheld_lines(session: Session, call_id: int) -> set[tuple[int, str]]:
    """The lines an upheld objection withdrew, as the chain records them."""
    ids = [json.loads(b).get("allocation_id") for b in session.scalars(select(LedgerEntry.body).where(
        LedgerEntry.call_id == call_id, LedgerEntry.kind == "objection_handled"))
        if json.loads(b).get("outcome") == "upheld" and json.loads(b).get("withdrawn")]
    if not ids:
        return set()
    return {(a, m) for a, m in session.execute(select(Allocation.application_id, Allocation.measure_id)
                                                .where(Allocation.id.in_(ids))).all()}


def _first_line_diff(where: str, got: list[dict[str, Any]], derived: list[dict[str, Any]]) -> str:
    for i, (a, b) in enumerate(zip(got, derived, strict=False)):
        if a != b:
            changed = {k: (a.get(k), b.get(k)) for k in b if a.get(k) != b.get(k)}
            return f"{where}: line {i + 1} (application #{b['application_id']} {b['measure_id']}): " + ", ".join(
                f"{k} stored {x!r}, re-derived {y!r}" for k, (x, y) in changed.items())
    return f"{where}: {len(got)} line(s) stored, {len(derived)} re-derived"
