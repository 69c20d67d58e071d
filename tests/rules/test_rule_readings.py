"""Readings of ambiguous sources that span two rule files, checked across both (one figure, one meaning)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine import evaluate, parse_profile
from engine.model import RuleSet
from engine.ruletests import set_path
from tests.conftest import sample

AS_OF = dt.date(2025, 6, 30)
BONUS, CONTRIBUTION = "shaoguan.hightech_zone_hnte_bonus", "shaoguan.hightech_zone_hnte_contribution"


def _amounts(ruleset: RuleSet, increase: int) -> dict[str, Any]:
    data = sample("sg_zone_relocated_hnte")
    set_path(data, "certificates[0].issued_on", "2024-11-20")  # re-recognised last year: both zone awards apply
    set_path(data, "certificates[0].expires_on", "2027-11-19")
    set_path(data, "zone.local_contribution_increase", increase)
    decision = evaluate(ruleset, parse_profile(data, AS_OF), AS_OF)
    return {mid: decision.result(mid) for mid in (BONUS, CONTRIBUTION)}


def test_the_25wan_cap_is_on_the_contribution_reward_itself(ruleset: RuleSet) -> None:
    """"同时按照…增量的100%比例，封顶奖励25万元" (policy_criteria.md §3.2): the cap binds this reward; the 5万 bonus is extra."""
    results = _amounts(ruleset, 400_000)
    assert {r.outcome.value for r in results.values()} == {"eligible"}
    assert results[CONTRIBUTION].amount.value == 250_000  # was 200,000 under the issue-14 reading
    assert results[BONUS].amount.value + results[CONTRIBUTION].amount.value == 300_000


def test_below_the_cap_the_contribution_is_paid_in_full(ruleset: RuleSet) -> None:
    results = _amounts(ruleset, 120_000)
    assert results[CONTRIBUTION].amount.value == 120_000 and results[BONUS].amount.value == 50_000


ZONE_RELOCATION, CITY_RELOCATION = "shaoguan.hightech_zone_relocation", "shaoguan.hnte_relocation_award"


def test_zone_and_city_relocation_awards_pay_the_higher_only(ruleset: RuleSet) -> None:
    """就高不就低 (policy_criteria.md §3.2): a firm eligible for both relocation awards is paid the higher, once."""
    data = sample("sg_zone_relocated_hnte")
    decision = evaluate(ruleset, parse_profile(data, AS_OF), AS_OF)
    zone, city = decision.result(ZONE_RELOCATION), decision.result(CITY_RELOCATION)
    assert zone.outcome.value == city.outcome.value == "eligible"
    chosen = set(decision.stacking.chosen)
    assert ZONE_RELOCATION in chosen and CITY_RELOCATION not in chosen  # 300万 cap beats 10万
    assert (CITY_RELOCATION, ZONE_RELOCATION) in decision.stacking.dropped or any(
        a == CITY_RELOCATION for a, _ in decision.stacking.dropped)
    paid = {m for m in chosen if m in (ZONE_RELOCATION, CITY_RELOCATION)}
    assert len(paid) == 1


def test_the_credit_pool_pays_the_bank_so_no_cash_is_receivable(ruleset: RuleSet) -> None:
    """qy_credit_loan_pool_2026: the pool bears 50% of the bank's loss — 0 yuan of cash receivable by the firm."""
    as_of = dt.date(2026, 10, 31)
    decision = evaluate(ruleset, parse_profile(sample("qy_credit_loan_pool_2026"), as_of), as_of)
    pool = decision.result("qingyuan.credit_loan_risk_pool_2026")
    assert pool.outcome.value == "eligible" and pool.amount.value == 600_000
    assert pool.amount.payee == "bank"
    assert "qingyuan.credit_loan_risk_pool_2026" in decision.stacking.paid_to_others
    assert decision.stacking.total == 0


def test_a_profile_that_never_answers_projects_or_loans_is_undetermined_not_ineligible(ruleset: RuleSet) -> None:
    """Missing is not zero — for lists too: no `projects` / `loans` key → undetermined, naming the list."""
    data = sample("qingcheng_ceramics_turning_hightech")
    data.pop("projects"), data.pop("loans")
    decision = evaluate(ruleset, parse_profile(data, AS_OF), AS_OF)
    for mid, listed in (("qingyuan.major_project", "projects"), ("qingyuan.national_provincial_project_lead",
                                                                  "projects"),
                        ("guangdong.tech_credit_risk_compensation", "loans")):
        result = decision.result(mid)
        if result.outcome.value == "not_applicable":
            continue
        assert result.outcome.value == "undetermined", (mid, result.outcome)
        assert any(m.startswith(listed) for m in result.missing), (mid, result.missing)
    answered = dict(data, projects=[], loans=[])
    decided = evaluate(ruleset, parse_profile(answered, AS_OF), AS_OF)
    assert decided.result("qingyuan.major_project").outcome.value == "ineligible"


def test_a_typed_innovation_total_outside_the_indicators_is_a_data_warning_not_the_decider(ruleset: RuleSet) -> None:
    """A firm with no IP that types 71: the indicators allow at most 64, so 71 is ignored and flagged (issue 17)."""
    from engine.evaluate import fact_warnings

    data = sample("qingcheng_ceramics_turning_hightech")
    set_path(data, "ip.class1", 0)
    set_path(data, "ip.class2", 0)
    set_path(data, "innovation.assessed_total", 71)
    decision = evaluate(ruleset, parse_profile(data, AS_OF), AS_OF)
    hnte = decision.result("national.hnte_recognition")
    assert hnte.outcome.value == "ineligible" and hnte.failing == ("innovation_score",)
    assert [fact_id for fact_id, _ in fact_warnings(ruleset, decision)] == ["hnte_assessed_total_outside"]
    inside = sample("qingcheng_ceramics_turning_hightech")  # 80 lies inside [59, 94]: it decides, no warning
    decided = evaluate(ruleset, parse_profile(inside, AS_OF), AS_OF)
    assert decided.result("national.hnte_recognition").outcome.value == "eligible"
    assert fact_warnings(ruleset, decided) == []
