"""The decisions of one batch: per measure, an outcome code for every row, and verdicts on demand.

`MeasureColumns` holds one measure's codes, failing conditions (a bit per condition) and amounts, plus the
rows the scalar evaluator decided; `Result` holds them all and knows how to ask the scalar evaluator for
one row (its missing fields when undetermined, its amount when it depends on the profile).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from engine.decision import Amount, Outcome
from engine.fast.batch import CONDITIONAL, ELIGIBLE, INELIGIBLE, UNDETERMINED, Batch
from engine.fast.plan import NONE, MeasurePlan, Verdict
from engine.logic import failing_units

OTHER_KIND, NOT_IN_FORCE, OUT_OF_AREA = 0, 1, 2
CODES = {OTHER_KIND: Outcome.NOT_APPLICABLE, NOT_IN_FORCE: Outcome.NOT_APPLICABLE,
         OUT_OF_AREA: Outcome.NOT_APPLICABLE, ELIGIBLE: Outcome.ELIGIBLE, INELIGIBLE: Outcome.INELIGIBLE,
         UNDETERMINED: Outcome.UNDETERMINED, CONDITIONAL: Outcome.CONDITIONAL}
REASONS = {OTHER_KIND: "other_kind", NOT_IN_FORCE: "not_in_force", OUT_OF_AREA: "out_of_area"}



class MeasureColumns:
    """The column-wise result of one measure: codes, failing units, amounts, and the scalar overrides."""

    def __init__(self, plan: MeasurePlan, n: int, result: Result):
        self.plan = plan
        self.result = weakref.proxy(result)  # no reference cycle: a chunk's state is freed as soon as it is done
        self.codes = np.zeros(n, np.int8)
        self.fallback = np.zeros(n, bool)
        self.units = [uid for uid, _ in failing_units(plan.tree, lambda node: True)]
        self.failing_bits = np.zeros(n, np.int64)
        self.amount: Amount | None = None  # the same for every row, or None: worked out per row
        self.amounts: dict[int, Amount] = {}
        self.amount_deps = True
        self.amount_groups: Any = None  # per row: the group of rows with the same amount value (-1: none)
        self.group_rows: Any = None  # the row whose amount stands for each group
        self.overrides: dict[int, Verdict] = {}
        self.rowwise = 0
        self._failing_cache: dict[int, tuple[str, ...]] = {}

    def verdict(self, i: int) -> Verdict:
        found = self.overrides.get(i)
        if found is not None:
            return found
        code, plan = int(self.codes[i]), self.plan
        if code == UNDETERMINED or code == CONDITIONAL:  # missing fields, reasons, prerequisites: scalar
            found = self.overrides[i] = self.result.scalar(i, plan.id)
            return found
        if code in REASONS:
            return plan.not_applicable[REASONS[code]]
        if code == INELIGIBLE:
            return Verdict(plan.id, Outcome.INELIGIBLE, None, NONE, self.failing(i), ())
        return Verdict(plan.id, Outcome.ELIGIBLE, None, self.amount_of(i), (), ())

    def failing(self, i: int) -> tuple[str, ...]:
        bits = int(self.failing_bits[i])
        found = self._failing_cache.get(bits)
        if found is None:
            found = self._failing_cache[bits] = tuple(u for k, u in enumerate(self.units) if bits >> k & 1)
        return found

    def first_failing(self, i: int) -> str | None:
        found = self.overrides.get(i)
        if found is not None:
            return found.first_failing
        if self.codes[i] != INELIGIBLE:
            return None
        bits = int(self.failing_bits[i])
        return self.units[(bits & -bits).bit_length() - 1] if bits else None

    def amount_of(self, i: int) -> Amount:
        found = self.overrides.get(i)
        if found is not None:
            return found.amount
        code = self.codes[i]
        if code == CONDITIONAL:  # what it pays once recognised: the scalar verdict's
            return self.verdict(i).amount
        if code not in (ELIGIBLE, UNDETERMINED):
            return NONE
        if isinstance(self.amount, Amount):
            return self.amount
        groups = self.amount_groups
        if groups is not None and groups[i] >= 0 and i != int(self.group_rows[groups[i]]):
            return self.amount_of(int(self.group_rows[groups[i]]))  # the same value, so the same Amount
        amount = self.amounts.get(i)
        if amount is None:
            result, plan = self.result, self.plan
            placed = result.outcomes_only(i, plan.id) if self.amount_deps else []
            outcome = Outcome.ELIGIBLE if code == ELIGIBLE else Outcome.UNDETERMINED
            run = result.batch.run(i)
            amount = self.amounts[i] = plan.amount(run, outcome)
            for dep in placed:  # an amount only asks whether a dependency is known, never its missing fields
                del run.outcomes[dep]
        return amount


class Result:
    """The decisions of one batch: per measure, codes for every row and verdicts on demand."""

    def __init__(self, batch: Batch):
        self.batch = batch
        self.measures: dict[str, MeasureColumns] = {}
        self.current: MeasureColumns = None  # type: ignore[assignment]
        self.sorted_ids = batch.program.sorted_ids

    @property
    def vectorised(self) -> list[str]:
        """Measures decided without any row-by-row node."""
        return [mid for mid, m in self.measures.items() if m.rowwise == 0]

    def scalar(self, i: int, measure_id: str) -> Verdict:
        """The scalar verdict of one row, kept in that row's run; the measures it depends on are taken
        from the columns where they were decided there (only an undetermined one needs the scalar path)."""
        run = self.batch.run(i)
        found = run.outcomes.get(measure_id)
        if found is None:
            self.dependencies(i, measure_id)
            found = run.outcomes[measure_id] = self.batch.program.plans[measure_id].verdict(
                run, str(self.batch.kinds[i]))
        return found

    def outcomes_only(self, i: int, measure_id: str) -> list[str]:
        """Put the outcomes of the measures `measure_id` depends on in row i's run, for an evaluation that
        only asks whether they are known (amounts, column values): an undetermined one goes in without
        its missing fields. Returns the placeholders to take out again afterwards."""
        run, placed = self.batch.run(i), []
        for dep in self.batch.program.ruleset.measures[measure_id].depends_on:
            if dep not in run.outcomes:
                columns = self.measures.get(dep)
                if columns is None or columns.codes[i] != UNDETERMINED or i in columns.overrides:
                    run.outcomes[dep] = columns.verdict(i) if columns is not None else self.scalar(i, dep)
                    continue
                run.outcomes[dep] = Verdict(dep, Outcome.UNDETERMINED, None, NONE, (), ())
                placed.append(dep)
        return placed

    def dependencies(self, i: int, measure_id: str) -> None:
        """Put the verdicts of the measures `measure_id` depends on in row i's run."""
        run = self.batch.run(i)
        for dep in self.batch.program.ruleset.measures[measure_id].depends_on:
            if dep not in run.outcomes:
                columns = self.measures.get(dep)
                run.outcomes[dep] = columns.verdict(i) if columns is not None else self.scalar(i, dep)

    def resolve(self) -> None:
        """Decide the fallback rows with the scalar evaluator and put their outcomes in the codes."""
        for mid, columns in self.measures.items():
            for i in np.flatnonzero(columns.fallback):
                verdict = columns.overrides[int(i)] = self.scalar(int(i), mid)
                columns.codes[i] = _code(verdict)

    def verdicts(self, i: int) -> tuple[Verdict, ...]:
        return tuple(self.measures[m].verdict(i) for m in self.sorted_ids)

    def counts(self, measure_id: str) -> dict[str, int]:
        codes = self.measures[measure_id].codes
        out: dict[str, int] = {}
        for code, outcome in CODES.items():
            out[outcome.value] = out.get(outcome.value, 0) + int(np.count_nonzero(codes == code))
        return out


def _code(verdict: Verdict) -> int:
    if verdict.outcome is Outcome.NOT_APPLICABLE:
        return {v: k for k, v in REASONS.items()}[verdict.reason or "other_kind"]
    return {Outcome.ELIGIBLE: ELIGIBLE, Outcome.INELIGIBLE: INELIGIBLE,
            Outcome.CONDITIONAL: CONDITIONAL}.get(verdict.outcome, UNDETERMINED)


