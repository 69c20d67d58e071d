"""This file groups the chosen questions into small pages of related fields, best page first.

The fields of one fiscal-year line (e.g. R&D expense of the three years) stay together, and so do the
required fields of one record (a listing's board and date); a page holds fields of one section only and
at most PAGE_SIZE questions. A page's place is the rank of its best question.
"""

from __future__ import annotations

from engine.interview.model import Question
from engine.interview.paths import split_path

PAGE_SIZE = 6


def _unit_key(question: Question) -> str:
    """Questions with the same key are asked together: one finance line, or one record's required fields."""
    segments = split_path(question.path)
    if segments[0][0] == "finance" and len(segments) == 2:
        return f"finance.{segments[1][0]}"
    if question.required and len(segments) > 1:
        return question.path.rsplit(".", 1)[0]
    return question.path


def _year(question: Question) -> int:
    index = split_path(question.path)[0][1]
    return index if index is not None else -1


def group_pages(questions: list[Question] | tuple[Question, ...],
                size: int = PAGE_SIZE) -> tuple[tuple[Question, ...], ...]:
    """Pages of at most `size` questions of one section each, in the order of their best question."""
    units: dict[str, list[Question]] = {}
    for question in questions:  # best first, so each unit is listed at the rank of its best member
        units.setdefault(_unit_key(question), []).append(question)
    for key, members in units.items():
        if key.startswith("finance."):
            members.sort(key=_year)
    pending = list(units.values())
    pages: list[tuple[Question, ...]] = []
    while pending:
        first = pending.pop(0)
        page = list(first)
        rest = []
        for unit in pending:
            if unit[0].group == first[0].group and len(page) + len(unit) <= size:
                page.extend(unit)
            else:
                rest.append(unit)
        pending = rest
        pages.append(tuple(page))
    return tuple(pages)
