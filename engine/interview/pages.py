"""This file groups the chosen questions into small pages of related fields, best page first.

Questions that belong together form a unit and are never split: the years of one finance line (R&D expense
2023, 2024, 2025) and the required fields of one record (a listing's board and date). The best remaining unit
opens a page (a grouped unit answered with one "以上情形均没有" takes the room of one question); the page takes the next best units of the same section first, then, while there is room, the
next best units of other sections (a page of one or two questions costs the user a click for little), up
to PAGE_SIZE questions. A question all of whose measures the page's answers may settle without it — a
knock-out, or the fields of a sibling branch (a true branch of an `any`, a false one of an `all`) — waits for
the next page, where the plan asks it only if it is still needed (the answer may make it moot). Inside a page the sections stay together, the opening section first.
"""

from __future__ import annotations

from engine.interview.model import Question
from engine.interview.paths import split_path

PAGE_SIZE = 7
MIN_PAGE = 3  # a page shorter than this takes back what waited (fewer answers, not one-question pages)


def _unit_key(question: Question) -> str:
    """Questions with the same key are asked together: one finance line, one record's required fields, or the
    adverse declarations answered with one "以上情形均没有" (engine/interview/batch.py)."""
    if question.batch:
        return f"batch:{question.batch}"
    segments = split_path(question.path)
    if segments[0][0] == "finance" and len(segments) == 2:
        return f"finance.{segments[1][0]}"
    if question.required and len(segments) > 1:
        return question.path.rsplit(".", 1)[0]
    return question.path


def _size(unit: list[Question]) -> int:
    """The room a unit takes on a page: one per question, one for a grouped unit (a single answer, its items
    answered one by one only where one applies)."""
    return 1 if unit[0].batch else len(unit)


def _filled(page: list[list[Question]]) -> int:
    return sum(map(_size, page))


def room(page: tuple[Question, ...] | list[Question]) -> int:
    """The room a page's questions take (at most PAGE_SIZE): a grouped unit counts once."""
    return _filled(_units(page))


def _year(question: Question) -> int:
    index = split_path(question.path)[0][1]
    return index if index is not None else -1


def _units(questions: list[Question] | tuple[Question, ...]) -> list[list[Question]]:
    units: dict[str, list[Question]] = {}
    for question in questions:  # best first, so each unit is listed at the rank of its best member
        units.setdefault(_unit_key(question), []).append(question)
    for key, members in units.items():
        if key.startswith("finance."):
            members.sort(key=_year)
    return list(units.values())


def _may_be_moot(question: Question, page: list[list[Question]], alternatives: bool = False) -> bool:
    """Every measure the question serves may be settled without it by the answers already on the page: a
    knock-out of that measure, or every field of a sibling branch that may settle the branch reading it. With
    `alternatives` (the key measure's pages, which are filled with its fields first) only a true alternative
    counts: the other ways of qualifying wait, the key measure's own conditions are asked together."""
    knocked = set() if alternatives else {m for placed in page for q in placed for m in q.knocks_out}
    paths = {q.path for placed in page for q in placed}
    settled_by = dict(question.moot_after)
    return all(m in knocked or any(group <= paths and (any_ or not alternatives) for group, any_ in settled_by.get(m, ()))
               for m in question.used_for)


def _take(pending: list[list[Question]], page: list[list[Question]], size: int, same: str | None,
          focus: str | None = None) -> None:
    """Move the units that fit (of section `same`, or of any section when None; only those serving the
    measure `focus` when given) from `pending` to `page`."""
    for unit in list(pending):
        if focus is not None and not any(focus in q.used_for for q in unit):
            continue
        if all(_may_be_moot(q, page, alternatives=focus is not None) for q in unit):
            continue  # answers on this page may settle every measure it serves: ask it next time if needed
        if (same is None or unit[0].group == same) and _filled(page) + _size(unit) <= size:
            page.append(unit)
            pending.remove(unit)


def group_pages(questions: list[Question] | tuple[Question, ...], size: int = PAGE_SIZE,
                focus: str | None = None) -> tuple[tuple[Question, ...], ...]:
    """Pages of at most `size` questions, in the order of their best question (see the module docstring).
    While the measure `focus` (the kind's key measure) has questions left, a page takes them first."""
    pending = _units(questions)
    pages: list[tuple[Question, ...]] = []
    while pending:
        page = [pending.pop(0)]
        if focus is not None and focus in page[0][0].used_for:
            _take(pending, page, size, None, focus)
        _take(pending, page, size, page[0][0].group)
        _take(pending, page, size, None)
        for unit in list(pending):  # a page shorter than MIN_PAGE takes what waited, rather than cost a click
            if _filled(page) >= MIN_PAGE:
                break
            if _filled(page) + _size(unit) <= size:
                page.append(unit)
                pending.remove(unit)
        sections: dict[str, list[Question]] = {}
        for unit in page:
            sections.setdefault(unit[0].group, []).extend(unit)
        pages.append(tuple(q for members in sections.values() for q in members))
    return tuple(pages)
