"""The bureau's commands on SQLite and PostgreSQL: the demo's year (open calls, a closed over-subscribed call
allocated with its times in order, materials on disk), `subsidy audit allocation` (IDENTICAL, DIFFERENT after tampering, exit 2 for
an unknown call), and the submission gate of `subsidy decide` (a measure under a call needs that call, open)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import text
from sqlalchemy.orm import Session
from storekit import PROFILE

from engine.replay import stored_profile_json
from web.cli import main
from web.store import call_queries, dashboard_queries
from web.store.call_queries import MeasureSpec
from web.store.models import Allocation, Application, Call, Material, TriageDue

MEASURE = "national.demo_staff"


def _cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_the_demo_builds_a_year_and_the_auditor_proves_its_allocation(db_url: str, rules_copy: Path, session: Session,
                                                                     tmp_path: Path) -> None:
    env = {"SUBSIDY_MATERIALS": str(tmp_path / "materials")}
    result = _cli("demo", "--rules", str(rules_copy), "--db", db_url, env=env)
    assert result.exit_code == 0, result.output
    now = call_queries.now()
    calls = session.query(Call).order_by(Call.id).all()
    assert [call_queries.status_of(c, now) for c in calls] == ["open", "open", "closed"]
    closed = calls[-1]
    lines = session.query(Allocation).filter_by(call_id=closed.id).order_by(Allocation.rank).all()
    asked, granted = sum(a.requested for a in lines), sum(a.granted for a in lines)
    assert asked > closed.budget >= granted > 0 and any(a.reason == "budget" for a in lines)  # over-subscribed
    received = session.query(Application).filter_by(call_id=closed.id).all()
    assert {a.status for a in received} <= {"funded", "not_funded", "paid"}
    assert session.query(TriageDue).count() == 0  # every submission the demo made is triaged: no 分诊中 left
    # the back-dated call's times follow each other: received within its window, before it was made final
    assert all(closed.opens_at <= a.submitted_at <= closed.closes_at < closed.finalized_at for a in received)
    times = {t.call_id: t for t in dashboard_queries.times(session)}[closed.id]
    assert times.median_days_to_final is not None and times.median_days_to_final > 0 and times.out_of_order == 0
    stored = session.query(Material).all()
    assert stored and all((tmp_path / "materials" / m.sha256[:2] / m.sha256).read_bytes().startswith(b"%PDF-")
                          for m in stored)
    session.rollback()
    proof = _cli("audit", "allocation", str(closed.id), "--db", db_url)
    assert proof.exit_code == 0 and proof.output.startswith("IDENTICAL"), proof.output
    assert _cli("audit", "verify", "--db", db_url).exit_code == 0
    session.execute(text("UPDATE allocation SET granted = granted + 1 WHERE call_id = :c AND granted > 0"),
                    {"c": closed.id})
    session.commit()
    changed = _cli("audit", "allocation", str(closed.id), "--db", db_url, "--format", "json")
    assert changed.exit_code == 1 and json.loads(changed.stdout)["identical"] is False
    assert "re-derived" in json.loads(changed.stdout)["differences"][0]
    unknown = _cli("audit", "allocation", "999", "--db", db_url)
    assert unknown.exit_code == 2 and "999" in unknown.output
    not_yet = _cli("audit", "allocation", str(calls[0].id), "--db", db_url)
    assert not_yet.exit_code == 2 and "尚未分配" in not_yet.output


def test_decide_needs_the_open_call_of_a_measure(db_url: str, mini_rules: Path, session: Session,
                                                 tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(stored_profile_json({**PROFILE, "staff": {"total": 12}}), encoding="utf-8")
    base = ("decide", str(profile), "--as-of", "2025-06-30", "--rules", str(mini_rules), "--db", db_url,
            "--measures", MEASURE)
    assert _cli(*base).exit_code == 0  # no call covers the measure: a screening record
    now = call_queries.now()
    call = call_queries.create_call(session, year=2025, title="演示申报", body="清远市科学技术局",
                                    opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1),
                                    budget=100_000, method="rank_full", measures=[MeasureSpec(MEASURE, None, ())],
                                    user_id=None)
    closed = call_queries.create_call(session, year=2024, title="旧申报", body="清远市科学技术局",
                                      opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(days=1),
                                      budget=100_000, method="rank_full", measures=[MeasureSpec(MEASURE, None, ())],
                                      user_id=None)
    session.commit()
    refused = _cli(*base)
    assert refused.exit_code == 2 and "须在申报通知" in refused.output and "apply under the call" in refused.output
    late = _cli(*base, "--call", str(closed.id))
    assert late.exit_code == 2 and "已截止" in late.output and "has closed" in late.output
    bad_phone = _cli(*base, "--call", str(call.id), "--contact", "王工", "12345", "a@example.cn")
    assert bad_phone.exit_code == 2 and "联系电话" in bad_phone.output
    ok = _cli(*base, "--call", str(call.id), "--contact", "王工", "13800001234", "a@example.cn", "--format", "json")
    assert ok.exit_code == 0, ok.output
    application = session.get(Application, json.loads(ok.stdout)["application_id"], populate_existing=True)
    assert application is not None and application.call_id == call.id and application.contact_phone == "13800001234"

