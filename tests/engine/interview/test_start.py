"""Issue 21: what the interview no longer asks, and why none of it can change an outcome.

- The firm's name: no rule reads it (the outcomes are the same whatever it is), so the interview never asks it;
  the engine evaluates an unnamed enterprise as "本企业" (`named`).
- The region: 高企认定 does not read it, so the start page leaves it for the plan, which asks it once (after
  高企) because local measures read it.
- A sibling alternative (科技型中小企业: a direct route or the score route): once one way of qualifying is
  true the other is never read; such a question waits for the next page and is asked only if still needed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import evaluate, parse_profile
from engine.decision import Outcome
from engine.errors import Message
from engine.interview import Question, plan_interview
from engine.interview.fields import field_info
from engine.interview.pages import group_pages
from engine.interview.reads import kind_reads
from engine.interview.simulate import run_interview, start_answers
from engine.interview.start import NEUTRAL_NAME, named, shown_start_paths, unnamed
from engine.interview.value import moot_after
from engine.model import RuleSet
from tests.conftest import SAMPLES

AS_OF, SAMPLE_AS_OF, TODAY = dt.date(2026, 6, 30), dt.date(2025, 6, 30), dt.date(2026, 11, 23)
HNTE, TECH_SME = "national.hnte_recognition", "national.tech_sme_evaluation"
SME: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "qingyuan_new_materials_sme.yaml").read_text(encoding="utf-8"))
ENTERPRISES = sorted(p.stem for p in SAMPLES.glob("*.yaml")
                     if yaml.safe_load(p.read_text(encoding="utf-8")).get("kind", "enterprise") == "enterprise")


def _sample(name: str) -> dict[str, Any]:
    return yaml.safe_load((SAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


def _outcomes(ruleset: RuleSet, data: dict[str, Any], as_of: dt.date) -> dict[str, Outcome]:
    return {r.measure_id: r.outcome for r in evaluate(ruleset, parse_profile(data, TODAY), as_of).results}


def test_the_start_page_asks_only_what_hnte_reads() -> None:
    assert shown_start_paths("enterprise", AS_OF) == (
        "registered_on", "tech_field", "staff.total", "staff.sci_tech", "finance[2025].sales")
    assert "name" in shown_start_paths("institution", AS_OF)  # other kinds keep their start page


def test_no_rule_reads_the_name(ruleset: RuleSet) -> None:
    assert "name" not in kind_reads(ruleset, "enterprise")
    for data, as_of in [(SME, AS_OF)] + [(_sample(n), SAMPLE_AS_OF) for n in ENTERPRISES]:
        given = _outcomes(ruleset, data, as_of)
        for name in (NEUTRAL_NAME, "另一家公司", "X"):
            assert _outcomes(ruleset, {**data, "name": name}, as_of) == given
        assert _outcomes(ruleset, named({k: v for k, v in data.items() if k != "name"}), as_of) == given


def test_named_fills_only_a_missing_enterprise_name() -> None:
    data = {"kind": "enterprise", "registered_on": "2020-01-01"}
    assert named(data) == {**data, "name": NEUTRAL_NAME} and "name" not in data  # a new dict
    assert named({**data, "name": "清远某公司"})["name"] == "清远某公司"
    assert named({**data, "name": "  "})["name"] == NEUTRAL_NAME
    assert named({"kind": "institution"}) == {"kind": "institution"}  # other kinds keep their own rules
    assert unnamed(NEUTRAL_NAME) and not unnamed("清远某公司")


@pytest.mark.parametrize("name", ENTERPRISES)
def test_the_region_cannot_change_hnte(ruleset: RuleSet, name: str) -> None:
    data = _sample(name)
    given = _outcomes(ruleset, data, SAMPLE_AS_OF)[HNTE]
    for region in (None, "441802", "440203", "440000"):  # none, Qingcheng, Shaoguan Wujiang, Guangdong outside both
        changed = {k: v for k, v in data.items() if k not in ("region_code", "park_code")}
        if region:
            changed["region_code"] = region
        assert _outcomes(ruleset, changed, SAMPLE_AS_OF)[HNTE] is given


def test_the_sme_reaches_hnte_in_20_answers_and_is_asked_the_region_after(ruleset: RuleSet) -> None:
    run = run_interview(ruleset, SME, AS_OF)
    answers = 1 + len(shown_start_paths("enterprise", AS_OF))  # the kind picker and the start page
    for step in run.steps:
        answers += step.answers  # as a person answers: "以上情形均没有" once for the adverse declarations
        if step.plan.decision.result(HNTE).outcome is not Outcome.UNDETERMINED:
            break
    assert answers <= 20 and step.plan.decision.result(HNTE).outcome is Outcome.ELIGIBLE
    asked = [p for s in run.steps for p in s.asked]
    assert "name" not in asked and asked.count("region_code") == 1
    assert _outcomes(ruleset, named(run.steps[-1].data), AS_OF) == \
        _outcomes(ruleset, SME, AS_OF)  # the same outcomes as the full profile, name or not


def test_the_sme_finishes_in_35_answers_with_one_answer_for_its_adverse_declarations(ruleset: RuleSet) -> None:
    run = run_interview(ruleset, SME, AS_OF)
    assert run.last.done
    assert 1 + len(shown_start_paths("enterprise", AS_OF)) + run.answers <= 35
    adverse = [p for s in run.steps for p in s.asked if p.startswith("declarations.") and field_info(
        "enterprise", p).adverse]
    assert len(adverse) >= 4  # 经营异常名录, 严重失信, 重大事故, 淘汰类 ...: all asked, none skipped
    assert len({i for i, s in enumerate(run.steps) for p in s.asked if p in adverse}) == 1  # on one page
    assert run.questions_asked - run.answers == len(adverse) - 1  # answered once with "以上情形均没有"
    assert _outcomes(ruleset, named(run.steps[-1].data), AS_OF) == _outcomes(ruleset, SME, AS_OF)


def test_an_adverse_declaration_that_applies_is_answered_item_by_item(ruleset: RuleSet) -> None:
    listed = {**SME, "declarations": {**SME["declarations"], "on_abnormal_operation_list": True}}
    unknown = {**SME, "declarations": {k: v for k, v in SME["declarations"].items() if k != "prohibited_catalogue"}}
    for known in (listed, unknown):  # no "none of these" for a firm on a list, or one that does not know
        run = run_interview(ruleset, known, AS_OF)
        page = next(s for s in run.steps if "declarations.on_abnormal_operation_list" in s.asked)
        assert page.answers == len(page.asked) and run.last.done  # one answer per question on that page
    run = run_interview(ruleset, listed, AS_OF)
    assert _outcomes(ruleset, named(run.steps[-1].data), AS_OF) == _outcomes(ruleset, listed, AS_OF)
    assert _outcomes(ruleset, listed, AS_OF)[TECH_SME] is Outcome.INELIGIBLE


def test_a_true_alternative_makes_the_other_routes_moot(ruleset: RuleSet) -> None:
    # the SME qualifies for 科技型中小企业 by the score route: the direct routes cannot change the outcome
    given = _outcomes(ruleset, SME, AS_OF)[TECH_SME]
    assert given is Outcome.ELIGIBLE
    for value in (True, False, None):
        ip = {**SME["ip"], "led_standard_within_5y": value, "national_award_top3_within_5y": value}
        assert _outcomes(ruleset, {**SME, "ip": {k: v for k, v in ip.items() if v is not None}}, AS_OF)[TECH_SME] \
            is given
    # before the routes are answered, each route's fields make the other's moot (an `any`)
    data = {**start_answers(SME, AS_OF), "resident_enterprise": True, "industry_code": "C3985",
            "certificates": [], "declarations": {k: SME["declarations"][k] for k in (
                "major_incident_or_misconduct", "on_abnormal_operation_list", "on_serious_dishonesty_list",
                "prohibited_catalogue", "audited_tax_collection")}}
    plan = plan_interview(ruleset, data, AS_OF)
    groups = dict(moot_after(plan.decision.result(TECH_SME)))
    assert (frozenset({"ip.national_award_top3_within_5y"}), True) in groups["ip.led_standard_within_5y"]
    assert any(any_ and "ip.class1" in g for g, any_ in groups["ip.led_standard_within_5y"])


def test_a_question_an_alternative_on_the_page_may_make_moot_waits_for_the_next_page() -> None:
    def q(path: str, moot: tuple[frozenset[str], ...] = ()) -> Question:
        return Question(path, Message(path, path), None, "bool", "bool", "ip", ("m",), 0,
                        moot_after=(("m", tuple((g, True) for g in moot)),) if moot else ())

    route_a = q("a", (frozenset({"b"}),))
    route_b = q("b", (frozenset({"a"}),))
    pages = group_pages([q("x"), q("y"), route_a, route_b, q("z")])
    assert [p.path for p in pages[0]] == ["x", "y", "a", "z"] and [p.path for p in pages[1]] == ["b"]
    assert [p.path for p in group_pages([route_a, route_b])[0]] == ["a", "b"]  # a short page keeps it


def test_a_knock_out_makes_moot_what_comes_after_it_on_a_short_page(ruleset: RuleSet) -> None:
    # the firm outside the catalogue: "no loans" rules the loan measures out, so their firm size is never asked
    known = yaml.safe_load((Path(__file__).parent / "personas" / "outside_catalogue_firm.yaml").read_text(
        encoding="utf-8"))
    run = run_interview(ruleset, known, AS_OF)
    asked = [p for s in run.steps for p in s.asked]
    assert "loans" in asked and "size_class" not in asked
    assert _outcomes(ruleset, named(run.steps[-1].data), AS_OF) == _outcomes(ruleset, known, AS_OF)
    for size in ("micro", "small", "medium", "large"):  # size_class cannot change an outcome without a loan
        assert _outcomes(ruleset, {**known, "size_class": size}, AS_OF) == _outcomes(ruleset, known, AS_OF)
