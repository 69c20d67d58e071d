"""The issue-11 SME followed through the interview, and answers of "不知道" (declined)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import evaluate, parse_profile
from engine.benefits import receivable_value
from engine.decision import Outcome
from engine.interview import plan_interview
from engine.interview.batch import batches
from engine.interview.simulate import run_interview, start_answers
from engine.interview.value import money_of
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
    assert "region_code" in {q.path for q in first.questions}  # not on the start page: 高企 does not read it
    placed = plan_interview(ruleset, {**start_answers(SME, AS_OF), "region_code": SME["region_code"]}, AS_OF)
    assert any(HNTE in q.used_for and AWARD in q.used_for for q in placed.questions)  # in Qingyuan: the award too
    def settled(plan: Any) -> bool:
        return all(plan.decision.result(m).outcome is not Outcome.UNDETERMINED for m in (HNTE, AWARD))

    run = run_interview(ruleset, SME, AS_OF, stop=settled)
    decided = run.last.decision
    assert decided.result(HNTE).outcome is Outcome.ELIGIBLE
    assert decided.result(AWARD).outcome is Outcome.CONDITIONAL  # 认定后可申请: paid once recognised
    asked = run.answers
    assert 0 < asked <= run.questions_asked < full_form_fields() / 2, (asked, full_form_fields())
    # the key measure comes first: the first two pages hold exactly what 高企认定 still needs, and settle it; the
    # other adverse declarations come with 高企's in one grouped unit ("以上情形均没有": one answer)
    for page in first.pages[:2]:
        grouped = batches(page)
        assert all(HNTE in q.used_for or any(HNTE in m.used_for for m in grouped.get(q.batch, ())) for q in page)
    assert [q.path for q in first.questions[:1]] == [first.pages[0][0].path]
    assert run.steps[1].plan.decision.result(HNTE).outcome is Outcome.ELIGIBLE  # after two pages
    assert "certificates" in {q.path for q in first.questions}  # an award for firms already recognised


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


def test_worth_is_money_receivable_as_of_right_in_the_own_area_never_a_sum_of_exclusives(ruleset: RuleSet) -> None:
    plan = plan_interview(ruleset, {**start_answers(SME, AS_OF), "region_code": SME["region_code"]}, AS_OF)
    award = plan.decision.result(AWARD)
    assert award.amount.kind == "up_to" and plan.worth_up_to
    assert plan.worth_undetermined >= receivable_value(award.amount) > 0
    shaoguan = [r for r in plan.decision.results if r.measure_id.startswith("shaoguan.")]
    assert shaoguan and all(r.outcome is Outcome.NOT_APPLICABLE for r in shaoguan)  # another city: never counted
    exclusive = [m for m in ("qingyuan.hnte_award_first_time", "qingyuan.hnte_award_renewal",
                             "qingyuan.hnte_award_benchmark") if m in plan.undetermined]
    paid = {m: receivable_value(plan.decision.result(m).amount) for m in exclusive}
    assert money_of(ruleset, plan.decision, exclusive) == max(paid.values())  # 就高不就低: paid once
    for question in plan.questions:
        assert question.worth == money_of(ruleset, plan.decision, question.used_for)
    assert plan.worth_undetermined < sum(receivable_value(plan.decision.result(m).amount) for m in plan.undetermined)


def test_a_region_not_given_counts_no_local_money(ruleset: RuleSet) -> None:
    data = start_answers(SME, AS_OF)
    assert "region_code" not in data  # the start page leaves the region for the plan to ask
    plan = plan_interview(ruleset, data, AS_OF)
    local = [m for m in plan.undetermined if m.split(".")[0] in ("qingyuan", "qingcheng", "shaoguan")]
    assert local  # undetermined: the area is not known yet
    assert money_of(ruleset, plan.decision, local) == 0  # "最高1,327万元" summed two cities: never again


def test_the_key_measure_comes_first_and_knockouts_before_figures(ruleset: RuleSet) -> None:
    plan = plan_interview(ruleset, start_answers(SME, AS_OF), AS_OF)
    first = [q.path for q in plan.pages[0]]
    for knockout in ("resident_enterprise", "ip.core_ip_owned", "declarations.major_incident_prior_year"):
        assert knockout in first  # one yes/no can rule 高企认定 out
    assert "innovation.assessed_total" in first  # one total before eight indicators
    assert not any(p.startswith("innovation.ip_") or p.endswith(".net_assets") for p in first)
    kinds = [q.kind for q in plan.questions if HNTE in q.used_for]
    assert kinds.index("money") > max(i for i, k in enumerate(kinds) if k == "bool" and i < 8)
    assert HNTE in plan.next_may_rule_out or HNTE in plan.next_settles


def test_the_next_page_says_what_it_settles(ruleset: RuleSet) -> None:
    run = run_interview(ruleset, SME, AS_OF)
    for before, step in zip([run.first, *[s.plan for s in run.steps]], run.steps, strict=False):
        for measure_id in before.next_settles:  # every field answered (the SME declines none of them here)
            if not set(step.asked) - set(step.answered):
                assert step.plan.decision.result(measure_id).outcome is not Outcome.UNDETERMINED, measure_id
        assert before.next_worth == money_of(ruleset, before.decision, before.next_settles)


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
