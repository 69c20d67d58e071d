"""The untraced evaluator: one compiled plan per measure, evaluated against a lightweight run state.

A plan gives, for each measure, what `evaluate()` puts in its MeasureResult apart from the trace and
the gaps: the outcome, the reason, the amount, every failing condition and every missing field. Each
condition is evaluated once per profile (no short-circuit, as in `evaluate()`); the criteria tree is
combined from those values by engine.logic, and failing / missing / reasons are only worked out when
the outcome needs them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

from engine import logic
from engine.benefits import estimate_amount
from engine.decision import Amount, Outcome
from engine.evaluate import outcome_truth
from engine.expr.functions import BUILTINS
from engine.expr.nodes import Binary, ListLit, Literal, Param, Unary
from engine.expr.values import Unknown
from engine.fast.exprs import MISS, ExprCompiler
from engine.fast.protocol import Program
from engine.fast.source import finance_items
from engine.model import Measure

NONE = Amount("none")
OUTCOMES = {word: Outcome(outcome) for word, outcome in logic.OUTCOME.items()}  # engine.logic's words, as members
NO_PARAMETERS: dict[str, Any] = {}
CONSTANT_NODES = frozenset({Literal, Param, Binary, Unary, ListLit})  # read nothing of the profile


class Verdict(NamedTuple):
    """A measure's result without trace or gaps: what batch screening and simulation need."""

    measure_id: str
    outcome: Outcome
    reason: str | None
    amount: Amount
    failing: tuple[str, ...]
    missing: tuple[str, ...]
    prerequisites: tuple[str, ...] = ()  # conditional: the measures it waits for

    @property
    def first_failing(self) -> str | None:
        return self.failing[0] if self.failing else None


class FastRun:
    """Per-profile state of an untraced evaluation (implements the node Context protocol).

    Values read more than once (facts, profile fields) are memoised in `memo`, one slot per name
    numbered at compile time; anything else a builtin looks up lands in `extra`.
    """

    __slots__ = ("program", "src", "is_dict", "getters", "memo", "extra", "as_of", "outcomes", "params", "fin",
                 "frames", "world", "region")

    def __init__(self, program: Program, src: Any, is_dict: bool):
        self.program = program
        self.src = src
        self.is_dict = is_dict
        self.getters = program.accessors.table(is_dict)
        self.memo = program.blank[:]
        self.extra: dict[str, Any] = {}
        self.as_of = program.as_of
        self.outcomes: dict[str, Verdict] = {}
        self.params: dict[str, Any] = NO_PARAMETERS  # the scope being evaluated sets its own (never changed)
        self.fin: Any = MISS
        self.frames: list[Any] = []  # engine.benefits pushes a frame while it evaluates an amount
        self.world: str | None = None
        self.region: Any = MISS  # the region code as text, read on first use

    @property
    def ruleset(self) -> Any:
        return self.program.ruleset

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
        return outcome_truth(result, self.world)


