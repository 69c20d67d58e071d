"""The store's CLI commands end to end: decide, decisions list, export, rules add-test, demo."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from storekit import MINI_MEASURE, PROFILE, PROJECT_ROOT

from engine import load_ruleset
from engine.replay import stored_profile_json
from web.cli import main
from web.store import queries
from web.store.models import Application

DEMO_ACCOUNTS = {"applicant": "applicant-demo", "reviewer": "reviewer-demo", "auditor": "auditor-demo",
                 "admin": "admin-demo"}


def _cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(stored_profile_json(PROFILE), encoding="utf-8")  # JSON is YAML
    return path


def _decide(db_url: str, rules: Path, profile: Path, *extra: str) -> dict[str, object]:
    result = _cli("decide", str(profile), "--as-of", "2025-06-30", "--rules", str(rules), "--format", "json",
                  "--db", db_url, *extra)
    assert result.exit_code == 0, result.output
    out: dict[str, object] = json.loads(result.stdout)
    return out


def test_decide_then_list(db_url: str, mini_rules: Path, profile_file: Path) -> None:
    summary = _decide(db_url, mini_rules, profile_file, "--measures", "national.demo_staff")
    assert summary["outcomes"] == {"national.demo_staff": "ineligible"} and summary["chain_seq"] == 1
    text = _cli("decisions", "list", "--db", db_url)
    assert text.exit_code == 0 and "清远演示科技有限公司 (91441802MA0000031T)" in text.output
    rows = json.loads(_cli("decisions", "list", "--applicant", "91441802MA0000031T", "--format", "json",
                           "--db", db_url).stdout)
    assert [r["id"] for r in rows] == [summary["decision_id"]]
    none = json.loads(_cli("decisions", "list", "--applicant", "91440300708461136T", "--format", "json",
                           "--db", db_url).stdout)
    assert none == []


def test_decide_rejects_unknown_measure_and_bad_profile(db_url: str, mini_rules: Path, profile_file: Path,
                                                        tmp_path: Path) -> None:
    unknown = _cli("decide", str(profile_file), "--measures", "national.demo_staf", "--rules", str(mini_rules),
                   "--db", db_url)
    assert unknown.exit_code == 2 and "national.demo_staff" in unknown.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstaff: {total: many}\n", encoding="utf-8")
    assert _cli("decide", str(bad), "--rules", str(mini_rules), "--db", db_url).exit_code == 2


def test_export_json_and_html_are_self_contained(db_url: str, mini_rules: Path, profile_file: Path,
                                                 tmp_path: Path) -> None:
    decision_id = _decide(db_url, mini_rules, profile_file)["decision_id"]
    record = json.loads(_cli("export", str(decision_id), "--format", "json", "--db", db_url).stdout)
    assert record["inputs"]["profile"]["staff"] == {"total": 8.5}
    assert record["rules"]["measures"][0]["source"]["number"] == "演〔2025〕1号"
    assert load_ruleset(mini_rules).snapshot == record["rules"]["snapshot"]
    assert record["decision"]["results"][0]["trace"]["children"][0]["id"] == "staff_enough"
    assert record["chain"]["seq"] == 1 and record["chain"]["link"]["hash"] == record["chain"]["hash"]
    out = tmp_path / "out" / "record.html"
    assert _cli("export", str(decision_id), "--format", "html", "-o", str(out), "--db", db_url).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html and "@media print" in html
    assert "资助资格决策记录" in html and "不符合" in html  # one language: Chinese by default
    assert "Subsidy eligibility decision record" not in html and 'lang="zh-CN"' in html
    english = _cli("export", str(decision_id), "--format", "html", "--lang", "en", "--db", db_url)
    assert english.exit_code == 0, english.output
    assert "Subsidy eligibility decision record" in english.stdout and "Not eligible" in english.stdout
    assert "资助资格决策记录" not in english.stdout and '<html lang="en">' in english.stdout
    assert "<script" not in html and "http://" not in html and "https://" not in html
    missing = _cli("export", "999", "--db", db_url)
    assert missing.exit_code == 2


def test_rules_add_test_appends_text_and_keeps_comments(db_url: str, mini_rules: Path,
                                                        profile_file: Path) -> None:
    decision_id = _decide(db_url, mini_rules, profile_file)["decision_id"]
    path = mini_rules / "national" / "demo_staff.yaml"
    result = _cli("rules", "add-test", str(decision_id), "--rules", str(mini_rules), "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "passes under today's rules" in result.output
    new = path.read_text(encoding="utf-8")
    tests_block = MINI_MEASURE.split("\n# a trailing comment")[0]
    assert new.startswith(tests_block)  # everything before the insertion point is unchanged, byte for byte
    assert new.rstrip().endswith("# a trailing comment that must survive `rules add-test`")
    cases = yaml.safe_load(new)["tests"]
    assert len(cases) == 2
    added = cases[-1]
    assert added["as_of"].isoformat() == "2025-06-30"
    assert added["profile"]["staff"] == {"total": 8.5}
    assert added["expect"] == {"outcome": "ineligible", "failing": ["staff_enough"]}
    assert f"subsidy rules add-test {decision_id}" in new


def test_rules_add_test_reports_a_case_today_s_rules_decide_differently(db_url: str, mini_rules: Path,
                                                                          profile_file: Path) -> None:
    decision_id = _decide(db_url, mini_rules, profile_file)["decision_id"]
    path = mini_rules / "national" / "demo_staff.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{value: 10, source", "{value: 5, source"),
                    encoding="utf-8")
    result = _cli("rules", "add-test", str(decision_id), "--rules", str(mini_rules), "--db", db_url)
    assert result.exit_code == 1 and "FAIL under today's rules" in result.output


def test_demo_loads_samples_and_accounts_and_refuses_twice(db_url: str, rules_copy: Path,
                                                            session: Session) -> None:
    first = _cli("demo", "--rules", str(rules_copy), "--db", db_url)
    assert first.exit_code == 0, first.output
    for username, password in DEMO_ACCOUNTS.items():
        assert f"{username:<10} {password}" in first.output
        user = queries.authenticate(session, username, password)
        assert user is not None and user.role == username
    applicant = queries.get_user(session, "applicant")
    assert applicant is not None and applicant.applicant_id is not None
    session.rollback()  # end the read transaction: --reset drops the tables
    samples = sorted((PROJECT_ROOT / "sample_applicants").glob("*.yaml"))
    rows = json.loads(_cli("decisions", "list", "--format", "json", "--limit", "1000", "--db", db_url).stdout)
    screened = len(re.findall(r"^\s+#\d+\s+\S+\s+\d+ eligible of \d+$", first.output, re.M))
    in_calls = session.scalar(select(func.count(Application.id)).where(Application.call_id.is_not(None)))
    session.rollback()
    assert 0 < screened <= len(samples) and in_calls and len(rows) == screened + in_calls  # + the year's calls
    assert {r["as_of"] for r in rows} == {"2025-06-30"}
    assert _cli("audit", "verify", "--db", db_url).exit_code == 0
    again = _cli("demo", "--rules", str(rules_copy), "--db", db_url)
    assert again.exit_code == 2 and "--reset" in again.output
    reset = _cli("demo", "--reset", "--rules", str(rules_copy), "--db", db_url)
    assert reset.exit_code == 0, reset.output
    rows_after = json.loads(_cli("decisions", "list", "--format", "json", "--limit", "1000", "--db", db_url).stdout)
    assert [r["hash"] for r in rows_after] != [] and len(rows_after) == len(rows)
    assert [json.dumps(r["outcomes"]) for r in rows_after] == [json.dumps(r["outcomes"]) for r in rows]


def test_demo_refuses_production(db_url: str) -> None:
    result = _cli("demo", "--db", db_url, env={"SUBSIDY_ENV": "production"})
    assert result.exit_code == 2 and "production" in result.output


def test_decide_prints_a_conditional_outcome_with_its_label(db_url: str, loadable_rules: Path) -> None:
    """A measure that waits for a status the firm does not hold yet is shown as 认定后可申请, not a crash."""
    result = _cli("decide", str(PROJECT_ROOT / "sample_applicants" / "qingcheng_ceramics_turning_hightech.yaml"),
                  "--as-of", "2025-06-30", "--rules", str(loadable_rules), "--db", db_url)
    assert result.exit_code == 0, result.output
    assert re.search(r"认定后可申请\s+conditional\s+qingyuan\.hnte_award_first_time", result.output)
