"""Re-triage after a rule edit: a parameter changed in a copy of rules/triage → other flags and hash."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from engine.triage import Register, TriageRuleSet, load_triage_rules, triage
from tests.engine.triage.conftest import TODAY, TRIAGE_DIR, app

NEAR = "national.hnte_recognition"


def near_miss_of(shortfall: str) -> object:
    gaps = [{"condition": "rd_ratio", "shortfall": shortfall}]
    return app("A1", measures=[NEAR], decision=[{"measure_id": NEAR, "outcome": "ineligible", "gaps": gaps}])


@pytest.fixture
def copy_of_rules(tmp_path: Path) -> Path:
    target = tmp_path / "triage"
    shutil.copytree(TRIAGE_DIR, target)
    return target


@pytest.mark.parametrize("engine", ["durable", "reference"])
def test_widening_the_near_miss_band_flags_more(rules: TriageRuleSet, copy_of_rules: Path,
                                                 engine: str) -> None:
    path = copy_of_rules / "near_miss.yaml"
    path.write_text(path.read_text("utf-8").replace("value: 5%", "value: 8%"), encoding="utf-8")
    edited = load_triage_rules(copy_of_rules)
    apps = [near_miss_of("0.07")]
    before = triage(apps, Register(), TODAY, rules, engine=engine)
    after = triage(apps, Register(), TODAY, edited, engine=engine)
    assert edited.hash != rules.hash
    assert [f.rule_id for f in before.flags] == []
    assert [(f.rule_id, f.details["within"], f.ruleset_hash) for f in after.flags] == [
        ("near_miss", "0.08", edited.hash)]
    assert triage(apps, Register(), TODAY, rules, engine=engine) == before, "the old RuleSet still replays"


def test_a_new_dated_value_applies_from_its_date(copy_of_rules: Path) -> None:
    path = copy_of_rules / "stale_status.yaml"
    text = path.read_text("utf-8").replace(
        "      2025-01-01: {value: 10,",
        "      2025-07-01: {value: 5, source: tightened}\n      2025-01-01: {value: 10,")
    path.write_text(text, encoding="utf-8")
    edited = load_triage_rules(copy_of_rules)
    waiting = [app("A1", status="in_review", status_since=dt.date(2025, 6, 20))]  # a Friday
    assert triage(waiting, Register(), dt.date(2025, 6, 30), edited).flags == ()  # 6 working days ≤ 10
    july = triage(waiting, Register(), dt.date(2025, 7, 1), edited)  # 7 working days > 5
    got = [(f.rule_id, f.details["limit"], f.details["waited"]) for f in july.flags]
    assert got == [("stale_status", "5", "7")]


def test_deleting_a_rule_file_removes_its_flags(copy_of_rules: Path) -> None:
    (copy_of_rules / "duplicate_project.yaml").unlink()
    edited = load_triage_rules(copy_of_rules)
    apps = [app("A1", project_keys=["P"]), app("A2", project_keys=["P"])]
    assert triage(apps, Register(), TODAY, edited).flags == ()
