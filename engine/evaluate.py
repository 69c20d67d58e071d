"""evaluate(ruleset, profile, as_of) → Decision: three-valued, traced, with gaps and amounts.

Pure and deterministic: no clock, no I/O, no randomness. Every measure is evaluated in dependency
order; facts are computed once per profile, each with its own sub-trace.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine import logic
from engine.benefits import estimate_amount
from engine.canonical import profile_hash_of
from engine.decision import Amount, Decision, Gap, MeasureResult, Outcome, Stacking
from engine.errors import Message
from engine.expr.functions import BUILTINS
from engine.expr.nodes import Compare
from engine.expr.values import Unknown
from engine.gaps import gaps_for
from engine.model import Condition, Fact, Measure, RuleSet
from engine.namespace import build_namespace
from engine.parameters import ParameterSeries
from engine.profile import ParsedProfile
from engine.stacking import best_combination
from engine.trace import FactTrace, Frame, ParamRead, TraceNode, fact_trace, node_json, trace_node
from engine.version import __version__


class Evaluation:
    """The evaluation context of one profile on one date (implements the node Context protocol).

    The reference backend: a leaf (condition, fact) runs by walking its AST. Other backends override
    only `run_condition` and `run_fact` (how a leaf runs) and pass their own namespace.
    """

    def __init__(self, ruleset: RuleSet, profile: Any, as_of: dt.date, ns: Any = None):
        self.ruleset = ruleset
        self.profile = profile
        self.as_of = as_of
        self.ns = build_namespace(profile) if ns is None else ns
        self.facts: dict[str, Any] = {}
        self.fact_traces: dict[str, FactTrace] = {}
        self.outcomes: dict[str, MeasureResult] = {}
        self.frames: list[Frame] = [Frame()]
        self.params: dict[str, ParameterSeries] = {}
        self.world: str | None = None  # "recognised" while an amount is evaluated (engine.benefits)

    # -- Context protocol -------------------------------------------------------------------------
    def lookup(self, name: str) -> Any:
        if name in self.ruleset.facts:
            value = self._fact(self.ruleset.facts[name])
        elif name == "as_of":
            value = self.as_of
        else:
            value = self.ns.get(name)
            if value is None:
                value = Unknown(frozenset({name}))
        self.frames[-1].reads[name] = value
        return value

    def param(self, name: str) -> Any:
        series = self.params.get(name)
        found = series.at(self.as_of) if series else None
        if found is None:
            return Unknown(reason=f"parameter {name} is not in force on {self.as_of.isoformat()}")
        self.frames[-1].params[name] = param_read(name, found)
        return found.value

    def call(self, name: str, args: list[Any]) -> Any:
        return BUILTINS[name].fn(self, *args)

    def record_comparison(self, node: Compare, left: Any, right: Any, result: Any) -> None:
        unit = node.left.unit if node.left.unit != "any" else node.right.unit
        self.frames[-1].comparisons.append({"op": node.op, "left": left, "right": right, "unit": unit})

    def measure_outcome(self, measure_id: str) -> Any:
        result = self.outcomes.get(measure_id)
        if result is None:
            return Unknown(reason=f"measure {measure_id} was not evaluated")
        self.frames[-1].reads[f"eligible({measure_id})"] = result.outcome.value
        return outcome_truth(result, self.world)

    # -- how a leaf runs (the part a backend replaces) ------------------------------------------------
    def run_condition(self, cond: Condition) -> tuple[Any, Frame]:
        frame = Frame()
        self.frames.append(frame)
        try:
            return cond.expr.evaluate(self), frame
        finally:
            self.frames.pop()

    def run_conditions(self, conditions: list[Condition]) -> tuple[list[Any], list[Frame]]:
        """Every condition's value and what it read, in order (`run_condition` of each)."""
        values, frames = [], []
        for cond in conditions:
            value, frame = self.run_condition(cond)
            values.append(value)
            frames.append(frame)
        return values, frames

    def run_fact(self, fact: Fact) -> Any:
        return fact.expr.evaluate(self)

    def node_values(self, measure: Measure, tree: logic.CriteriaTree, values: list[Any]) -> Any:
        """Every criteria node's value by pos (engine.logic.tree_values) from the conditions' values."""
        return logic.tree_values(tree, values)

    def amount(self, measure: Measure, outcome: Outcome) -> Amount:
        return estimate_amount(self, measure, outcome)

    def tree_of(self, measure: Measure) -> tuple[logic.CriteriaTree, list[Condition]]:
        return logic.criteria_tree(measure.criteria)

    def stacking(self, results: tuple[MeasureResult, ...]) -> Stacking:
        return best_combination(self.ruleset, results)

    # -- facts --------------------------------------------------------------------------------------
    def _fact(self, fact: Fact) -> Any:
        if fact.id in self.facts:
            return self.facts[fact.id]
        saved, self.params = self.params, fact.parameters
        frame = Frame()
        self.frames.append(frame)
        try:
            value = self.run_fact(fact)
        finally:
            self.frames.pop()
            self.params = saved
        self.facts[fact.id] = value
        params = frame.params
        self.fact_traces[fact.id] = fact_trace(fact.id, fact.text, fact.source_text, value, frame.reads,
                                               _in_order(params) if params else ())
        return value

    # -- measures -----------------------------------------------------------------------------------
    def measure(self, measure: Measure) -> MeasureResult:
        self.params = measure.parameters
        skip = self._applicability(measure)
        if skip is not None:
            return skip
        tree, conditions = self.tree_of(measure)
        values, frames = self.run_conditions(conditions)
        node_values = self.node_values(measure, tree, values)
        root = node_values[tree.pos]
        outcome = _OUTCOME_OF[logic.word(root)]
        failing = logic.failing(tree, node_values) if outcome is Outcome.INELIGIBLE else ()
        amount = self.amount(measure, outcome)

        def trace(make: Any = trace_node) -> Any:  # built from what the run recorded, only when someone reads it
            leaf_nodes = [condition_node(c, v, f, make) for c, v, f in zip(conditions, values, frames, strict=True)]
            return trace_of(tree, node_values, leaf_nodes, make)

        def gaps() -> tuple[Gap, ...]:
            saved, self.params = self.params, measure.parameters  # the gap analysis reads the measure's own
            try:
                return tuple(gaps_for(self, measure, None, failing))
            finally:
                self.params = saved

        later = {"trace": trace, "gaps": gaps if failing else tuple}
        written = {"trace": lambda: trace(node_json)}  # the JSON writer's: the same trace, no TraceNode built
        if outcome is Outcome.UNDETERMINED:
            return MeasureResult.deferred_written(later, written, measure_id=measure.id, outcome=outcome,
                                          reason=logic.reasons(tree, node_values), amount=amount, failing=(),
                                          missing=logic.missing(root), prerequisites=())
        return MeasureResult.deferred_written(later, written, measure_id=measure.id, outcome=outcome, reason=None,
                                      amount=amount, failing=failing, missing=(),
                                      prerequisites=logic.prerequisites(root))

    def _applicability(self, measure: Measure) -> MeasureResult | None:
        reason = None
        if self.profile.kind not in measure.applicant:
            reason = "other_kind"
        elif self.as_of < measure.effective_from or (
                measure.effective_until is not None and self.as_of > measure.effective_until):
            reason = "not_in_force"
        elif measure.jurisdiction:
            region = self.ns.get("region_code")
            if region is None:
                node = TraceNode("jurisdiction", "jurisdiction", "unknown", missing=("region_code",))
                return MeasureResult(measure.id, Outcome.UNDETERMINED, None, estimate_amount(
                    self, measure, Outcome.UNDETERMINED), (), ("region_code",), (), node)
            if not any(str(region).startswith(prefix) for prefix in measure.jurisdiction):
                reason = "out_of_area"
        if reason is None:
            return None
        return not_applicable(measure.id, reason)


