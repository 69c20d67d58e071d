"""Policy simulation: the same profiles under the current and a proposed RuleSet — who flips, what it costs.

    report = simulate(compile_ruleset(current, as_of), compile_ruleset(proposed, as_of), profiles)

Profiles are any iterable (a register, later the stored applications); they are decided column-wise in
chunks under both programs. Per measure: how many move between each pair of outcomes (eligible,
ineligible, undetermined, not applicable, or absent when a measure exists in one RuleSet only), who
they are, the change in cash budget (exact amounts and "up to" caps summed; unpublished amounts and
unknown amounts counted, never summed), and full-trace examples of flipped cases with the conditions
whose result changed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from engine.benefits import counts_as_receivable
from engine.decision import Decision, MeasureResult
from engine.fast.batch import ELIGIBLE
from engine.fast.columnar import Columnar
from engine.fast.protocol import Program
from engine.fast.result import MeasureColumns, Result

NAMES = ("not_applicable", "not_applicable", "not_applicable", "eligible", "ineligible", "undetermined", "conditional")
ABSENT = "absent"


@dataclass
class Budget:
    """Cash receivable by the eligible (engine.benefits.counts_as_receivable: paid to the applicant as of right),
    exact amounts and "up to" caps in yuan; the rest (competitive, case by case, tax, paid to a bank, unpublished,
    unknown) counted, never summed."""

    exact: Any = 0
    up_to: Any = 0
    unpublished: int = 0
    unknown: int = 0
    other: int = 0

    @property
    def cash(self) -> Any:
        return self.exact + self.up_to

    def add(self, columns: MeasureColumns, rows: Any) -> None:
        for i in rows:
            amount = columns.amount_of(int(i))
            if counts_as_receivable(amount):
                setattr(self, amount.kind, getattr(self, amount.kind) + amount.value)
            elif amount.kind in ("unpublished", "unknown"):
                setattr(self, amount.kind, getattr(self, amount.kind) + 1)
            else:
                self.other += 1


@dataclass
class Flip:
    index: int
    label: str
    before: str
    after: str


@dataclass
class ConditionChange:
    id: str
    text: str
    before: str
    after: str
    detail_before: str
    detail_after: str


@dataclass
class Example:
    flip: Flip
    changes: list[ConditionChange]
    before: MeasureResult | None
    after: MeasureResult | None


@dataclass
class MeasureChange:
    measure_id: str
    transitions: dict[tuple[str, str], int] = field(default_factory=dict)
    before: Budget = field(default_factory=Budget)
    after: Budget = field(default_factory=Budget)
    flips: list[Flip] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)

    @property
    def gained(self) -> int:
        return sum(n for (a, b), n in self.transitions.items() if b == "eligible" and a != "eligible")

    @property
    def lost(self) -> int:
        return sum(n for (a, b), n in self.transitions.items() if a == "eligible" and b != "eligible")

    @property
    def other(self) -> int:
        return sum(n for (a, b), n in self.transitions.items() if a != b) - self.gained - self.lost

    @property
    def budget_change(self) -> Any:
        return self.after.cash - self.before.cash


@dataclass
class Simulation:
    rows: int
    measures: list[MeasureChange]


def simulate(current: Any, proposed: Any, profiles: Iterable[Any], label: Callable[[Any], str] = str,
             examples: int = 3, chunk: int = 5000,
             trace: Callable[[Any, Any], Decision] | None = None) -> Simulation:
    """Decide every profile under both compiled RuleSets and report the differences per measure.

    Args:
        current, proposed: CompiledRuleSets (engine.fast.compile_ruleset), usually for the same as-of date.
        profiles: validated profile models or trusted profile dicts, in any number.
        label: how a flipped profile is named in the report (e.g. credit code and name).
        examples: flipped cases per measure and direction shown with their traces.
        trace: (program, profile) → Decision for the examples; default program.decide(profile).
    """
    ids = sorted(set(current.plans) | set(proposed.plans))
    changes = {mid: MeasureChange(mid) for mid in ids}
    kept: dict[tuple[str, str, str], list[tuple[Flip, Any]]] = {}
    before_c, after_c, offset = Columnar(current), Columnar(proposed), 0
    for batch in _chunks(profiles, chunk):
        old, new = before_c.evaluate(batch), after_c.evaluate(batch)
        for mid in ids:
            _compare(changes[mid], old, new, batch, offset, label, kept, examples)
        offset += len(batch)
    decide = trace or _trace
    for (mid, _, _), cases in kept.items():
        for flip, profile in cases:
            changes[mid].examples.append(_example(mid, flip, decide(current, profile), decide(proposed, profile)))
    return Simulation(offset, [changes[m] for m in ids])


def _trace(program: Program, profile: Any) -> Decision:
    """The full Decision of an example; a trusted dict is validated first (it was valid when it was made)."""
    if isinstance(profile, dict):
        from engine.profile import parse_profile

        profile = parse_profile(dict(profile), dt.date.max).profile
    return program.decide(profile)


def _chunks(profiles: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(profiles)
    while batch := list(islice(iterator, size)):
        yield batch


def _outcomes(result: Result, mid: str, n: int) -> tuple[np.ndarray, MeasureColumns | None]:
    columns = result.measures.get(mid)
    if columns is None:
        return np.full(n, ABSENT, dtype=object), None
    return np.array(NAMES, dtype=object)[columns.codes], columns


def _compare(change: MeasureChange, old: Result, new: Result, batch: list[Any], offset: int,
             label: Callable[[Any], str], kept: dict[tuple[str, str, str], list[tuple[Flip, Any]]],
             examples: int) -> None:
    n = len(batch)
    before, old_columns = _outcomes(old, change.measure_id, n)
    after, new_columns = _outcomes(new, change.measure_id, n)
    for (a, b), count in Counter(zip(before.tolist(), after.tolist(), strict=True)).items():
        change.transitions[(a, b)] = change.transitions.get((a, b), 0) + count
    for columns, budget in ((old_columns, change.before), (new_columns, change.after)):
        if columns is not None:
            budget.add(columns, np.flatnonzero(columns.codes == ELIGIBLE))
    for i in np.flatnonzero(before != after):
        flip = Flip(offset + int(i), label(batch[int(i)]), str(before[i]), str(after[i]))
        change.flips.append(flip)
        cases = kept.setdefault((change.measure_id, flip.before, flip.after), [])
        if len(cases) < examples:
            cases.append((flip, batch[int(i)]))


def _example(mid: str, flip: Flip, old: Decision, new: Decision) -> Example:
    before = next((r for r in old.results if r.measure_id == mid), None)
    after = next((r for r in new.results if r.measure_id == mid), None)
    old_leaves = {leaf.id: leaf for leaf in before.trace.leaves()} if before and before.trace else {}
    new_leaves = {leaf.id: leaf for leaf in after.trace.leaves()} if after and after.trace else {}
    changes = []
    for cid in [*old_leaves, *(c for c in new_leaves if c not in old_leaves)]:
        a, b = old_leaves.get(cid), new_leaves.get(cid)
        if a is None or b is None or a.result != b.result or a.params != b.params:
            node = b or a
            text = node.text.zh if node is not None and node.text is not None else cid
            changes.append(ConditionChange(cid, text, a.result if a else ABSENT, b.result if b else ABSENT,
                                           _detail(a), _detail(b)))
    return Example(flip, changes, before, after)


def _detail(leaf: Any) -> str:
    """'0.095 >= 0.1 [staff_ratio_min = 1/10 from 2016-01-01]' for a trace leaf."""
    if leaf is None:
        return ""
    from engine.canonical import plain

    parts = []
    if leaf.comparison:
        comp = leaf.comparison
        parts.append(f"{plain(comp.get('left'))} {comp.get('op')} {plain(comp.get('right'))}")
    if leaf.params:
        parts.append("[" + "; ".join(f"{p.name} = {plain(p.value)} from {p.effective_from}" for p in leaf.params) + "]")
    if leaf.missing:
        parts.append("missing: " + ", ".join(leaf.missing))
    return " ".join(parts) or leaf.result


__all__ = ["Budget", "Example", "Flip", "MeasureChange", "Simulation", "simulate"]
