"""This file defines the store side of allocation: claims from stored decisions, allocating a closed call,
the 公示 list, payments, and the auditor's re-derivation of an allocation.

`allocate_call` runs once per call, after it closes, in one chained transaction: it reads the call's
approved applications, turns each (application, measure) into a Claim (priority from the application,
amount and outcome from its latest stored decision), allocates (web.store.allocation), writes the lines,
moves each application to funded or not_funded (engine.lifecycle), and appends a ledger entry
`allocation` holding the call record, every claim with the decision it came from, and every line.

`rederive` proves an allocation: it reads the call's budget, method and caps from the call row (and
checks them against the chained `call_opened` record), re-reads each claim's amount and outcome from the
stored decision named in the ledger (checking the decision's hash), re-runs the allocation and compares
it with the stored lines and the ledger. Priorities are taken as recorded at allocation time (they are
an input: re-triage may change them later).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine import lifecycle
from web.store.allocation import Claim, allocate
from web.store.call_queries import CLOSED, call_record, get_call, status_of
from web.store.models import Allocation, Application, Decision, LedgerEntry, Payment, ReviewAction, utcnow
from web.store.queries import NotFound, StoreError, append_ledger, chain_transaction

PERSON_KINDS = ("talent", "team")


def _amount(result: dict[str, Any]) -> int | None:
    amount = result.get("amount") or {}
    if amount.get("kind") not in ("exact", "up_to") or amount.get("value") is None:
        return None
    value = Fraction(str(amount["value"]))
    return int(value.numerator // value.denominator)


def _claims_of(application: Application, decision: Decision, measures: set[str], priority: int) -> list[Claim]:
    results = {r["measure_id"]: r for r in json.loads(decision.decision_json)["results"]}
    out = []
    for measure_id in sorted(set(application.measures or ()) & measures):
        result = results.get(measure_id, {})
        out.append(Claim(application.id, measure_id, priority, _amount(result), str(result.get("outcome", "missing")),
                         application.submitted_at.isoformat()))
    return out


def _latest_decisions(session: Session, application_ids: list[int]) -> dict[int, Decision]:
    latest = (select(func.max(Decision.id)).where(Decision.application_id.in_(application_ids))
              .group_by(Decision.application_id))
    return {d.application_id: d for d in session.scalars(select(Decision).where(Decision.id.in_(latest)))}


def allocate_call(session: Session, call_id: int, user_id: int | None, now: dt.datetime | None = None) -> LedgerEntry:
    """Allocate a closed call's budget over its approved applications (see the module docstring).

    Raises:
        StoreError: the call is still open or not yet open, or already allocated. NotFound: no such call.
    """
    now = now or utcnow()
    with chain_transaction(session) as head:
        call = get_call(session, call_id)
        if call is None:
            raise NotFound("no-call", f"申报通知 #{call_id} 不存在", f"call #{call_id} not found")
        if status_of(call, now) != CLOSED:
            raise StoreError("call-not-closed", "申报通知截止后才能分配资金", "a call is allocated only after it closes")
        if call.allocated_at is not None:
            raise StoreError("call-allocated", "该申报通知已分配，不能重复分配", "this call has already been allocated")
        apps = list(session.scalars(select(Application).where(Application.call_id == call.id,
                                                              Application.status == "approved")
                                    .order_by(Application.id)))
        decisions = _latest_decisions(session, [a.id for a in apps])
        measures = {m.measure_id for m in call.measures}
        claims = [c for a in apps if a.id in decisions for c in _claims_of(a, decisions[a.id], measures, a.priority)]
        result = allocate(claims, call.budget, call.method, {m.measure_id: m.cap for m in call.measures})
        body = {"call": call_record(call), "claims": [
            {**c.as_dict(), "decision_id": decisions[c.application_id].id,
             "decision_hash": decisions[c.application_id].decision_hash} for c in claims],
            "lines": [line.as_dict() for line in result.lines], "granted": result.granted, "left": result.left}
        entry = append_ledger(session, head, "allocation", body, call_id=call.id, user_id=user_id)
        session.add_all(Allocation(call_id=call.id, application_id=line.application_id, measure_id=line.measure_id,
                                   rank=line.rank, requested=line.requested, granted=line.granted, reason=line.reason,
                                   ledger_id=entry.id) for line in result.lines)
        funded = {line.application_id for line in result.lines if line.granted > 0}
        for application in apps:
            target = lifecycle.State.FUNDED if application.id in funded else lifecycle.State.NOT_FUNDED
            application.status = lifecycle.advance(application.status, target).value
        call.allocated_at = now
        session.flush()
    return entry


def allocation_lines(session: Session, call_id: int) -> list[Allocation]:
    return list(session.scalars(select(Allocation).where(Allocation.call_id == call_id)
                                .options(selectinload(Allocation.application).selectinload(Application.applicant))
                                .order_by(Allocation.rank)))


def allocation_entry(session: Session, call_id: int) -> LedgerEntry | None:
    return session.scalars(select(LedgerEntry).where(LedgerEntry.call_id == call_id, LedgerEntry.kind == "allocation")
                           .order_by(LedgerEntry.id.desc()).execution_options(populate_existing=True)).first()


@dataclass(frozen=True)
class NoticeRow:
    name: str
    measure_id: str
    amount: int


def notice(session: Session, call_id: int) -> list[NoticeRow]:
    """The 公示 list: who is funded, for which measure, how much — no codes, contacts or ID numbers
    (a person's name is shown with all but its first character masked)."""
    rows = []
    for line in allocation_lines(session, call_id):
        if line.granted <= 0:
            continue
        applicant = line.application.applicant
        name = applicant.name if applicant.kind not in PERSON_KINDS else applicant.name[:1] + "*" * max(1, len(applicant.name) - 1)
        rows.append(NoticeRow(name, line.measure_id, line.granted))
    return rows


# -- payments -----------------------------------------------------------------------------------------

def paid_total(session: Session, allocation_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Payment.amount), 0))
                              .where(Payment.allocation_id == allocation_id)) or 0)


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
        if session.scalar(select(func.count(Payment.id)).where(Payment.voucher_no == voucher)):
            raise StoreError("voucher-duplicate", f"凭证号 {voucher} 已登记", f"voucher {voucher} is already recorded")
        left = line.granted - paid_total(session, line.id)
        if amount > left:
            raise StoreError("payment-too-much", f"付款金额超过未付金额（{left}元）", f"more than is left to pay ({left} yuan)")
        entry = append_ledger(session, head, "payment", {"allocation_id": line.id, "application_id": line.application_id,
                                                         "measure_id": line.measure_id, "paid_on": paid_on.isoformat(),
                                                         "amount": amount, "voucher_no": voucher},
                              call_id=line.call_id, application_id=line.application_id, user_id=user_id)
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


