"""Full-trace evaluation with compiled conditions: the same Decision as `engine.evaluate()`, faster.

`TracedRun` is the engine's own `Evaluation` with two things swapped: profile names are read lazily
through accessors instead of a flattened namespace, and conditions and facts (how a leaf runs) are
generated code (engine.fast.tracedgen: one function per measure's conditions and per fact, built on first
use; compiled closures, engine.fast.exprs, for what it does not write out) that records exactly what the AST
evaluator records (reads, dated parameters, the last comparison). Criteria logic, traces, gaps, amounts,
stacking and the Decision are the engine's.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from engine.canonical import profile_hash_of
from engine.decision import Amount, Decision, MeasureResult, Outcome, Stacking
from engine.evaluate import Evaluation, decide_with, not_applicable
from engine.fast.exprs import MISS
from engine.fast.plan import MeasurePlan, Verdict
from engine.fast.protocol import Program
from engine.fast.source import unwrap
from engine.logic import CriteriaTree
from engine.model import Condition, Fact, Measure
from engine.profile import ParsedProfile
from engine.trace import Frame
from engine.version import __version__


class LazyNamespace:
    """What `build_namespace` would hold for a name, read on first use."""

    __slots__ = ("table", "accessors", "src", "is_dict", "values")

    def __init__(self, accessors: Any, src: Any, is_dict: bool):
        self.accessors = accessors
        self.table = accessors.table(is_dict)
        self.src = src
        self.is_dict = is_dict
        self.values: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        value = self.values.get(name, MISS)
        if value is MISS:
            getter = self.table.get(name) or self.accessors.get(name, self.is_dict)
            value = self.values[name] = getter(self.src)
        return value


class TracedRun(Evaluation):
    """engine.evaluate.Evaluation whose leaves (conditions and facts) run as generated code or compiled closures."""

    def __init__(self, program: Program, profile: Any):
        src, is_dict, _ = unwrap(profile)
        super().__init__(program.ruleset, profile, program.as_of, ns=LazyNamespace(program.accessors, src, is_dict))
        self.program = program
        self.by_year: dict[int, Any] | None = None
        self.applies: dict[str, MeasureResult | None] | None = None
        self.plan: MeasurePlan | None = None

    def records_by_year(self, records: list[dict[str, Any]]) -> dict[int, Any]:
        """The finance records by year (as recent_years() indexes them), built once per profile."""
        if self.by_year is None:
            self.by_year = {record["year"]: record for record in records}
        return self.by_year

    def tree_of(self, measure: Measure) -> tuple[CriteriaTree, list[Condition]]:
        plan = self.plan = self.program.plans[measure.id]  # the measure whose conditions run next
        return plan.criteria

    def measure(self, measure: Measure) -> MeasureResult:
        applies = self.applies
        skip = applies[measure.id] if applies is not None else None
        return skip if skip is not None else super().measure(measure)

    def _applicability(self, measure: Measure) -> MeasureResult | None:
        """Evaluation's, decided once per (kind, region code) by the compiled plans (MeasurePlan.applies)."""
        applies = self.applies
        if applies is None:
            region = self.ns.get("region_code")
            if region is None:  # an area-bound measure is undetermined with its trace: the engine's own
                return super()._applicability(measure)
            applies = self.applies = applicability(self.program, self.profile.kind, str(region))
        return applies[measure.id]

    def stacking(self, results: tuple[MeasureResult, ...]) -> Stacking:
        return self.program.stacking(results)

    def run_condition(self, cond: Condition) -> tuple[Any, Frame]:
        frame = Frame()
        self.frames.append(frame)
        try:
            return self.program.traced_leaves[id(cond)](self), frame
        finally:
            self.frames.pop()

    def run_conditions(self, conditions: list[Condition]) -> tuple[list[Any], list[Frame]]:
        """Evaluation's (run_condition of each, in order): the measure's generated function
        (engine.fast.tracedgen) when these are its conditions, else the loop written out."""
        plan = self.plan
        if plan is not None and plan.criteria[1] is conditions and plan.traced_values is not None:
            return plan.traced_values(self)
        leaves, stack = self.program.traced_leaves, self.frames
        values, frames = [], []
        for cond in conditions:
            frame = Frame()
            stack.append(frame)
            try:
                values.append(leaves[id(cond)](self))
            finally:
                stack.pop()
            frames.append(frame)
        return values, frames

    def run_fact(self, fact: Fact) -> Any:
        return self.program.traced_facts[fact.id](self)

    def node_values(self, measure: Measure, tree: CriteriaTree, values: list[Any]) -> Any:
        """The compiled plan's one-pass evaluator (engine.logic.tree_evaluator: a list by pos); a plan whose tree is
        one flat group has none: its root, then its leaves in order."""
        plan = self.program.plans[measure.id]
        evaluator = plan.node_values
        return [plan.value(values), *values] if evaluator is None else evaluator(values)

    def amount(self, measure: Measure, outcome: Outcome) -> Amount:
        """The compiled plan's (engine.benefits.estimate_amount; one that reads nothing of the profile worked out
        once per outcome: what it reads is recorded on its own frame, which no trace shows)."""
        return self.program.plans[measure.id].amount(self, outcome)


