"""The issue-11 SME followed through the interview, and answers of "不知道" (declined)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import evaluate, parse_profile
from engine.decision import Outcome
from engine.interview import plan_interview
from engine.interview.simulate import run_interview, start_answers
from engine.model import RuleSet
from engine.names import profile_names, record_fields
from tests.conftest import SAMPLES

AS_OF = dt.date(2026, 6, 30)
SAMPLE_AS_OF, TODAY = dt.date(2025, 6, 30), dt.date(2026, 11, 23)  # the samples' date; some hold later dates
HNTE = "national.hnte_recognition"
AWARD = "qingyuan.hnte_award_first_time"
SME: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "qingyuan_new_materials_sme.yaml").read_text(encoding="utf-8"))


def full_form_fields(kind: str = "enterprise") -> int:
    """Fields of the profile a complete form asks: its scalars, plus three fiscal years where it has them."""
    names = profile_names(kind)
    scalars = [p for p, unit in names.items() if unit != "list" and p != "kind"]
    return len(scalars) + (3 * (len(record_fields()["finance"]) - 1) if "finance" in names else 0)


def test_the_sme_reaches_a_decided_hnte_outcome(ruleset: RuleSet) -> None:
    first = plan_interview(ruleset, start_answers(SME, AS_OF), AS_OF)
    assert first.decision.result(HNTE).outcome is Outcome.UNDETERMINED
    assert any(HNTE in q.used_for and AWARD in q.used_for for q in first.questions)
    def settled(plan: Any) -> bool:
        return all(plan.decision.result(m).outcome is not Outcome.UNDETERMINED for m in (HNTE, AWARD))

    run = run_interview(ruleset, SME, AS_OF, stop=settled)
    decided = run.last.decision
    assert decided.result(HNTE).outcome is Outcome.ELIGIBLE
    assert decided.result(AWARD).outcome is Outcome.CONDITIONAL  # 认定后可申请: paid once recognised
    asked = run.questions_asked
    assert 0 < asked < full_form_fields() / 2, (asked, full_form_fields())
    # money at stake comes first: the first pages ask what the 高企 award (and so 高企认定) still needs
    assert all(AWARD in page[0].used_for or AWARD in page[-1].used_for for page in first.pages[:3])
    assert [q.path for q in first.questions[:1]] == [first.pages[0][0].path]
    assert "certificates" in {q.path for q in first.pages[0]}  # an award for firms already recognised


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


@pytest.mark.parametrize("name", sorted(p.stem for p in SAMPLES.glob("*.yaml")))
def test_the_interview_ends_where_the_full_form_does(ruleset: RuleSet, name: str) -> None:
    """Asking less loses nothing: every outcome equals the full profile's (fields it lacks are "不知道")."""
    known = yaml.safe_load((SAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    run = run_interview(ruleset, known, SAMPLE_AS_OF, today=TODAY)
    full = evaluate(ruleset, parse_profile(known, TODAY), SAMPLE_AS_OF)
    assert run.last.done
    assert {r.measure_id: r.outcome for r in run.last.decision.results} == {
        r.measure_id: r.outcome for r in full.results}
    assert run.questions_asked < full_form_fields(str(known["kind"]))