def rederive(session: Session, call_id: int) -> Proof:
    """Re-derive a call's allocation from the stored call, applications and decisions (module docstring)."""
    proof, diff = Proof(call_id), []
    call = get_call(session, call_id)
    entry = allocation_entry(session, call_id)
    if call is None:
        raise NotFound("no-call", f"申报通知 #{call_id} 不存在", f"call #{call_id} not found")
    if entry is None:
        raise StoreError("not-allocated", f"申报通知 #{call_id} 尚未分配", f"call #{call_id} has not been allocated")
    proof.ledger_seq = entry.chain_seq
    body = json.loads(entry.body)
    opened = session.scalars(select(LedgerEntry).where(LedgerEntry.call_id == call_id,
                                                       LedgerEntry.kind == "call_opened")).first()
    record = call_record(call)
    if opened is None or json.loads(opened.body) != record:
        diff.append("call: the stored call (budget, method, caps, window) differs from the chained call_opened record")
    if body["call"] != record:
        diff.append("call: the stored call differs from the call the allocation recorded")
    ids = sorted({c["application_id"] for c in body["claims"]})
    decisions = {d.id: d for d in session.scalars(select(Decision).where(
        Decision.id.in_([c["decision_id"] for c in body["claims"]])).execution_options(populate_existing=True))}
    approved = set(session.scalars(select(ReviewAction.application_id).where(
        ReviewAction.application_id.in_(ids), ReviewAction.action == "approve", ReviewAction.chain_seq < entry.chain_seq)))
    claims = []
    for c in body["claims"]:
        decision = decisions.get(c["decision_id"])
        if decision is None or decision.application_id != c["application_id"]:
            diff.append(f"claim #{c['application_id']} {c['measure_id']}: decision #{c['decision_id']} is missing")
            continue
        if decision.decision_hash != c["decision_hash"]:
            diff.append(f"claim #{c['application_id']}: decision #{decision.id} hash changed")
        result = next((r for r in json.loads(decision.decision_json)["results"] if r["measure_id"] == c["measure_id"]), {})
        claim = Claim(c["application_id"], c["measure_id"], c["priority"], _amount(result),
                      str(result.get("outcome", "missing")), c["submitted_at"])
        if claim.as_dict() != {k: c[k] for k in claim.as_dict()}:
            diff.append(f"claim #{c['application_id']} {c['measure_id']}: recorded {c['amount']} / {c['outcome']}, "
                        f"decision says {claim.amount} / {claim.outcome}")
        if c["application_id"] not in approved:
            diff.append(f"application #{c['application_id']}: no approval on the chain before the allocation")
        claims.append(claim)
    result = allocate(claims, call.budget, call.method, {m.measure_id: m.cap for m in call.measures})
    derived = [line.as_dict() for line in result.lines]
    if derived != body["lines"]:
        diff.append(_first_line_diff("ledger", body["lines"], derived))
    stored = [{"application_id": a.application_id, "measure_id": a.measure_id, "rank": a.rank, "requested": a.requested,
               "granted": a.granted, "reason": a.reason} for a in allocation_lines(session, call_id)]
    if stored != derived:
        diff.append(_first_line_diff("allocation table", stored, derived))
    proof.differences, proof.identical = diff, not diff
    proof.lines, proof.granted = len(derived), result.granted
    return proof


def _first_line_diff(where: str, got: list[dict[str, Any]], derived: list[dict[str, Any]]) -> str:
    for i, (a, b) in enumerate(zip(got, derived, strict=False)):
        if a != b:
            changed = {k: (a.get(k), b.get(k)) for k in b if a.get(k) != b.get(k)}
            return f"{where}: line {i + 1} (application #{b['application_id']} {b['measure_id']}): " + ", ".join(
                f"{k} stored {x!r}, re-derived {y!r}" for k, (x, y) in changed.items())
    return f"{where}: {len(got)} line(s) stored, {len(derived)} re-derived"
