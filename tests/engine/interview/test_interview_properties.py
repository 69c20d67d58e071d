"""Properties of the question choice, over the sample applicants and generated partial profiles."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.decision import Decision, Outcome
from engine.interview import Question, get_answer, plan_interview, set_answer
from engine.model import RuleSet
from tests.conftest import SAMPLES

AS_OF = dt.date(2025, 6, 30)
TODAY = dt.date(2026, 11, 23)  # the samples hold dates after AS_OF
SAMPLE_NAMES = sorted(p.stem for p in SAMPLES.glob("*.yaml"))
SME = yaml.safe_load((Path(__file__).parent / "qingyuan_new_materials_sme.yaml").read_text(encoding="utf-8"))


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((SAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


def read_names(decision: Decision) -> set[str]:
    """Every name a trace shows as read (conditions and facts), independently of `missing`."""
    names: set[str] = {"region_code"}  # the jurisdiction check reads the region of every local measure
    stack = [r.trace for r in decision.results if r.trace is not None]
    while stack:
        node = stack.pop()
        names |= set(node.reads)
        stack.extend(node.children)
    for fact in decision.facts:
        names |= set(fact.reads)
    return names


def is_read(path: str, names: set[str]) -> bool:
    head = path.split("[")[0] if "[" in path else path  # a field of a list item is read through its list
    return head in names or path in names


def filler(question: Question, as_of: dt.date) -> Any:
    """A valid value of the question's kind (what any answer would be, not a sample's); None: "不知道"."""
    if question.kind == "records":
        return []
    if question.choices:
        return [question.choices[0]] if question.kind == "multi" else question.choices[0]
    by_kind: dict[str, Any] = {"bool": False, "money": 1, "int": 1, "decimal": 1,
                               "date": (as_of - dt.timedelta(days=800)).isoformat()}
    codes = {"industry_code": "C3985", "tech_field": "4.1.1", "region_code": "441802"}
    return by_kind.get(question.kind, codes.get(question.path))


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_a_field_no_measure_reads_is_never_asked(ruleset: RuleSet, name: str) -> None:
    data = load(name)
    plan = plan_interview(ruleset, data, AS_OF, today=TODAY)
    names = read_names(plan.decision)
    not_applicable = {r.measure_id for r in plan.decision.results if r.outcome is Outcome.NOT_APPLICABLE}
    asked = {q.path for q in plan.questions}
    for question in plan.questions:
        record = question.path.rsplit(".", 1)[0]
        companions = {p for p in asked if p != question.path and p.startswith(record + ".")}
        # a required field of a record (a listing's date) is asked only with a read field of that record
        assert is_read(question.path, names) or (
            question.required and any(is_read(p, names) for p in companions)), question.path
        assert get_answer(data, question.path) is None, f"{question.path} is answered already"
        assert not set(question.used_for) & not_applicable


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_after_answering_everything_asked_nothing_is_left(ruleset: RuleSet, name: str) -> None:
    data = load(name)
    declined: set[str] = set()
    for _ in range(10):
        plan = plan_interview(ruleset, data, AS_OF, declined=frozenset(declined), today=TODAY)
        if plan.done:
            break
        for question in plan.questions:
            value = filler(question, AS_OF)
            if value is None:
                declined.add(question.path)
            else:
                data = set_answer(data, question.path, value)
    assert plan.done and not plan.questions
    for result in plan.decision.results:  # what stays undetermined waits for a declined field or an expert
        assert result.outcome is not Outcome.UNDETERMINED or set(result.missing) & declined or result.reason


@st.composite
def partial_profiles(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """(a complete enterprise profile, the same with a random choice of its sections and years removed)."""
    name = draw(st.sampled_from(["qingcheng_ceramics_turning_hightech", "hnte_rd_ratio_near_miss",
                                 "qy_new_hnte_benchmark_stack", "sg_zone_relocated_hnte", "SME"]))
    full = copy.deepcopy(SME) if name == "SME" else load(name)
    partial = copy.deepcopy(full)
    for key in sorted(k for k in full if k not in ("kind", "name")):
        if draw(st.booleans()):
            del partial[key]
        elif isinstance(partial[key], dict) and key != "listing":  # a listing is whole or absent
            for sub in sorted(partial[key]):
                if draw(st.booleans()):
                    del partial[key][sub]
        elif key == "finance":
            partial[key] = [year for year in partial[key] if draw(st.booleans())]
    return full, partial


def as_of_for(full: dict[str, Any]) -> dt.date:
    years = [y["year"] for y in full.get("finance", [])]
    return dt.date(max(years) + 1, 6, 30) if years else AS_OF


@settings(max_examples=25, deadline=None)
@given(partial_profiles(), st.integers(0, 3))
def test_answering_a_page_never_adds_undetermined_measures(ruleset: RuleSet, profiles: Any, which: int) -> None:
    full, partial = profiles
    as_of = as_of_for(full)
    plan = plan_interview(ruleset, partial, as_of, today=TODAY)
    if plan.done:
        return
    page = plan.pages[min(which, len(plan.pages) - 1)]
    answered = partial
    for question in page:
        value = get_answer(full, question.path)
        if value is not None:
            answered = set_answer(answered, question.path, value)
    after = plan_interview(ruleset, answered, as_of, declined=frozenset(q.path for q in page),
                           today=TODAY)
    # a list not given yet reads as "none held": answering it may re-open only the measures it is asked for
    reopened = {m for q in page if q.kind == "records" for m in q.used_for}
    assert set(after.undetermined) - set(plan.undetermined) <= reopened
    assert reopened <= set(plan.undetermined) | set(plan.provisional)
    assert not {q.path for q in page} & {q.path for q in after.questions}


@settings(max_examples=15, deadline=None)
@given(partial_profiles(), st.randoms(use_true_random=False))
def test_the_plan_does_not_depend_on_key_order(ruleset: RuleSet, profiles: Any, rnd: Any) -> None:
    _, partial = profiles
    keys = list(partial)
    rnd.shuffle(keys)
    shuffled = {k: partial[k] for k in keys}
    first = plan_interview(ruleset, partial, AS_OF, today=TODAY)
    second = plan_interview(ruleset, shuffled, AS_OF, today=TODAY)
    assert first.questions == second.questions and first.pages == second.pages
    assert first.worth_undetermined == second.worth_undetermined


@settings(max_examples=20, deadline=None)
@given(partial_profiles())
def test_no_unread_field_is_asked_of_a_partial_profile(ruleset: RuleSet, profiles: Any) -> None:
    full, partial = profiles
    plan = plan_interview(ruleset, partial, as_of_for(full), today=TODAY)
    names = read_names(plan.decision)
    asked = {q.path for q in plan.questions}
    for question in plan.questions:
        assert get_answer(partial, question.path) is None
        record = question.path.rsplit(".", 1)[0]
        companions = {p for p in asked if p != question.path and p.startswith(record + ".")}
        assert is_read(question.path, names) or (
            question.required and any(is_read(p, names) for p in companions)), question.path
