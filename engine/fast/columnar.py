"""Columnar mode: decide a whole batch of profiles measure by measure with numpy, exactly.

    table = Columnar(program).evaluate(profiles)          # or .evaluate_columns(arrays, n)
    table.codes["national.hnte_recognition"]             # outcome codes, one per profile
    table.verdicts(i)                                     # == program.verdicts(profiles[i])

For each measure the applicability (kind, dates, area) and every condition are computed column-wise
(engine.fast.vector); the criteria tree is combined with Kleene logic on masks. A row is handed to
the scalar evaluator for a measure when the columns cannot decide it exactly (or when a measure it
depends on is eligible or conditional: eligible() is then a conditional truth, decided there): its outcome is
undetermined (the missing fields and reasons come from the scalar path), a value overflowed or had
a type the columns do not model, or the area is unknown. Everything else — eligible rows with their
amounts, ineligible rows with every failing condition — is decided here.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from engine.decision import Outcome
from engine.expr.nodes import Call
from engine.expr.values import Conditional, Unknown
from engine.fast.batch import CONDITIONAL, ELIGIBLE, INELIGIBLE, UNDETERMINED, Batch, ColumnBatch
from engine.fast.col_names import LIST_FIELDS, finance_fields, logic_over_eligible, names_read
from engine.fast.columns import V, from_python, typed
from engine.fast.exprs import ExprCompiler
from engine.fast.plan import NONE, MeasurePlan, Verdict
from engine.fast.protocol import Program
from engine.fast.result import CODES, NOT_IN_FORCE, OTHER_KIND, OUT_OF_AREA, MeasureColumns, Result
from engine.fast.vector import C, VectorEval, take
from engine.logic import CriteriaTree, Truth, combine_truths, failing_units
from engine.model import Measure


class Columnar:
    """Column-wise evaluation of a compiled RuleSet (engine.fast.CompiledRuleSet)."""

    def __init__(self, program: Program):
        self.program = program
        self.rowwise_fns: dict[int, Any] = {}
        self.finance_fields = finance_fields(program.ruleset)
        self.names_read: dict[int, frozenset[str]] = {}

    def evaluate(self, profiles: Sequence[Any], absent: frozenset[str] = frozenset()) -> Result:
        """Decide every profile (models or trusted dicts) on every measure.

        `absent`: profile paths that no dict of this batch carries (e.g. a register without that column),
        read as unknown without looking.
        """
        return self._run(Batch(self.program, profiles, absent))

    def evaluate_columns(self, columns: Mapping[str, Any], n: int, kind: str = "enterprise") -> Result:
        """Decide data already in columns (numpy arrays by profile path and `finance[YEAR].field`)."""
        return self._run(ColumnBatch(self.program, columns, n, kind))

    def _run(self, batch: Batch) -> Result:
        enabled = gc.isenabled()
        gc.disable()  # a batch allocates many lists and no cycles: no need to walk every profile for garbage
        try:
            return self._decide(batch)
        finally:
            if enabled:
                gc.enable()

    def _decide(self, batch: Batch) -> Result:
        batch.finance_fields = self.finance_fields
        result = Result(batch)
        ev = VectorEval(batch, lambda node, scope, active: self._rowwise(batch, node, scope, active, result))
        for mid, plan in self.program.plans.items():
            measure = self.program.ruleset.measures[mid]
            result.current = columns = result.measures[mid] = MeasureColumns(plan, batch.n, result)
            self._measure(ev, batch, plan, measure, columns)
            batch.outcomes[mid] = (columns.codes, columns.fallback)
        result.resolve()
        return result

    def _measure(self, ev: VectorEval, batch: Batch, plan: MeasurePlan, measure: Measure,
                 out: MeasureColumns) -> None:
        active = batch.of_kinds(plan.kinds)
        out.codes[:] = OTHER_KIND
        if not plan.in_force:
            out.codes[active] = NOT_IN_FORCE
            return
        no_region = np.zeros(batch.n, bool)
        if plan.prefixes:
            region = batch.field("region_code")
            inside = _in_area(region, plan.prefixes)
            no_region = active & ~region.known  # undetermined: the area decides whether it applies
            out.codes[active & region.known & ~inside] = OUT_OF_AREA
            active = active & region.known & inside
        if not active.any():  # applies to nobody here (another kind of applicant, another area)
            out.codes[no_region] = UNDETERMINED
            if no_region.any():
                self._amount(ev, measure, no_region, out)
            return
        ev.active, ev.scope = active, measure.parameters
        leaves, worlds = [], []
        for k, cond in enumerate(plan.criteria[1]):
            leaf, recognised = self._leaf(ev, plan, k, _as_condition(ev.value(cond.expr), batch.n), active,
                                          out.result)
            leaves.append(leaf)
            worlds.append(recognised)
        now = _combine(plan.tree, [_truth(leaf) for leaf in leaves])
        if any(w is not None for w in worlds):  # a forecast read by eligible(): the recognised world apart
            recognised = _combine(plan.tree, [w if w is not None else _truth(leaf)
                                              for leaf, w in zip(leaves, worlds, strict=True)])
        else:
            recognised = now
        masks = now if recognised is now else {  # false: false in both worlds
            pos: Truth(now[pos].true, now[pos].false & recognised[pos].false) for pos in now}
        true, false = now[plan.tree.pos].true, masks[plan.tree.pos].false
        untrusted = None
        for leaf in leaves:
            if leaf.fb is not None:
                if untrusted is None:
                    untrusted = np.zeros(batch.n, bool)
                np.logical_or(untrusted, leaf.fb, out=untrusted)
        if untrusted is not None:
            out.fallback |= active & untrusted
        decided = active if untrusted is None else active & ~untrusted
        out.codes[decided] = UNDETERMINED  # missing fields and reasons come from the scalar path on demand
        out.codes[decided & ~true & recognised[plan.tree.pos].true] = CONDITIONAL
        out.codes[decided & true] = ELIGIBLE
        out.codes[decided & false] = INELIGIBLE
        out.codes[no_region | out.fallback] = UNDETERMINED
        _failing_bits(plan.tree, masks, out)
        self._amount(ev, measure, (decided & ~false) | no_region, out)

    def _leaf(self, ev: VectorEval, plan: MeasurePlan, k: int, leaf: V, active: Any,
              result: Result) -> tuple[V, Truth | None]:
        """A condition whose column leaves rows undecided (an interval, a forecast read by eligible(), a value
        the columns do not hold): those rows run the condition's own scalar closure. True / false / unknown
        are taken as they are (an unknown outcome's missing fields and reasons still come from the scalar
        path); a conditional truth gives the row's value in each world (returned: the recognised world's
        (true, false) masks, or None when no row has one); anything else leaves the row to the scalar
        evaluator of the whole measure, and so does a row whose prerequisite measure is itself left there.
        A condition that reads eligible() only through and / or / not is first worked out column-wise in
        each world (engine.logic combines the worlds apart, so that is its value in each)."""
        if leaf.fb is None:
            return leaf, None
        batch, mid = ev.batch, plan.id
        deps = self.program.ruleset.measures[mid].depends_on
        pending = np.zeros(batch.n, bool)
        for dep in deps:
            columns = result.measures.get(dep)
            if columns is not None:
                pending |= columns.fallback
        wanted = leaf.fb & active & ~pending
        if not wanted.any():
            return leaf, None
        val, known, fb = leaf.val.copy(), leaf.known.copy(), leaf.fb.copy()
        rec_true, rec_false = known & val, known & ~val
        worlds = self._worlds(ev, plan.criteria[1][k].expr) if deps else None
        if worlds is not None:  # rows both worlds decide: their value now, and once recognised
            now, recognised = worlds
            done = wanted & ~_fb_rows(now) & ~_fb_rows(recognised)
            val[done], known[done], fb[done] = now.val[done], now.known[done], False
            rec_true[done] = (recognised.known & recognised.val)[done]
            rec_false[done] = (recognised.known & ~recognised.val)[done]
            wanted &= ~done
        fn = plan.leaves[k]
        for i in np.flatnonzero(wanted).tolist():
            run = batch.run(i)
            placed = self._place(result, run, i, deps) if deps else []
            value = fn(run)
            for dep in placed:
                del run.outcomes[dep]
            if value is True or value is False:
                val[i], known[i], fb[i] = value, True, False
                rec_true[i], rec_false[i] = value, not value
            elif type(value) is Unknown:
                known[i], fb[i] = False, False
                rec_true[i] = rec_false[i] = False
            elif type(value) is Conditional and _plain(value.now) and _plain(value.recognised):
                val[i], known[i], fb[i] = value.now is True, type(value.now) is bool, False
                rec_true[i], rec_false[i] = value.recognised is True, value.recognised is False
        column = V("bool", val, known, fb if fb.any() else None)
        now_truth = _truth(column)
        if (rec_true == now_truth.true).all() and (rec_false == now_truth.false).all():
            return column, None
        return column, Truth(rec_true, rec_false)

    def _worlds(self, ev: VectorEval, expr: Any) -> tuple[V, V] | None:
        """The condition column-wise with eligible() false (now) and true (once recognised) on the rows where
        it is the engine's forecast; None when eligible() is read other than through and / or / not."""
        if not logic_over_eligible(expr, self._names) or any(
                type(node) is Call and node.name == "eligible" and node.args[0].value not in ev.batch.outcomes
                for node in expr.walk()):
            return None
        calls = ev.batch.calls
        try:
            calls.world = False
            now = _as_condition(ev.value(expr), ev.n)
            calls.world = True
            recognised = _as_condition(ev.value(expr), ev.n)
        finally:
            calls.world = None
        return now, recognised

    @staticmethod
    def _place(result: Result, run: Any, i: int, deps: Any) -> list[str]:
        """The outcomes of the measures a condition reads through eligible(), as placeholders (only the
        outcome counts for its truth); returns the ones to take out again afterwards."""
        placed = []
        for dep in deps:
            if dep in run.outcomes:
                continue
            columns = result.measures.get(dep)
            if columns is None:
                run.outcomes[dep] = result.scalar(i, dep)
                continue
            if i in columns.overrides:  # decided by the scalar path already: its verdict
                run.outcomes[dep] = columns.overrides[i]
                continue
            run.outcomes[dep] = Verdict(dep, CODES[int(columns.codes[i])], None, NONE, (), ())
            placed.append(dep)
        return placed

    def _amount(self, ev: VectorEval, measure: Measure, eligible: Any, out: MeasureColumns) -> None:
        """A fixed amount (unpublished, recognition, none) once; any other amount row by row, on demand."""
        benefit = measure.benefit
        if benefit.kind in ("unpublished", "recognition") or (benefit.amount is None and benefit.rate is None):
            out.amount = out.plan.amount(None, Outcome.ELIGIBLE)
            return
        node = benefit.amount if benefit.amount is not None else benefit.rate
        names = self._names(node)
        out.amount_deps = "?" in names
        rows = np.flatnonzero(eligible)
        if not names and len(rows):  # the amount reads nothing from the profile: the same for every row
            out.amount = out.plan.amount(ev.batch.run(int(rows[0])), Outcome.ELIGIBLE)
        elif len(rows):
            self._amount_groups(ev, measure, node, eligible, out)

    @staticmethod
    def _amount_groups(ev: VectorEval, measure: Measure, node: Any, eligible: Any, out: MeasureColumns) -> None:
        """Rows whose amount expression has the same exact value column-wise get the same Amount: the engine's
        estimate_amount works it out once per distinct value (on the first such row), not once per row."""
        n = ev.n
        saved = ev.active, ev.scope
        ev.active, ev.scope = eligible, measure.parameters
        try:
            value = ev.value(node)
        finally:
            ev.active, ev.scope = saved
        if isinstance(value, C):
            return
        value = typed(value, "num")
        if value.kind != "num":
            return
        ok = eligible if value.fb is None else eligible & ~value.fb
        known = np.broadcast_to(value.known, (n,))
        den = np.broadcast_to(np.asarray(value.den, np.int64), (n,))
        keys = np.stack([np.where(known, value.val, 0), np.where(known, den, 0), known.astype(np.int64)], axis=1)
        rows = np.flatnonzero(ok)
        if not len(rows):
            return
        _, first, inverse = np.unique(keys[rows], axis=0, return_index=True, return_inverse=True)
        groups = np.full(n, -1, np.int64)
        groups[rows] = inverse.reshape(-1)
        out.amount_groups = groups
        out.group_rows = rows[first]

    def _rowwise(self, batch: Batch, node: Any, scope: dict[str, Any], active: Any, result: Result) -> V:
        """A node without a column-wise form, evaluated with its scalar closure for the active rows."""
        fn = self.rowwise_fns.get(id(node))
        if fn is None:
            fn = self.rowwise_fns[id(node)] = ExprCompiler(self.program, scope, traced=False).compile(node)
        result.current.rowwise += 1
        wanted = active if active is not None else np.ones(batch.n, bool)
        values: list[Any] = [None]  # the distinct values (by place, never hashed): slot 0 for the inactive rows
        slot = np.zeros(batch.n, np.int64)
        names = self._names(node)
        deps = self.program.ruleset.measures[result.current.plan.id].depends_on if "?" in names else ()
        lists = tuple(sorted(names)) if names and names <= LIST_FIELDS else ()
        for group in batch.list_groups(lists) if lists else ():  # rows holding nothing alike share one value
            alike = wanted & group
            if alike.any():
                slot[alike] = len(values)
                values.append(fn(batch.run(int(np.flatnonzero(alike)[0]))))
                wanted = wanted & ~alike
        for i in np.flatnonzero(wanted):
            run = batch.run(int(i))
            placed = result.outcomes_only(int(i), result.current.plan.id) if deps else []
            slot[i] = len(values)
            values.append(fn(run))  # a column value: only whether it is known counts, never its missing fields
            for dep in placed:
                del run.outcomes[dep]
        column = take(from_python(values, len(values)), slot)  # the same column as from the n values
        if active is not None:
            column = column.with_fb(~active)
        return column


    def _names(self, node: Any) -> frozenset[str]:
        """The profile names a node reads ("?" when it reads another measure's outcome)."""
        found = self.names_read.get(id(node))
        if found is None:
            found = self.names_read[id(node)] = frozenset(names_read(node, self.program.ruleset.facts, set()))
        return found


