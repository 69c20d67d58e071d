"""This file defines the grouped answer "以上情形均没有": one answer for the adverse declarations of a page.

The adverse yes/no fields of a record (a "yes" counts against the applicant: on the abnormal-operation list, a
major accident, products in the eliminated catalogue; the profile marks them `adverse`) are asked as one unit
(`Question.batch`), never split over pages. An applicant to whom none applies answers them all with one
choice, "以上情形均没有 / none of these", which stands for "no" to each of them — an answer the applicant
gives, never a guess: a unit left unanswered stays unknown. One that applies, or is not known, is answered
item by item like any other question.

    >>> from engine.errors import Message
    >>> from engine.interview.model import Question
    >>> q = [Question(p, Message(p, p), None, "bool", "bool", "declarations", ("m",), 0, batch="declarations")
    ...      for p in ("declarations.a", "declarations.b")]
    >>> none_of(q)
    {'declarations.a': False, 'declarations.b': False}
    >>> answers_on(q, {"declarations.a": False, "declarations.b": False}.get), answers_on(q, {}.get)
    (1, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from engine.errors import Message
from engine.interview.model import Question

NONE_OF = Message("以上情形均没有", "None of these applies")
"""The grouped answer's label."""
ASK = Message("是否存在以下情形？", "Does any of the following apply?")
"""The grouped question's lead."""
CLEAN = False
"""What "none of these" answers for each member: "no"."""


def batches(page: Iterable[Question]) -> dict[str, tuple[Question, ...]]:
    """The grouped units of a page: batch → its members in page order, only where two or more are asked
    (a batch of one is an ordinary question)."""
    found: dict[str, list[Question]] = {}
    for question in page:
        if question.batch:
            found.setdefault(question.batch, []).append(question)
    return {key: tuple(members) for key, members in found.items() if len(members) > 1}


def none_of(members: Iterable[Question]) -> dict[str, bool]:
    """The answers "以上情形均没有" stands for: each member's path → "no"."""
    return {q.path: CLEAN for q in members}


def answers_on(page: Iterable[Question], known: Callable[[str], Any]) -> int:
    """How many answers a person gives on a page, knowing `known(path)` (None: 不知道): one per question,
    except a grouped unit whose every member is "no", answered once with "以上情形均没有", and the questions
    about a record the applicant does not have (`Question.absent` known as "no": "没有研发中心"), answered once."""
    page = tuple(page)
    grouped = batches(page)
    absent = {q.absent for q in page if q.absent and known(q.path) is None and known(q.absent) is False}
    total = len(absent) + sum(1 for q in page if q.batch not in grouped
                              and not (q.absent in absent and known(q.path) is None))
    for members in grouped.values():
        total += 1 if all(known(q.path) is CLEAN for q in members) else len(members)
    return total
