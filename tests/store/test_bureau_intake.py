"""Issue 23, one intake path, on SQLite and PostgreSQL: the store's one check (call rules, every required material,
one application per applicant per measure per call — a withdrawn one does not count) and `subsidy decide`
running it (materials given with --material, a second application refused)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session
from storekit import PROFILE
from test_bureau_store import DURING, ITEMS, MEASURE, open_call, profile, staged, submit

from engine.model import RuleSet
from engine.replay import stored_profile_json
from web.bureau.samplepdf import minimal_pdf
from web.cli import main
from web.store import call_queries, intake
from web.store.call_queries import CallNotOpen, MeasureSpec
from web.store.identity import organisation_digest
from web.store.models import Application, Material


def test_the_one_intake_check(session: Session, ruleset: RuleSet) -> None:
    call = open_call(session)
    digest = organisation_digest(profile(90)["credit_code"])
    check = intake.check_intake
    with pytest.raises(intake.IntakeRefused) as missing:
        check(session, call_id=call.id, measures=[MEASURE], identity_digest=digest, files=[staged("form", 90)], now=DURING)
    assert missing.value.code == "materials-missing" and "营业执照" in missing.value.zh and "licence" in missing.value.en
    files = [staged("form", 90), staged("licence", 90)]
    assert check(session, call_id=call.id, measures=[MEASURE], identity_digest=digest, files=files, now=DURING).id == call.id
    first = submit(session, ruleset, call.id, 90)
    with pytest.raises(intake.IntakeRefused) as twice:
        check(session, call_id=call.id, measures=[MEASURE], identity_digest=digest, files=files, now=DURING)
    assert twice.value.code == "duplicate-application" and f"#{first}" in twice.value.zh
    application = session.get(Application, first)
    assert application is not None
    application.status = "withdrawn"
    session.commit()
    assert check(session, call_id=call.id, measures=[MEASURE], identity_digest=digest, files=files, now=DURING)
    with pytest.raises(CallNotOpen):  # the call rules come first
        check(session, call_id=call.id, measures=[MEASURE], identity_digest=digest, files=files,
              now=DURING + dt.timedelta(days=90))


def test_decide_runs_the_same_intake(db_url: str, mini_rules: Path, session: Session, tmp_path: Path) -> None:
    now = call_queries.now()
    call = call_queries.create_call(session, year=2025, title="材料申报", body="清远市科学技术局",
                                    opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1),
                                    budget=100_000, method="rank_full", measures=[MeasureSpec(MEASURE, None, ITEMS)],
                                    user_id=None)
    session.commit()
    path = tmp_path / "profile.yaml"
    path.write_text(stored_profile_json({**PROFILE, "staff": {"total": 12}}), encoding="utf-8")
    pdf = tmp_path / "申报表.pdf"
    pdf.write_bytes(minimal_pdf(["intake test"]))
    fake = tmp_path / "licence.pdf"
    fake.write_bytes(b"PK\x03\x04 not a pdf")
    env = {"SUBSIDY_MATERIALS": str(tmp_path / "materials")}
    base = ["decide", str(path), "--rules", str(mini_rules), "--db", db_url, "--measures", MEASURE, "--call",
            str(call.id), "--contact", "王工", "13800001234", "a@example.cn", "--format", "json"]
    runner = CliRunner()
    missing = runner.invoke(main, [*base, "--material", f"form={pdf}"], env=env)
    assert missing.exit_code == 2 and "缺少申报材料：营业执照" in missing.output
    bad = runner.invoke(main, [*base, "--material", f"form={pdf}", "--material", f"licence={fake}"], env=env)
    assert bad.exit_code == 2 and "licence.pdf" in bad.output
    ok = runner.invoke(main, [*base, "--material", f"form={pdf}", "--material", f"licence={pdf}"], env=env)
    assert ok.exit_code == 0, ok.output
    application_id = json.loads(ok.stdout)["application_id"]
    stored = session.query(Material).filter_by(application_id=application_id).all()
    assert sorted(m.item for m in stored) == ["form", "licence"]
    assert (tmp_path / "materials" / stored[0].sha256[:2] / stored[0].sha256).is_file()
    again = runner.invoke(main, [*base, "--material", f"form={pdf}", "--material", f"licence={pdf}"], env=env)
    assert again.exit_code == 2 and "只能申请一次" in again.output
