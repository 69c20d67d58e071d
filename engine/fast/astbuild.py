"""Small builders of `ast` nodes for engine.fast.codegen: names, assignments, calls and comparisons made by the
generator (never from rule text), and the line numbers the compiler needs."""

from __future__ import annotations

import ast

AST_OPS: dict[str, ast.cmpop] = {"<": ast.Lt(), "<=": ast.LtE(), ">": ast.Gt(), ">=": ast.GtE(), "==": ast.Eq(),
                                  "!=": ast.NotEq()}
ARITH: dict[str, ast.operator] = {"+": ast.Add(), "-": ast.Sub(), "*": ast.Mult()}


def load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def store(name: str) -> ast.Name:
    return ast.Name(name, ast.Store())


def assign(name: str, value: ast.expr) -> ast.stmt:
    return ast.Assign([store(name)], value)


def call(fn: ast.expr, *args: ast.expr) -> ast.Call:
    return ast.Call(fn, list(args), [])


def is_(left: ast.expr, right: ast.expr, negate: bool = False) -> ast.Compare:
    return ast.Compare(left, [ast.IsNot() if negate else ast.Is()], [right])


def type_is(value: ast.expr, kind: str, negate: bool = False) -> ast.Compare:
    return is_(call(load("type"), value), load(kind), negate)


def cmp(op: str, left: ast.expr, right: ast.expr) -> ast.Compare:
    return ast.Compare(left, [AST_OPS[op]], [right])


def mul(left: ast.expr, right: ast.expr) -> ast.expr:
    return ast.BinOp(left, ast.Mult(), right)


def attr(value: ast.expr, name: str) -> ast.Attribute:
    return ast.Attribute(value, name, ast.Load())


def locate(tree: ast.Module) -> ast.Module:
    """Every node at line 1, column 0 (what ast.fix_missing_locations does here, in one flat pass)."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if node._attributes:
            node.lineno = node.end_lineno = 1  # type: ignore[attr-defined]
            node.col_offset = node.end_col_offset = 0  # type: ignore[attr-defined]
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                todo.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                todo.append(value)
    return tree
