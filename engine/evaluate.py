"""evaluate(ruleset, profile, as_of) → Decision: three-valued, traced, with gaps and amounts.

Pure and deterministic: no clock, no I/O, no randomness. Every measure is evaluated in dependency
order; facts are computed once per profile, each with its own sub-trace.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.benefits import estimate_amount
from engine.canonical import sha256_of
from engine.decision import Decision, MeasureResult, Outcome
from engine.expr.functions import BUILTINS
from engine.expr.nodes import Compare
from engine.expr.values import Unknown
from engine.gaps import gaps_for
from engine.model import Condition, Criterion, Fact, Measure, RuleSet
from engine.namespace import build_namespace
from engine.parameters import ParameterSeries
from engine.profile import ParsedProfile
from engine.stacking import best_combination
from engine.trace import FactTrace, Frame, ParamRead, TraceNode, result_word
from engine.version import __version__


class Evaluation:
    """The evaluation context of one profile on one date (implements the node Context protocol)."""

    def __init__(self, ruleset: RuleSet, profile: Any, as_of: dt.date):
        self.ruleset = ruleset
        self.profile = profile
        self.as_of = as_of
        self.ns = build_namespace(profile)
        self.facts: dict[str, Any] = {}
        self.fact_traces: dict[str, FactTrace] = {}
        self.outcomes: dict[str, MeasureResult] = {}
        self.frames: list[Frame] = [Frame()]
        self.params: dict[str, ParameterSeries] = {}

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
        self.frames[-1].params[name] = ParamRead(name, found.value, found.effective_from.isoformat(), found.source)
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
        if result.outcome is Outcome.UNDETERMINED:
            return Unknown(frozenset(result.missing), f"{measure_id} is undetermined")
        return result.outcome is Outcome.ELIGIBLE

    # -- facts --------------------------------------------------------------------------------------
    def _fact(self, fact: Fact) -> Any:
        if fact.id in self.facts:
            return self.facts[fact.id]
        saved, self.params = self.params, fact.parameters
        self.frames.append(Frame())
        try:
            value = fact.expr.evaluate(self)
        finally:
            frame = self.frames.pop()
            self.params = saved
        self.facts[fact.id] = value
        self.fact_traces[fact.id] = FactTrace(fact.id, fact.text, fact.source_text, value, frame.reads,
                                              tuple(frame.params[k] for k in sorted(frame.params)))
        return value

    # -- criteria -----------------------------------------------------------------------------------
    def criterion(self, node: Criterion) -> TraceNode:
        if isinstance(node, Condition):
            return self._condition(node)
        children = tuple(self.criterion(child) for child in node.children)
        results = [_value(c.result) for c in children]
        if node.op == "not":
            inner = results[0]
            value: Any = inner if isinstance(inner, Unknown) else not inner
        else:
            value = _kleene(node.op, results)
        missing = _missing_of(node.op, children) if isinstance(value, Unknown) or value is None else ()
        word = result_word(value) if not isinstance(value, Unknown) else "unknown"
        return TraceNode(node.id, node.op, word, node.text, children=children, missing=missing)

    def _condition(self, cond: Condition) -> TraceNode:
        self.frames.append(Frame())
        try:
            value = cond.expr.evaluate(self)
        finally:
            frame = self.frames.pop()
        missing = tuple(sorted(value.missing)) if isinstance(value, Unknown) else ()
        reason = value.reason or None if isinstance(value, Unknown) else None
        comparison = frame.comparisons[-1] if frame.comparisons and isinstance(cond.expr, Compare) else None
        return TraceNode(cond.id, "condition", result_word(value), cond.text, cond.fails, cond.source_text,
                         frame.reads, tuple(frame.params[k] for k in sorted(frame.params)), comparison,
                         missing, reason)

    # -- measures -----------------------------------------------------------------------------------
    def measure(self, measure: Measure) -> MeasureResult:
        self.params = measure.parameters
        skip = self._applicability(measure)
        if skip is not None:
            return skip
        tree = self.criterion(measure.criteria)
        outcome = {"true": Outcome.ELIGIBLE, "false": Outcome.INELIGIBLE}.get(tree.result, Outcome.UNDETERMINED)
        failing = tuple(_failing(tree)) if outcome is Outcome.INELIGIBLE else ()
        missing = tree.missing if outcome is Outcome.UNDETERMINED else ()
        gaps = tuple(gaps_for(self, measure, tree, failing)) if failing else ()
        amount = estimate_amount(self, measure, outcome)
        reason = _reasons(tree) if outcome is Outcome.UNDETERMINED else None
        return MeasureResult(measure.id, outcome, reason, amount, failing, missing, gaps, tree)

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
        from engine.decision import Amount
        return MeasureResult(measure.id, Outcome.NOT_APPLICABLE, reason, Amount("none"), (), (), (), None)


def _value(word: str) -> Any:
    return {"true": True, "false": False}.get(word, Unknown())


def _kleene(op: str, values: list[Any]) -> Any:
    decisive = op == "any"
    if any(v is decisive for v in values):
        return decisive
    if any(isinstance(v, Unknown) for v in values):
        return Unknown()
    return not decisive


def _missing_of(op: str, children: tuple[TraceNode, ...]) -> tuple[str, ...]:
    found: set[str] = set()
    for child in children:
        if child.result == "unknown":
            found.update(child.missing)
    return tuple(sorted(found))


def _reasons(node: TraceNode) -> str | None:
    """Why an undetermined result is undetermined beyond missing fields (e.g. an interval straddling 70)."""
    found: set[str] = set()
    stack = [node]
    while stack:  # follow only the branches that are themselves undetermined
        current = stack.pop()
        if current.result != "unknown":
            continue
        if current.reason and not current.children:
            found.add(current.reason)
        stack.extend(current.children)
    return "; ".join(sorted(found)) or None


def _failing(node: TraceNode) -> list[str]:
    """The conditions responsible for a false result (for `all`: its false children; `any`: all)."""
    if node.kind in ("condition", "not", "jurisdiction"):
        return [node.id]
    out: list[str] = []
    for child in node.children:
        if child.result == "false":
            out.extend(_failing(child))
    return out


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
    warnings = parsed.warnings if isinstance(parsed, ParsedProfile) else ()
    run = Evaluation(ruleset, profile, as_of)
    wanted = _with_dependencies(ruleset, measures)
    for measure_id in ruleset.order:
        if wanted is None or measure_id in wanted:
            run.outcomes[measure_id] = run.measure(ruleset.measures[measure_id])
    results = tuple(run.outcomes[m] for m in sorted(run.outcomes))
    return Decision(
        engine_version=__version__, ruleset_hash=ruleset.hash, as_of=as_of.isoformat(),
        profile_hash=sha256_of(profile.model_dump(mode="python", exclude_none=True)),
        profile_kind=profile.kind, results=results,
        facts=tuple(run.fact_traces[k] for k in sorted(run.fact_traces)), warnings=tuple(warnings),
        stacking=best_combination(ruleset, results),
    )


def _with_dependencies(ruleset: RuleSet, measures: list[str] | None) -> set[str] | None:
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