# -- measures ---------------------------------------------------------------------------------------
class MeasurePlan:
    """Everything about one measure that does not depend on the profile, for one as-of date."""

    def __init__(self, program: Program, measure: Measure):
        as_of = program.as_of
        self.id = measure.id
        self.kinds = frozenset(measure.applicant)
        self.in_force = not (as_of < measure.effective_from or (
            measure.effective_until is not None and as_of > measure.effective_until))
        self.prefixes = measure.jurisdiction
        self.criteria = logic.criteria_tree(measure.criteria)
        self.tree, leaves = self.criteria
        flat = self.tree.kind == "all" and all(child.kind == "condition" for child in self.tree.children)
        # a flat group combines the leaf values as they come (what tree_function does, without re-indexing)
        self.value = functools.partial(logic.combine, "all") if flat and self.tree.children \
            else logic.tree_function(self.tree)
        # any other tree: every node's value in one pass (the root's first), kept for failing and reasons
        self.node_values = None if flat else logic.tree_evaluator(self.tree)
        self.failing = logic.failing_function(self.tree)
        self.areas: dict[str, bool] = {}  # region code → inside the jurisdiction
        self.leaf_ids = tuple(c.id for c in leaves) if flat else None
        compiler = ExprCompiler(program, measure.parameters, traced=False)
        self.leaves = [compiler.compile(c.expr) for c in leaves]
        closures = self.leaves
        # run → every condition's value, in order; engine.fast.codegen replaces it with generated code
        self.values_of: Callable[[Any], list[Any]] = lambda run: [leaf(run) for leaf in closures]
        # a traced run → (every condition's value, its frame), in order; engine.fast.tracedgen's generated code
        self.traced_values: Callable[[Any], tuple[list[Any], list[Any]]] | None = None
        self.measure = measure
        benefit = (measure.benefit.amount, measure.benefit.rate)
        self.amounts: dict[Outcome, Amount] | None = {} if all(
            type(n) in CONSTANT_NODES for node in benefit if node is not None for n in node.walk()) else None
        self.eligible: Verdict | None = None  # the eligible verdict, once worked out, when its amount is constant
        self.not_applicable = {r: Verdict(self.id, Outcome.NOT_APPLICABLE, r, NONE, (), ())
                               for r in ("other_kind", "not_in_force", "out_of_area")}

    def amount(self, run: Any, outcome: Outcome) -> Amount:
        """The engine's own estimate_amount (amounts are few: only eligible and undetermined results); an
        amount that reads nothing of the profile is worked out once per outcome."""
        if self.amounts is None:
            return estimate_amount(run, self.measure, outcome)
        found = self.amounts.get(outcome)
        if found is None:
            found = self.amounts[outcome] = estimate_amount(run, self.measure, outcome)
        return found

    def verdict(self, run: FastRun, kind: str) -> Verdict:
        if kind not in self.kinds:
            return self.not_applicable["other_kind"]
        if not self.in_force:
            return self.not_applicable["not_in_force"]
        if self.prefixes:
            region = run.region
            if region is MISS:
                region = run.getters["region_code"](run.src)
                region = run.region = None if region is None else str(region)
            if region is None:
                return Verdict(self.id, Outcome.UNDETERMINED, None, self.amount(run, Outcome.UNDETERMINED),
                               (), ("region_code",))
            inside = self.areas.get(region)
            if inside is None:
                inside = any(region.startswith(p) for p in self.prefixes)
                if len(self.areas) < 4096:
                    self.areas[region] = inside
            if not inside:
                return self.not_applicable["out_of_area"]
        return self.decided(run)

    def applies(self, kind: str, region: str) -> Verdict | None:
        """The not-applicable verdict for an applicant of this kind in this region (a code), or None where the
        measure applies: what `verdict` checks first, for a profile whose region code is known."""
        if kind not in self.kinds:
            return self.not_applicable["other_kind"]
        if not self.in_force:
            return self.not_applicable["not_in_force"]
        if self.prefixes and not any(region.startswith(p) for p in self.prefixes):
            return self.not_applicable["out_of_area"]
        return None

    def decided(self, run: FastRun) -> Verdict:
        """The verdict of a measure that applies to the profile: its conditions' values, combined."""
        vals = self.values_of(run)
        node_values = self.node_values
        if node_values is None:
            values = None
            root = self.value(vals)
        else:
            values = node_values(vals)
            root = values[0]
        if root is True:
            found = self.eligible
            if found is None:
                found = Verdict(self.id, Outcome.ELIGIBLE, None, self.amount(run, Outcome.ELIGIBLE), (), ())
                if self.amounts is not None:  # the same for every profile: one shared verdict
                    self.eligible = found
            return found
        if root is False:
            ids = self.leaf_ids
            if values is not None:
                failing = self.failing(values)
            else:  # a flat group: its false leaves, in order
                assert ids is not None
                failing = tuple([ids[i] for i, v in enumerate(vals) if v is False])
            return Verdict(self.id, Outcome.INELIGIBLE, None, NONE, failing, ())
        # a flat `all` numbers its nodes root first, then the leaves in order: every node's value is at hand
        return self._other(run, root, [root, *vals] if values is None else values)

    def _other(self, run: FastRun, root: Any, values: list[Any]) -> Verdict:
        """An unknown or conditional root: the rarer outcomes, worked out from every node's value (by pos)."""
        outcome = OUTCOMES[logic.word(root)]
        if outcome is Outcome.UNDETERMINED:
            return Verdict(self.id, outcome, logic.reasons(self.tree, values), self.amount(run, outcome), (),
                           logic.missing(root))
        if outcome is Outcome.INELIGIBLE:
            return Verdict(self.id, outcome, None, NONE, self.failing(values), ())
        return Verdict(self.id, outcome, None, self.amount(run, outcome), (), (), logic.prerequisites(root))
