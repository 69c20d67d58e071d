"""The bureau's year in the store, on SQLite and PostgreSQL: calls and their window, submissions with contacts
and material hashes on the chain, triage from stored contacts and materials, allocation, payments, and the
auditor's re-derivation of an allocation (IDENTICAL, or the difference after tampering)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from storekit import AS_OF, PROFILE, PROJECT_ROOT

from engine import evaluate, parse_profile
from engine.model import RuleSet
from engine.standards.uscc import org_check_char, uscc_check_char
from engine.triage import Exclusions, TriageRuleSet, load_triage_rules
from web.store import (
    allocation_queries,
    call_queries,
    material_queries,
    queries,
    submission_queries,
    triage_queries,
)
from web.store.call_queries import CallNotOpen, MeasureSpec
from web.store.contacts import validate_contacts
from web.store.material_queries import StagedFile
from web.store.models import Allocation, Application, LedgerEntry

MEASURE = "national.demo_staff"  # 100,000 yuan when staff >= 10
OPENS, CLOSES = dt.datetime(2025, 5, 1), dt.datetime(2025, 7, 1)
DURING, AFTER = dt.datetime(2025, 6, 1), dt.datetime(2025, 7, 2)
ITEMS = (("form", "申报表", "application form"), ("licence", "营业执照", "business licence"))


def code(n: int) -> str:
    body = f"MA{n:06d}"
    s17 = f"914418020{body}{org_check_char(body)}"[:17]
    return s17 + uscc_check_char(s17)


def profile(n: int, staff: int = 12) -> dict[str, Any]:
    return {**PROFILE, "name": f"清远测试{n}号科技有限公司", "credit_code": code(n), "staff": {"total": staff}}


@pytest.fixture(scope="session")
def triage_rules(tmp_path_factory: pytest.TempPathFactory) -> TriageRuleSet:
    target = tmp_path_factory.mktemp("bureau_triage") / "triage"
    return load_triage_rules(Path(shutil.copytree(PROJECT_ROOT / "rules" / "triage", target)))


@pytest.fixture
def reviewer(session: Session) -> int:
    user = queries.create_user(session, "rita", "correct-horse-battery", "reviewer")
    session.commit()
    return user.id


def open_call(session: Session, *, budget: int = 250_000, method: str = "rank_full", cap: int | None = None,
              rank_by: str = "received", notice_days: int = 0) -> Any:
    return call_queries.create_call(session, year=2025, title="2025年度测试申报", body="清远市科学技术局",
                                    opens_at=OPENS, closes_at=CLOSES, budget=budget, method=method,
                                    measures=[MeasureSpec(MEASURE, cap, ITEMS)], user_id=None, rank_by=rank_by,
                                    notice_days=notice_days)


def staged(item: str, n: int) -> StagedFile:
    return StagedFile(item, f"{item}-{n}.pdf", "application/pdf", 100 + n, f"{n:064x}")


def submit(session: Session, ruleset: RuleSet, call_id: int, n: int, *, phone: str = "13800001234",
           email: str | None = None, files: list[StagedFile] | None = None) -> int:
    data = profile(n)
    parsed = parse_profile(data, AS_OF)
    decision = evaluate(ruleset, parsed, AS_OF, measures=[MEASURE])
    row = submission_queries.submit_to_call(
        session, call_id=call_id, profile=parsed.profile, profile_data=data, ruleset=ruleset, decision=decision,
        checked_on=AS_OF, measures=[MEASURE], contacts=validate_contacts("王工", phone, email or f"wang{n}@example.cn"),
        files=files if files is not None else [staged("form", n), staged("licence", n)], user_id=None)
    return row.application_id


def approve(session: Session, application_id: int, reviewer: int, amount: int | None = 100_000) -> None:
    """Approve, with the reviewer's approved amount (核定金额) for the measure (None: none set)."""
    queries.record_review(session, application_id=application_id, user_id=reviewer, action="reopen", reason="start")
    if amount is not None:
        allocation_queries.set_approved_amount(session, application_id, MEASURE, amount,
                                               "" if amount == 100_000 else "核减", reviewer)
    queries.record_review(session, application_id=application_id, user_id=reviewer, action="approve", reason="ok")


