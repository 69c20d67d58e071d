"""The bureau's year in the demo database: calls, submissions with generated PDF materials, review, allocation.

Called by `subsidy demo` after the sample decisions. It builds, from the sample applicants:

* an **open** call (清远市 高企奖励, window from 10 days ago to 30 days ahead) with the Qingyuan HNTE sample
  submitted and its materials waiting for review;
* an **open** Guangdong call for new R&D institutions with the demo applicant account's institution submitted
  (sharing its phone with the Qingyuan firm, so `shared_phone` shows on both);
* a **closed and allocated** Shaoguan call of 2025 (over-subscribed: 352万元 asked, 200万元 budget, full amounts
  in the order received) whose applications were approved with an approved amount per measure line (the rule's
  figure), its 公示 held for 5 days and the allocation made final, with one payment recorded. Its records are
  made with the store's clock set back to 2025 (`call_queries.clock_at`), so their times follow each other as
  a real year's would: published, received in May, decided after the close, allocated, final, paid in August.

Each firm that applies gets a made-up payee account (account name, bank, account number) for the finance office's
payment file. Materials are small generated PDFs stored by sha256 under the materials folder (web.store.blobs).
Everything goes through the same store functions as the site, so it is all on the audit chain.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
import yaml

from engine import evaluate, parse_profile
from engine.model import RuleSet
from web.bureau.present import default_materials
from web.bureau.samplepdf import minimal_pdf
from web.store import (
    account_queries,
    allocation_queries,
    call_queries,
    material_queries,
    queries,
    submission_queries,
)
from web.store.blobs import BlobStore
from web.store.call_queries import MeasureSpec
from web.store.contacts import validate_contacts
from web.store.material_queries import StagedFile

QINGYUAN = ("qingyuan.hnte_award_first_time", "qingyuan.hnte_award_benchmark", "qingyuan.hnte_award_renewal")
GUANGDONG = ("guangdong.new_rd_institution_provincial",)
SHAOGUAN = ("shaoguan.hnte_award_large", "shaoguan.hnte_review_support", "shaoguan.hightech_zone_provincial_key_lab",
            "shaoguan.hightech_zone_relocation", "shaoguan.hnte_relocation_award")
SHARED_PHONE = "13926370001"


def build_year(session: Any, ruleset: RuleSet, samples: Path, as_of: dt.date, users: dict[str, int],
               store: BlobStore) -> dict[str, int]:
    """Create the three calls and their applications; returns the call ids by name (skips what the rules lack)."""
    now = call_queries.now()
    calls: dict[str, int] = {}
    plan = (
        ("qingyuan", "2026年度清远市高新技术企业奖励申报", "清远市科学技术局", QINGYUAN, now - dt.timedelta(days=10),
         now + dt.timedelta(days=30), 3_000_000, "rank_full", [("qy_new_hnte_benchmark_stack", SHARED_PHONE)]),
        ("guangdong", "2026年度广东省新型研发机构申报", "韶关市科学技术局", GUANGDONG, now - dt.timedelta(days=5),
         now + dt.timedelta(days=45), 5_000_000, "pro_rata", [("gd_new_rd_institution_shaoguan", SHARED_PHONE)]),
        ("shaoguan", "2025年度韶关市高新技术企业及高新区扶持资金申报", "韶关市科学技术局", SHAOGUAN,
         dt.datetime(2025, 4, 30, 16), dt.datetime(2025, 6, 20, 9), 2_000_000, "rank_full",
         [("sg_zone_relocated_hnte", "13926370002"), ("sg_hnte_revenue_exactly_2000wan", "0751-8881234")]),
    )
    for name, title, body, measures, opens, closes, budget, method, applicants in plan:
        present = [m for m in measures if m in ruleset.measures]
        if not present:
            click.echo(f"  call skipped ({name}): none of {', '.join(measures)} in the rules", err=True)
            continue
        past = name == "shaoguan"  # its records carry 2025 times, in order (published, received, decided, final)
        with call_queries.clock_at(opens - dt.timedelta(days=5)) if past else nullcontext():
            call = call_queries.create_call(
                session, year=opens.year if past else now.year, title=title, body=body, opens_at=opens,
                closes_at=closes, budget=budget, method=method, user_id=users["admin"],
                measures=[MeasureSpec(m, None, default_materials(ruleset.measures[m])) for m in present])
        calls[name] = call.id
        received = []
        for i, (sample, phone) in enumerate(applicants):
            with call_queries.clock_at(opens + dt.timedelta(days=12 + 9 * i, hours=1)) if past else nullcontext():
                received.append(_submit(session, ruleset, samples / f"{sample}.yaml", as_of, call, phone, store))
        for i, app_id in enumerate(received):
            if app_id is not None and past:
                with call_queries.clock_at(closes + dt.timedelta(hours=2 + i)):
                    _approve(session, app_id, users["reviewer"])
        click.echo(f"  call #{call.id} {title} ({len(present)} measure(s), {call_queries.status_of(call, now)})")
    if "shaoguan" in calls:
        _allocate_and_pay(session, calls["shaoguan"], users)
    return calls


def _submit(session: Any, ruleset: RuleSet, path: Path, as_of: dt.date, call: Any, phone: str,
            store: BlobStore) -> int | None:
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parsed = parse_profile(data, as_of)
    decision = evaluate(ruleset, parsed, as_of)
    in_call = {m.measure_id for m in call.measures}
    wanted = sorted(r.measure_id for r in decision.results if r.measure_id in in_call and r.outcome.value == "eligible")
    if not wanted:
        click.echo(f"  {path.stem}: eligible for nothing in call #{call.id}, not submitted", err=True)
        return None
    decision = evaluate(ruleset, parsed, as_of, measures=wanted)
    items = material_queries.checklist(session, call.id, wanted)
    files = []
    for item in items:
        pdf = minimal_pdf([f"Demo material: {item['en']}", f"Applicant {data.get('credit_code', path.stem)}",
                           f"Call #{call.id}, generated by subsidy demo"])
        files.append(StagedFile(item["key"], f"{item['zh']}.pdf", "application/pdf", len(pdf), store.put(pdf)))
    row = submission_queries.submit_to_call(
        session, call_id=call.id, profile=parsed.profile, profile_data=data, ruleset=ruleset, decision=decision,
        checked_on=as_of, measures=wanted, contacts=validate_contacts("张经理", phone, f"{path.stem[:20]}@example.cn"),
        files=files, user_id=None)
    applicant = row.application.applicant  # a demo payee account (a made-up number) for the finance office's file
    account_queries.set_payee(session, applicant.id, payee_name=applicant.name, bank_name="中国工商银行韶关分行营业部"
                              if call.body.startswith("韶关") else "中国工商银行清远分行营业部",
                              bank_account=f"62220{applicant.id:04d}0000{row.application_id:05d}")  # last four differ
    session.commit()
    return int(row.application_id)


def _approve(session: Any, application_id: int, reviewer: int) -> None:
    for material in material_queries.materials_of(session, application_id):
        material_queries.mark(session, material.id, "accepted", "", reviewer)
    session.commit()
    queries.record_review(session, application_id=application_id, user_id=reviewer, action="reopen",
                          reason="演示：转入审核 / demo: review started")
    for line in allocation_queries.approvable_lines(session, application_id):
        if line.approvable and line.ceiling:
            allocation_queries.set_approved_amount(session, application_id, line.measure_id, line.ceiling,
                                                   "演示：按规则金额核定 / demo: the rule's figure", reviewer)
    queries.record_review(session, application_id=application_id, user_id=reviewer, action="approve",
                          reason="演示：材料齐全，符合条件 / demo: complete and eligible")


def _allocate_and_pay(session: Any, call_id: int, users: dict[str, int]) -> None:
    call = call_queries.get_call(session, call_id)
    assert call is not None
    allocated, final = call.closes_at + dt.timedelta(days=2), call.closes_at + dt.timedelta(days=8)
    with call_queries.clock_at(allocated):
        allocation_queries.allocate_call(session, call_id, users["admin"], allocated)
    with call_queries.clock_at(final):
        allocation_queries.finalize_allocation(session, call_id, users["admin"], final)
    lines = allocation_queries.allocation_lines(session, call_id)
    funded = [line for line in lines if line.granted > 0]
    click.echo(f"  call #{call_id} allocated: {len(funded)} of {len(lines)} line(s) funded, "
               f"{sum(line.granted for line in funded)} yuan")
    if funded:
        with call_queries.clock_at(dt.datetime(2025, 8, 15, 3)):
            allocation_queries.record_payment(session, funded[0].id, paid_on=dt.date(2025, 8, 15),
                                              amount=funded[0].granted, voucher_no="SG-2025-0815-001",
                                              user_id=users["admin"])
