"""Issue 21 item 4: "没有研发中心" and "不在任何园区" are answers that decide, not 不知道.

A firm without an R&D centre answers `rd_centre.exists: false` (offered with every question about the centre:
`Question.absent`); the rules reading the centre's founding date, premises and equipment treat it as not met. A
firm in no park answers `park_code: "none"` (engine.standards.regions.NO_PARK, the first choice of the park
question); a rule asking for the Shaoguan High-tech Zone fails on it. Left unanswered, both stay unknown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from engine import evaluate, parse_profile
from engine.decision import Outcome
from engine.interview import plan_interview
from engine.interview.simulate import run_interview
from engine.interview.start import named
from engine.model import RuleSet
from engine.standards.regions import NO_PARK
from tests.conftest import SAMPLES

AS_OF, TODAY = dt.date(2025, 6, 30), dt.date(2026, 11, 23)
STEEL = yaml.safe_load((SAMPLES / "shaoguan_special_steel_supplier.yaml").read_text(encoding="utf-8"))
CENTRE, ZONE = "guangdong.enterprise_tech_centre", "shaoguan.hightech_zone_relocation"


def _outcomes(ruleset: RuleSet, data: dict[str, Any]) -> dict[str, Outcome]:
    return {r.measure_id: r.outcome for r in evaluate(ruleset, parse_profile(named(data), TODAY), AS_OF).results}


def test_without_an_answer_the_centre_and_the_park_stay_unknown(ruleset: RuleSet) -> None:
    assert "rd_centre" not in STEEL and "park_code" not in STEEL
    run = run_interview(ruleset, STEEL, AS_OF, today=TODAY)
    asked = {p for s in run.steps for p in s.asked}
    assert {"rd_centre.founded_on", "park_code"} <= asked
    assert {CENTRE, ZONE} <= set(run.last.undetermined)  # 不知道: never read as "none"


def test_no_centre_and_no_park_decide(ruleset: RuleSet) -> None:
    known = {**STEEL, "park_code": NO_PARK, "rd_centre": {"exists": False}}
    outcomes = _outcomes(ruleset, known)
    assert outcomes[CENTRE] is Outcome.INELIGIBLE and outcomes[ZONE] is Outcome.INELIGIBLE
    run = run_interview(ruleset, known, AS_OF, today=TODAY)
    assert run.last.done and not {CENTRE, ZONE} & set(run.last.undetermined)
    assert _outcomes(ruleset, run.steps[-1].data) == outcomes  # the interview ends where the full profile does
    centre = next(s for s in run.steps if "rd_centre.founded_on" in s.asked)
    assert centre.data["rd_centre"] == {"exists": False}  # answered "没有研发中心", not a date, not 不知道


def test_the_questions_offer_the_none_answers(ruleset: RuleSet) -> None:
    data = {**{k: STEEL[k] for k in ("kind", "region_code", "registered_on", "tech_field", "staff", "finance")}}
    questions = {q.path: q for q in plan_interview(ruleset, data, AS_OF, today=TODAY).questions}
    assert questions["rd_centre.founded_on"].absent == "rd_centre.exists"
    assert questions["park_code"].choices[0] == NO_PARK
    with_centre = _outcomes(ruleset, {**STEEL, "rd_centre": {"founded_on": dt.date(2020, 1, 1)}})
    assert with_centre[CENTRE] is not Outcome.UNDETERMINED  # a founding date alone still decides (unchanged)
