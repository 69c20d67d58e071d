"""Every test embedded in rules/triage/*.yaml passes on both engines; every rule has both kinds of case."""

from __future__ import annotations

import pytest

from engine.triage import TriageRuleSet, load_triage_rules
from engine.triage.ruletests import cases_of, run_case
from tests.engine.triage.conftest import TRIAGE_DIR

CASES = cases_of(load_triage_rules(TRIAGE_DIR))


@pytest.mark.parametrize("engine", ["durable", "reference"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule_id}: {c.name}" for c in CASES])
def test_embedded_case(rules: TriageRuleSet, case, engine: str) -> None:
    assert run_case(rules, rules.rules[case.rule_id], case.data, engine) == []


@pytest.mark.parametrize("rule_id", sorted(load_triage_rules(TRIAGE_DIR).rules))
def test_every_rule_is_tested_positive_and_negative(rules: TriageRuleSet, rule_id: str) -> None:
    flagged = [bool(case["flagged"]) for case in rules.rules[rule_id].tests]
    assert True in flagged, f"{rule_id} has no case where it flags something"
    assert False in flagged, f"{rule_id} has no case where it flags nothing"


def test_the_required_rules_are_all_declared(rules: TriageRuleSet) -> None:
    kinds = {r.kind for r in rules.rules.values()}
    assert kinds == {"exclusive_measures", "duplicate_project", "field_exceeds", "year_jump", "near_miss",
                     "fast_track", "same_code_other_name", "shared_contact", "register_hit", "stale_status"}
    compared = {(r.options["left"], r.options["right"])
                for r in rules.rules.values() if r.kind == "field_exceeds"}
    assert compared == {("staff.sci_tech", "staff.total"), ("finance.rd_expense", "finance.sales"),
                        ("finance.hitech_income", "finance.total_income"),
                        ("finance.net_assets", "finance.total_assets")}
    assert {r.options["field"] for r in rules.rules.values() if r.kind == "shared_contact"} == {
        "contact_phone", "contact_email"}
