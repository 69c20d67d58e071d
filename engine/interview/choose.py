"""This file chooses the questions: the missing fields of undetermined measures, scored by what they decide.

A measure's missing fields come from the engine itself (`MeasureResult.missing`, only from the branches
that are undetermined), so a field no measure reads, or one whose measure is already decided or not
applicable, is never a question. A whole missing fiscal year ("finance[2023]") is opened into the fields
the rules read from it by evaluating once more with that year present but empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from engine import evaluate, parse_profile
from engine.decision import Decision, MeasureResult, Outcome
from engine.errors import Message, ProfileError
from engine.interview.fields import code_choices, field_info
from engine.interview.lists import LIST_HELP, LIST_LABELS, list_choices, list_readers
from engine.interview.model import Question
from engine.interview.paths import KEYED_LISTS, get_answer, set_answer, split_path
from engine.interview.value import (
    ALTERNATIVES,
    key_measure,
    knockouts,
    money_of,
    moot_after,
    unknown_leaves,
    weights,
)
from engine.model import RuleSet

GROUP_ORDER = ("identity", "staff", "finance", "ip", "innovation", "rd_centre", "certificates", "listing",
               "hnte_application", "zone", "loans", "projects", "carrier", "institution", "person", "leader",
               "declarations")


@dataclass(frozen=True)
class OpenFields:
    """For each measure an answer can still change, the fields still to ask (declined ones removed)."""

    fields: dict[str, frozenset[str]]  # measure id → askable paths (undetermined ones, and list readers)
    declined: frozenset[str]  # declined paths that still block some measure
    help: dict[str, dict[str, Message]]  # path → measure id → the text of that measure's condition it feeds


def _is_record(kind: str, path: str) -> bool:
    info = field_info(kind, path)
    return info is not None and info.kind == "record"


def _probe(ruleset: RuleSet, data: dict[str, Any], records: set[str], as_of: dt.date,
           today: dt.date) -> Decision | None:
    """The decision with every missing record present but empty, to learn which of its fields are read."""
    probe = data
    for path in sorted(records):
        (name, index), = split_path(path)
        key = KEYED_LISTS.get(name)
        if key is None or index is None:
            continue
        probe = set_answer(probe, f"{name}[{index}].{key}", index)
    try:
        return evaluate(ruleset, parse_profile(probe, today), as_of)
    except ProfileError:
        return None


def _expand(result: MeasureResult, records: set[str], probe: Decision | None, other: set[str]) -> set[str]:
    """The fields of each missing record the measure reads (or, failing that, the same fields of other years)."""
    out: set[str] = set()
    seen = set(probe.result(result.measure_id).missing) if probe is not None else set()
    for record in records:
        found = {p for p in seen if p.startswith(record + ".")}
        if not found:
            name = split_path(record)[0][0]
            leaves = {p.rsplit(".", 1)[1] for p in other if p.startswith(name + "[") and "." in p}
            found = {f"{record}.{leaf}" for leaf in leaves} or {record}
        out |= found
    return out


def _help(decisions: Iterable[Decision | None], order: tuple[str, ...]) -> dict[str, dict[str, Message]]:
    """path → measure → the text of the first undetermined condition of that measure (trace order) naming it."""
    found: dict[str, dict[str, Message]] = {}
    for decision in decisions:
        if decision is None:
            continue
        results = {r.measure_id: r for r in decision.results}
        for measure_id in order:
            result = results.get(measure_id)
            if result is None or result.outcome is not Outcome.UNDETERMINED or result.trace is None:
                continue
            for leaf in unknown_leaves(result.trace):
                for path in leaf.missing:
                    if leaf.text is not None:
                        found.setdefault(path, {}).setdefault(measure_id, leaf.text)
    return found


def _help_for(path: str, measures: list[str], opened: OpenFields, rank: dict[str, Any]) -> Message | None:
    """The hint of a question: the condition of the measure it serves that ranks first (the key measure, then
    the heaviest) — never a condition of a measure the question does not serve."""
    texts = opened.help.get(path, {})
    for measure_id in sorted(measures, key=lambda m: rank.get(m, (1, 0))):
        if measure_id in texts:
            return texts[measure_id]
    return None


def open_fields(ruleset: RuleSet, data: dict[str, Any], decision: Decision, as_of: dt.date, today: dt.date,
                declined: frozenset[str]) -> OpenFields:
    """The askable fields of every undetermined measure of `decision`."""
    kind = str(data.get("kind", "enterprise"))
    undetermined = [r for r in decision.results if r.outcome is Outcome.UNDETERMINED]
    records = {p for r in undetermined for p in r.missing if _is_record(kind, p)}
    probe = _probe(ruleset, data, records, as_of, today) if records else None
    fields: dict[str, frozenset[str]] = {}
    blocking: set[str] = set()
    for result in undetermined:
        missing = set(result.missing)
        mine = {p for p in missing if p in records}
        paths = (missing - mine) | (_expand(result, mine, probe, missing - mine) if mine else set())
        for path in sorted(paths):
            info = field_info(kind, path)
            if info is not None:
                paths |= {s for s in info.siblings if get_answer(data, s) is None}
        blocking |= paths & declined
        for alone, stands_for in ALTERNATIVES.items():
            if alone in paths and alone not in declined:  # ask the one field first, the ones it stands for after
                paths = {p for p in paths if p == alone or not any(s in p for s in stands_for)}
        fields[result.measure_id] = frozenset(p for p in paths if p not in declined and field_info(kind, p))
    for name, readers in list_readers(data, decision, ruleset.order).items():
        if name not in declined:
            for measure_id in readers:
                fields[measure_id] = fields.get(measure_id, frozenset()) | {name}
    return OpenFields(fields, frozenset(blocking), _help((decision, probe), ruleset.order))


def _natural(path: str) -> tuple[Any, ...]:
    return tuple((name, index if index is not None else -1) for name, index in split_path(path))


COST = {"bool": 1, "choice": 1, "multi": 1, "code": 1, "records": 1, "date": 2, "int": 2, "decimal": 2, "text": 2,
        "money": 3}
"""The effort of answering one field: a yes/no or a pick costs 1, a count or a date 2, a figure from the books 3."""


def cost(kind: str) -> int:
    return COST.get(kind, 2)


def score_questions(ruleset: RuleSet, data: dict[str, Any], opened: OpenFields, decision: Decision,
                    ordering: str = "value") -> list[Question]:
    """Every askable field as a Question, best first.

    `ordering="value"` (the default): a field's priority is Σ over the open measures m it serves of
    weight(m) / effort(m), doubled where the field is a knock-out of m (one answer can make m ineligible),
    divided by the field's own effort (engine/interview/value.py: weight = 1 + receivable 万元 + the weights
    of the measures waiting on m; effort = Σ COST of m's open fields). The fields of the kind's key measure
    (value.KEY_MEASURES: 高企认定 for an enterprise) come first, then the rest; within each, knock-outs come
    first, cheap questions before figures, and measures settled with the fewest answers before long ones.
    `ordering="share"` puts the plain score (Σ 1/|fields of m|) first. Remaining ties go to the section order
    of the full form, then the path. A field's `score` is Σ 1/|fields of m| over the measures it serves.
    """
    kind = str(data.get("kind", "enterprise"))
    rank = {m: i for i, m in enumerate(ruleset.order)}
    used: dict[str, list[str]] = {}
    for measure_id, paths in opened.fields.items():
        for path in paths:
            used.setdefault(path, []).append(measure_id)
    results = {r.measure_id: r for r in decision.results}
    key = key_measure(kind, decision)
    weight = weights(ruleset, decision, opened.fields)
    preferred = {m: (0 if m == key else 1, -weight.get(m, 0)) for m in opened.fields}
    questions = []
    for path, measures in used.items():
        info = field_info(kind, path)
        assert info is not None
        measures.sort(key=lambda m: (rank.get(m, len(rank)), m))
        score = sum((Fraction(1, len(opened.fields[m])) for m in measures), Fraction(0))
        help_ = LIST_HELP if info.kind == "records" else _help_for(path, measures, opened, preferred)
        questions.append(Question(path, LIST_LABELS.get(path, info.label), help_, info.unit, info.kind, info.group,
                                  tuple(measures), money_of(ruleset, decision, measures),
                                  info.choices or code_choices(path, data.get("region_code")) or (
                                      list_choices(kind, path) if info.kind == "records" else ()), info.required,
                                  score, batch=info.group if info.adverse else "", absent=info.absent))
    groups = {g: i for i, g in enumerate(GROUP_ORDER)}
    if ordering == "share":
        questions.sort(key=lambda q: (-q.score, -q.worth, groups.get(q.group, len(groups)), _natural(q.path)))
        return questions
    kinds = {q.path: q.kind for q in questions}
    knocks = {m: knockouts(results[m]) for m in opened.fields}
    moot = {m: moot_after(results[m]) for m in opened.fields}
    questions = [dataclasses.replace(q, knocks_out=tuple(m for m in q.used_for if q.path in knocks[m]),
                                     moot_after=tuple((m, moot[m][q.path]) for m in q.used_for if q.path in moot[m]))
                 for q in questions]
    effort = {m: sum(cost(kinds[p]) for p in paths) for m, paths in opened.fields.items()}
    priority = {q.path: sum((weight[m] * (2 if q.path in knocks[m] else 1) / effort[m] for m in q.used_for
                             if effort[m]), Fraction(0)) / cost(q.kind) for q in questions}
    questions.sort(key=lambda q: (key not in q.used_for, -priority[q.path], -q.score,
                                  groups.get(q.group, len(groups)), _natural(q.path)))
    return questions
