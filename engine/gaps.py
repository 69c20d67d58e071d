"""Why-not: for a failed numeric condition, the smallest change that would pass it.

`a / b >= t` → raise a by ⌈t·b − a⌉ (b fixed), or, with `gap: both` (hiring S&T staff raises staff
too), by ⌈(t·b − a)/(1 − t)⌉; `x >= t` → raise x by t − x; `x > t` on whole units → t + 1 − x.
Ceilings apply to whole units (yuan, people, points); ratios and intervals are reported exactly.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from engine.decision import Gap
from engine.errors import Message
from engine.explain import field_label, fmt
from engine.expr.nodes import Binary, Compare, Name, Node
from engine.expr.values import is_number
from engine.model import Condition, Criterion, Measure
from engine.trace import Frame, TraceNode

WHOLE_UNITS = {"money", "count", "points", "days", "months", "years", "area"}


def conditions_of(node: Criterion) -> dict[str, Condition]:
    if isinstance(node, Condition):
        return {node.id: node}
    out: dict[str, Condition] = {}
    for child in node.children:
        out.update(conditions_of(child))
    return out


_GAPPABLE: dict[int, tuple[Criterion, dict[str, Condition]]] = {}  # id → (criteria, its gap conditions), read only


def gap_conditions(criteria: Criterion) -> dict[str, Condition]:
    """The conditions of `criteria` a gap can be worked out for (`x >= t`, `x > t`, gap not "none"), by id;
    worked out once per criteria tree (the tree is kept, so its id stays its own)."""
    found = _GAPPABLE.get(id(criteria))
    if found is not None and found[0] is criteria:
        return found[1]
    gappable = {cid: cond for cid, cond in conditions_of(criteria).items()
                if cond.gap != "none" and isinstance(cond.expr, Compare) and cond.expr.op in (">=", ">")}
    if len(_GAPPABLE) < 4096:
        _GAPPABLE[id(criteria)] = (criteria, gappable)
    return gappable


def gaps_for(run: Any, measure: Measure, tree: TraceNode | None, failing: tuple[str, ...]) -> list[Gap]:
    gappable = gap_conditions(measure.criteria)
    out = []
    for cid in failing:
        cond = gappable.get(cid)
        if cond is not None:
            gap = _gap(run, cond)
            if gap is not None:
                out.append(gap)
    return out


def _split(run: Any, node: Node) -> tuple[Node, Node | None, dict[str, Any] | None]:
    """(numerator, denominator, parameter scope) of a ratio, looking through a fact's definition."""
    if isinstance(node, Binary) and node.op == "/":
        return node.left, node.right, None
    if isinstance(node, Name) and node.path in run.ruleset.facts:
        fact = run.ruleset.facts[node.path]
        if isinstance(fact.expr, Binary) and fact.expr.op == "/":
            return fact.expr.left, fact.expr.right, fact.parameters
    return node, None, None


def _eval(run: Any, node: Node, params: dict[str, Any] | None) -> Any:
    saved = run.params
    if params is not None:
        run.params = params
    run.frames.append(Frame())
    try:
        return node.evaluate(run)
    finally:
        run.frames.pop()
        run.params = saved


def _gap(run: Any, cond: Condition) -> Gap | None:
    expr = cond.expr
    assert isinstance(expr, Compare)
    threshold = _eval(run, expr.right, None)
    num_node, den_node, scope = _split(run, expr.left)
    num = _eval(run, num_node, scope)
    den = _eval(run, den_node, scope) if den_node is not None else 1
    if not (is_number(threshold) and is_number(num) and is_number(den)) or den == 0:
        return None
    t, unit = Fraction(threshold), num_node.unit
    both = cond.gap == "both" and den_node is not None and t < 1
    need = (t * den - num) / (1 - t) if both else t * den - num
    whole = unit in WHOLE_UNITS
    if expr.op == ">" and whole:
        need = Fraction(math.floor(need) + 1) if need == math.floor(need) else need
    change = math.ceil(need) if whole else need
    if change <= 0:
        return None
    current = Fraction(num) / Fraction(den) if den_node is not None else Fraction(num)
    shortfall = (t - current) / t if t else Fraction(1)
    target = num_node.path if isinstance(num_node, Name) else ""
    fact = run.ruleset.facts.get(target)
    label = fact.text if fact else field_label(target) if target else cond.text
    return Gap(cond.id, target, unit, num, num + change, change, both, shortfall,
               _message(cond, label, unit, change, current, t, expr.left.unit, both))


def _message(cond: Condition, label: Message, unit: str, change: Any, current: Fraction, t: Fraction,
             left_unit: str, both: bool) -> Message:
    now_zh, now_en = fmt(current, left_unit, "zh"), fmt(current, left_unit, "en")
    th_zh, th_en = fmt(t, left_unit, "zh"), fmt(t, left_unit, "en")
    more_zh, more_en = fmt(change, unit, "zh"), fmt(change, unit, "en")
    tail_zh = "（分母同步增加）" if both else ""
    tail_en = " (counting them in the total too)" if both else ""
    return Message(
        f"{cond.text.zh}：当前{now_zh}，要求{th_zh}；{label.zh}还需增加{more_zh}{tail_zh}",
        f"{cond.text.en}: {now_en} vs {th_en} required; {label.en} needs {more_en} more{tail_en}",
    )