def test_a_call_is_stored_chained_and_has_a_window(session: Session) -> None:
    call = open_call(session)
    assert [m.measure_id for m in call.measures] == [MEASURE] and call.measures[0].materials[0]["key"] == "form"
    entry = session.query(LedgerEntry).one()
    assert entry.kind == "call_opened" and json.loads(entry.body)["budget"] == 250_000
    assert queries.verify_chain(session).ok
    assert [call_queries.status_of(call, t) for t in (OPENS - dt.timedelta(seconds=1), OPENS, CLOSES)] == \
        ["upcoming", "open", "closed"]
    assert call_queries.measure_statuses(session, DURING) == {MEASURE: "open"}
    assert call_queries.measure_statuses(session, AFTER) == {MEASURE: "closed"}


@pytest.mark.parametrize(("changes", "code_"), [
    ({"closes_at": OPENS}, "call-window"), ({"budget": -1}, "call-budget"), ({"method": "lottery"}, "call-method"),
    ({"measures": []}, "call-measures")])
def test_a_bad_call_is_refused(session: Session, changes: dict[str, Any], code_: str) -> None:
    args: dict[str, Any] = {"year": 2025, "title": "t", "body": "b", "opens_at": OPENS, "closes_at": CLOSES,
                            "budget": 1, "method": "rank_full", "measures": [MeasureSpec(MEASURE, None, ITEMS)],
                            "user_id": None, **changes}
    with pytest.raises(queries.StoreError) as refused:
        call_queries.create_call(session, **args)
    assert refused.value.code == code_ and refused.value.zh and refused.value.en


def test_submissions_are_accepted_only_while_the_call_is_open(session: Session) -> None:
    call = open_call(session)
    assert call_queries.require_open(session, call.id, [MEASURE], DURING).id == call.id
    for when, expected in ((OPENS - dt.timedelta(days=1), "call-not-yet-open"), (AFTER, "call-closed")):
        with pytest.raises(CallNotOpen) as refused:
            call_queries.require_open(session, call.id, [MEASURE], when)
        assert refused.value.code == expected
    with pytest.raises(CallNotOpen) as refused:
        call_queries.require_open(session, call.id, ["national.other"], DURING)
    assert "national.other" in refused.value.zh and "does not cover" in refused.value.en
    with pytest.raises(CallNotOpen) as refused:
        call_queries.require_open(session, None, [MEASURE], DURING)
    assert "申报通知" in refused.value.zh and "open call" in refused.value.en


def test_a_submission_stores_contacts_and_chains_the_material_hashes(session: Session, ruleset: RuleSet) -> None:
    call = open_call(session)
    app_id = submit(session, ruleset, call.id, 1, phone="0763-3388123")
    application = session.get(Application, app_id)
    assert application is not None and application.call_id == call.id
    assert (application.contact_phone, application.contact_email) == ("0763-3388123", "wang1@example.cn")
    assert application.materials_complete is None  # nothing checked yet
    entry = session.query(LedgerEntry).filter_by(kind="submission").one()
    body = json.loads(entry.body)
    assert [m["sha256"] for m in body["materials"]] == [f"{1:064x}", f"{1:064x}"] and body["call_id"] == call.id
    assert queries.verify_chain(session).ok
    session.execute(text("UPDATE ledger_entry SET body = replace(body, :a, :b) WHERE kind = 'submission'"),
                    {"a": f"{1:064x}", "b": "f" * 64})
    session.commit()
    report = queries.verify_chain(session)
    assert not report.ok and report.first is not None and report.first.code == "record-altered"
    assert report.first.kind == "ledger"


