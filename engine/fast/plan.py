"""The untraced evaluator: one compiled plan per measure, evaluated against a lightweight run state.

A plan gives, for each measure, what `evaluate()` puts in its MeasureResult apart from the trace and
the gaps: the outcome, the reason, the amount, every failing condition and every missing field. Each
condition is evaluated once per profile (no short-circuit, as in `evaluate()`); the three-valued
result of the criteria tree is combined from those values, and failing / missing / reasons are only
worked out when the outcome needs them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from engine.benefits import estimate_amount
from engine.decision import Amount, Outcome
from engine.expr.functions import BUILTINS
from engine.expr.values import Unknown
from engine.fast.exprs import MISS, ExprCompiler, Fn
from engine.fast.source import finance_items
from engine.model import Condition, Criterion, Measure

NONE = Amount("none")
_OUTCOME = {True: Outcome.ELIGIBLE, False: Outcome.INELIGIBLE, None: Outcome.UNDETERMINED}


class Verdict(NamedTuple):
    """A measure's result without trace or gaps: what batch screening and simulation need."""

    measure_id: str
    outcome: Outcome
    reason: str | None
    amount: Amount
    failing: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def first_failing(self) -> str | None:
        return self.failing[0] if self.failing else None


class FastRun:
    """Per-profile state of an untraced evaluation (implements the node Context protocol).

    Values read more than once (facts, profile fields) are memoised in `memo`, one slot per name
    numbered at compile time; anything else a builtin looks up lands in `extra`.
    """

    __slots__ = ("program", "src", "is_dict", "getters", "memo", "extra", "as_of", "outcomes", "params", "fin",
                 "frames")

    def __init__(self, program: Any, src: Any, is_dict: bool):
        self.program = program
        self.src = src
        self.is_dict = is_dict
        self.getters = program.accessors.table(is_dict)
        self.memo = program.blank[:]
        self.extra: dict[str, Any] = {}
        self.as_of = program.as_of
        self.outcomes: dict[str, Verdict] = {}
        self.params: dict[str, Any] = {}
        self.fin: Any = MISS
        self.frames: list[Any] = []  # engine.benefits pushes a frame while it evaluates an amount

    def lookup(self, name: str) -> Any:
        program = self.program
        reader = program.readers.get(name)
        if reader is not None:
            return reader(self)
        if name == "as_of":
            return self.as_of
        value = self.extra.get(name, MISS)
        if value is MISS:
            value = program.accessors.get(name, self.is_dict)(self.src)
            if value is None:
                value = Unknown(frozenset({name}))
            self.extra[name] = value
        return value

    def finance(self) -> dict[int, Any] | None:
        """The source's fiscal-year records by year, indexed once per profile."""
        found = self.fin
        if found is MISS:
            found = self.fin = finance_items(self.src, self.is_dict)
        return found

    def param(self, name: str) -> Any:
        series = self.params.get(name)
        found = series.at(self.as_of) if series else None
        if found is None:
            return Unknown(reason=f"parameter {name} is not in force on {self.as_of.isoformat()}")
        return found.value

    def call(self, name: str, args: list[Any]) -> Any:
        return BUILTINS[name].fn(self, *args)

    def record_comparison(self, node: Any, left: Any, right: Any, result: Any) -> None:
        return None

    def measure_outcome(self, measure_id: str) -> Any:
        result = self.outcomes.get(measure_id)
        if result is None:
            return Unknown(reason=f"measure {measure_id} was not evaluated")
        if result.outcome is Outcome.UNDETERMINED:
            return Unknown(frozenset(result.missing), f"{measure_id} is undetermined")
        return result.outcome is Outcome.ELIGIBLE


# -- criteria trees ---------------------------------------------------------------------------------
# A tree is ("leaf", index, id) or (op, id, children); values are True / False / None (unknown).

def _tri(value: Any) -> bool | None:
    return value if value is True or value is False else None


def _combine(op: str, results: list[bool | None]) -> bool | None:
    if op == "not":
        inner = results[0]
        return None if inner is None else not inner
    decisive = op == "any"
    unknown = False
    for r in results:
        if r is decisive:
            return decisive
        if r is None:
            unknown = True
    return None if unknown else not decisive


def tree_value(tree: tuple[Any, ...], vals: list[Any]) -> bool | None:
    if tree[0] == "leaf":
        return _tri(vals[tree[1]])
    return _combine(tree[0], [tree_value(child, vals) for child in tree[2]])


def _flat_fn(op: str, indices: tuple[int, ...]) -> Fn:
    decisive = op == "any"

    def flat(vals: list[Any]) -> bool | None:
        unknown = False
        for i in indices:
            v = vals[i]
            if v is decisive:
                return decisive
            if v is not (not decisive):
                unknown = True
        return None if unknown else not decisive
    return flat


