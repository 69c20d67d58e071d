"""triage(): flags with rule id and RuleSet hash, cross-application joins, priorities, routes."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from engine.triage import (
    Exclusions,
    Register,
    RegisterEntry,
    TriageInputError,
    TriageRuleSet,
    triage,
)
from tests.engine.triage.conftest import CODE_A, CODE_B, CODE_C, TODAY, app

ENGINES = ["durable", "reference"]
EXCLUDES = Exclusions.of({"qingyuan.hnte_reward": ["qingcheng.hnte_reward"]})


def batch() -> list:
    """Five applications that meet across each other: the joins triage exists for."""
    return [
        app("A1", measures=["qingyuan.hnte_reward"], project_keys=["QY-17"], contact_phone="0763-3312345"),
        app("A2", measures=["qingcheng.hnte_reward"], name="清远甲新材料有限公司"),
        app("B1", credit_code=CODE_B, name="清远乙材料有限公司", project_keys=["QY-17"],
            contact_phone="07633312345"),
        app("C1", credit_code=CODE_C, name="清远丙电子有限公司", measures=["national.tech_sme_evaluation"],
            materials_complete=True,
            decision=[{"measure_id": "national.tech_sme_evaluation", "outcome": "eligible"}]),
        app("C2", credit_code=CODE_C, name="清远丙电子有限公司", status="submitted",
            status_since=dt.date(2025, 6, 2)),
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_joins_across_applications(rules: TriageRuleSet, engine: str) -> None:
    result = triage(batch(), Register(), TODAY, rules, exclusions=EXCLUDES, engine=engine)
    got = {(f.application_id, f.rule_id, f.details.get("other_application", "")) for f in result.flags}
    assert got == {
        ("A1", "exclusive_measures", "A2"), ("A2", "exclusive_measures", "A1"),
        ("A1", "code_with_two_names", "A2"), ("A2", "code_with_two_names", "A1"),
        ("A1", "duplicate_project", "B1"), ("B1", "duplicate_project", "A1"),
        ("A1", "shared_phone", "B1"), ("B1", "shared_phone", "A1"),
        ("C1", "fast_track", ""),
        ("C2", "stale_status", ""),
    }


def test_flags_record_rule_and_ruleset_hash_and_read_well(rules: TriageRuleSet) -> None:
    result = triage(batch(), Register(), TODAY, rules, exclusions=EXCLUDES)
    assert all(f.ruleset_hash == rules.hash == result.ruleset_hash for f in result.flags)
    stale = next(f for f in result.flags if f.rule_id == "stale_status")
    assert (stale.severity, stale.route, stale.priority_delta) == ("warn", "escalate", 20)
    assert stale.details == {"status": "submitted", "since": "2025-06-02", "waited": "20", "limit": "10"}
    assert stale.message.zh == "自2025-06-02起处于“已提交”已20个工作日，超过10个工作日，请督办"
    assert stale.message.en == "'submitted' since 2025-06-02: 20 working days, more than 10; escalate"


def test_flags_are_sorted_and_priorities_add_once_per_rule(rules: TriageRuleSet) -> None:
    result = triage(batch(), Register(), TODAY, rules, exclusions=EXCLUDES)
    assert list(result.flags) == sorted(result.flags, key=lambda f: f.sort_key)
    assert result.priority == {"A1": 5 + 5 + 10 + 2, "A2": 5 + 5, "B1": 10 + 2, "C1": 0, "C2": 20}
    assert result.routes == {"A1": "senior_review", "A2": "verify", "B1": "senior_review", "C1": "fast_track",
                             "C2": "escalate"}


def test_one_rule_flagging_an_application_twice_counts_once(rules: TriageRuleSet) -> None:
    apps = [app("A1", project_keys=["P1", "P2"]), app("B1", credit_code=CODE_B, project_keys=["P1", "P2"])]
    result = triage(apps, Register(), TODAY, rules)
    assert len([f for f in result.flags if f.application_id == "A1"]) == 2
    assert result.priority["A1"] == 10


def test_block_is_the_strongest_route(rules: TriageRuleSet) -> None:
    register = Register(entries=(RegisterEntry(credit_code=CODE_A, kind="incident", reason="重大事故"),))
    apps = [app("A1", status="submitted", status_since=dt.date(2025, 5, 2), declared={"incident": False})]
    result = triage(apps, register, TODAY, rules)
    assert {f.rule_id for f in result.flags} == {"register_contradiction", "stale_status"}
    assert result.routes["A1"] == "block" and result.priority["A1"] == 70


def test_repeated_application_ids_are_refused(rules: TriageRuleSet) -> None:
    with pytest.raises(TriageInputError, match="A1"):
        triage([app("A1"), app("A1")], Register(), TODAY, rules)


def test_no_applications_no_flags(rules: TriageRuleSet) -> None:
    result = triage([], Register(), TODAY, rules)
    assert result.flags == () and result.priority == {} and result.routes == {}


def test_exclusions_come_from_the_measure_catalogue() -> None:
    measures = {"a": ("b", "a"), "b": (), "c": ()}
    catalogue = SimpleNamespace(measures={k: SimpleNamespace(excludes=v) for k, v in measures.items()})
    assert Exclusions.from_ruleset(catalogue).pairs == {("a", "b"), ("b", "a")}


def test_a_parameter_not_yet_in_force_skips_its_rule(rules: TriageRuleSet) -> None:
    result = triage([app("A1")], Register(), dt.date(2024, 12, 31), rules)
    assert set(result.skipped) == {"near_miss", "sales_jump", "stale_status"}