def test_materials_complete_is_data(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    call = open_call(session)
    app_id = submit(session, ruleset, call.id, 2)
    form, licence = material_queries.materials_of(session, app_id)
    material_queries.mark(session, form.id, "accepted", "", reviewer)
    assert session.get(Application, app_id).materials_complete is None  # type: ignore[union-attr]
    with pytest.raises(queries.StoreError) as refused:
        material_queries.mark(session, licence.id, "needs_correction", " ", reviewer)
    assert refused.value.code == "material-reason"
    material_queries.mark(session, licence.id, "needs_correction", "复印件不清晰", reviewer)
    session.commit()
    assert session.get(Application, app_id).materials_complete is False  # type: ignore[union-attr]
    submission_queries.resubmit(session, app_id, [staged("licence", 9)], None)
    current = material_queries.materials_of(session, app_id)
    assert [(m.item, m.status) for m in current] == [("form", "accepted"), ("licence", "pending")]
    with pytest.raises(queries.StoreError):
        material_queries.mark(session, licence.id, "accepted", "", reviewer)  # superseded
    material_queries.mark(session, current[1].id, "accepted", "", reviewer)
    session.commit()
    assert session.get(Application, app_id).materials_complete is True  # type: ignore[union-attr]
    kinds = [e.kind for e in session.query(LedgerEntry).order_by(LedgerEntry.id)]
    assert kinds == ["call_opened", "submission", "resubmission"] and queries.verify_chain(session).ok


def _flag_ids(session: Session, app_id: int) -> set[str]:
    return {f.rule_id for f in triage_queries.flags_for_application(session, app_id)}


def test_shared_phone_and_shared_email_fire_from_the_database(session: Session, ruleset: RuleSet,
                                                              triage_rules: TriageRuleSet) -> None:
    call = open_call(session)
    a = submit(session, ruleset, call.id, 3, phone="13800001111", email="same@example.cn")
    b = submit(session, ruleset, call.id, 4, phone="+86 138 0000 1111", email="other@example.cn")
    c = submit(session, ruleset, call.id, 5, phone="13900002222", email="SAME@example.cn")
    triage_queries.retriage(session, None, AS_OF, triage_rules, exclusions=Exclusions.from_ruleset(ruleset))
    assert "shared_phone" in _flag_ids(session, a) and "shared_phone" in _flag_ids(session, b)
    assert "shared_email" in _flag_ids(session, a) and "shared_email" in _flag_ids(session, c)
    assert "shared_phone" not in _flag_ids(session, c) and "shared_email" not in _flag_ids(session, b)


def test_fast_track_fires_once_the_materials_are_complete(session: Session, ruleset: RuleSet, reviewer: int,
                                                          triage_rules: TriageRuleSet) -> None:
    call = open_call(session)
    app_id = submit(session, ruleset, call.id, 6)
    exclusions = Exclusions.from_ruleset(ruleset)
    triage_queries.retriage(session, [app_id], AS_OF, triage_rules, exclusions=exclusions)
    assert "fast_track" not in _flag_ids(session, app_id)
    for material in material_queries.materials_of(session, app_id):
        material_queries.mark(session, material.id, "accepted", "", reviewer)
    session.commit()
    triage_queries.retriage(session, [app_id], AS_OF, triage_rules, exclusions=exclusions)
    assert "fast_track" in _flag_ids(session, app_id)


def _oversubscribed(session: Session, ruleset: RuleSet, reviewer: int, **call_args: Any) -> tuple[Any, list[int]]:
    call = open_call(session, **call_args)
    apps = [submit(session, ruleset, call.id, n) for n in (10, 11, 12)]
    for app_id, priority in zip(apps, (0, 7, 3), strict=True):
        session.get(Application, app_id).priority = priority  # type: ignore[union-attr]
    session.commit()
    for app_id in apps:
        approve(session, app_id, reviewer)
    return call, apps


def test_rank_full_funds_in_rank_order_within_the_budget(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    call, (low, high, mid) = _oversubscribed(session, ruleset, reviewer)
    with pytest.raises(queries.StoreError) as refused:
        allocation_queries.allocate_call(session, call.id, reviewer, DURING)
    assert refused.value.code == "call-not-closed"
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER, final=True)
    lines = [(a.application_id, a.rank, a.granted, a.reason) for a in allocation_queries.allocation_lines(session, call.id)]
    # the call ranks by the time received: the triage priorities (0, 7, 3) change nothing
    assert lines == [(low, 1, 100_000, "funded"), (high, 2, 100_000, "funded"), (mid, 3, 0, "budget")]
    statuses = {a: session.get(Application, a).status for a in (low, high, mid)}  # type: ignore[union-attr]
    assert statuses == {low: "funded", high: "funded", mid: "not_funded"}
    assert [(r.measure_id, r.amount) for r in allocation_queries.notice(session, call.id)] == [(MEASURE, 100_000)] * 2
    with pytest.raises(queries.StoreError) as again:
        allocation_queries.allocate_call(session, call.id, reviewer, AFTER)
    assert again.value.code == "call-allocated"
    proof = allocation_queries.rederive(session, call.id)
    assert proof.identical and proof.granted == 200_000 and proof.lines == 3
    assert queries.verify_chain(session).ok


def test_pro_rata_shares_the_budget_and_respects_the_cap(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    call, apps = _oversubscribed(session, ruleset, reviewer, method="pro_rata", budget=500_000, cap=150_000)
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER, final=True)
    granted = [a.granted for a in allocation_queries.allocation_lines(session, call.id)]
    assert granted == [50_000, 50_000, 50_000]  # the cap (150,000) binds before the budget (500,000)
    assert allocation_queries.rederive(session, call.id).identical


def test_an_altered_allocation_or_decision_does_not_rederive(session: Session, ruleset: RuleSet,
                                                             reviewer: int) -> None:
    call, (_low, _high, mid) = _oversubscribed(session, ruleset, reviewer)
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER, final=True)
    session.execute(text("UPDATE allocation SET granted = 100000, reason = 'funded' WHERE application_id = :a"),
                    {"a": mid})
    session.commit()
    proof = allocation_queries.rederive(session, call.id)
    assert not proof.identical and "allocation table: line 3" in proof.differences[0]
    assert "granted stored 100000, re-derived 0" in proof.differences[0]
    session.execute(text("UPDATE call SET budget = 900000 WHERE id = :c"), {"c": call.id})
    session.commit()
    assert any("call last chained" in d for d in allocation_queries.rederive(session, call.id).differences)


