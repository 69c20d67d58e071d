"""AST nodes of the condition language; each evaluates three-valued against an evaluation context.

A node never raises on missing data: an absent input evaluates to `Unknown`, which propagates through
arithmetic and is combined by Kleene logic in `and` / `or` / `not`. Comparisons record what they read
(left value, operator, right value) on the context so the trace and the gap analysis can use them.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

from engine import logic
from engine.expr.values import Conditional, Interval, Unknown, exact, is_number, unknown_of


class Context(Protocol):
    """What a node needs from the evaluator."""

    def lookup(self, name: str) -> Any: ...
    def param(self, name: str) -> Any: ...
    def call(self, name: str, args: list[Any]) -> Any: ...
    def record_comparison(self, node: Compare, left: Any, right: Any, result: Any) -> None: ...


@dataclass(eq=False)
class Node:
    offset: int = field(default=0, kw_only=True)
    unit: str = field(default="any", kw_only=True)

    def evaluate(self, ctx: Context) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def children(self) -> list[Node]:
        return []

    def walk(self) -> list[Node]:
        out: list[Node] = [self]
        for child in self.children():
            out.extend(child.walk())
        return out


@dataclass(eq=False)
class Literal(Node):
    value: Any

    def evaluate(self, ctx: Context) -> Any:
        return self.value


@dataclass(eq=False)
class ListLit(Node):
    items: list[Node]

    def evaluate(self, ctx: Context) -> Any:
        return [item.evaluate(ctx) for item in self.items]

    def children(self) -> list[Node]:
        return list(self.items)


@dataclass(eq=False)
class Name(Node):
    """A profile field path (`staff.total`), a fact id (`rd_ratio_3y`) or `as_of`."""

    path: str

    def evaluate(self, ctx: Context) -> Any:
        return ctx.lookup(self.path)


@dataclass(eq=False)
class Param(Node):
    """A dated parameter of the enclosing measure or facts file: `param.staff_ratio_min`."""

    name: str

    def evaluate(self, ctx: Context) -> Any:
        return ctx.param(self.name)


@dataclass(eq=False)
class Attr(Node):
    """Attribute of a record, or projection over a list of records: `recent_years(3).sales`."""

    target: Node
    name: str

    def evaluate(self, ctx: Context) -> Any:
        return project(self.target.evaluate(ctx), self.name)

    def children(self) -> list[Node]:
        return [self.target]


def project(value: Any, name: str) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        return [project(item, name) for item in value]
    if isinstance(value, dict):
        got = value.get(name)
        if got is None:
            where = value.get("__path__", "")
            return Unknown(frozenset({f"{where}.{name}" if where else name}))
        return exact(got)
    return Unknown(reason=f"cannot read '{name}'")


@dataclass(eq=False)
class Index(Node):
    target: Node
    key: Node

    def evaluate(self, ctx: Context) -> Any:
        return index_value(self.target.evaluate(ctx), self.key.evaluate(ctx))

    def children(self) -> list[Node]:
        return [self.target, self.key]


def index_value(table: Any, key: Any) -> Any:
    """`table[key]` for a mapping (band letter → points) or a list; Unknown when absent."""
    missing = unknown_of(table, key)
    if missing is not None:
        return missing
    if isinstance(table, dict):
        if key in table:
            return table[key]
        return Unknown(reason=f"no entry for {key!r}")
    if isinstance(table, list) and isinstance(key, int):
        return table[key] if -len(table) <= key < len(table) else Unknown(reason="index out of range")
    return Unknown(reason="not indexable")


@dataclass(eq=False)
class Unary(Node):
    op: str
    operand: Node

    def evaluate(self, ctx: Context) -> Any:
        value = self.operand.evaluate(ctx)
        if self.op == "not":
            return logic.negate(value)
        if isinstance(value, Unknown):
            return value
        return Interval(-value.hi, -value.lo) if isinstance(value, Interval) else -value

    def children(self) -> list[Node]:
        return [self.operand]


@dataclass(eq=False)
class Binary(Node):
    op: str  # + - * /
    left: Node
    right: Node

    def evaluate(self, ctx: Context) -> Any:
        return arithmetic(self.op, self.left.evaluate(ctx), self.right.evaluate(ctx))

    def children(self) -> list[Node]:
        return [self.left, self.right]


def arithmetic(op: str, a: Any, b: Any) -> Any:
    missing = unknown_of(a, b)
    if missing is not None:
        return missing
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return exact(Fraction(a) * Fraction(b)) if is_number(a) and is_number(b) else a * b
    if b == 0:
        return Unknown(reason="division by zero")
    return exact(Fraction(a) / Fraction(b))


@dataclass(eq=False)
class Compare(Node):
    op: str  # == != < <= > >= in
    left: Node
    right: Node
    negate: bool = False

    def evaluate(self, ctx: Context) -> Any:
        left, right = self.left.evaluate(ctx), self.right.evaluate(ctx)
        result = compare(self.op, left, right)
        if self.negate and not isinstance(result, Unknown):
            result = not result
        ctx.record_comparison(self, left, right, result)
        return result

    def children(self) -> list[Node]:
        return [self.left, self.right]


ORDER: dict[str, Callable[[Any, Any], Any]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt,
                                               ">=": operator.ge}
COMPARISONS = {**ORDER, "==": operator.eq, "!=": operator.ne}  # the one table; scalars and numpy arrays alike


def compare(op: str, a: Any, b: Any) -> Any:
    missing = unknown_of(a, b)
    if missing is not None:
        return missing
    if op == "in":
        return a in b
    if isinstance(a, Interval) or isinstance(b, Interval):
        return _compare_interval(op, a, b)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if isinstance(a, dt.date) != isinstance(b, dt.date):
        return Unknown(reason="cannot compare a date with a number")
    return ORDER[op](a, b)


def _compare_interval(op: str, a: Any, b: Any) -> Any:
    lo_a, hi_a = (a.lo, a.hi) if isinstance(a, Interval) else (a, a)
    lo_b, hi_b = (b.lo, b.hi) if isinstance(b, Interval) else (b, b)
    check = ORDER.get(op)
    if check is None:
        return Unknown(reason="equality on an interval")
    surely = check(lo_a, hi_b) if op in (">", ">=") else check(hi_a, lo_b)
    possibly = check(hi_a, lo_b) if op in (">", ">=") else check(lo_a, hi_b)
    if surely:
        return True
    if not possibly:
        return False
    return Unknown(reason=f"interval [{_fmt(lo_a)}, {_fmt(hi_a)}] straddles the threshold {_fmt(lo_b)}; "
                          "expert judgement decides")


def _fmt(value: Any) -> str:
    return str(value) if not isinstance(value, Fraction) else f"{float(value):g}"


@dataclass(eq=False)
class BoolOp(Node):
    op: str  # and | or
    items: list[Node]

    def evaluate(self, ctx: Context) -> Any:
        values = [item.evaluate(ctx) for item in self.items]
        return kleene(self.op, values)

    def children(self) -> list[Node]:
        return list(self.items)


kleene = logic.combine  # `and` / `or` mean what `all` / `any` mean: engine.logic


@dataclass(eq=False)
class Call(Node):
    name: str
    args: list[Node]

    def evaluate(self, ctx: Context) -> Any:
        return ctx.call(self.name, [arg.evaluate(ctx) for arg in self.args])

    def children(self) -> list[Node]:
        return list(self.args)


@dataclass(eq=False)
class IfCall(Node):
    """`if(cond, then, else)`, evaluated lazily; an unknown condition makes the result unknown."""

    cond: Node
    then: Node
    other: Node

    def evaluate(self, ctx: Context) -> Any:
        cond = self.cond.evaluate(ctx)
        if isinstance(cond, Unknown):
            return cond
        if type(cond) is Conditional:
            return cond.as_unknown()
        return self.then.evaluate(ctx) if cond else self.other.evaluate(ctx)

    def children(self) -> list[Node]:
        return [self.cond, self.then, self.other]


@dataclass(eq=False)
class Coalesce(Node):
    """`coalesce(a, b, …)`: the first known value; the trace shows which argument stood in."""

    items: list[Node]

    def evaluate(self, ctx: Context) -> Any:
        first: Any = None
        for item in self.items:
            value = item.evaluate(ctx)
            if not isinstance(value, Unknown):
                return value
            first = value if first is None else first.merge(value)
        return first

    def children(self) -> list[Node]:
        return list(self.items)
