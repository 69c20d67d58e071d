"""The issue-11 SME followed through the interview, and answers of "不知道" (declined)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from engine.decision import Outcome
from engine.interview import plan_interview
from engine.interview.simulate import run_interview, start_answers
from engine.model import RuleSet
from engine.names import profile_names, record_fields

AS_OF = dt.date(2026, 6, 30)
HNTE = "national.hnte_recognition"
AWARD = "qingyuan.hnte_award_first_time"
SME: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "qingyuan_new_materials_sme.yaml").read_text(encoding="utf-8"))


def full_form_fields() -> int:
    """Fields of the enterprise profile a complete form asks: scalars, plus three fiscal years."""
    scalars = [p for p, unit in profile_names("enterprise").items() if unit != "list" and p != "kind"]
    return len(scalars) + 3 * (len(record_fields()["finance"]) - 1)


def test_the_sme_reaches_a_decided_hnte_outcome(ruleset: RuleSet) -> None:
    first = plan_interview(ruleset, start_answers(SME, AS_OF), AS_OF)
    assert first.decision.result(HNTE).outcome is Outcome.UNDETERMINED
    assert any(HNTE in q.used_for and AWARD in q.used_for for q in first.questions)
    run = run_interview(ruleset, SME, AS_OF, stop=lambda p: p.decision.result(HNTE).outcome is not Outcome.UNDETERMINED)
    decided = run.last.decision
    assert decided.result(HNTE).outcome is Outcome.ELIGIBLE
    assert decided.result(AWARD).outcome is Outcome.ELIGIBLE
    asked = run.questions_asked
    assert 0 < asked < full_form_fields() / 2, (asked, full_form_fields())
    # money at stake comes first: the first page asks what the 高企 award (and so 高企认定) still needs
    assert all(HNTE in q.used_for and AWARD in q.used_for for q in first.pages[0])


def test_the_whole_interview_of_the_sme_ends_with_nothing_to_ask(ruleset: RuleSet) -> None:
    run = run_interview(ruleset, SME, AS_OF)
    assert run.last.done and not run.last.questions
    left = {r.measure_id for r in run.last.decision.results if r.outcome is Outcome.UNDETERMINED}
    assert set(run.last.undetermined) == left
    for measure_id in left:  # each waits only for a field the SME's data does not hold
        assert set(run.last.decision.result(measure_id).missing) <= set(run.last.declined)
    asked = [p for step in run.steps for p in step.asked]
    assert len(asked) == len(set(asked)), "a question was asked twice"


def test_a_declined_field_is_not_asked_again_and_its_measure_stays_undetermined(ruleset: RuleSet) -> None:
    data = start_answers(SME, AS_OF)
    plan = plan_interview(ruleset, data, AS_OF)
    target = next(q for q in plan.questions if q.path == "declarations.audited_tax_collection")
    after = plan_interview(ruleset, data, AS_OF, declined=frozenset({target.path}))
    assert target.path not in {q.path for q in after.questions}
    assert target.path in after.declined
    for measure_id in target.used_for:
        assert measure_id in after.undetermined
    assert len(after.questions) == len(plan.questions) - 1


def test_worth_is_the_published_amounts_of_the_undetermined(ruleset: RuleSet) -> None:
    plan = plan_interview(ruleset, start_answers(SME, AS_OF), AS_OF)
    award = plan.decision.result(AWARD)
    assert award.amount.kind == "up_to" and plan.worth_up_to
    assert plan.worth_undetermined >= award.amount.value
    assert all(plan.decision.result(m).amount.kind == "unpublished" for m in plan.unpublished)
    for question in plan.questions:
        assert question.worth == sum(
            plan.decision.result(m).amount.value for m in question.used_for
            if plan.decision.result(m).amount.kind in ("exact", "up_to"))
