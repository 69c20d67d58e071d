"""Run each measure's embedded tests against each of its mutants; report the mutants no test kills.

Fast enough for CI: the RuleSet is loaded once and each test's profile parsed once per measure; a
mutant runs only that measure's tests, evaluating only the measure and what it depends on, and stops at
the first test that fails (the mutant is killed). Measures are spread over worker processes (fork), each
mutating its own copy of the RuleSet in memory; rule files are never written.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.model import RuleSet
from engine.mutation.mutants import Mutant, applied, mutants_of
from engine.ruletests import case_problems, prepare_case


@dataclass(frozen=True)
class Survivor:
    mutant: str
    description: str


@dataclass(frozen=True)
class MeasureReport:
    """The mutation result of one measure. `broken`: its own tests fail unmutated (nothing else was run)."""

    measure_id: str
    mutants: int
    killed: int
    equivalent: tuple[str, ...]
    survivors: tuple[Survivor, ...]
    stale_equivalents: tuple[str, ...] = ()  # listed as equivalent but killed by a test, or no such mutant
    broken: tuple[str, ...] = field(default=())

    @property
    def survived(self) -> int:
        return len(self.survivors)


def mutate_measure(ruleset: RuleSet, measure_id: str, root: Path) -> MeasureReport:
    """Mutate one measure of `ruleset` (restored afterwards) and run its tests against every mutant."""
    measure = ruleset.measures[measure_id]
    cases = [(case, prepare_case(case, root)) for case in measure.tests]
    broken = tuple(f"{case['name']}: {'; '.join(problems)}" for case, parsed in cases
                   if (problems := case_problems(ruleset, measure_id, case, parsed)))
    mutants = mutants_of(measure)
    if broken:
        return MeasureReport(measure_id, len(mutants), 0, (), (), (), broken)
    equivalent, survivors, killed = [], [], 0
    seen = set()
    for mutant in mutants:
        seen.add(mutant.id)
        if _killed(ruleset, measure_id, mutant, cases):
            killed += 1
        elif mutant.id in measure.equivalent_mutants:
            equivalent.append(mutant.id)
        else:
            survivors.append(Survivor(mutant.id, mutant.description))
    stale = tuple(sorted(m for m in measure.equivalent_mutants if m not in equivalent))
    return MeasureReport(measure_id, len(mutants), killed, tuple(equivalent), tuple(survivors), stale)


def _killed(ruleset: RuleSet, measure_id: str, mutant: Mutant, cases: list[tuple[dict[str, Any], Any]]) -> bool:
    measure = ruleset.measures[measure_id]
    with applied(mutant, measure):
        for case, parsed in cases:
            try:
                if case_problems(ruleset, measure_id, case, parsed):
                    return True
            except Exception:  # noqa: BLE001 - a mutant that makes evaluation fail is detected, hence killed
                return True
    return False


_WORKER: dict[str, Any] = {}


def _work(measure_id: str) -> MeasureReport:
    return mutate_measure(_WORKER["ruleset"], measure_id, _WORKER["root"])


def mutate_all(ruleset: RuleSet, root: Path, measure_ids: list[str] | None = None,
               jobs: int | None = None) -> list[MeasureReport]:
    """Mutation reports for the given measures (default: all), in id order; `jobs` worker processes."""
    ids = sorted(measure_ids if measure_ids is not None else ruleset.measures)
    jobs = jobs if jobs is not None else min(len(ids), os.cpu_count() or 1)
    if jobs <= 1 or len(ids) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [mutate_measure(ruleset, mid, root) for mid in ids]
    _WORKER.update(ruleset=ruleset, root=root)
    try:
        # measures with many tests and mutants first, so the pool finishes evenly
        order = sorted(ids, key=lambda m: -len(ruleset.measures[m].tests) * len(mutants_of(ruleset.measures[m])))
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            reports = dict(zip(order, pool.map(_work, order, chunksize=1), strict=True))
    finally:
        _WORKER.clear()
    return [reports[mid] for mid in ids]
