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


def test_the_bonus_counted_within_the_cap_is_the_bonus_the_zone_pays(ruleset: RuleSet) -> None:
    paid = ruleset.measures[BONUS].parameters["bonus"].values
    counted = ruleset.measures[CONTRIBUTION].parameters["bonus_within_cap"].values
    assert [(v.value, v.effective_from) for v in paid] == [(v.value, v.effective_from) for v in counted]


def test_both_zone_hnte_awards_together_stay_within_250000_yuan(ruleset: RuleSet) -> None:
    results = _amounts(ruleset, 400_000)
    assert {r.outcome.value for r in results.values()} == {"eligible"}
    assert results[BONUS].amount.value + results[CONTRIBUTION].amount.value == 250_000  # not 300,000


def test_below_the_cap_the_contribution_is_paid_in_full(ruleset: RuleSet) -> None:
    results = _amounts(ruleset, 120_000)
    assert results[CONTRIBUTION].amount.value == 120_000 and results[BONUS].amount.value == 50_000
