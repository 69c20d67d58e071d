"""This file defines plan_interview: evaluate the answers so far and say what to ask next.

Pure and deterministic: the plan is a function of the RuleSet, the answers, the date and the declined
paths only. See docs/interview.md for how the choice works.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine import evaluate, parse_profile
from engine.decision import Outcome
from engine.interview.choose import open_fields, score_questions
from engine.interview.model import InterviewPlan
from engine.interview.pages import group_pages
from engine.interview.start import named
from engine.interview.value import key_measure, knockouts, money_of, settleable, up_to
from engine.model import RuleSet


def plan_interview(ruleset: RuleSet, profile_data: dict[str, Any], as_of: dt.date, *,
                   declined: frozenset[str] = frozenset(), today: dt.date | None = None,
                   ordering: str = "value") -> InterviewPlan:
    """The decision for the answers so far and the questions that can still change an outcome.

    Args:
        ruleset: the loaded RuleSet.
        profile_data: the answers so far, shaped like a profile file; an absent field is unknown.
        as_of: the date of the decision.
        declined: profile paths answered "不知道 / don't know": never asked again, their measures stay
            undetermined.
        today: the date "in the future" is judged against when the answers are checked (default `as_of`).
        ordering: "value" (knock-outs and cheap answers of the weightiest measures first) or "share"; see choose.py.

    Returns:
        The InterviewPlan: decision, questions best first, pages, what is still undetermined and its worth.

    Raises:
        ProfileError: the answers do not make a valid profile (each problem names its field).
    """
    data = named(profile_data if "kind" in profile_data else {"kind": "enterprise", **profile_data})
    decision = evaluate(ruleset, parse_profile(data, today or as_of), as_of)
    opened = open_fields(ruleset, data, decision, as_of, today or as_of, frozenset(declined))
    questions = tuple(score_questions(ruleset, data, opened, decision, ordering))
    undetermined = tuple(r for r in decision.results if r.outcome is Outcome.UNDETERMINED)
    open_ids = [r.measure_id for r in undetermined]
    pages = group_pages(questions, focus=key_measure(str(data.get("kind", "enterprise")), decision))
    on_page = {q.path for q in pages[0]} if pages else set()
    settles = tuple(m for m in ruleset.order if m in opened.fields and opened.fields[m]
                    and opened.fields[m] <= on_page and settleable(decision.result(m)))
    may_fail = tuple(m for m in ruleset.order if m in opened.fields and m not in settles
                     and knockouts(decision.result(m)) & on_page)
    return InterviewPlan(
        decision=decision,
        questions=questions,
        pages=pages,
        undetermined=tuple(open_ids),
        worth_undetermined=money_of(ruleset, decision, open_ids),
        done=not questions,
        worth_up_to=up_to(decision, open_ids),
        next_settles=settles,
        next_may_rule_out=may_fail,
        next_worth=money_of(ruleset, decision, settles),
        unpublished=tuple(r.measure_id for r in undetermined if r.amount.kind == "unpublished"),
        declined=tuple(sorted(opened.declined)),
        provisional=tuple(sorted({m for q in questions if q.kind == "records" for m in q.used_for}
                                 - {r.measure_id for r in undetermined})),
    )
