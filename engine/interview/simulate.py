"""This file plays an interview through with answers taken from a known profile (tests and the benchmark).

Start from the start-page fields, answer the plan's first page from the known profile (a field it lacks
is answered "不知道"), plan again, and stop when the plan is done (or a caller's condition holds). Answers are
counted as a person gives them (`Step.answers`): one per question, one for a grouped unit whose every item is
"no" ("以上情形均没有", engine/interview/batch.py), one "没有研发中心" for the questions about a centre the firm
does not have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.interview.batch import answers_on
from engine.interview.model import InterviewPlan
from engine.interview.paths import get_answer, set_answer
from engine.interview.plan import plan_interview
from engine.interview.start import start_paths
from engine.model import RuleSet


@dataclass(frozen=True)
class Step:
    """One page asked: its paths, which were answered, and the answers and plan it led to."""

    asked: tuple[str, ...]
    answered: tuple[str, ...]
    plan: InterviewPlan
    data: dict[str, Any]  # the answers after this page
    declined: frozenset[str]  # every path declined up to this page
    answers: int = 0  # the answers a person gives on this page (a grouped "以上情形均没有" counts one)


@dataclass(frozen=True)
class InterviewRun:
    start: dict[str, Any]
    first: InterviewPlan  # the plan right after the start page
    steps: tuple[Step, ...]

    @property
    def last(self) -> InterviewPlan:
        return self.steps[-1].plan if self.steps else self.first

    @property
    def questions_asked(self) -> int:
        return sum(len(step.asked) for step in self.steps)

    @property
    def answers(self) -> int:
        """The answers given on the interview's pages, as a person gives them (Step.answers)."""
        return sum(step.answers for step in self.steps)


def start_answers(known: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    """The start page filled from a known profile (fields it lacks left out)."""
    kind = str(known.get("kind", "enterprise"))
    data: dict[str, Any] = {"kind": kind}
    for path in start_paths(kind, as_of):
        value = get_answer(known, path)
        if value is not None:
            data = set_answer(data, path, value)
    return data


def run_interview(ruleset: RuleSet, known: dict[str, Any], as_of: dt.date, *, max_pages: int = 100,
                  stop: Callable[[InterviewPlan], bool] | None = None,
                  today: dt.date | None = None, ordering: str = "value") -> InterviewRun:
    """Follow the plan's first page again and again, answering from `known`, until done (or `stop`)."""
    data = start_answers(known, as_of)
    declined: frozenset[str] = frozenset()
    plan = first = plan_interview(ruleset, data, as_of, today=today, ordering=ordering)
    steps: list[Step] = []
    while not plan.done and len(steps) < max_pages and not (stop and stop(plan)):
        page = plan.pages[0]
        answered = []
        for question in page:
            value = get_answer(known, question.path)
            if value is None and question.absent and get_answer(known, question.absent) is False:
                data = set_answer(data, question.absent, False)  # "没有研发中心": answers this question too
                answered.append(question.path)
            elif value is None:  # a field (or a list) the profile lacks is "不知道", never "none"
                declined |= {question.path}
            else:
                data = set_answer(data, question.path, value)
                answered.append(question.path)
        plan = plan_interview(ruleset, data, as_of, declined=declined, today=today, ordering=ordering)
        steps.append(Step(tuple(q.path for q in page), tuple(answered), plan, data, declined,
                          answers_on(page, lambda path: get_answer(known, path))))
    return InterviewRun(start_answers(known, as_of), first, tuple(steps))
