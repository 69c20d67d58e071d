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


def records(fin: str) -> list[ast.stmt]:
    """fin = run.fin; if fin is MISS: fin = run.finance()  — the run's fiscal-year records, indexed once."""
    return [assign(fin, attr(load("run"), "fin")),
            ast.If(is_(load(fin), load("MISS")), [assign(fin, call(attr(load("run"), "finance")))], [])]


def record_value(item: str, name: str) -> ast.expr:
    """item.get(name) if run.is_dict else getattr(item, name, None)  — a fiscal-year record's field."""
    return ast.IfExp(attr(load("run"), "is_dict"), call(attr(load(item), "get"), ast.Constant(name)),
                     call(load("getattr"), load(item), ast.Constant(name), ast.Constant(None)))


def fiscal_year_read(names: tuple[str, str, str], year: int, name: str, no_year: ast.expr, no_value: ast.expr,
                     whole: ast.expr) -> list[ast.stmt]:
    """out = fy(k).name from the records (engine.fast.calls.fiscal_year_field): no record → no_year, no value →
    no_value, an exact value as exact_value() gives it; no records at all → whole(run)."""
    out, fin, item = names
    found = [assign(out, record_value(item, name)), ast.If(is_(load(out), ast.Constant(None)), [assign(out, no_value)],
             [ast.If(type_is(load(out), "int", negate=True), [assign(out, call(load("exact_value"), load(out)))], [])])]
    by_year = [assign(item, call(attr(load(fin), "get"), ast.Constant(year))),
               ast.If(is_(load(item), ast.Constant(None)), [assign(out, no_year)], found)]
    return [*records(fin), ast.If(is_(load(fin), ast.Constant(None)), [assign(out, call(whole, load("run")))], by_year)]


def recent_years_sum(names: tuple[str, str, str, str, str, str], registered: ast.expr, first: int, last: int,
                     name: str, whole: ast.expr) -> list[ast.stmt]:
    """out = sum(recent_years(n).name) over the records from max(first, registered.year) to last while every
    value is an int (engine.fast.calls.sum_recent_years); anything else → whole(run)."""
    out, fin, start, year, item, value = names
    give_up = [assign(out, load("MISS")), ast.Break()]
    loop = ast.For(store(year), call(load("range"), load(start), ast.Constant(last + 1)), [
        assign(item, call(attr(load(fin), "get"), load(year))),
        ast.If(is_(load(item), ast.Constant(None)), give_up, []),
        assign(value, record_value(item, name)),
        ast.If(type_is(load(value), "int", negate=True), give_up, []),
        ast.AugAssign(store(out), ast.Add(), load(value))],
        [ast.If(cmp(">", load(start), ast.Constant(last)), [assign(out, load("MISS"))], [])])
    summed = [assign(start, call(load("max"), ast.Constant(first), attr(registered, "year"))),
              assign(out, ast.Constant(0)), loop]
    return [assign(out, load("MISS")),
            ast.If(type_is(registered, "Unknown", negate=True),
                   [*records(fin), ast.If(is_(load(fin), ast.Constant(None), negate=True), summed, [])], []),
            ast.If(is_(load(out), load("MISS")), [assign(out, call(whole, load("run")))], [])]


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
