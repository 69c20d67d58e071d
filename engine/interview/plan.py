"""This file defines plan_interview: evaluate the answers so far and say what to ask next.

Pure and deterministic: the plan is a function of the RuleSet, the answers, the date and the declined
paths only. See docs/interview.md for how the choice works.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine import evaluate, parse_profile
from engine.decision import Outcome
from engine.interview.choose import open_fields, published_yuan, score_questions
from engine.interview.model import InterviewPlan
from engine.interview.pages import group_pages
from engine.model import RuleSet


def plan_interview(ruleset: RuleSet, profile_data: dict[str, Any], as_of: dt.date, *,
                   declined: frozenset[str] = frozenset(), today: dt.date | None = None,
                   ordering: str = "worth") -> InterviewPlan:
    """The decision for the answers so far and the questions that can still change an outcome.

    Args:
        ruleset: the loaded RuleSet.
        profile_data: the answers so far, shaped like a profile file; an absent field is unknown.
        as_of: the date of the decision.
        declined: profile paths answered "不知道 / don't know": never asked again, their measures stay
            undetermined.
        today: the date "in the future" is judged against when the answers are checked (default `as_of`).
        ordering: "worth" (money at stake first) or "share" (measures settled first); see choose.py.

    Returns:
        The InterviewPlan: decision, questions best first, pages, what is still undetermined and its worth.

    Raises:
        ProfileError: the answers do not make a valid profile (each problem names its field).
    """
    data = profile_data if "kind" in profile_data else {"kind": "enterprise", **profile_data}
    decision = evaluate(ruleset, parse_profile(data, today or as_of), as_of)
    opened = open_fields(ruleset, data, decision, as_of, today or as_of, frozenset(declined))
    questions = tuple(score_questions(data, opened, decision, ruleset.order, ordering))
    undetermined = tuple(r for r in decision.results if r.outcome is Outcome.UNDETERMINED)
    return InterviewPlan(
        decision=decision,
        questions=questions,
        pages=group_pages(questions),
        undetermined=tuple(r.measure_id for r in undetermined),
        worth_undetermined=sum(published_yuan(r) for r in undetermined),
        done=not questions,
        worth_up_to=any(r.amount.kind == "up_to" for r in undetermined),
        unpublished=tuple(r.measure_id for r in undetermined if r.amount.kind == "unpublished"),
        declined=tuple(sorted(opened.declined)),
        provisional=tuple(sorted({m for q in questions if q.kind == "records" for m in q.used_for}
                                 - {r.measure_id for r in undetermined})),
    )
