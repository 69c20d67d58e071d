"""This file says what an answer is worth: the weight of each open measure and which questions knock one out.

- A measure's *weight* is 1 (every outcome matters, a tax rate or a status too) plus the money it pays as of
  right in 万元 (engine.benefits.receivable_value: never a competitive maximum, a tax treatment or money paid
  to a bank), plus the weight of every open measure that waits on its outcome (清远市高企首次认定奖励 reads
  高企认定, so 高企认定 carries the award).
- A *knock-out* is a field that alone settles a top-level condition of a measure: one answer can make the
  measure ineligible ("居民企业？", "申请前一年内有重大事故？"), so it is worth asking before the long lists.
- The *money* of a set of measures is the best combination the exclusions allow (engine.stacking: the 清远
  first-time, renewal and benchmark awards are paid once), receivable as of right only, and only for measures
  of the applicant's own area (a measure whose area is still unknown is never counted).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from fractions import Fraction

from engine.benefits import receivable_value
from engine.decision import Decision, MeasureResult, Outcome
from engine.model import RuleSet
from engine.stacking import best_combination
from engine.trace import TraceNode

KEY_MEASURES: dict[str, tuple[str, ...]] = {
    "enterprise": ("national.hnte_recognition", "national.tech_sme_evaluation"),
    "incubator": ("national.incubator_national", "qingyuan.incubator_support", "shaoguan.incubation_post_subsidy",
                  "national.maker_space_national", "national.star_space"),
    "institution": ("guangdong.new_rd_institution_provincial", "national.new_rd_institution_most",
                    "qingcheng.new_rd_institution_fund"),
    "talent": ("qingcheng.yinfeng_talent", "shaoguan.danxia_talent", "guangdong.special_support_plan",
               "qingcheng.talent_housing"),
    "team": ("guangdong.pearl_river_talent_teams", "guangdong.yangfan_plan"),
}
"""The measure each kind of applicant comes for, in order: the first still open is settled first (its fields
are asked before any other, and pages take them first), so 高企认定 is decided after the fewest answers."""
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "innovation.assessed_total": ("innovation.", "ip.class1", "ip.class2", "ip.self_developed", ".net_assets"),
}
"""A field that settles a condition alone, and the fields it stands for there: while it is neither answered
nor declined, those fields are not asked for the measure it serves (the 高企 score: one total, not eight
indicators and three years of net assets)."""
AREA_PATHS = frozenset({"region_code", "city", "region_class", "park_code"})
WAN = 10_000


def trace_reads(node: TraceNode) -> set[str]:
    """Every name the trace under `node` read (profile paths, facts, eligible(m))."""
    out: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        out |= set(current.reads)
        stack.extend(current.children)
    return out


def dependents(decision: Decision) -> dict[str, set[str]]:
    """measure id → the measures whose trace reads its outcome (eligible(m))."""
    out: dict[str, set[str]] = {}
    for result in decision.results:
        if result.trace is None:
            continue
        for name in trace_reads(result.trace):
            if name.startswith("eligible(") and name.endswith(")"):
                out.setdefault(name[len("eligible("):-1], set()).add(result.measure_id)
    return out


def weights(ruleset: RuleSet, decision: Decision, open_ids: Iterable[str]) -> dict[str, Fraction]:
    """Weight of each open measure: 1 + its receivable 万元 + for the open measures waiting on it (directly or
    through another), one each plus the best combination of their money the exclusions allow (the three 清远
    高企 awards are paid once, so 高企认定 carries the highest of them, not their sum)."""
    open_set = set(open_ids)
    results = {r.measure_id: r for r in decision.results}
    waiting = dependents(decision)
    out: dict[str, Fraction] = {}
    for measure_id in sorted(open_set):
        if measure_id not in results:
            continue
        seen: set[str] = set()
        todo = [measure_id]
        while todo:
            for other in sorted(waiting.get(todo.pop(), set()) & open_set - seen - {measure_id}):
                seen.add(other)
                todo.append(other)
        money = money_of(ruleset, decision, {measure_id} | seen)
        out[measure_id] = Fraction(1 + len(seen)) + Fraction(money, WAN)
    return out


def key_measure(kind: str, decision: Decision) -> str | None:
    """The measure an applicant of this kind comes for (KEY_MEASURES), the first that is still open."""
    open_ids = {r.measure_id for r in decision.results if r.outcome is Outcome.UNDETERMINED}
    return next((m for m in KEY_MEASURES.get(kind, ()) if m in open_ids), None)


def knockouts(result: MeasureResult) -> frozenset[str]:
    """Fields that alone settle one undetermined top-level condition of the measure (one answer can fail it)."""
    if result.trace is None or result.trace.result != "unknown":
        return frozenset()
    root = result.trace
    children = root.children if root.kind == "all" else (root,)
    out: set[str] = set()
    for child in children:
        if child.result == "unknown" and len(child.missing) == 1:
            out.add(child.missing[0])
    return frozenset(out)


def moot_after(result: MeasureResult) -> dict[str, tuple[tuple[frozenset[str], bool], ...]]:
    """field → the sets of fields whose answers alone may make it moot for this measure, each with whether it
    settles an `any` (a true alternative: the other ways of qualifying become moot).

    Under an undetermined `all` or `any`, the answers to every open field of one undetermined branch may settle
    the whole node (a false child of `all`, a true child of `any`: Kleene logic); a field read only by the
    node's other undetermined branches is then never read (the engine stops naming it as missing). A
    knock-out is the case of a one-field branch under the root `all`. A field also read outside those sibling
    branches is never listed: its answer may still count there.
    """
    if result.trace is None or result.trace.result != "unknown":
        return {}
    leaves: dict[str, int] = {}
    for leaf in unknown_leaves(result.trace):
        for path in set(leaf.missing):
            leaves[path] = leaves.get(path, 0) + 1
    out: dict[str, set[tuple[frozenset[str], bool]]] = {}

    def walk(node: TraceNode) -> None:
        open_children = [c for c in node.children if c.result == "unknown"]
        if node.kind in ("all", "any") and len(open_children) > 1:
            fields = [(c, frozenset(p for leaf in unknown_leaves(c) for p in leaf.missing)) for c in open_children]
            for child, settles in fields:
                if not settles:
                    continue
                others = [(c, f) for c, f in fields if c is not child]
                for path in {p for _c, f in others for p in f} - settles:
                    inside = sum(1 for c, _f in others for leaf in unknown_leaves(c) if path in set(leaf.missing))
                    if inside == leaves.get(path, 0):  # read nowhere else in the measure
                        out.setdefault(path, set()).add((settles, node.kind == "any"))
        for child in open_children:
            walk(child)

    walk(result.trace)
    return {path: tuple(sorted(groups, key=lambda g: (sorted(g[0]), g[1]))) for path, groups in out.items()}


def settleable(result: MeasureResult) -> bool:
    """Answering the measure's open fields is sure to settle it: its area is known (while it is not, its
    conditions are not read yet) and every undetermined condition reads a field an applicant can give (not
    a condition left unpublished or an expert's judgement, which answers may rule out, never settle)."""
    return in_area(result) and not (result.trace is not None
                                    and any(not leaf.missing for leaf in unknown_leaves(result.trace)))


def unknown_leaves(node: TraceNode) -> list[TraceNode]:
    """The undetermined leaf conditions under `node` (trace order): the ones naming what is missing."""
    if node.result != "unknown":
        return []
    if not node.children:
        return [node]
    return [leaf for child in node.children for leaf in unknown_leaves(child)]


def in_area(result: MeasureResult) -> bool:
    """The measure's area is known to include the applicant (its undetermined branch does not wait on the area)."""
    return not (set(result.missing) & AREA_PATHS)


def money_of(ruleset: RuleSet, decision: Decision, measure_ids: Iterable[str]) -> int:
    """Yuan receivable as of right if these measures all became eligible, exclusions respected, own area only."""
    wanted = set(measure_ids)
    chosen = tuple(dataclasses.replace(r, outcome=Outcome.ELIGIBLE) for r in decision.results
                   if r.measure_id in wanted and in_area(r))
    return best_combination(ruleset, chosen).total if chosen else 0


def up_to(decision: Decision, measure_ids: Iterable[str]) -> bool:
    """Some of that money is an "up to" (maximum) amount."""
    wanted = set(measure_ids)
    return any(r.amount.kind == "up_to" and receivable_value(r.amount) for r in decision.results
               if r.measure_id in wanted)
