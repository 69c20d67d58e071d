"""The trace: a tree mirroring the criteria, built while evaluating, serialised canonically.

Each condition node records its text, the expression, the values it read (profile fields, facts,
other measures' outcomes), the dated parameters in force with their sources, the comparison made,
and its result (true | false | unknown | conditional); an undetermined node names the fields that
would settle it, a conditional one the measures it waits for.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from engine.canonical import written
from engine.errors import Message

OMIT_EMPTY = {"omit_default": True}  # field metadata: left out of the canonical JSON while at its default


@dataclass(frozen=True)
class ParamRead:
    name: str
    value: Any
    effective_from: str
    source: str


class Frame:
    """Everything one condition (or fact) read while it was evaluated."""

    __slots__ = ("reads", "params", "comparisons")

    def __init__(self) -> None:
        self.reads: dict[str, Any] = {}
        self.params: dict[str, ParamRead] = {}
        self.comparisons: list[dict[str, Any]] = []


@dataclass(frozen=True)
class TraceNode:
    id: str
    kind: str  # condition | all | any | not | jurisdiction | effective
    result: str  # true | false | unknown | conditional
    text: Message | None = None
    fails: Message | None = None
    expr: str | None = None
    reads: dict[str, Any] = field(default_factory=dict)
    params: tuple[ParamRead, ...] = ()
    comparison: dict[str, Any] | None = None
    missing: tuple[str, ...] = ()
    reason: str | None = None
    children: tuple[TraceNode, ...] = ()
    prerequisites: tuple[str, ...] = field(default=(), metadata=OMIT_EMPTY)

    def leaves(self) -> list[TraceNode]:
        if not self.children:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]


@dataclass(frozen=True)
class FactTrace:
    id: str
    text: Message
    expr: str
    value: Any
    reads: dict[str, Any]
    params: tuple[ParamRead, ...]


_NODE_FIELDS = ("id", "kind", "result", "text", "fails", "expr", "reads", "params", "comparison", "missing", "reason",
                "children", "prerequisites")
_FACT_FIELDS = ("id", "text", "expr", "value", "reads", "params")
_PLAIN_INSTANCES = all(not hasattr(cls, "__slots__") and not hasattr(cls, "__post_init__")
                       for cls in (TraceNode, FactTrace)) and tuple(
    f.name for f in dataclasses.fields(TraceNode)) == _NODE_FIELDS and tuple(
    f.name for f in dataclasses.fields(FactTrace)) == _FACT_FIELDS


def trace_node(id: str, kind: str, result: str, text: Message | None, fails: Message | None, expr: str | None,
               reads: dict[str, Any], params: tuple[ParamRead, ...], comparison: dict[str, Any] | None,
               missing: tuple[str, ...], reason: str | None, children: tuple[TraceNode, ...],
               prerequisites: tuple[str, ...]) -> TraceNode:
    """TraceNode(...) without the frozen-dataclass __init__ (a third of the cost of a trace).

    The instance is the one the constructor would build: same fields, same values, equal and hashing
    equal; no prerequisites are read from the class (the default), so the JSON writer takes the instance's
    own __dict__ as it is (engine.canonical). Should the dataclass ever gain __slots__, a __post_init__ or
    another field, the real constructor is used.
    """
    if not _PLAIN_INSTANCES:
        return TraceNode(id=id, kind=kind, result=result, text=text, fails=fails, expr=expr, reads=reads, params=params,
                         comparison=comparison, missing=missing, reason=reason, children=children,
                         prerequisites=prerequisites)
    node = object.__new__(TraceNode)
    node.__dict__.update(id=id, kind=kind, result=result, text=text, fails=fails, expr=expr, reads=reads,
                         params=params, comparison=comparison, missing=missing, reason=reason, children=children)
    if prerequisites:
        node.__dict__["prerequisites"] = prerequisites
    return node


def node_json(id: str, kind: str, result: str, text: Message | None, fails: Message | None, expr: str | None,
              reads: dict[str, Any], params: tuple[ParamRead, ...], comparison: dict[str, Any] | None,
              missing: tuple[str, ...], reason: str | None, children: tuple[Any, ...], prerequisites: tuple[str, ...]
              ) -> dict[str, Any]:
    """What the JSON writer makes of `trace_node(...)` with the same arguments, one level: the node's fields by
    name (prerequisites left out while empty, as OMIT_EMPTY says), its texts as their kept bytes
    (engine.canonical.written), `children` already in this form. A trace is written from what the run recorded
    without building its TraceNodes (engine.decision.Deferred's `written`)."""
    node = {"children": children, "comparison": comparison, "expr": expr,  # in the writer's (sorted) order
            "fails": None if fails is None else written(fails), "id": id, "kind": kind, "missing": missing,
            "params": params, "reads": reads, "reason": reason, "result": result,
            "text": None if text is None else written(text)}
    if prerequisites:
        node["prerequisites"] = prerequisites
    return node


def fact_json(trace: FactTrace) -> dict[str, Any]:
    """What the JSON writer makes of a FactTrace, one level (its text as its kept bytes), as node_json does."""
    fields = trace.__dict__ if _PLAIN_INSTANCES else {name: getattr(trace, name) for name in _FACT_FIELDS}
    return {**fields, "text": written(trace.text)}


def fact_trace(id: str, text: Message, expr: str, value: Any, reads: dict[str, Any], params: tuple[ParamRead, ...]
               ) -> FactTrace:
    if not _PLAIN_INSTANCES:
        return FactTrace(id=id, text=text, expr=expr, value=value, reads=reads, params=params)
    trace = object.__new__(FactTrace)
    trace.__dict__.update(id=id, text=text, expr=expr, value=value, reads=reads, params=params)
    return trace