NO_AMOUNT = Amount("none")
_OUTCOME_OF = {word: Outcome(outcome) for word, outcome in logic.OUTCOME.items()}  # a root's word → the outcome
_SHARED: dict[Any, Any] = {}  # what every decision that reads the same thing shares (immutable, bounded)


def not_applicable(measure_id: str, reason: str) -> MeasureResult:
    """The result of a measure that does not apply (reason: other_kind | not_in_force | out_of_area): one frozen
    instance per measure and reason, shared by every decision (the JSON writer keeps its bytes)."""
    key = (measure_id, reason)
    found = _SHARED.get(key)
    if found is None:
        found = MeasureResult(measure_id, Outcome.NOT_APPLICABLE, reason, NO_AMOUNT, (), (), (), None)
        if len(_SHARED) < 8192:
            _SHARED[key] = found
    return found


def param_read(name: str, found: Any) -> ParamRead:
    """What a trace records of a dated parameter read: one frozen instance per parameter value in force."""
    key = (name, id(found))
    shared = _SHARED.get(key)
    if shared is None or shared[0] is not found:  # the value is held with it, so its id is not reused
        shared = (found, ParamRead(name, found.value, found.effective_from.isoformat(), found.source))
        if len(_SHARED) < 8192:
            _SHARED[key] = shared
    return shared[1]


def outcome_truth(result: Any, world: str | None = None) -> Any:
    """What `eligible(measure)` is, given that measure's result (a MeasureResult or a Verdict).

    Eligible (or conditional) is the engine's forecast of a status the applicant does not hold yet:
    false now, true once recognised (plain true in the world of an amount, which is what the measure
    pays once it applies). Undetermined is unknown with its missing fields.
    """
    outcome = result.outcome
    if outcome is Outcome.ELIGIBLE or outcome is Outcome.CONDITIONAL:
        return logic.forecast(result.measure_id, result.prerequisites, world)
    if outcome is Outcome.UNDETERMINED:
        return Unknown(frozenset(result.missing), f"{result.measure_id} is undetermined")
    return False


