"""Straight-line Python for the untraced path: one function per measure and per fact, built as an `ast` tree.

The tree is built node by node from the parsed rule (engine.expr.nodes), never from text: a rule's strings
and numbers enter only as constants (`ast.Constant`, or values bound in the function's globals), every name
in the code is made here, and the code object is compiled from that tree (no eval/exec of source). What is
inlined is the hot, simple part — reading a memoised fact or field (a small fact's body written where it is
first read, a field through its accessor, `fy(k).x` and `sum(recent_years(n).x)` over the run's fiscal-year
records), comparing exact numbers (int and Fraction, cross-multiplied: x/y ≥ p/q as x·q ≥ p·y, so no Fraction
is built for a ratio that is only compared) and codes, integer + − × ÷, if() of a True/False condition. Every
other case calls the engine's own definition (`compare`, `arithmetic`)
or the compiled closure of that sub-tree (engine.fast.exprs), so Unknown, intervals and dates keep the
engine's meaning; all/any/not stay engine.logic's (MeasurePlan combines the values returned here).

    def measure_3(run):            # what the generated function does, written out
        memo = run.memo
        v0 = memo[12]
        if v0 is MISS:
            v0 = k0(run)           # the memoised reader of a fact or a field
        if type(v0) is int:
            v1 = v0 >= 70
        elif type(v0) is Fraction:
            v1 = v0.numerator * 1 >= 70 * v0.denominator
        else:
            v1 = compare('>=', v0, 70)
        ...
        return [v1, ...]
"""

from __future__ import annotations

import ast
import functools
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any, NamedTuple

from engine.expr.functions import BUILTINS
from engine.expr.nodes import (
    Attr,
    Binary,
    BoolOp,
    Call,
    Coalesce,
    Compare,
    IfCall,
    ListLit,
    Literal,
    Name,
    Node,
    Param,
    arithmetic,
    compare,
)
from engine.expr.values import Conditional, Unknown
from engine.fast.astbuild import (
    ARITH,
    assign,
    attr,
    call,
    cmp,
    fiscal_year_read,
    is_,
    load,
    locate,
    mul,
    recent_years_sum,
    store,
    type_is,
)
from engine.fast.calls import MISS, OPS, band_plans
from engine.fast.exprs import ExprCompiler
from engine.fast.protocol import Fn, Program
from engine.fast.source import exact_value
from engine.logic import combine
from engine.parameters import ParameterSeries

_PLAIN = (int, str, bool, type(None))
CLOSURE_CALLS = frozenset({"band", "sum", "years_between", "days_between"})  # calls the closures treat apart
_FOLDED = (Literal, Param)  # constants once the date is known
INLINE_NODES, INLINE_DEPTH = 16, 4  # a fact's body is written where it is read up to this size and nesting


class Val(NamedTuple):
    """A generated value: the expression that reads it, and its value when it is a constant (else MISS)."""

    expr: ast.expr
    const: Any = MISS


def years_call(node: Any) -> str | None:
    """'fy' or 'recent_years' for such a call with a literal count, else None."""
    if type(node) is Call and node.name in ("fy", "recent_years") and len(node.args) == 1 \
            and type(node.args[0]) is Literal:
        return node.name
    return None


def _const_number(value: Any) -> bool:
    return type(value) is int or type(value) is Fraction