def tree_fn(tree: tuple[Any, ...]) -> Fn:
    """A closure computing tree_value, with a loop over indices for groups whose children are leaves."""
    if tree[0] == "leaf":
        i = tree[1]
        return lambda vals: _tri(vals[i])
    op, children = tree[0], tree[2]
    if op != "not" and children and all(c[0] == "leaf" for c in children):
        return _flat_fn(op, tuple(c[1] for c in children))
    fns = [tree_fn(c) for c in children]
    return lambda vals: _combine(op, [f(vals) for f in fns])


def failing_of(tree: tuple[Any, ...], vals: list[Any]) -> list[str]:
    """engine.evaluate._failing on values: the conditions (or `not` groups) responsible for false."""
    if tree[0] in ("leaf", "not"):
        return [tree[2] if tree[0] == "leaf" else tree[1]]
    out: list[str] = []
    for child in tree[2]:
        if tree_value(child, vals) is False:
            out.extend(failing_of(child, vals))
    return out


def missing_of(tree: tuple[Any, ...], vals: list[Any]) -> tuple[str, ...]:
    """The fields that would settle an unknown node (empty for a known one)."""
    if tree[0] == "leaf":
        value = vals[tree[1]]
        return tuple(sorted(value.missing)) if type(value) is Unknown and _tri(value) is None else ()
    if tree_value(tree, vals) is not None:
        return ()
    found: set[str] = set()
    for child in tree[2]:
        if tree_value(child, vals) is None:
            found.update(missing_of(child, vals))
    return tuple(sorted(found))


def reasons_of(tree: tuple[Any, ...], vals: list[Any]) -> str | None:
    """engine.evaluate._reasons: the reasons of unknown leaves reached through unknown nodes only."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if tree_value(node, vals) is not None:
            continue
        if node[0] == "leaf":
            value = vals[node[1]]
            if type(value) is Unknown and value.reason:
                found.add(value.reason)
        else:
            stack.extend(node[2])
    return "; ".join(sorted(found)) or None


def build_tree(node: Criterion, leaves: list[Condition]) -> tuple[Any, ...]:
    if isinstance(node, Condition):
        leaves.append(node)
        return ("leaf", len(leaves) - 1, node.id)
    return (node.op, node.id, tuple(build_tree(child, leaves) for child in node.children))


# -- measures ---------------------------------------------------------------------------------------
class MeasurePlan:
    """Everything about one measure that does not depend on the profile, for one as-of date."""

    def __init__(self, program: Any, measure: Measure):
        as_of = program.as_of
        self.id = measure.id
        self.kinds = frozenset(measure.applicant)
        self.in_force = not (as_of < measure.effective_from or (
            measure.effective_until is not None and as_of > measure.effective_until))
        self.prefixes = measure.jurisdiction
        leaves: list[Condition] = []
        self.tree = build_tree(measure.criteria, leaves)
        self.value = tree_fn(self.tree)
        flat = self.tree[0] == "all" and all(child[0] == "leaf" for child in self.tree[2])
        self.leaf_ids = tuple(c.id for c in leaves) if flat else None
        compiler = ExprCompiler(program, measure.parameters, traced=False)
        self.leaves = [compiler.compile(c.expr) for c in leaves]
        self.measure = measure
        self.not_applicable = {r: Verdict(self.id, Outcome.NOT_APPLICABLE, r, NONE, (), ())
                               for r in ("other_kind", "not_in_force", "out_of_area")}

    def amount(self, run: Any, outcome: Outcome) -> Amount:
        """The engine's own estimate_amount (amounts are few: only eligible and undetermined results)."""
        return estimate_amount(run, self.measure, outcome)

    def verdict(self, run: FastRun, kind: str) -> Verdict:
        if kind not in self.kinds:
            return self.not_applicable["other_kind"]
        if not self.in_force:
            return self.not_applicable["not_in_force"]
        if self.prefixes:
            region = run.getters["region_code"](run.src)
            if region is None:
                return Verdict(self.id, Outcome.UNDETERMINED, None, self.amount(run, Outcome.UNDETERMINED),
                               (), ("region_code",))
            region = str(region)
            if not any(region.startswith(p) for p in self.prefixes):
                return self.not_applicable["out_of_area"]
        vals = [leaf(run) for leaf in self.leaves]
        tri = self.value(vals)
        if tri is True:
            return Verdict(self.id, Outcome.ELIGIBLE, None, self.amount(run, Outcome.ELIGIBLE), (), ())
        if tri is False:
            ids = self.leaf_ids
            failing = tuple([ids[i] for i, v in enumerate(vals) if v is False]) if ids is not None \
                else tuple(failing_of(self.tree, vals))
            return Verdict(self.id, Outcome.INELIGIBLE, None, NONE, failing, ())
        return Verdict(self.id, Outcome.UNDETERMINED, reasons_of(self.tree, vals),
                       self.amount(run, Outcome.UNDETERMINED), (), missing_of(self.tree, vals))