def _in_order(params: dict[str, ParamRead]) -> tuple[ParamRead, ...]:
    """The parameters a frame read, by name."""
    return tuple(params.values()) if len(params) == 1 else tuple([params[k] for k in sorted(params)])


def condition_node(cond: Condition, value: Any, frame: Frame, make: Any = trace_node) -> Any:
    """The trace of one condition from its value and what it read (`make`: trace_node, or node_json for the
    JSON writer's form of the same node)."""
    params = frame.params
    comparison = frame.comparisons[-1] if frame.comparisons and type(cond.expr) is Compare else None
    read = _in_order(params) if params else ()
    if value is True or value is False:  # known: nothing missing, no reason, no prerequisites (engine.logic)
        return make(cond.id, "condition", "true" if value else "false", cond.text, cond.fails,
                    cond.source_text, frame.reads, read, comparison, (), None, (), ())
    return make(cond.id, "condition", logic.word(value), cond.text, cond.fails, cond.source_text,
                frame.reads, read, comparison, logic.missing(value), logic.reason(value), (),
                logic.prerequisites(value))


def trace_of(tree: logic.CriteriaTree, values: dict[int, Any], leaf_nodes: list[Any], make: Any = trace_node
             ) -> Any:
    """The trace tree of a measure's criteria from every node's value and the conditions' own traces (`make` as in
    condition_node)."""
    if tree.kind == "condition":
        return leaf_nodes[tree.leaf]
    value = values[tree.pos]
    children = tuple([leaf_nodes[child.leaf] if child.kind == "condition" else trace_of(child, values, leaf_nodes, make)
                      for child in tree.children])
    if value is True or value is False:
        return make(tree.id, tree.kind, "true" if value else "false", tree.node.text, None, None, {}, (), None,
                    (), None, children, ())
    return make(tree.id, tree.kind, logic.word(value), tree.node.text, None, None, {}, (), None,
                logic.missing(value), None, children, logic.prerequisites(value))


def evaluate(ruleset: RuleSet, parsed: ParsedProfile | Any, as_of: dt.date,
             measures: list[str] | None = None) -> Decision:
    """Evaluate a profile against every measure (or the listed ones and their dependencies).

    Args:
        ruleset: the loaded RuleSet.
        parsed: a ParsedProfile (or a bare validated profile model).
        as_of: the date of the decision; selects parameters and measures in force.

    Returns:
        The Decision, with a result for every measure of the RuleSet.
    """
    profile = parsed.profile if isinstance(parsed, ParsedProfile) else parsed
    return decide_with(Evaluation(ruleset, profile, as_of), parsed, measures)


def decide_with(run: Evaluation, parsed: ParsedProfile | Any, measures: list[str] | None = None,
                profile_hash: str | None = None) -> Decision:
    """The Decision of one evaluation run (whichever backend runs its leaves).

    Outcomes, amounts, failing, missing and stacking are decided here; the trace trees, the gaps, the fact
    traces and the profile hash are built from what the run recorded when they are first read.
    """
    profile = run.profile
    warnings = parsed.warnings if isinstance(parsed, ParsedProfile) else ()
    ruleset = run.ruleset
    wanted = with_dependencies(ruleset, measures)
    for measure_id in ruleset.order:
        if wanted is None or measure_id in wanted:
            run.outcomes[measure_id] = run.measure(ruleset.measures[measure_id])
    outcomes = run.outcomes
    results = tuple([outcomes[m] for m in sorted(outcomes)])

    def facts() -> tuple[FactTrace, ...]:  # gaps may compute facts of their own: run them first
        for result in results:
            result.gaps  # noqa: B018 - builds the deferred gaps
        for fact in ruleset.facts.values():  # data-warning facts are always worked out (fact_warnings)
            if fact.warning is not None:
                run._fact(fact)
        return tuple(run.fact_traces[k] for k in sorted(run.fact_traces))

    return Decision.deferred(
        {"facts": facts, "profile_hash": lambda: profile_hash or profile_hash_of(profile)},
        engine_version=__version__, ruleset_hash=ruleset.hash, as_of=run.as_of.isoformat(),
        profile_kind=profile.kind, results=results, warnings=tuple(warnings),
        stacking=run.stacking(results))


def fact_warnings(ruleset: RuleSet, decision: Decision) -> list[tuple[str, Message]]:
    """The data warnings of a decision: each fact with a `warning:` text whose value is true.

    E.g. a typed 创新能力评价 total outside the interval the indicators give: the computed interval
    decides, and the reader is told the typed figure was set aside.
    """
    out = []
    for trace in decision.facts:
        fact = ruleset.facts.get(trace.id)
        if fact is not None and fact.warning is not None and trace.value is True:
            out.append((fact.id, fact.warning))
    return out


def with_dependencies(ruleset: RuleSet, measures: list[str] | None) -> set[str] | None:
    if measures is None:
        return None
    wanted: set[str] = set()
    todo = list(measures)
    while todo:
        mid = todo.pop()
        if mid not in wanted and mid in ruleset.measures:
            wanted.add(mid)
            todo.extend(ruleset.measures[mid].depends_on)
    return wanted
