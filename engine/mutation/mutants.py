"""The mutants of one measure: every threshold moved by its smallest unit, every boundary flipped.

A mutant is a small change to the *law* as encoded: a parameter value (each dated value, each row and
bound of a band table, each entry of a mapping) or a number literal in a condition or the benefit moved
one smallest unit up and down (1 yuan, 1 person, 1 day, 0.01 %, 1 point), and each order comparison's
boundary flipped (>= ↔ >, <= ↔ <). It is applied to the loaded RuleSet in memory and undone afterwards;
rule files are never written.

Mutant ids are stable across runs (they name the parameter, date, row and key, or the condition id and
the position of the literal / comparison inside it), so a rule can list one under `equivalent_mutants:`.
A facts file (rules/facts/) is mutated the same way: its parameters and the literals of each fact
(`fact.<id>.litK`), killed by the file's fact tests or by the tests of any measure reading its facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from engine.expr.nodes import Call, Compare, Literal, Node
from engine.expr.values import Interval, is_number
from engine.model import Condition, Criterion, Measure, RuleSet
from engine.parameters import ParameterSeries

FLIP = {">=": ">", ">": ">=", "<=": "<", "<": "<="}
RATIO_STEP = Fraction(1, 10_000)  # 0.01 %
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Mutant:
    """One mutation of a measure: a stable id, what it changes in words, and how to apply it."""

    id: str
    description: str
    apply: Callable[[Any], Callable[[], None]]  # applies in place to a measure (or fact); returns the undo


@contextmanager
def applied(mutant: Mutant, measure: Measure | Any) -> Iterator[None]:
    """The measure mutated for the duration of the block, restored afterwards even on error."""
    undo = mutant.apply(measure)
    try:
        yield
    finally:
        undo()


def step_for(unit: str, value: Any) -> Any:
    """The smallest unit a value moves by: a day for dates, 0.01 % for ratios and fractions, else 1."""
    if isinstance(value, dt.date):
        return DAY
    if unit == "ratio" or isinstance(value, Fraction):
        return RATIO_STEP
    return 1


def show(value: Any, unit: str = "") -> str:
    """A value as the rule author writes it (10%, 5000000, 2016-01-01, 1.5)."""
    if isinstance(value, Fraction) or (unit == "ratio" and is_number(value)):
        pct = Fraction(value) * 100
        if unit == "ratio":
            return f"{pct.numerator}%" if pct.denominator == 1 else f"{float(pct):g}%"
        return f"{float(value):g}"
    if isinstance(value, Interval):
        return f"[{show(value.lo)}, {show(value.hi)}]"
    return str(value)


def mutants_of(measure: Measure) -> list[Mutant]:
    """Every mutant of the measure, in a stable order: parameters, then conditions, then the benefit."""
    out: list[Mutant] = []
    for name in sorted(measure.parameters):
        out += _parameter_mutants(measure.parameters[name])
    for cond in _conditions(measure.criteria):
        out += _expr_mutants(f"when.{cond.id}", cond.expr, cond.source_text)
    if measure.benefit.amount is not None:
        out += _expr_mutants("benefit.amount", measure.benefit.amount, "benefit amount")
    if measure.benefit.rate is not None:
        out += _expr_mutants("benefit.rate", measure.benefit.rate, "benefit rate")
    return out


def fact_file_mutants(ruleset: RuleSet, rel: str) -> tuple[Any, list[Mutant]]:
    """(the object whose `parameters` the file's facts share, every mutant of the facts file `rel`)."""
    facts = sorted((f for f in ruleset.facts.values() if f.path == rel), key=lambda f: f.id)
    if not facts:
        return None, []
    out: list[Mutant] = []
    for name in sorted(facts[0].parameters):
        out += _parameter_mutants(facts[0].parameters[name])
    for fact in facts:
        out += _expr_mutants(f"fact.{fact.id}", fact.expr, fact.source_text)
    return facts[0], out


def _conditions(node: Criterion) -> list[Condition]:
    if isinstance(node, Condition):
        return [node]
    return [c for child in node.children for c in _conditions(child)]


# -- parameters -------------------------------------------------------------------------------------------


def _parameter_mutants(series: ParameterSeries) -> list[Mutant]:
    out: list[Mutant] = []
    for index, dated in enumerate(series.values):
        where = f"param.{series.name}@{dated.effective_from.isoformat()}"
        for path, value in _numbers_in(dated.value):
            bound = any(f".{key}" in path for key in ("min", "over", "max", "under"))
            unit = "" if bound else series.unit  # a band's bounds step by their own type
            step = step_for(unit, value)
            for sign, label in ((1, "+1"), (-1, "-1")):
                moved = value + sign * step
                out.append(Mutant(f"{where}{path}:{label}",
                                  f"{series.name} (from {dated.effective_from}){path} "
                                  f"{show(value, unit)} → {show(moved, unit)}",
                                  _set_parameter(series.name, index, path, moved)))
    return out


ROW_KEYS = ("min", "over", "max", "under", "value")


def _numbers_in(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """(path, number or date) of every movable value inside a parameter value: scalars, rows, mappings.

    Paths: "" (the value), "[2].min" (a band row's bound), "[A]" (a mapping entry), ".lo" (an interval).
    """
    if isinstance(value, bool) or value is None:
        return []
    if is_number(value) or isinstance(value, dt.date):
        return [(path, value)]
    if isinstance(value, Interval):
        return [(f"{path}.lo", value.lo), (f"{path}.hi", value.hi)]
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in _numbers_in(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [found for key, item in value.items()
                for found in _numbers_in(item, f"{path}.{key}" if key in ROW_KEYS else f"{path}[{key}]")]
    return []


def _replaced(value: Any, path: str, new: Any) -> Any:
    """A copy of `value` with the number at `path` (as _numbers_in names it) replaced by `new`."""
    if not path:
        return new
    if path.startswith("["):
        key, rest = path[1:].split("]", 1)
        if isinstance(value, list):
            i = int(key)
            return [*value[:i], _replaced(value[i], rest, new), *value[i + 1:]]
        real = next(k for k in value if str(k) == key)
        return {**value, real: _replaced(value[real], rest, new)}
    head = path[1:]
    cut = min((i for i in (head.find("."), head.find("[")) if i >= 0), default=len(head))
    key, rest = head[:cut], head[cut:]
    if isinstance(value, Interval):
        return Interval(_replaced(value.lo, rest, new), value.hi) if key == "lo" else \
            Interval(value.lo, _replaced(value.hi, rest, new))
    return {**value, key: _replaced(value[key], rest, new)}


def _set_parameter(name: str, index: int, path: str, new: Any) -> Callable[[Any], Callable[[], None]]:
    def apply(measure: Any) -> Callable[[], None]:
        original = measure.parameters[name]
        values = list(original.values)
        values[index] = replace(values[index], value=_replaced(values[index].value, path, new))
        measure.parameters[name] = replace(original, values=tuple(values))

        def undo() -> None:
            measure.parameters[name] = original
        return undo
    return apply


# -- literals and comparisons -------------------------------------------------------------------------------


def _expr_mutants(where: str, expr: Node, text: str) -> list[Mutant]:
    out: list[Mutant] = []
    literals = [n for n in expr.walk() if isinstance(n, Literal) and _movable(n.value)]
    for k, node in enumerate(literals):
        value = node.value
        step = step_for(node.unit, value)
        for sign, label in ((1, "+1"), (-1, "-1")):
            moved = value + sign * step
            out.append(Mutant(f"{where}.lit{k}:{label}", f"{_snippet(text, node, before=24)}: {show(value, node.unit)} → "
                                                          f"{show(moved, node.unit)}", _set_literal(node, moved)))
    dates = [n for n in expr.walk() if isinstance(n, Call) and n.name == "date" and n.args
             and isinstance(n.args[0], Literal) and isinstance(n.args[0].value, str)]
    for k, call in enumerate(dates):
        node = call.args[0]
        day = dt.date.fromisoformat(node.value)
        for sign, label in ((1, "+1"), (-1, "-1")):
            moved = (day + sign * DAY).isoformat()
            out.append(Mutant(f"{where}.date{k}:{label}", f"date('{node.value}') → date('{moved}')",
                              _set_literal(node, moved)))
    comparisons = [n for n in expr.walk() if isinstance(n, Compare) and n.op in FLIP]
    for k, node in enumerate(comparisons):
        flipped = FLIP[node.op]
        out.append(Mutant(f"{where}.cmp{k}:{node.op}→{flipped}",
                          f"{_snippet(text, node.left)}: {node.op} → {flipped}",
                          _set_op(node, flipped)))
    return out


def _snippet(text: str, node: Node, width: int = 60, before: int = 0) -> str:
    """The source text from the node on (and `before` characters ahead of it), whitespace collapsed, cut."""
    start = node.offset if 0 <= node.offset < len(text) else 0
    lead = max(0, start - before)
    words = ("…" if lead else "") + " ".join(text[lead:].split())
    return words if len(words) <= width else words[: width - 1] + "…"


def _movable(value: Any) -> bool:
    return is_number(value) or isinstance(value, dt.date)


def _set_literal(node: Literal, new: Any) -> Callable[[Any], Callable[[], None]]:
    def apply(measure: Any) -> Callable[[], None]:
        original = node.value
        node.value = new

        def undo() -> None:
            node.value = original
        return undo
    return apply


def _set_op(node: Compare, new: str) -> Callable[[Any], Callable[[], None]]:
    def apply(measure: Any) -> Callable[[], None]:
        original = node.op
        node.op = new

        def undo() -> None:
            node.op = original
        return undo
    return apply