class Generator:
    """Generates the functions of one compiled RuleSet; `namespace` is their globals."""

    traced: bool = False  # the closures it falls back to: untraced (engine.fast.tracedgen's generator: traced)

    def __init__(self, program: Program):
        self.program = program
        self.namespace: dict[str, Any] = {"MISS": MISS, "Fraction": Fraction, "Unknown": Unknown,
                                          "compare": compare, "arithmetic": arithmetic, "combine": combine, "type": type, "int": int, "bool": bool, "str": str,
                                          "divmod": divmod, "getattr": getattr, "range": range, "max": max,
                                          "exact_value": exact_value}
        self.counter = 0
        self.block: list[ast.stmt] = []
        self.closures: dict[int, ExprCompiler] = {}
        self.lock = threading.Lock()  # one function generated at a time (the block being written is shared)
        self.built: dict[str, Fn] = {}
        self.inlined: list[str] = []  # the facts being written in line, innermost last

    # -- helpers ------------------------------------------------------------------------------------
    def fresh(self, hint: str = "v") -> str:
        self.counter += 1
        return f"{hint}{self.counter}"

    def bind(self, value: Any) -> ast.Name:
        """A value the code reads from its globals (anything but a plain constant)."""
        name = self.fresh("k")
        self.namespace[name] = value
        return load(name)

    def constant(self, value: Any) -> Val:
        plain = type(value) in _PLAIN
        return Val(ast.Constant(value) if plain else self.bind(value), value)

    def emit(self, stmt: ast.stmt) -> None:
        self.block.append(stmt)

    @contextmanager
    def into(self, block: list[ast.stmt]) -> Iterator[list[ast.stmt]]:
        saved, self.block = self.block, block
        try:
            yield block
        finally:
            self.block = saved

    def branch(self, test: ast.expr, then: Any, other: Any) -> None:
        """if test: then() else: other() — each emits into its own block."""
        body: list[ast.stmt] = []
        orelse: list[ast.stmt] = []
        with self.into(body):
            then()
        with self.into(orelse):
            other()
        self.emit(ast.If(test, body, orelse))

    def function(self, name: str, build: Any) -> Fn:
        """def name(run): memo = run.memo; <build() statements>; return <build()'s value>, compiled."""
        body: list[ast.stmt] = []
        with self.into(body):
            result = build()
        body.append(ast.Return(result))
        body[:0] = self.prologue()
        args = ast.arguments(posonlyargs=[], args=[ast.arg("run")], kwonlyargs=[], kw_defaults=[], defaults=[])
        tree = ast.Module([ast.FunctionDef(name, args, body, [], None, None)], [])
        code = compile(locate(tree), "<engine.fast.codegen>", "exec")
        inner = next(c for c in code.co_consts if isinstance(c, types.CodeType))
        return types.FunctionType(inner, self.namespace, name)  # type: ignore[return-value]

    def prologue(self) -> list[ast.stmt]:
        """The statements every function starts with: memo = run.memo."""
        return [assign("memo", attr(load("run"), "memo"))]

    # -- nodes --------------------------------------------------------------------------------------
    def value(self, node: Node, params: dict[str, ParameterSeries]) -> Val:
        if isinstance(node, Literal):
            return self.constant(node.value)
        if isinstance(node, Param):
            return self.constant(self.param(node.name, params))
        if isinstance(node, Name):
            return self.name(node.path)
        if isinstance(node, Compare):
            return self.compare(node, params)
        if isinstance(node, Binary):
            return self.binary(node, params)
        if isinstance(node, BoolOp):  # and / or: engine.logic.combine of every operand, each evaluated
            items: list[ast.expr] = [self.value(item, params).expr for item in node.items]
            out = self.fresh()
            self.emit(assign(out, call(load("combine"), ast.Constant(node.op), ast.List(items, ast.Load()))))
            return Val(load(out))
        if isinstance(node, Call):
            found = self._call(node, params)
            if found is not None:
                return found
        if isinstance(node, ListLit) and all(isinstance(i, Literal) for i in node.items):
            return self.constant([i.value for i in node.items])  # type: ignore[attr-defined]
        if isinstance(node, IfCall) or (isinstance(node, Coalesce) and node.items):
            return self._if(node, params) if isinstance(node, IfCall) else self._coalesce(node, params)
        if isinstance(node, Attr) and years_call(node.target) == "fy":
            return self._fiscal_year(node, params)
        return self.fallback(node, params)

    def _call(self, node: Call, params: dict[str, ParameterSeries]) -> Val | None:
        if node.name == "band":
            return self._band(node, params)
        if node.name == "sum" and len(node.args) == 1 and type(node.args[0]) is Attr \
                and years_call(node.args[0].target) == "recent_years":
            return self._sum_recent_years(node, params)
        if node.name in CLOSURE_CALLS or BUILTINS[node.name].pure or any(type(a) is ListLit for a in node.args):
            return None  # what the closures treat apart (engine.fast.exprs._special_call), or a fresh list literal
        return self._builtin(node, params)

    def _builtin(self, node: Call, params: dict[str, ParameterSeries]) -> Val:
        """A builtin called in line: its arguments, each evaluated, then the builtin itself (as the closure does)."""
        args = [self.value(a, params).expr for a in node.args]
        out = self.fresh()
        self.emit(assign(out, call(self.bind(BUILTINS[node.name].fn), load("run"), *args)))
        return Val(load(out))

    def _coalesce(self, node: Coalesce, params: dict[str, ParameterSeries]) -> Val:
        """coalesce(a, b, …): each item worked out only while those before it are Unknown (Coalesce's meaning:
        the first known value, else the Unknowns merged in order), each in line."""
        out, merged = self.fresh(), self.fresh()

        def item(k: int) -> None:
            value = self.value(node.items[k], params)
            self.emit(assign(out, value.expr))
            if value.const is not MISS and type(value.const) is not Unknown:
                return  # a known constant: the answer
            unknown: list[ast.stmt] = []
            with self.into(unknown):
                self.emit(assign(merged, load(out) if k == 0 else call(attr(load(merged), "merge"), load(out))))
                if k + 1 < len(node.items):
                    item(k + 1)
                else:
                    self.emit(assign(out, load(merged)))
            self.emit(ast.If(type_is(load(out), "Unknown"), unknown, []))

        item(0)
        return Val(load(out))

    def closure(self, node: Node, params: dict[str, ParameterSeries]) -> ast.Name:
        """The compiled closure of the sub-tree (engine.fast.exprs; traced for a traced generator), bound in the
        code's globals."""
        compiler = self.closures.get(id(params))
        if compiler is None:
            compiler = self.closures[id(params)] = ExprCompiler(self.program, params, traced=self.traced)
        return self.bind(compiler.compile(node))

    def fallback(self, node: Node, params: dict[str, ParameterSeries]) -> Val:
        """The sub-tree's closure called from the generated code."""
        out = self.fresh()
        self.emit(assign(out, call(self.closure(node, params), load("run"))))
        return Val(load(out))

    def _if(self, node: IfCall, params: dict[str, ParameterSeries]) -> Val:
        """if(c, a, b): a where c is True, b where it is False; anything else (unknown, conditional) is the
        closure's answer (engine.fast.exprs, IfCall's meaning), which reads the same memoised values again."""
        cond = self.value(node.cond, params)
        if cond.const is True or cond.const is False:
            return self.value(node.then if cond.const else node.other, params)
        out, whole = self.fresh(), self.closure(node, params)
        then: list[ast.stmt] = []
        other: list[ast.stmt] = []
        with self.into(then):
            self.emit(assign(out, self.value(node.then, params).expr))
        with self.into(other):
            self.emit(assign(out, self.value(node.other, params).expr))
        self.emit(ast.If(is_(cond.expr, ast.Constant(True)), then, [
            ast.If(is_(cond.expr, ast.Constant(False)), other, [assign(out, call(whole, load("run")))])]))
        return Val(load(out))

    def _sum_recent_years(self, node: Call, params: dict[str, ParameterSeries]) -> Val:
        """sum(recent_years(n).name): one loop over the run's fiscal-year records while every value is a whole
        int (engine.fast.calls.sum_recent_years, in line); anything else is the closure's answer."""
        listing = node.args[0]
        assert isinstance(listing, Attr)
        last = self.program.as_of.year - 1
        first = last - int(listing.target.args[0].value) + 1  # type: ignore[attr-defined]
        whole, registered = self.closure(node, params), self.name("registered_on").expr
        out = self.fresh()
        names = (out, self.fresh("f"), self.fresh(), self.fresh(), self.fresh("i"), self.fresh())
        self.block.extend(recent_years_sum(names, registered, first, last, listing.name, whole))
        return Val(load(out))

    def _fiscal_year(self, node: Attr, params: dict[str, ParameterSeries]) -> Val:
        """fy(k).name read from the run's fiscal-year records (engine.fast.calls.fiscal_year_field, in line)."""
        year = self.program.as_of.year - int(node.target.args[0].value)  # type: ignore[attr-defined]
        out = self.fresh()
        self.block.extend(fiscal_year_read(
            (out, self.fresh("f"), self.fresh("i")), year, node.name, self.bind(Unknown(frozenset({f"finance[{year}]"}))),
            self.bind(Unknown(frozenset({f"finance[{year}].{node.name}"}))), self.closure(node, params)))
        return Val(load(out))

    def param(self, name: str, params: dict[str, ParameterSeries]) -> Any:
        series, as_of = params.get(name), self.program.as_of
        found = series.at(as_of) if series else None
        if found is None:
            return Unknown(reason=f"parameter {name} is not in force on {as_of.isoformat()}")
        return found.value

    def name(self, path: str) -> Val:
        """A fact or a field, memoised in the run's slot for its name: the first read works it out in line (a
        small fact's body, a field's accessor for the kind of source) and fills the slot, as its reader does."""
        program = self.program
        if path == "as_of":
            return self.constant(program.as_of)
        fact = program.ruleset.facts.get(path)
        if fact is None:
            program.names.add(path)
        reader = program.reader(path)
        slot = program.slots[path]
        out = self.fresh()
        self.emit(assign(out, ast.Subscript(load("memo"), ast.Constant(slot), ast.Load())))
        first: list[ast.stmt] = []
        with self.into(first):
            if fact is not None and self._inline(fact.expr):
                self.inlined.append(path)
                try:
                    self.emit(assign(out, self.value(fact.expr, fact.parameters).expr))
                finally:
                    self.inlined.pop()
            elif fact is not None:
                self.emit(assign(out, call(self.bind(reader), load("run"))))
            else:  # the accessor of the source's kind (what read_field does), None → the field's Unknown
                accessors = program.accessors
                src = attr(load("run"), "src")
                self.emit(assign(out, ast.IfExp(attr(load("run"), "is_dict"),
                                                call(self.bind(accessors.get(path, True)), src),
                                                call(self.bind(accessors.get(path, False)), src))))
                self.emit(ast.If(is_(load(out), ast.Constant(None)),
                                 [assign(out, self.bind(Unknown(frozenset({path}))))], []))
            self.emit(ast.Assign([ast.Subscript(load("memo"), ast.Constant(slot), ast.Store())], load(out)))
        self.emit(ast.If(is_(load(out), load("MISS")), first, []))
        return Val(load(out))

    def _inline(self, expr: Node) -> bool:
        """Whether a fact's body is written in line where it is read: small bodies, a few facts deep."""
        return len(self.inlined) < INLINE_DEPTH and sum(1 for _ in expr.walk()) <= INLINE_NODES

    def binary(self, node: Binary, params: dict[str, ParameterSeries]) -> Val:
        a, b = self.value(node.left, params), self.value(node.right, params)
        if a.const is not MISS and b.const is not MISS:
            return self.constant(arithmetic(node.op, a.const, b.const))
        out, op = self.fresh(), node.op
        both_int = ast.BoolOp(ast.And(), [type_is(a.expr, "int"), type_is(b.expr, "int")])
        generic = assign(out, call(load("arithmetic"), ast.Constant(op), a.expr, b.expr))
        if op in ARITH:
            self.emit(ast.If(both_int, [assign(out, ast.BinOp(a.expr, ARITH[op], b.expr))], [generic]))
            return Val(load(out))
        # x / y of two ints: the exact quotient (an int when it divides), as engine.fast.calls.divide
        q, r = self.fresh("q"), self.fresh("r")
        exact: list[ast.stmt] = [ast.Assign([ast.Tuple([store(q), store(r)], ast.Store())],
                            call(load("divmod"), a.expr, b.expr)),
                 assign(out, ast.IfExp(cmp("==", load(r), ast.Constant(0)), load(q),
                                        call(load("Fraction"), a.expr, b.expr)))]
        self.emit(ast.If(ast.BoolOp(ast.And(), [both_int, b.expr]), exact, [generic]))
        return Val(load(out))

    # -- comparisons --------------------------------------------------------------------------------
    def compare(self, node: Compare, params: dict[str, ParameterSeries]) -> Val:
        ratio = self._ratio(node.left) if node.op in OPS else None
        if ratio is not None:
            return self._ratio_compare(node, ratio, params)
        a, b = self.value(node.left, params), self.value(node.right, params)
        if a.const is not MISS and b.const is not MISS:
            result = compare(node.op, a.const, b.const)
            if node.negate and type(result) is not Unknown:
                result = not result
            return self.constant(result)
        out = self.fresh()
        self._compare_into(out, node.op, a, b)
        self._negate(out, node.negate)
        return Val(load(out))

    def _negate(self, out: str, negate: bool) -> None:
        """Compare.evaluate: a negated comparison (`not in`) flips a known result."""
        if negate:
            self.emit(ast.If(is_(call(load("type"), load(out)), load("Unknown"), negate=True),
                             [assign(out, ast.UnaryOp(ast.Not(), load(out)))], []))

    def _compare_into(self, out: str, op: str, a: Val, b: Val) -> None:
        """out = compare(op, a, b), with the typed fast paths of engine.fast.calls.compare_const."""
        generic: list[ast.stmt] = [assign(out, call(load("compare"), ast.Constant(op), a.expr, b.expr))]
        if b.const is not MISS and type(b.const) not in (Unknown, Conditional):
            # against a known constant, compare() of an Unknown is that Unknown (its unknown_of), as it is
            generic = [ast.If(type_is(a.expr, "Unknown"), [assign(out, a.expr)], generic)]
        if op in OPS and _const_number(b.const):
            num, den = b.const.numerator, b.const.denominator
            scaled = mul(a.expr, ast.Constant(den)) if den != 1 else a.expr
            as_int = [assign(out, cmp(op, scaled, ast.Constant(num)))]
            cross = cmp(op, mul(attr(a.expr, "numerator"), ast.Constant(den)),
                         mul(ast.Constant(num), attr(a.expr, "denominator")))
            self.emit(ast.If(type_is(a.expr, "int"), as_int,
                             [ast.If(type_is(a.expr, "Fraction"), [assign(out, cross)], generic)]))
        elif op in OPS and type(b.const) is str:  # codes ordered or equal: compare() of two texts is the operator
            self.emit(ast.If(type_is(a.expr, "str"), [assign(out, cmp(op, a.expr, b.expr))], generic))
        elif op in ("==", "!=") and type(b.const) is bool:
            same = is_(a.expr, b.expr, negate=op == "!=")
            self.emit(ast.If(type_is(a.expr, "bool"), [assign(out, same)], generic))
        elif op == "in" and type(b.const) is list and b.const and all(type(v) is str for v in b.const):
            members = self.bind(frozenset(b.const))
            member = ast.Compare(a.expr, [ast.In()], [members])
            self.emit(ast.If(type_is(a.expr, "str"), [assign(out, member)], generic))
        elif op in OPS:
            both_int = ast.BoolOp(ast.And(), [type_is(a.expr, "int"), type_is(b.expr, "int")])
            self.emit(ast.If(both_int, [assign(out, cmp(op, a.expr, b.expr))], generic))
        else:
            self.block.extend(generic)

    def _ratio(self, left: Node) -> tuple[Binary, str | None] | None:
        """(x / y, the fact holding it or None) when the left side of a comparison is a quotient."""
        if type(left) is Binary and left.op == "/" and not (type(left.left) in _FOLDED and type(left.right) in _FOLDED):
            return left, None
        if type(left) is Name:
            fact = self.program.ruleset.facts.get(left.path)
            if fact is not None and type(fact.expr) is Binary and fact.expr.op == "/":
                return fact.expr, left.path
        return None

    def _ratio_compare(self, node: Compare, ratio: tuple[Binary, str | None], params: dict[str, ParameterSeries]
                       ) -> Val:
        """x / y OP b for exact x, y (y > 0) and b as x·den(b) OP num(b)·y; otherwise the quotient itself
        (the fact's memoised value, or arithmetic's) compared as any other value."""
        b = self.value(node.right, params)
        out = self.fresh()

        def fast(x: Val, y: Val) -> tuple[list[ast.expr], Any]:
            tests: list[ast.expr] = []
            den: ast.expr
            num: ast.expr
            if _const_number(b.const):
                den, num = ast.Constant(b.const.denominator), ast.Constant(b.const.numerator)
            else:
                tests.append(ast.BoolOp(ast.Or(), [type_is(b.expr, "int"), type_is(b.expr, "Fraction")]))
                den, num = attr(b.expr, "denominator"), attr(b.expr, "numerator")
            return tests, lambda: self.emit(assign(out, cmp(node.op, mul(x.expr, den), mul(num, y.expr))))

        self._quotient(ratio, params, fast, lambda value: self._compare_into(out, node.op, value, b))
        self._negate(out, node.negate)
        return Val(load(out))

    def _band(self, node: Call, params: dict[str, ParameterSeries]) -> Val | None:
        """band(x, constant table) by integer comparisons (engine.fast.calls.band_plans); a quotient x / y of
        two ints is looked up as it stands, without building its Fraction."""
        if not (len(node.args) == 2 and isinstance(node.args[1], Literal | Param)):
            return None
        plans = band_plans(self.value(node.args[1], params).const)
        if plans is None:
            return None
        lookup, quotient = self.bind(plans[0]), self.bind(plans[1])
        out, ratio = self.fresh(), self._ratio(node.args[0])
        if ratio is None:
            self.emit(assign(out, call(lookup, self.value(node.args[0], params).expr)))
            return Val(load(out))

        def fast(x: Val, y: Val) -> tuple[list[ast.expr], Any]:
            return [], lambda: self.emit(assign(out, call(quotient, x.expr, y.expr)))

        self._quotient(ratio, params, fast, lambda value: self.emit(assign(out, call(lookup, value.expr))))
        return Val(load(out))

    def _quotient(self, ratio: tuple[Binary, str | None], params: dict[str, ParameterSeries],
                  fast: Callable[[Val, Val], tuple[list[ast.expr], Any]], slow: Callable[[Val], None]) -> None:
        """`fast(x, y)` (its tests, its code) where x / y is a quotient of two ints with y > 0 not yet worked
        out; `slow(value)` of the quotient's value otherwise (a fact's memoised value, or arithmetic's)."""
        quotient, fact_id = ratio
        scope = self.program.ruleset.facts[fact_id].parameters if fact_id else params

        def fused() -> None:
            x, y = self.value(quotient.left, scope), self.value(quotient.right, scope)
            tests, code = fast(x, y)
            ints = [type_is(x.expr, "int"), type_is(y.expr, "int"), cmp(">", y.expr, ast.Constant(0))]
            self.branch(ast.BoolOp(ast.And(), ints + tests), code, lambda: whole(x, y))

        def whole(x: Val | None = None, y: Val | None = None) -> None:
            if fact_id is not None:
                slow(self.name(fact_id))
                return
            assert x is not None and y is not None
            value = self.fresh()
            self.emit(assign(value, call(load("arithmetic"), ast.Constant("/"), x.expr, y.expr)))
            slow(Val(load(value)))

        if fact_id is None:
            fused()
            return
        self.program.reader(fact_id)  # the fact already worked out (memoised) is used as it is
        slot = ast.Subscript(load("memo"), ast.Constant(self.program.slots[fact_id]), ast.Load())
        self.branch(is_(slot, load("MISS")), fused, whole)

    # -- entry points -------------------------------------------------------------------------------
    def lazily(self, key: str, build: Callable[[], Fn], install: Callable[[Fn], None]) -> Fn:
        """A stand-in that builds the function on its first call (once, under the generator's lock), puts it
        in its place with `install`, and runs it."""
        def first(run: Any) -> Any:
            with self.lock:
                fn = self.built.get(key)
                if fn is None:
                    fn = self.built[key] = build()
                    install(fn)
            return fn(run)
        return first

    def leaves(self, name: str, conditions: list[Any], params: dict[str, ParameterSeries]) -> Fn:
        """A function run → [value of each condition], in order (each evaluated, as evaluate() does)."""
        return self.function(name, lambda: ast.List([self.value(c.expr, params).expr for c in conditions],
                                                     ast.Load()))

    def fact(self, name: str, expr: Node, params: dict[str, ParameterSeries]) -> Fn:
        """A function run → the fact's value (its reader memoises it)."""
        return self.function(name, lambda: self.value(expr, params).expr)


def generate(program: Any) -> None:
    """Give every measure plan of `program` its generated leaves and every fact its generated body, each built
    on its first use (a command that decides one profile pays only for the measures that apply to it)."""
    gen = Generator(program)
    for i, (fid, fact) in enumerate(program.ruleset.facts.items()):
        program._bodies[fid] = gen.lazily(f"fact_{i}", _fact_builder(gen, f"fact_{i}", fact),
                                          functools.partial(program._bodies.__setitem__, fid))
    for i, plan in enumerate(program.plans.values()):
        plan.values_of = gen.lazily(f"measure_{i}", _leaves_builder(gen, f"measure_{i}", plan),
                                    functools.partial(setattr, plan, "values_of"))


def _fact_builder(gen: Generator, name: str, fact: Any) -> Callable[[], Fn]:
    return lambda: gen.fact(name, fact.expr, fact.parameters)


def _leaves_builder(gen: Generator, name: str, plan: Any) -> Callable[[], Fn]:
    return lambda: gen.leaves(name, plan.criteria[1], plan.measure.parameters)
