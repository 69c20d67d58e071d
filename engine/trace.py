"""The trace: a tree mirroring the criteria, built while evaluating, serialised canonically.

Each condition node records its text, the expression, the values it read (profile fields, facts,
other measures' outcomes), the dated parameters in force with their sources, the comparison made,
and its three-valued result; an undetermined node names the fields that would settle it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.errors import Message


@dataclass(frozen=True)
class ParamRead:
    name: str
    value: Any
    effective_from: str
    source: str


@dataclass
class Frame:
    """Everything one condition (or fact) read while it was evaluated."""

    reads: dict[str, Any] = field(default_factory=dict)
    params: dict[str, ParamRead] = field(default_factory=dict)
    comparisons: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class TraceNode:
    id: str
    kind: str  # condition | all | any | not | jurisdiction | effective
    result: str  # true | false | unknown
    text: Message | None = None
    fails: Message | None = None
    expr: str | None = None
    reads: dict[str, Any] = field(default_factory=dict)
    params: tuple[ParamRead, ...] = ()
    comparison: dict[str, Any] | None = None
    missing: tuple[str, ...] = ()
    reason: str | None = None
    children: tuple[TraceNode, ...] = ()

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


def result_word(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "unknown"