_APPLIES: weakref.WeakKeyDictionary[Program, dict[tuple[str, str], dict[str, MeasureResult | None]]] = \
    weakref.WeakKeyDictionary()


def applicability(program: Program, kind: str, region: str) -> dict[str, MeasureResult | None]:
    """Per measure, its shared not-applicable result for an applicant of this kind in this region (a code),
    or None where it applies; worked out once per program, kind and region."""
    by_place = _APPLIES.get(program)
    if by_place is None:
        by_place = _APPLIES[program] = {}
    found = by_place.get((kind, region))
    if found is None:
        found = {}
        for mid, plan in program.plans.items():
            verdict = plan.applies(kind, region)
            found[mid] = None if verdict is None else not_applicable(mid, verdict.reason or "other_kind")
        if len(by_place) < 4096:
            by_place[(kind, region)] = found
    return found


def evaluate_traced(program: Program, parsed: ParsedProfile | Any, measures: list[str] | None = None,
                    profile_hash: str | None = None) -> Decision:
    """`engine.evaluate(ruleset, parsed, as_of, measures)` run once, traced, with compiled leaves: for a caller
    that will read the traces (the canonical JSON, a report), without the untraced pass `decide()` makes first."""
    profile = parsed.profile if isinstance(parsed, ParsedProfile) else parsed
    return decide_with(TracedRun(program, profile), parsed, measures, profile_hash)


def decide(program: Program, parsed: ParsedProfile | Any, measures: list[str] | None = None,
           profile_hash: str | None = None) -> Decision:
    """`engine.evaluate(ruleset, parsed, as_of, measures)` with the compiled program of that RuleSet/date.

    The outcomes, amounts, failing and missing conditions come from the untraced path at once; the traces,
    gaps and fact traces are deferred (engine.decision.Deferred): the first read of any of them runs the
    traced evaluation once, for the whole decision. The canonical JSON is evaluate()'s, byte for byte.

    Args:
        program: a CompiledRuleSet.
        parsed: a ParsedProfile or a validated profile model.
        measures: only these measures (and their dependencies), as in `evaluate()`.
        profile_hash: the profile's hash when the caller already knows it (it is the costliest part).
    """
    profile = parsed.profile if isinstance(parsed, ParsedProfile) else parsed
    warnings = parsed.warnings if isinstance(parsed, ParsedProfile) else ()
    traced: dict[str, Any] = {}

    def full() -> dict[str, Any]:  # the traced evaluation, run once and only when a trace is read
        if not traced:
            decision = decide_with(TracedRun(program, profile), parsed, measures, profile_hash)
            traced.update({r.measure_id: r for r in decision.results}, **{"": decision})
        return traced

    results = tuple(_result(verdict, full) for verdict in program.verdicts(profile, measures))
    return Decision.deferred(
        {"facts": lambda: full()[""].facts, "profile_hash": lambda: profile_hash or profile_hash_of(profile)},
        engine_version=__version__, ruleset_hash=program.ruleset.hash, as_of=program.as_of.isoformat(),
        profile_kind=profile.kind, results=results, warnings=tuple(warnings),
        stacking=program.stacking(results))


_SHARED: dict[int, tuple[Verdict, MeasureResult]] = {}  # id(verdict) → (verdict, its result), for shared verdicts


def _result(verdict: Verdict, full: Callable[[], dict[str, Any]]) -> MeasureResult:
    mid = verdict.measure_id
    if verdict.outcome is Outcome.NOT_APPLICABLE:  # each plan's few not-applicable verdicts: one frozen result each
        found = _SHARED.get(id(verdict))
        if found is not None and found[0] is verdict:
            return found[1]
        result = MeasureResult(mid, verdict.outcome, verdict.reason, verdict.amount, verdict.failing, verdict.missing,
                               (), None, verdict.prerequisites)
        if len(_SHARED) < 4096:
            _SHARED[id(verdict)] = (verdict, result)  # the verdict is kept, so its id is not reused meanwhile
        return result
    later = {"trace": lambda: full()[mid].trace, "gaps": (lambda: full()[mid].gaps) if verdict.failing else tuple}
    return MeasureResult.deferred(later, measure_id=mid, outcome=verdict.outcome, reason=verdict.reason,
                                  amount=verdict.amount, failing=verdict.failing, missing=verdict.missing,
                                  prerequisites=verdict.prerequisites)