def test_payments_are_recorded_checked_and_chained(session: Session, ruleset: RuleSet, reviewer: int) -> None:
    call, (_low, high, _mid) = _oversubscribed(session, ruleset, reviewer)
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER, final=True)
    line = next(a for a in session.query(Allocation).filter_by(application_id=high))
    pay = allocation_queries.record_payment
    pay(session, line.id, paid_on=dt.date(2025, 8, 1), amount=60_000, voucher_no="QY-2025-001", user_id=reviewer)
    assert session.get(Application, high).status == "funded"  # type: ignore[union-attr]
    for kwargs, expected in (({"amount": 40_001, "voucher_no": "QY-2025-002"}, "payment-too-much"),
                             ({"amount": 1, "voucher_no": "QY-2025-001"}, "voucher-duplicate"),
                             ({"amount": 0, "voucher_no": "QY-2025-003"}, "payment-amount"),
                             ({"amount": 1, "voucher_no": " "}, "voucher-required")):
        with pytest.raises(queries.StoreError) as refused:
            pay(session, line.id, paid_on=dt.date(2025, 8, 2), user_id=reviewer, **kwargs)
        assert refused.value.code == expected
    pay(session, line.id, paid_on=dt.date(2025, 8, 3), amount=40_000, voucher_no="QY-2025-004", user_id=reviewer)
    assert session.get(Application, high).status == "paid"  # type: ignore[union-attr]
    assert [p.amount for p in allocation_queries.payments_of(session, call.id)] == [60_000, 40_000]
    assert queries.verify_chain(session).ok
