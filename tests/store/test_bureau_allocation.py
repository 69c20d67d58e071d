"""Issue 23 in the store, on SQLite and PostgreSQL: fair and explainable allocation (the call's published ranking,
flags that hold or exclude but never promote, the reviewer's approved amount), preview → confirm → 公示期 with
objections → final, the 公示 names frozen at allocation, payments never offered twice, and calls managed with
reasons on the chain."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from test_bureau_store import AFTER, CLOSES, DURING, ITEMS, MEASURE, OPENS, approve, open_call, submit

from engine.model import RuleSet
from web.store import allocation_queries, call_queries, queries
from web.store.call_queries import MeasureSpec
from web.store.models import Allocation, Applicant, Application, LedgerEntry, Payment, TriageFlag, TriageRun
from web.store.queries import StoreError

LATER = AFTER + dt.timedelta(days=10)


@pytest.fixture
def reviewer(session: Session) -> int:
    user = queries.create_user(session, "rita", "correct-horse-battery", "reviewer")
    session.commit()
    return user.id


def _three(session: Session, ruleset: RuleSet, reviewer: int, **call_args: Any) -> tuple[Any, list[int]]:
    call = open_call(session, **call_args)
    apps = [submit(session, ruleset, call.id, n) for n in (20, 21, 22)]
    for app_id in apps:
        approve(session, app_id, reviewer)
    return call, apps


def _flag(session: Session, application_id: int, rule_id: str, severity: str, route: str, at: dt.datetime,
          priority: int = 10) -> None:
    run = TriageRun(today=at.date(), triage_ruleset_hash="0" * 64, inputs_hash="0" * 64, engine_used="test",
                    applications=1, flags=1, created_at=at)
    session.add(run)
    session.flush()
    session.add(TriageFlag(application_id=application_id, run_id=run.id, rule_id=rule_id, severity=severity, route=route,
                           priority_delta=priority, message_zh=f"{rule_id} 的中文说明", message_en=f"{rule_id} in words",
                           details={}, triage_ruleset_hash="0" * 64, inputs_hash="0" * 64, created_at=at))
    application = session.get(Application, application_id)
    assert application is not None
    application.priority += priority  # what a triage run does: flags add priority
    session.commit()


def _lines(session: Session, call_id: int) -> list[tuple[int, int, int, str]]:
    return [(a.application_id, a.rank, a.granted, a.reason) for a in allocation_queries.allocation_lines(session, call_id)]


def test_suspicion_never_raises_the_funding_rank(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    """The issue's case: the applicant with flags was funded first and the clean one unfunded. Now flags raised
    before the approval change nothing (the reviewer saw them), a later warning holds, a blocking flag excludes."""
    call, (clean, flagged_before, flagged_after) = _three(session, ruleset, reviewer, budget=200_000)
    long_ago = dt.datetime(2000, 1, 1)
    _flag(session, flagged_before, "shared_phone", "warn", "verify", long_ago, priority=12)
    _flag(session, flagged_after, "duplicate_project", "warn", "senior_review", dt.datetime(2099, 1, 1), priority=10)
    preview = allocation_queries.preview(session, call.id, AFTER)
    got = [(line.application_id, line.granted, line.reason) for line in preview.result.lines]
    assert got == [(clean, 100_000, "funded"), (flagged_before, 100_000, "funded"), (flagged_after, 0, "held")]
    assert "duplicate_project 的中文说明" in preview.details[(flagged_after, MEASURE)]
    _flag(session, clean, "register_contradiction", "block", "block", long_ago, priority=50)
    got = [(line.application_id, line.granted, line.reason)
           for line in allocation_queries.preview(session, call.id, AFTER).result.lines]
    assert got == [(clean, 0, "excluded"), (flagged_before, 100_000, "funded"), (flagged_after, 0, "held")]


@pytest.mark.parametrize(("rank_by", "scores", "expected"), [
    ("score", (60, 95, None), [1, 0, 2]),  # higher score first, no score last
    ("amount_asc", (None, None, None), [2, 1, 0]),  # the smaller approved amount first
    ("received", (99, 1, 50), [0, 1, 2]),  # the earlier submission first
])
def test_the_call_ranks_by_its_published_criterion(session: Session, ruleset: RuleSet, reviewer: int, rank_by: str,
                                                  scores: tuple[int | None, ...], expected: list[int]) -> None:
    call = open_call(session, budget=1_000_000, rank_by=rank_by)
    apps = [submit(session, ruleset, call.id, n) for n in (30, 31, 32)]
    for app_id, amount, score in zip(apps, (100_000, 80_000, 50_000), scores, strict=True):
        approve(session, app_id, reviewer, amount)
        session.get(Application, app_id).score = score  # type: ignore[union-attr]
    session.commit()
    order = [line.application_id for line in allocation_queries.preview(session, call.id, AFTER).result.lines]
    assert order == [apps[i] for i in expected]


def test_the_approved_amount_is_what_is_granted(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    call = open_call(session, budget=1_000_000)
    first, second, third = (submit(session, ruleset, call.id, n) for n in (40, 41, 42))
    set_amount = allocation_queries.set_approved_amount
    for amount, why, code in ((100_001, "", "approved-above-ceiling"), (60_000, " ", "approved-reason"),
                              (0, "x", "approved-amount")):
        with pytest.raises(StoreError) as refused:
            set_amount(session, first, MEASURE, amount, why, reviewer)
        assert refused.value.code == code and refused.value.zh and refused.value.en
    approve(session, first, reviewer, 60_000)  # lower than the rule's 100,000: with a reason
    approve(session, second, reviewer, None)  # no approved amount: the rule's figure is not declared receivable
    approve(session, third, reviewer, 100_000)
    lines = {line.application_id: (line.granted, line.reason)
             for line in allocation_queries.preview(session, call.id, AFTER).result.lines}
    assert lines == {first: (60_000, "funded"), second: (0, "no_amount"), third: (100_000, "funded")}
    entries = [json.loads(e.body) for e in session.query(LedgerEntry).filter_by(kind="approved_amount")]
    assert [(e["application_id"], e["amount"], e["ceiling"]) for e in entries] == \
        [(first, 60_000, 100_000), (third, 100_000, 100_000)]


def test_cap_and_budget_are_told_apart(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    call, (a, b, c) = _three(session, ruleset, reviewer, budget=1_000_000, cap=200_000)
    got = [(line.application_id, line.reason) for line in allocation_queries.preview(session, call.id, AFTER).result.lines]
    assert got == [(a, "funded"), (b, "funded"), (c, "cap")]  # the budget had 800,000 left: the cap decided


def test_preview_confirm_publicity_objection_final(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    call, (a, b, c) = _three(session, ruleset, reviewer, budget=200_000, notice_days=5)
    shown = allocation_queries.preview(session, call.id, AFTER)
    assert session.query(Allocation).count() == 0  # a preview stores nothing
    allocation_queries.set_approved_amount(session, b, MEASURE, 90_000, "核减设备费", reviewer)  # changes the result
    with pytest.raises(StoreError) as stale:
        allocation_queries.confirm_allocation(session, call.id, reviewer, shown.digest, AFTER)
    assert stale.value.code == "preview-stale"
    shown = allocation_queries.preview(session, call.id, AFTER)
    allocation_queries.confirm_allocation(session, call.id, reviewer, shown.digest, AFTER)
    assert _lines(session, call.id) == [(a, 1, 100_000, "funded"), (b, 2, 90_000, "funded"), (c, 3, 0, "budget")]
    assert {session.get(Application, x).status for x in (a, b, c)} == {"approved"}  # type: ignore[union-attr]
    # approving or changing an amount after the allocation is refused
    assert allocation_queries.approval_refusal(session, c) is not None
    with pytest.raises(StoreError) as late:
        allocation_queries.set_approved_amount(session, c, MEASURE, 100_000, "", reviewer)
    assert late.value.code == "call-allocated"
    publicity = json.loads(session.query(LedgerEntry).filter_by(kind="publicity").one().body)
    assert publicity["days"] == 5 and [n["amount"] for n in publicity["notice"]] == [100_000, 90_000]
    line_b = next(x for x in allocation_queries.allocation_lines(session, call.id) if x.application_id == b)
    with pytest.raises(StoreError) as outside:
        allocation_queries.raise_objection(session, call.id, raised_by="张三", text="不实", allocation_id=line_b.id,
                                           user_id=reviewer, now=AFTER + dt.timedelta(days=6))
    assert outside.value.code == "not-in-publicity"
    objection = allocation_queries.raise_objection(session, call.id, raised_by="张三（电话来访）", text="该企业已停产",
                                                   allocation_id=line_b.id, user_id=reviewer,
                                                   now=AFTER + dt.timedelta(days=1))
    for when, code in ((AFTER + dt.timedelta(days=2), "publicity-running"), (LATER, "objection-open")):
        with pytest.raises(StoreError) as refused:
            allocation_queries.finalize_allocation(session, call.id, reviewer, when)
        assert refused.value.code == code
    allocation_queries.handle_objection(session, objection.id, outcome="upheld", handling="现场核查属实，取消资助",
                                        user_id=reviewer, now=AFTER + dt.timedelta(days=3))
    allocation_queries.finalize_allocation(session, call.id, reviewer, LATER)
    assert _lines(session, call.id) == [(a, 1, 100_000, "funded"), (b, 2, 0, "objection"), (c, 3, 0, "budget")]
    statuses = {x: session.get(Application, x).status for x in (a, b, c)}  # type: ignore[union-attr]
    assert statuses == {a: "funded", b: "not_funded", c: "not_funded"}
    proof = allocation_queries.rederive(session, call.id)
    assert proof.identical, proof.differences
    assert proof.granted == 100_000
    kinds = [e.kind for e in session.query(LedgerEntry).filter_by(call_id=call.id).order_by(LedgerEntry.id)]
    assert kinds[-5:] == ["allocation", "publicity", "objection", "objection_handled", "allocation_final"]
    assert queries.verify_chain(session).ok


def test_the_notice_prints_the_names_the_allocation_froze(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    call, (a, _b, _c) = _three(session, ruleset, reviewer, budget=100_000)
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER)
    applicant = session.get(Applicant, session.get(Application, a).applicant_id)  # type: ignore[union-attr]
    assert applicant is not None
    before = applicant.name
    applicant.name = "改名后的公司"
    session.commit()
    assert [r.name for r in allocation_queries.notice(session, call.id)] == [before]


def test_a_payment_missing_from_the_table_is_never_offered_again(session: Session, ruleset: RuleSet,
                                                                 reviewer: int) -> None:
    call, (a, _b, _c) = _three(session, ruleset, reviewer, budget=200_000, notice_days=5)
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER)
    line = next(x for x in allocation_queries.allocation_lines(session, call.id) if x.application_id == a)
    pay = allocation_queries.record_payment
    with pytest.raises(StoreError) as early:
        pay(session, line.id, paid_on=dt.date(2025, 7, 3), amount=1, voucher_no="V-0", user_id=reviewer)
    assert early.value.code == "not-final"
    allocation_queries.finalize_allocation(session, call.id, reviewer, LATER)
    pay(session, line.id, paid_on=dt.date(2025, 8, 1), amount=100_000, voucher_no="V-1", user_id=reviewer)
    session.execute(text("DELETE FROM payment"))  # tampering: the table forgets the payment, the chain does not
    session.commit()
    paid = allocation_queries.paid_of(session, [line.id])[line.id]
    assert (paid.table, paid.chained, paid.amount, paid.agrees) == (0, 100_000, 100_000, False)
    with pytest.raises(StoreError) as twice:
        pay(session, line.id, paid_on=dt.date(2025, 8, 2), amount=100_000, voucher_no="V-2", user_id=reviewer)
    assert twice.value.code == "payments-disagree"
    assert session.query(Payment).count() == 0


def test_a_call_is_managed_with_reasons_on_the_chain(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    call = open_call(session)
    before = OPENS - dt.timedelta(days=3)
    edit = dict(title="2025年度测试申报（修订）", body="韶关市科学技术局", opens_at=OPENS, closes_at=CLOSES, budget=300_000,
                method="rank_full", rank_by="score", notice_days=7)
    with pytest.raises(StoreError) as no_reason:
        call_queries.edit_call(session, call.id, reason=" ", user_id=reviewer, now=before, **edit)
    assert no_reason.value.code == "reason-required"
    with pytest.raises(StoreError) as national:
        call_queries.edit_call(session, call.id, reason="x", user_id=reviewer, now=before,
                               **{**edit, "body": "科学技术部火炬高技术产业开发中心"})
    assert national.value.code == "call-body"
    call_queries.edit_call(session, call.id, reason="预算调增", user_id=reviewer, now=before, **edit)
    with pytest.raises(StoreError) as opened:
        call_queries.edit_call(session, call.id, reason="again", user_id=reviewer, now=DURING, **edit)
    assert opened.value.code == "call-opened"
    call_queries.extend_call(session, call.id, CLOSES + dt.timedelta(days=10), reason="系统故障顺延", user_id=reviewer,
                             now=DURING)
    call_queries.close_early(session, call.id, reason="预算已足额申报", user_id=reviewer, now=DURING)
    assert call_queries.status_of(call_queries.get_call(session, call.id), DURING) == "closed"
    changes = call_queries.changes(session, call.id)
    assert [(c.change, c.reason) for c in changes] == [("edited", "预算调增"), ("extended", "系统故障顺延"),
                                                       ("closed_early", "预算已足额申报")]
    assert call_queries.latest_call_record(session, call.id)["rank_by"] == "score"  # type: ignore[index]
    call_queries.withdraw_call(session, call.id, reason="政策调整", user_id=reviewer, now=DURING)
    with pytest.raises(StoreError) as withdrawn:
        allocation_queries.preview(session, call.id, AFTER)
    assert withdrawn.value.code == "call-withdrawn"
    with pytest.raises(call_queries.CallNotOpen):
        call_queries.require_open(session, call.id, [MEASURE], DURING)
    assert call_queries.measure_statuses(session, DURING) == {}
    assert queries.verify_chain(session).ok


def test_an_extended_call_still_rederives(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    call = open_call(session)
    apps = [submit(session, ruleset, call.id, n) for n in (50, 51)]
    call_queries.extend_call(session, call.id, CLOSES + dt.timedelta(days=1), reason="顺延", user_id=reviewer, now=DURING)
    for app_id in apps:
        approve(session, app_id, reviewer)
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER + dt.timedelta(days=2), final=True)
    assert allocation_queries.rederive(session, call.id).identical


def test_a_call_names_a_local_body(session: Session) -> None:
    with pytest.raises(StoreError) as refused:
        call_queries.create_call(session, year=2025, title="t", body="国家科技部", opens_at=OPENS, closes_at=CLOSES,
                                 budget=1, method="rank_full", measures=[MeasureSpec(MEASURE, None, ITEMS)], user_id=None)
    assert refused.value.code == "call-body"
