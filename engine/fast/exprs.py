"""Compile condition-language ASTs into Python closures (no eval, no generated source).

A closure takes the per-profile run state and returns exactly what `node.evaluate(ctx)` returns.
What does not depend on the profile is done once here: parameters are resolved for the as-of date,
constant sub-trees are folded, comparisons against constants and band tables get typed fast paths,
hot builtins are specialised (engine.fast.calls). Fast paths cover exact ints and Fractions, bools
and codes; every other case goes through the engine's own helpers (compare, arithmetic, builtins),
so Unknown, intervals and dates keep the engine's semantics. In traced mode the closures also record
what they read on the run's current frame, as the AST evaluator does. A node type without a compiler
here falls back to its own `evaluate()`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from engine.expr.functions import BUILTINS
from engine.expr.nodes import (
    Attr,
    Binary,
    BoolOp,
    Call,
    Coalesce,
    Compare,
    IfCall,
    Index,
    ListLit,
    Literal,
    Name,
    Node,
    Param,
    Unary,
    arithmetic,
    compare,
    project,
)
from engine.expr.values import Conditional, Interval, Unknown, unknown_of
from engine.fast import calls
from engine.fast.calls import MISS, OPS, compare_const, divide, index, traced_name
from engine.fast.protocol import Fn, Program
from engine.logic import combine, negate
from engine.parameters import ParameterSeries
from engine.trace import ParamRead


class Const:
    """A folded constant; `fn` returns it."""

    __slots__ = ("fn", "value")

    def __init__(self, value: Any):
        self.value = value
        self.fn: Fn = lambda run: value


class Recorded:
    """A parameter read in traced mode: its value is known now, but `fn` must run to record the read."""

    __slots__ = ("fn", "value")

    def __init__(self, fn: Fn, value: Any):
        self.fn, self.value = fn, value


Compiled = Fn | Const | Recorded


def const_of(compiled: Compiled) -> Any:
    return compiled.value if isinstance(compiled, Const) else MISS


def fn_of(compiled: Compiled) -> Fn:
    return compiled.fn if isinstance(compiled, Const | Recorded) else compiled


class ExprCompiler:
    """Compiles the expressions of one parameter scope (a measure or a facts file) for one as-of date."""

    def __init__(self, program: Program, params: dict[str, ParameterSeries], traced: bool):
        self.program = program
        self.params = params
        self.traced = traced
        self.handlers: dict[type, Callable[[Any], Compiled]] = {
            Literal: lambda n: Const(n.value), Name: lambda n: self._name(n.path),
            Param: lambda n: self._param(n.name), Compare: self._compare, Binary: self._binary,
            Call: self._call, Attr: self._attr, BoolOp: self._boolop, Unary: self._unary, IfCall: self._if,
            Coalesce: self._coalesce, Index: self._index, ListLit: self._list}

    def compile(self, node: Node, top: bool = False) -> Fn:
        """The closure of `node`; `top` marks a condition's own comparison, the one its trace shows."""
        if top and self.traced and type(node) is Compare:
            return self._compare(node, record=True)
        return fn_of(self._node(node))

    def _node(self, node: Node) -> Compiled:
        handler = self.handlers.get(type(node))
        return handler(node) if handler is not None else self._fallback(node)

    # -- names and parameters -----------------------------------------------------------------------
    def _name(self, path: str) -> Compiled:
        program = self.program
        if self.traced:
            return traced_name(program, path)
        if path == "as_of":
            return Const(program.as_of)
        if path in program.ruleset.facts:
            if program.uses.get(path, 0) == 1:  # read once: inline the body, no memo needed
                fact = program.ruleset.facts[path]
                return ExprCompiler(program, fact.parameters, traced=False).compile(fact.expr)
            return program.reader(path)
        program.names.add(path)
        missing = Unknown(frozenset({path}))
        if program.uses.get(path, 0) == 1:

            def read_once(run: Any) -> Any:
                value = run.getters[path](run.src)
                return missing if value is None else value
            return read_once
        return program.reader(path)

    def _param(self, name: str) -> Compiled:
        series = self.params.get(name)
        as_of = self.program.as_of
        found = series.at(as_of) if series else None
        if found is None:
            return Const(Unknown(reason=f"parameter {name} is not in force on {as_of.isoformat()}"))
        value = found.value
        if not self.traced:
            return Const(value)
        read = ParamRead(name, value, found.effective_from.isoformat(), found.source)

        def traced_param(run: Any) -> Any:
            run.frames[-1].params[name] = read
            return value
        return Recorded(traced_param, value)

    # -- operators ----------------------------------------------------------------------------------
    def _compare(self, node: Compare, record: bool = False) -> Fn:
        left, right = self.compile(node.left), self._node(node.right)
        if not record and isinstance(right, Const):
            fast = compare_const(node.op, node.negate, left, right.value)
            if fast is not None:
                return fast
        right_fn, op, negate = fn_of(right), node.op, node.negate
        check = OPS.get(op)
        # a recorded comparison with a constant takes the value as it is (a list literal excepted: a fresh list each time)
        const: Any = const_of(right) if isinstance(right, Const) and type(right.value) is not list else MISS

        def run_compare(run: Any) -> Any:
            a = left(run)
            b = const if const is not MISS else right_fn(run)
            ta, tb = type(a), type(b)
            if check is not None and (ta is int or ta is Fraction) and (tb is int or tb is Fraction):
                result: Any = check(a, b) if ta is tb is int else \
                    check(a.numerator * b.denominator, b.numerator * a.denominator)
            elif check is not None and ta is tb and (ta is str or ta is bool):  # what compare() does with these
                result = check(a, b)
            elif ta is Unknown and tb is not Unknown and tb is not Conditional:  # compare(): unknown_of(a, b) is a
                result = a
            else:
                result = compare(op, a, b)
            if negate and type(result) is not Unknown:
                result = not result
            if record:  # only a condition's own comparison reaches its trace (Evaluation._condition)
                run.record_comparison(node, a, b, result)
            return result
        return run_compare

    def _binary(self, node: Binary) -> Compiled:
        left, right, op = self._node(node.left), self._node(node.right), node.op
        lv, rv = const_of(left), const_of(right)
        if lv is not MISS and rv is not MISS:
            return Const(arithmetic(op, lv, rv))
        lf, rf = fn_of(left), fn_of(right)
        if op == "/":
            return lambda run: divide(lf(run), rf(run))
        if op in ("+", "-"):
            add = operator.add if op == "+" else operator.sub

            def plus_minus(run: Any) -> Any:
                a, b = lf(run), rf(run)
                if type(a) is Unknown or type(b) is Unknown:
                    return unknown_of(a, b)
                return add(a, b)
            return plus_minus

        def times(run: Any) -> Any:
            a, b = lf(run), rf(run)
            if type(a) is int and type(b) is int:
                return a * b
            return arithmetic(op, a, b)
        return times

    def _boolop(self, node: BoolOp) -> Fn:
        items, op = [self.compile(i) for i in node.items], node.op
        return lambda run: combine(op, [f(run) for f in items])

    def _unary(self, node: Unary) -> Fn:
        operand, op = self.compile(node.operand), node.op

        if op == "not":
            return lambda run: negate(operand(run))

        def run_unary(run: Any) -> Any:
            value = operand(run)
            if type(value) is Unknown:
                return value
            return Interval(-value.hi, -value.lo) if isinstance(value, Interval) else -value
        return run_unary

    def _if(self, node: IfCall) -> Fn:
        cond, then, other = self.compile(node.cond), self.compile(node.then), self.compile(node.other)

        def run_if(run: Any) -> Any:
            value = cond(run)
            if type(value) is Unknown:
                return value
            if type(value) is Conditional:
                return value.as_unknown()
            return then(run) if value else other(run)
        return run_if

    def _coalesce(self, node: Coalesce) -> Fn:
        items = [self.compile(i) for i in node.items]

        def run_coalesce(run: Any) -> Any:
            first: Any = None
            for item in items:
                value = item(run)
                if type(value) is not Unknown:
                    return value
                first = value if first is None else first.merge(value)
            return first
        return run_coalesce

    def _index(self, node: Index) -> Fn:
        tf, kf = self.compile(node.target), self.compile(node.key)
        return lambda run: index(tf(run), kf(run))

    def _list(self, node: ListLit) -> Compiled:
        items = [self._node(i) for i in node.items]
        if all(isinstance(i, Const) for i in items):
            values = [i.value for i in items]  # type: ignore[union-attr]
            out = Const(values)
            out.fn = lambda run: list(values)  # ListLit.evaluate returns a fresh list each time
            return out
        fns = [fn_of(i) for i in items]
        return lambda run: [f(run) for f in fns]

    def _fallback(self, node: Node) -> Fn:
        params = self.params

        def run_node(run: Any) -> Any:
            saved, run.params = run.params, params
            try:
                return node.evaluate(run)
            finally:
                run.params = saved
        return run_node

    # -- finance records and calls ------------------------------------------------------------------
    def _years_arg(self, node: Node) -> tuple[str, int] | None:
        """('fy' | 'recent_years', n) when `node` is such a call with a literal argument."""
        if type(node) is Call and node.name in ("fy", "recent_years") \
                and len(node.args) == 1 and type(node.args[0]) is Literal:
            return node.name, int(node.args[0].value)  # type: ignore[attr-defined]
        return None

    def _attr(self, node: Attr) -> Fn:
        target, name = node.target, node.name
        years = self._years_arg(target)
        if years is not None:
            year = self.program.as_of.year
            if self.traced:
                return calls.traced_years_field(years[0], year, years[1], name)
            if years[0] == "fy":
                return calls.fiscal_year_field(year - years[1], name, self._fallback(node))
            return calls.recent_years_field(year - 1, years[1], name, self._fallback(node),
                                            self.program.reader("registered_on"))
        target_fn = self.compile(target)
        return lambda run: project(target_fn(run), name)

    def _call(self, node: Call) -> Fn:
        special = self._special_call(node)
        if special is not None:
            return special
        fn = BUILTINS[node.name].fn
        compiled = [self._node(a) for a in node.args]
        # a constant argument is passed as it is (a list literal excepted: ListLit gives a fresh list each time)
        fixed = [c.value if isinstance(c, Const) and type(c.value) is not list else MISS for c in compiled]
        fns = [fn_of(c) for c in compiled]
        if len(fns) == 1:
            only, value = fns[0], fixed[0]
            if value is not MISS:
                return lambda run: fn(run, value)
            return lambda run: fn(run, only(run))
        if len(fns) == 2:
            first, second = fns
            if fixed[0] is MISS and fixed[1] is not MISS:
                last = fixed[1]
                return lambda run: fn(run, first(run), last)
            return lambda run: fn(run, first(run), second(run))
        if len(fns) == 3 and fixed[0] is MISS and fixed[1] is not MISS and fixed[2] is not MISS:
            head, key, want = fns[0], fixed[1], fixed[2]  # filter(certificates, "type", "hnte") and the like
            return lambda run: fn(run, head(run), key, want)
        return lambda run: fn(run, *[f(run) for f in fns])

    def _special_call(self, node: Call) -> Fn | None:
        name, args = node.name, node.args
        if name == "band" and len(args) == 2:
            return self._band(self._node(args[0]), self._node(args[1]))
        if self.traced:
            return None
        if name == "sum" and len(args) == 1 and type(args[0]) is Attr and self._years_arg(args[0].target):
            kind, n = self._years_arg(args[0].target)  # type: ignore[misc]
            if kind == "recent_years":
                listing = self.compile(args[0])
                return calls.sum_recent_years(self.program.as_of.year - 1, n, args[0].name, listing,
                                              self.program.reader("registered_on"))
        if name == "sum" and len(args) == 1:
            items = self.compile(args[0])
            return lambda run: calls.fast_sum(items(run))
        if name in ("years_between", "days_between") and len(args) == 2 and type(args[1]) is Name \
                and args[1].path == "as_of":
            return calls.dated(name, self.compile(args[0]), self.program.as_of)
        if BUILTINS[name].pure and len(args) == 1:
            return calls.memoised(name, self.compile(args[0]))
        return None

    def _band(self, x: Compiled, table: Compiled) -> Fn | None:
        if isinstance(table, Recorded):
            plan, record = calls.band_plan(table.value), table.fn
        else:
            plan, record = calls.band_plan(const_of(table)), None
        if plan is None:
            return None
        xf = fn_of(x)
        if record is None:
            return lambda run: plan(xf(run))

        def traced_band(run: Any) -> Any:
            value = xf(run)
            record(run)
            return plan(value)
        return traced_band
