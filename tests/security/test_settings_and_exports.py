# ruff: noqa: F811  (pytest fixtures imported from the store tests shadow by name, as pytest intends)
"""Issue 19 #3, #7, #8: the 公示 CSV neutralises formulas; `subsidy serve` never signs with the public demo key off
this machine and makes its own key; impossible dates, huge numbers and YAML 1.1 surprises are field errors on
the CLI (exit 2) and the API (4xx), from the text."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.orm import Session

from engine.io.csv_writer import csv_text
from engine.model import RuleSet
from tests.conftest import ROOT
from tests.store.conftest import database_url, db_engine, db_url, mini_rules, ruleset, session  # noqa: F401
from tests.store.test_bureau_store import AFTER, approve, open_call, submit
from tests.web.conftest import TEST_CONFIG
from web.app import create_app
from web.cli import main
from web.db_session import dispose
from web.settings import DEMO_SECRET_KEY, InsecureSettingsError, serving_config
from web.store import allocation_queries, queries

HOSTILE = '=HYPERLINK("http://evil.example/x","点此领取补贴")'


def test_the_notice_csv_neutralises_a_formula_name(session: Session, ruleset: RuleSet, db_url: str) -> None:
    """Before: a company named =HYPERLINK(...) was written raw into the public CSV."""
    reviewer = queries.create_user(session, "rita", "correct-horse-battery", "reviewer").id
    session.commit()
    call = open_call(session, budget=200_000)
    app_id = submit(session, ruleset, call.id, 50)
    approve(session, app_id, reviewer)
    session.execute(text("UPDATE applicant SET name = :n WHERE id = (SELECT applicant_id FROM application "
                         "WHERE id = :a)"), {"n": HOSTILE, "a": app_id})
    session.commit()
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER)
    site = create_app({**TEST_CONFIG, "DATABASE_URL": db_url}, ruleset=ruleset)
    try:
        download = site.test_client().get(f"/calls/{call.id}/notice.csv")
    finally:
        dispose(site)
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][1] == "'" + HOSTILE and rows[1][4].isdigit()  # text neutralised, the amount still a number


def test_the_one_csv_writer_keeps_numbers_and_neutralises_text() -> None:
    out = list(csv.reader(io.StringIO(csv_text(["a", "b"], [["+1", -5], ["@SUM(A1)", 3], ["\t=1", "ok"]]))))
    assert out == [["a", "b"], ["'+1", "-5"], ["'@SUM(A1)", "3"], ["'\t=1", "ok"]]


def test_serve_makes_its_own_key_and_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUBSIDY_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SUBSIDY_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'subsidy.db'}")
    first = serving_config("0.0.0.0")["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.is_file() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first != DEMO_SECRET_KEY and len(first) == 64
    assert serving_config("127.0.0.1")["SECRET_KEY"] == first  # the same key on every start


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.org"])
def test_serve_refuses_the_demo_key_off_this_machine(host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUBSIDY_SECRET_KEY", DEMO_SECRET_KEY)
    with pytest.raises(InsecureSettingsError):
        serving_config(host)
    assert serving_config("127.0.0.1") == {} and serving_config("localhost") == {}
    result = CliRunner().invoke(main, ["serve", "--host", host, "--port", "8149"])
    assert result.exit_code == 2 and "demo" in result.output.lower()  # refused before gunicorn starts


SAMPLE = (ROOT / "sample_applicants" / "hnte_boundary_leap_year.yaml").read_text("utf-8")


@pytest.mark.parametrize(("old", "new", "field"), [
    ("registered_on: 2024-02-29", "registered_on: 2024-02-30", "registered_on"),
    ("total: 30,", "total: 1:20:30,", "staff.total"),
    ("resident_enterprise: true", "resident_enterprise: on", "resident_enterprise"),
    ("total: 30,", "total: 030,", "staff.total"),
    ("total: 30,", "total: " + "9" * 4300 + ",", "staff.total"),
    ("sales: 900万元", "sales: " + "9" * 30 + "万元", "finance[0].sales"),
])
def test_the_cli_names_the_field_and_exits_2(tmp_path: Path, old: str, new: str, field: str) -> None:
    assert old in SAMPLE
    path = tmp_path / "p.yaml"
    path.write_text(SAMPLE.replace(old, new, 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2025-02-28"])
    assert result.exit_code == 2 and field in result.output, result.output[-800:]
    assert "Traceback" not in result.output


def test_the_api_names_the_field(tmp_path: Path, ruleset: RuleSet, db_url: str) -> None:
    site = create_app({**TEST_CONFIG, "DATABASE_URL": db_url}, ruleset=ruleset)
    try:
        api = site.test_client()
        profile = {"kind": "enterprise", "name": "测试", "credit_code": "91441802MA000004XJ",
                   "registered_on": "2024-02-30"}
        bad_date = api.post("/api/v1/evaluate", json={"profile": profile})
        body = json.dumps({"profile": {**profile, "registered_on": "2024-02-29", "staff": {"total": 10 ** 4299}}})
        huge = api.post("/api/v1/evaluate", data=body, content_type="application/json")
    finally:
        dispose(site)
    assert bad_date.status_code == 422 and "registered_on" in bad_date.get_data(as_text=True)
    assert 400 <= huge.status_code < 500 and "staff.total" in huge.get_data(as_text=True), huge.get_data(as_text=True)[:500]
