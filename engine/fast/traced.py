"""Full-trace evaluation with compiled conditions: the same Decision as `engine.evaluate()`, faster.

`TracedRun` is the engine's own `Evaluation` with three things swapped: profile names are read
lazily through accessors instead of a flattened namespace, and conditions and facts run as compiled
closures that record exactly what the AST evaluator records (reads, dated parameters, the last
comparison). Criteria groups, gaps, amounts, stacking and the Decision itself are the engine's code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from engine.canonical import plain
from engine.decision import Decision
from engine.evaluate import Evaluation, _with_dependencies
from engine.expr.nodes import Compare
from engine.expr.values import Unknown
from engine.fast.exprs import MISS
from engine.fast.source import unwrap
from engine.model import Condition, Criterion, Fact
from engine.profile import ParsedProfile
from engine.stacking import best_combination
from engine.trace import FactTrace, Frame, TraceNode, result_word
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


_NOT = {"true": "false", "false": "true", "unknown": "unknown"}
_NODE_FIELDS = tuple(f.name for f in dataclasses.fields(TraceNode))
_FACT_FIELDS = tuple(f.name for f in dataclasses.fields(FactTrace))
_PLAIN_INSTANCES = all(not hasattr(cls, "__slots__") and not hasattr(cls, "__post_init__")
                       for cls in (TraceNode, FactTrace))


def trace_node(*values: Any) -> TraceNode:
    """TraceNode(*values), without the frozen-dataclass __init__ (a third of the cost of a trace).

    The instance is the one the constructor would build: same fields, same values, equal and hashing
    equal; when the dataclass ever gains __slots__ or a __post_init__, the real constructor is used.
    """
    if not _PLAIN_INSTANCES:
        return TraceNode(*values)
    node = object.__new__(TraceNode)
    node.__dict__.update(zip(_NODE_FIELDS, values, strict=True))
    return node


def fact_trace(*values: Any) -> FactTrace:
    if not _PLAIN_INSTANCES:
        return FactTrace(*values)
    trace = object.__new__(FactTrace)
    trace.__dict__.update(zip(_FACT_FIELDS, values, strict=True))
    return trace


class LightFrame:
    """engine.trace.Frame without the dataclass machinery (created once per condition and fact)."""

    __slots__ = ("reads", "params", "comparisons")

    def __init__(self) -> None:
        self.reads: dict[str, Any] = {}
        self.params: dict[str, Any] = {}
        self.comparisons: list[dict[str, Any]] = []


class TracedRun(Evaluation):
    """engine.evaluate.Evaluation running compiled conditions and facts."""

    def __init__(self, program: Any, profile: Any):  # super().__init__ would build the whole namespace
        src, is_dict, _ = unwrap(profile)
        self.program = program
        self.ruleset = program.ruleset
        self.profile = profile
        self.as_of = program.as_of
        self.ns = LazyNamespace(program.accessors, src, is_dict)  # type: ignore[assignment]
        self.facts: dict[str, Any] = {}
        self.fact_traces: dict[str, FactTrace] = {}
        self.outcomes = {}
        self.frames = [Frame()]
        self.params = {}
        self.by_year: dict[int, Any] | None = None

    def records_by_year(self, records: list[dict[str, Any]]) -> dict[int, Any]:
        """The finance records by year (as recent_years() indexes them), built once per profile."""
        if self.by_year is None:
            self.by_year = {record["year"]: record for record in records}
        return self.by_year

    def criterion(self, node: Criterion) -> TraceNode:
        """Evaluation.criterion, combining the children's result words directly."""
        if type(node) is Condition:
            return self._condition(node)
        children = tuple([self.criterion(child) for child in node.children])  # type: ignore[union-attr]
        words = [child.result for child in children]
        op = node.op  # type: ignore[union-attr]
        if op == "not":
            word = _NOT[words[0]]
        elif (op == "all" and "false" in words) or (op == "any" and "true" in words):
            word = "false" if op == "all" else "true"
        else:
            word = "unknown" if "unknown" in words else ("true" if op == "all" else "false")
        missing: tuple[str, ...] = ()
        if word == "unknown":
            missing = tuple(sorted({m for c in children if c.result == "unknown" for m in c.missing}))
        return trace_node(node.id, op, word, node.text, None, None, {}, (), None, missing, None, children)

    def _fact(self, fact: Fact) -> Any:
        if fact.id in self.facts:
            return self.facts[fact.id]
        saved, self.params = self.params, fact.parameters
        frame = LightFrame()
        self.frames.append(frame)  # type: ignore[arg-type]
        try:
            value = self.program.traced_facts[fact.id](self)
        finally:
            self.frames.pop()
            self.params = saved
        self.facts[fact.id] = value
        params = frame.params
        self.fact_traces[fact.id] = fact_trace(fact.id, fact.text, fact.source_text, value, frame.reads,
                                               tuple(params[k] for k in sorted(params)) if params else ())
        return value

    def _condition(self, cond: Condition) -> TraceNode:
        frame = LightFrame()
        self.frames.append(frame)  # type: ignore[arg-type]
        try:
            value = self.program.traced_leaves[id(cond)](self)
        finally:
            self.frames.pop()
        unknown = type(value) is Unknown
        params = frame.params
        comparison = frame.comparisons[-1] if frame.comparisons and type(cond.expr) is Compare else None
        return trace_node(cond.id, "condition", result_word(value), cond.text, cond.fails, cond.source_text,
                          frame.reads, tuple(params[k] for k in sorted(params)) if params else (), comparison,
                          tuple(sorted(value.missing)) if unknown else (), value.reason or None if unknown else None,
                          ())


def _plain(value: Any) -> Any:
    """engine.canonical.plain for the types a model dump holds, with the common ones first."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {key if type(key) is str else str(key): _plain(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    return plain(value)


def profile_hash_of(profile: Any) -> str:
    """The Decision's profile_hash, sha256_of(profile.model_dump(exclude_none)), without the generic walk."""
    data = _plain(profile.model_dump(mode="python", exclude_none=True))
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def decide(program: Any, parsed: ParsedProfile | Any, measures: list[str] | None = None,
           profile_hash: str | None = None) -> Decision:
    """`engine.evaluate(ruleset, parsed, as_of, measures)` with the compiled program of that RuleSet/date.

    Args:
        program: a CompiledRuleSet.
        parsed: a ParsedProfile or a validated profile model.
        measures: only these measures (and their dependencies), as in `evaluate()`.
        profile_hash: the profile's hash when the caller already knows it (it is the costliest part).
    """
    profile = parsed.profile if isinstance(parsed, ParsedProfile) else parsed
    warnings = parsed.warnings if isinstance(parsed, ParsedProfile) else ()
    run = TracedRun(program, profile)
    ruleset = program.ruleset
    wanted = _with_dependencies(ruleset, measures)
    for measure_id in ruleset.order:
        if wanted is None or measure_id in wanted:
            run.outcomes[measure_id] = run.measure(ruleset.measures[measure_id])
    results = tuple(run.outcomes[m] for m in sorted(run.outcomes))
    return Decision(
        engine_version=__version__, ruleset_hash=ruleset.hash, as_of=program.as_of.isoformat(),
        profile_hash=profile_hash or profile_hash_of(profile),
        profile_kind=profile.kind, results=results,
        facts=tuple(run.fact_traces[k] for k in sorted(run.fact_traces)), warnings=tuple(warnings),
        stacking=best_combination(ruleset, results),
    )