def _as_condition(value: Any, n: int) -> V:
    """A condition's column: only True/False decide; any other value is unknown (and re-checked)."""
    if isinstance(value, C):
        value = from_python([value.value] * n, n)
    value = typed(value, "bool")
    if value.kind != "bool":
        return V("bool", np.zeros(n, bool), np.zeros(n, bool), np.ones(n, bool))
    return value


def _fb_rows(column: V) -> Any:
    return np.zeros(len(column.known), bool) if column.fb is None else column.fb


def _truth(leaf: V) -> Truth:
    return Truth(leaf.known & leaf.val, leaf.known & ~leaf.val)


def _plain(value: Any) -> bool:
    return value is True or value is False or type(value) is Unknown


def _combine(tree: CriteriaTree, leaves: list[Truth]) -> dict[int, Truth]:
    """(true, false) masks of every criteria node, by pos (unknown is neither), by engine.logic."""
    masks: dict[int, Truth] = {}

    def walk(node: CriteriaTree) -> Truth:
        if node.kind == "condition":
            found = leaves[node.leaf]
        else:
            found = combine_truths(node.kind, [walk(child) for child in node.children])
        masks[node.pos] = found
        return found

    walk(tree)
    return masks


def _failing_bits(tree: CriteriaTree, masks: dict[int, Truth], out: MeasureColumns) -> None:
    """Set bit k of a row when failing unit k is on its failing list (engine.logic.failing_units)."""
    n = len(out.codes)
    units = failing_units(tree, lambda node: masks[node.pos].false, np.ones(n, bool))
    width: Any = next(t for t in (np.uint8, np.uint16, np.uint32, np.int64)
                      if len(units) <= 8 * np.dtype(t).itemsize or t is np.int64)  # the narrowest that holds them
    bits = np.zeros(n, width)
    for k, (_, rows) in enumerate(units):
        if k < 63:
            bits |= rows.astype(width) << width(k)
        else:
            out.fallback |= rows
    out.failing_bits |= bits


def _in_area(region: V, prefixes: tuple[str, ...]) -> Any:
    """Rows whose (known) region code starts with one of the prefixes: decided once per distinct code."""
    codes, distinct = region.factor()
    if not distinct:
        return np.zeros(len(region.known), bool)
    hits = np.array([any(str(code).startswith(p) for p in prefixes) for code in distinct], dtype=bool)
    return hits[codes] & region.known
