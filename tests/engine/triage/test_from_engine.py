"""ApplicationFacts built from a real profile and its Decision, then triaged: the near miss reaches review."""

from __future__ import annotations

import datetime as dt

from engine import evaluate, parse_profile
from engine.model import RuleSet
from engine.triage import Register, TriageRuleSet, application_facts, triage
from tests.conftest import AS_OF, sample

HNTE = "national.hnte_recognition"


def test_a_near_miss_sample_goes_to_senior_review(hnte_ruleset: RuleSet, rules: TriageRuleSet) -> None:
    parsed = parse_profile(sample("hnte_rd_ratio_near_miss"), dt.date(2026, 1, 1))
    decision = evaluate(hnte_ruleset, parsed, AS_OF)
    facts = application_facts("A1", parsed, decision, measures=[HNTE], status="screened",
                              status_since=dt.date(2025, 6, 27), contact_phone="0763-3312345")
    summary = facts.summary(HNTE)
    assert summary is not None and summary.outcome == decision.result(HNTE).outcome.value
    assert facts.figures.finance and facts.credit_code == (parsed.profile.credit_code or "")
    result = triage([facts], Register(), AS_OF, rules)
    near = [f for f in result.flags if f.rule_id == "near_miss"]
    assert near and all(f.details["measure"] == HNTE for f in near)
    assert result.routes["A1"] == "senior_review"


def test_only_measures_applied_for_are_summarised(hnte_ruleset: RuleSet) -> None:
    parsed = parse_profile(sample("qingcheng_ceramics_turning_hightech"), dt.date(2026, 1, 1))
    decision = evaluate(hnte_ruleset, parsed, AS_OF)
    facts = application_facts("A1", parsed, decision, measures=[HNTE], status="draft",
                              status_since=dt.date(2025, 6, 27))
    assert [s.measure_id for s in facts.decision] == [HNTE]
