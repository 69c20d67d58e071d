"""This file chooses the questions: the missing fields of undetermined measures, scored by what they decide.

A measure's missing fields come from the engine itself (`MeasureResult.missing`, only from the branches
that are undetermined), so a field no measure reads, or one whose measure is already decided or not
applicable, is never a question. A whole missing fiscal year ("finance[2023]") is opened into the fields
the rules read from it by evaluating once more with that year present but empty.
"""

from __future__ import annotations

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
from engine.model import RuleSet
from engine.trace import TraceNode

GROUP_ORDER = ("identity", "staff", "finance", "ip", "innovation", "rd_centre", "certificates", "listing",
               "hnte_application", "zone", "loans", "projects", "carrier", "institution", "person", "leader",
               "declarations")


def published_yuan(result: MeasureResult) -> int:
    """The published cash amount of a result in yuan ("up to" included); 0 when none is published."""
    amount = result.amount
    if amount.kind in ("exact", "up_to") and isinstance(amount.value, int):
        return int(amount.value)
    return 0


@dataclass(frozen=True)
class OpenFields:
    """For each measure an answer can still change, the fields still to ask (declined ones removed)."""

    fields: dict[str, frozenset[str]]  # measure id → askable paths (undetermined ones, and list readers)
    declined: frozenset[str]  # declined paths that still block some measure
    help: dict[str, Message]  # path → the condition text it feeds


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


def _help(decisions: Iterable[Decision | None], order: tuple[str, ...]) -> dict[str, Message]:
    """path → the text of the first undetermined condition (RuleSet order, then trace order) that names it."""
    found: dict[str, Message] = {}
    for decision in decisions:
        if decision is None:
            continue
        results = {r.measure_id: r for r in decision.results}
        for measure_id in order:
            result = results.get(measure_id)
            if result is None or result.outcome is not Outcome.UNDETERMINED or result.trace is None:
                continue
            for leaf in _unknown_leaves(result.trace):
                for path in leaf.missing:
                    if leaf.text is not None:
                        found.setdefault(path, leaf.text)
    return found


def _unknown_leaves(node: TraceNode) -> list[TraceNode]:
    if node.result != "unknown":
        return []
    if not node.children:
        return [node]
    return [leaf for child in node.children for leaf in _unknown_leaves(child)]


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
        fields[result.measure_id] = frozenset(p for p in paths if p not in declined and field_info(kind, p))
    for name, readers in list_readers(data, decision, ruleset.order).items():
        if name not in declined:
            for measure_id in readers:
                fields[measure_id] = fields.get(measure_id, frozenset()) | {name}
    return OpenFields(fields, frozenset(blocking), _help((decision, probe), ruleset.order))


def _natural(path: str) -> tuple[Any, ...]:
    return tuple((name, index if index is not None else -1) for name, index in split_path(path))


def score_questions(data: dict[str, Any], opened: OpenFields, decision: Decision, order: tuple[str, ...],
                    ordering: str = "worth") -> list[Question]:
    """Every askable field as a Question, best first.

    A field's share of a measure m it can still decide is 1/|fields m still needs|: the last field a measure
    needs counts as the whole measure, one of fifteen as a fifteenth. Its score is the sum of its shares.
    `ordering="worth"` (the default) puts first the field with the most published money per share
    (Σ yuan(m)/|fields of m|), then the score; `ordering="share"` puts the score first and money second.
    Remaining ties go to the section order of the full form, then the path.
    """
    kind = str(data.get("kind", "enterprise"))
    rank = {m: i for i, m in enumerate(order)}
    used: dict[str, list[str]] = {}
    for measure_id, paths in opened.fields.items():
        for path in paths:
            used.setdefault(path, []).append(measure_id)
    yuan = {r.measure_id: published_yuan(r) for r in decision.results}
    questions = []
    for path, measures in used.items():
        info = field_info(kind, path)
        assert info is not None
        measures.sort(key=lambda m: (rank.get(m, len(rank)), m))
        score = sum((Fraction(1, len(opened.fields[m])) for m in measures), Fraction(0))
        help_ = LIST_HELP if info.kind == "records" else opened.help.get(path)
        questions.append(Question(path, LIST_LABELS.get(path, info.label), help_, info.unit, info.kind, info.group,
                                  tuple(measures), sum(yuan[m] for m in measures),
                                  info.choices or code_choices(path, data.get("region_code")) or (
                                      list_choices(kind, path) if info.kind == "records" else ()), info.required,
                                  score))
    groups = {g: i for i, g in enumerate(GROUP_ORDER)}
    shares = {m: Fraction(yuan[m], len(paths)) for m, paths in opened.fields.items() if paths}
    if ordering == "worth":
        money = {q.path: sum((shares[m] for m in q.used_for), Fraction(0)) for q in questions}
        questions.sort(key=lambda q: (-money[q.path], -q.score, groups.get(q.group, len(groups)), _natural(q.path)))
    else:
        questions.sort(key=lambda q: (-q.score, -q.worth, groups.get(q.group, len(groups)), _natural(q.path)))
    return questions
