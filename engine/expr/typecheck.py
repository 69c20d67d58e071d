"""Load-time checks of an expression: known names, parameters and functions, and money units.

Unknown names are errors with the closest known name; comparing or adding money with a bare number
(`sales >= 5000` instead of `sales >= 5000万元`) is an error, since it is the classic unit slip.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.errors import ExprError
from engine.expr.functions import BUILTINS
from engine.expr.nodes import Attr, Binary, Call, Coalesce, Compare, IfCall, Literal, Name, Node, Param
from engine.suggest import hint_for

NUMERIC_LIKE = {"number", "count", "points", "ratio", "days", "months", "years", "area", "any"}


@dataclass
class Scope:
    names: Mapping[str, str]  # name → unit
    params: Mapping[str, str]  # parameter → unit
    measure_refs: set[str] = field(default_factory=set)


def check(node: Node, scope: Scope) -> list[ExprError]:
    """Return every problem found in `node`, annotating node units on the way."""
    errors: list[ExprError] = []
    _unit(node, scope, errors)
    return errors


def _unit(node: Node, scope: Scope, errors: list[ExprError]) -> str:
    for child in node.children():
        _unit(child, scope, errors)
    unit = _infer(node, scope, errors)
    node.unit = unit
    return unit


def _infer(node: Node, scope: Scope, errors: list[ExprError]) -> str:  # noqa: C901
    if isinstance(node, Literal):
        return node.unit
    if isinstance(node, Name):
        if node.path not in scope.names:
            errors.append(ExprError("unknown-name", f"unknown name '{node.path}'", node.offset,
                                    hint_for(node.path, scope.names)))
            return "any"
        return scope.names[node.path]
    if isinstance(node, Param):
        if node.name not in scope.params:
            errors.append(ExprError("unknown-parameter", f"unknown parameter 'param.{node.name}'", node.offset,
                                    hint_for(node.name, scope.params)))
            return "any"
        unit = scope.params[node.name]
        return "any" if unit in ("table", "list") else unit
    if isinstance(node, Call):
        return _call(node, scope, errors)
    if isinstance(node, Binary):
        return _binary(node, errors)
    if isinstance(node, Compare):
        _compare(node, errors)
        return "bool"
    if isinstance(node, IfCall):
        return node.then.unit if node.then.unit != "any" else node.other.unit
    if isinstance(node, Coalesce):
        return next((i.unit for i in node.items if i.unit != "any"), "any")
    if isinstance(node, Attr):
        return "any"
    return "bool" if type(node).__name__ in ("BoolOp",) else "any"


def _call(node: Call, scope: Scope, errors: list[ExprError]) -> str:
    builtin = BUILTINS.get(node.name)
    if builtin is None:
        errors.append(ExprError("unknown-function", f"unknown function '{node.name}()'", node.offset,
                                hint_for(node.name, BUILTINS)))
        return "any"
    if not builtin.min_args <= len(node.args) <= builtin.max_args:
        errors.append(ExprError("arity", f"{node.name}() takes {builtin.min_args}–{builtin.max_args} "
                                         f"arguments, got {len(node.args)}", node.offset))
    if node.name == "eligible" and node.args and isinstance(node.args[0], Literal):
        scope.measure_refs.add(str(node.args[0].value))
    if builtin.unit == "arg":
        return node.args[0].unit if node.args else "any"
    return builtin.unit


def _is_zero(node: Node) -> bool:
    return isinstance(node, Literal) and node.value == 0


def _money_mismatch(a: Node, b: Node) -> bool:
    if a.unit == "money" and b.unit == "number" and isinstance(b, Literal) and not _is_zero(b):
        return True
    return b.unit == "money" and a.unit == "number" and isinstance(a, Literal) and not _is_zero(a)


def _binary(node: Binary, errors: list[ExprError]) -> str:
    a, b = node.left.unit, node.right.unit
    if node.op in "+-":
        if _money_mismatch(node.left, node.right):
            errors.append(ExprError("unit-mismatch", "cannot add money and a bare number", node.offset,
                                    "write the amount with its unit, e.g. 500万元"))
        return a if a != "any" else b
    if node.op == "/":
        if a == b and a != "any":
            return "ratio"
        return a if b in ("number", "ratio") else "number"
    if "money" in (a, b):
        return "money"
    return a if a != "number" else b


def _compare(node: Compare, errors: list[ExprError]) -> None:
    if node.op == "in":
        return
    if _money_mismatch(node.left, node.right):
        errors.append(ExprError("unit-mismatch", "compares money with a bare number", node.offset,
                                "write the threshold with its unit, e.g. 5000万元"))
    units = {node.left.unit, node.right.unit} - {"any"}
    if "date" in units and units - {"date"}:
        errors.append(ExprError("unit-mismatch", f"compares a date with {', '.join(sorted(units - {'date'}))}",
                                node.offset))
