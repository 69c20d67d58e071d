"""Straight-line Python for the traced path: each measure's conditions and each fact as one generated function that
records what engine.fast.exprs's traced closures record (engine.fast.codegen's generator, with the traced reads).

The code is engine.fast.codegen's — built as an `ast` tree from the parsed rule, rule text only as constants, the
same typed fast paths — with what a traced leaf records on the run's current frame (TracedRun, an
engine.evaluate.Evaluation): every name read into the frame's `reads` (a fact through the run's `_fact`, which
keeps its own frame and trace; a field from the run's lazy namespace, read by the source's accessor the first
time), every dated parameter read into its `params` where it is evaluated, and a condition's own comparison
through the run's `record_comparison`. A measure's function runs each condition on a fresh frame pushed on the
run's stack (what TracedRun.run_conditions does) and returns the values and the frames. `fy(k).x` and
`recent_years(n).x` are read in line as engine.fast.calls.traced_years_field reads them. What the untraced
generator fuses without working out the value a trace shows (ratios compared by cross-multiplication) is not
fused here, and every node the untraced generator leaves to closures goes to the traced closures.

    def traced_measure_7(run):     # what a generated measure does, written out
        stack = run.frames
        f2 = frame = Frame()
        stack.append(f2)
        try:
            reads = frame.reads
            v3 = run.facts.get('revenue', MISS)
            if v3 is MISS:
                v3 = run._fact(k4)     # the fact's own frame and trace (Evaluation._fact)
            reads['revenue'] = v3
            frame.params['min_revenue'] = k5
            if type(v3) is int:
                v6 = v3 >= 5000000
            ...
            run.record_comparison(k7, v3, 5000000, v6)
            v1 = v6
        finally:
            stack.pop()
        ...
        return ([v1, ...], [f2, ...])
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from typing import Any

from engine.evaluate import param_read
from engine.expr.nodes import Attr, Call, Compare, ListLit, Node, Param, compare
from engine.expr.values import Unknown
from engine.fast.astbuild import assign, attr, call, is_, load, store, type_is
from engine.fast.calls import MISS
from engine.fast.codegen import Generator, Val, years_call
from engine.fast.protocol import Fn, Program
from engine.gaps import conditions_of
from engine.parameters import ParameterSeries
from engine.trace import Frame


def _store_item(target: ast.expr, key: str, value: ast.expr) -> ast.stmt:
    """target[key] = value, with the key a constant."""
    return ast.Assign([ast.Subscript(target, ast.Constant(key), ast.Store())], value)


class TracedGenerator(Generator):
    """engine.fast.codegen.Generator whose functions run on a TracedRun and record their reads on its frame."""

    traced = True  # the closures it falls back to are the traced ones, which record what they read themselves

    def __init__(self, program: Program):
        super().__init__(program)
        self.needs: set[str] = set()  # the prologue's locals the function being written uses
        self.namespace["Frame"] = Frame

    def prologue(self) -> list[ast.stmt]:
        """frame = run.frames[-1]; reads = frame.reads — only what the function uses (a measure's function:
        stack = run.frames, each condition's frame its own)."""
        needs, self.needs = self.needs, set()
        if "stack" in needs:
            return [assign("stack", attr(load("run"), "frames"))]
        out: list[ast.stmt] = []
        if needs:
            out.append(assign("frame", ast.Subscript(attr(load("run"), "frames"), ast.Constant(-1), ast.Load())))
        if "reads" in needs:
            out.append(assign("reads", attr(load("frame"), "reads")))
        return out

    def _read(self, path: str, value: ast.expr) -> None:
        self.needs.update(("frame", "reads"))
        self.emit(_store_item(load("reads"), path, value))

    # -- what differs from the untraced code ---------------------------------------------------------
    def traced_param(self, name: str, params: dict[str, ParameterSeries]) -> Val:
        """A dated parameter: its value is a constant, its read recorded where it is evaluated (as
        Evaluation.param does); one not in force is an Unknown, recorded nowhere."""
        series, as_of = params.get(name), self.program.as_of
        found = series.at(as_of) if series else None
        if found is None:
            return self.constant(self.param(name, params))
        self.needs.add("frame")
        self.emit(_store_item(attr(load("frame"), "params"), name, self.bind(param_read(name, found))))
        return self.constant(found.value)

    def name(self, path: str) -> Val:
        """Evaluation.lookup of one name: a fact from the run's facts (worked out by the run's _fact on first
        read), a field from the run's lazy namespace (None → the field's Unknown); recorded in the frame."""
        program = self.program
        fact = program.ruleset.facts.get(path)
        if fact is None and path == "as_of":  # Evaluation.lookup's order: a fact, then as_of, then a field
            value = self.constant(program.as_of)
            self._read(path, value.expr)
            return value
        out = self.fresh()
        if fact is not None:
            self.emit(assign(out, call(attr(attr(load("run"), "facts"), "get"), ast.Constant(path), load("MISS"))))
            self.emit(ast.If(is_(load(out), load("MISS")),
                             [assign(out, call(attr(load("run"), "_fact"), self.bind(fact)))], []))
        else:
            # LazyNamespace.get in line: the value read before, else the source's accessor for the name, kept
            namespace, accessors = self.fresh(), program.accessors
            getter = ast.IfExp(attr(load(namespace), "is_dict"), self.bind(accessors.get(path, True)),
                               self.bind(accessors.get(path, False)))
            self.emit(assign(namespace, attr(load("run"), "ns")))
            self.emit(assign(out, call(attr(attr(load(namespace), "values"), "get"), ast.Constant(path),
                                       load("MISS"))))
            self.emit(ast.If(is_(load(out), load("MISS")), [
                assign(out, call(getter, attr(load(namespace), "src"))),
                ast.Assign([ast.Subscript(attr(load(namespace), "values"), ast.Constant(path), ast.Store())],
                           load(out))], []))
            self.emit(ast.If(is_(load(out), ast.Constant(None)),
                             [assign(out, self.bind(Unknown(frozenset({path}))))], []))
        self._read(path, load(out))
        return Val(load(out))

    def _ratio(self, left: Node) -> None:
        return None  # the quotient is a value the trace shows (a fact's read, a comparison's left side)

    def value(self, node: Node, params: dict[str, ParameterSeries]) -> Val:
        if isinstance(node, Param):
            return self.traced_param(node.name, params)
        if isinstance(node, Attr) and years_call(node.target) == "recent_years" and self._plain_records():
            return self._recent_years(node)
        return super().value(node, params)

    def _plain_records(self) -> bool:
        """finance and registered_on are profile fields (what engine.fast.calls.traced_years_field looks up)."""
        facts = self.program.ruleset.facts
        return "finance" not in facts and "registered_on" not in facts

    def _by_year(self) -> ast.Name:
        """The run's finance records by year (run.records_by_year of the finance read, recorded), once a profile."""
        records, by_year = self.name("finance"), self.fresh()
        self.emit(assign(by_year, attr(load("run"), "by_year")))
        self.emit(ast.If(is_(load(by_year), ast.Constant(None)),
                         [assign(by_year, call(attr(load("run"), "records_by_year"), records.expr))], []))
        return load(by_year)

    def _year_value(self, out: str, by_year: ast.expr, year: ast.expr, name: str, no_year: ast.expr,
                    no_value: ast.expr) -> list[ast.stmt]:
        """out = the year's record's value (traced_years_field's value_of): no record → no_year, None → no_value."""
        item = self.fresh("i")
        return [assign(item, call(attr(by_year, "get"), year)),
                ast.If(is_(load(item), ast.Constant(None)), [assign(out, no_year)], [
                    assign(out, call(attr(load(item), "get"), ast.Constant(name))),
                    ast.If(is_(load(out), ast.Constant(None)), [assign(out, no_value)], [])])]

    def _fiscal_year(self, node: Attr, params: dict[str, ParameterSeries]) -> Val:
        """fy(k).name as engine.fast.calls.traced_years_field reads it (finance recorded), in line."""
        if not self._plain_records():
            return self.fallback(node, params)
        year = self.program.as_of.year - int(node.target.args[0].value)  # type: ignore[attr-defined]
        by_year, out = self._by_year(), self.fresh()
        self.block.extend(self._year_value(
            out, by_year, ast.Constant(year), node.name, self.bind(Unknown(frozenset({f"finance[{year}]"}))),
            self.bind(Unknown(frozenset({f"finance[{year}].{node.name}"})))))
        return Val(load(out))

    def _recent_years(self, node: Attr) -> Val:
        """recent_years(n).name as traced_years_field reads it: registered_on recorded (an Unknown is the
        answer), then finance, then each year's value from max(first, registered year) to last, in a list."""
        last = self.program.as_of.year - 1
        first = last - int(node.target.args[0].value) + 1  # type: ignore[attr-defined]
        registered, out = self.name("registered_on"), self.fresh()
        self.emit(assign(out, registered.expr))
        known: list[ast.stmt] = []
        with self.into(known):
            by_year, year, value = self._by_year(), self.fresh("i"), self.fresh()
            no_year = {y: Unknown(frozenset({f"finance[{y}]"})) for y in range(first, last + 1)}
            no_value = {y: Unknown(frozenset({f"finance[{y}].{node.name}"})) for y in range(first, last + 1)}
            self.emit(assign(out, ast.List([], ast.Load())))
            start = call(load("max"), ast.Constant(first), attr(registered.expr, "year"))
            body = self._year_value(value, by_year, load(year), node.name,
                                    ast.Subscript(self.bind(no_year), load(year), ast.Load()),
                                    ast.Subscript(self.bind(no_value), load(year), ast.Load()))
            body.append(ast.Expr(call(attr(load(out), "append"), load(value))))
            self.emit(ast.For(store(year), call(load("range"), start, ast.Constant(last + 1)), body, []))
        self.emit(ast.If(type_is(load(out), "Unknown", negate=True), known, []))
        return Val(load(out))

    def _call(self, node: Call, params: dict[str, ParameterSeries]) -> Val | None:
        """band by its integer plan; any other builtin (the traced closures specialise none) called in line with
        its arguments, each evaluated, unless an argument is a list literal (a fresh list each time)."""
        if node.name == "band":
            return self._band(node, params)
        if any(type(a) is ListLit for a in node.args):
            return None
        return self._builtin(node, params)

    # -- entry points -------------------------------------------------------------------------------
    def condition(self, name: str, expr: Node, params: dict[str, ParameterSeries]) -> Fn:
        """A function run → the condition's value; its own comparison (a Compare at its top) recorded last."""
        return self.function(name, lambda: self._condition(expr, params))

    def _condition(self, expr: Node, params: dict[str, ParameterSeries]) -> ast.expr:
        return self._recorded(expr, params) if type(expr) is Compare else self.value(expr, params).expr

    def measure(self, name: str, conditions: list[Any], params: dict[str, ParameterSeries]) -> Fn:
        """A function run → ([each condition's value], [each condition's frame]), in order: what TracedRun's
        run_conditions gives (each condition run on a fresh frame pushed on the run's stack, popped after)."""
        def build() -> ast.expr:
            values: list[ast.expr] = []
            frames: list[ast.expr] = []
            for cond in conditions:
                out, frame = self.fresh(), self.fresh("f")
                body: list[ast.stmt] = []
                self.needs = set()
                with self.into(body):
                    self.emit(assign(out, self._condition(cond.expr, params)))
                setup = [ast.Assign([store(frame), store("frame")], call(load("Frame"))),
                         ast.Expr(call(attr(load("stack"), "append"), load(frame)))]
                if "reads" in self.needs:
                    body.insert(0, assign("reads", attr(load("frame"), "reads")))
                self.block.extend(setup)
                self.emit(ast.Try(body, [], [], [ast.Expr(call(attr(load("stack"), "pop")))]))
                values.append(load(out))
                frames.append(load(frame))
            self.needs = {"stack"}
            return ast.Tuple([ast.List(values, ast.Load()), ast.List(frames, ast.Load())], ast.Load())
        return self.function(name, build)

    def _recorded(self, node: Compare, params: dict[str, ParameterSeries]) -> ast.expr:
        a, b = self.value(node.left, params), self.value(node.right, params)
        out = self.fresh()
        if a.const is not MISS and b.const is not MISS:
            result = compare(node.op, a.const, b.const)
            if node.negate and type(result) is not Unknown:
                result = not result
            self.emit(assign(out, self.constant(result).expr))
        else:
            self._compare_into(out, node.op, a, b)
            self._negate(out, node.negate)
        self.emit(ast.Expr(call(attr(load("run"), "record_comparison"), self.bind(node), a.expr, b.expr, load(out))))
        return load(out)


def generate_traced(program: Any) -> None:
    """Give every condition of `program` (program.traced_leaves, by id) and every fact (program.traced_facts) its
    generated traced function, each built on its first use."""
    gen = TracedGenerator(program)
    facts, leaves = program.traced_facts, program.traced_leaves
    for i, (fid, fact) in enumerate(program.ruleset.facts.items()):
        facts[fid] = gen.lazily(f"traced_fact_{i}", _fact_builder(gen, f"traced_fact_{i}", fact),
                                _installer(facts, fid))
    for i, plan in enumerate(program.plans.values()):
        plan.traced_values = gen.lazily(f"traced_measure_{i}", _measure_builder(gen, f"traced_measure_{i}", plan),
                                        functools.partial(setattr, plan, "traced_values"))
    count = 0
    for measure in program.ruleset.measures.values():
        for cond in _conditions(measure):
            count += 1
            leaves[id(cond)] = gen.lazily(f"condition_{count}", _condition_builder(gen, f"condition_{count}", cond,
                                                                                   measure.parameters),
                                          _installer(leaves, id(cond)))


def _conditions(measure: Any) -> list[Any]:
    return list(conditions_of(measure.criteria).values())


def _installer(table: dict[Any, Fn], key: Any) -> Callable[[Fn], None]:
    return lambda fn: table.__setitem__(key, fn)


def _fact_builder(gen: TracedGenerator, name: str, fact: Any) -> Callable[[], Fn]:
    return lambda: gen.function(name, lambda: gen.value(fact.expr, fact.parameters).expr)


def _measure_builder(gen: TracedGenerator, name: str, plan: Any) -> Callable[[], Fn]:
    return lambda: gen.measure(name, plan.criteria[1], plan.measure.parameters)


def _condition_builder(gen: TracedGenerator, name: str, cond: Any, params: dict[str, ParameterSeries]
                       ) -> Callable[[], Fn]:
    return lambda: gen.condition(name, cond.expr, params)


__all__ = ["TracedGenerator", "generate_traced"]
