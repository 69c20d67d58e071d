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

from engine.expr.nodes import Name
from engine.model import Condition, Criterion, Measure, RuleSet
from engine.mutation.mutants import Mutant, applied, fact_file_mutants, mutants_of
from engine.ruletests import case_problems, fact_case_problems, prepare_case


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


def mutate_facts_file(ruleset: RuleSet, rel: str, root: Path) -> MeasureReport:
    """Mutate one facts file (`facts/x.yaml`): killed by its fact tests or any test of a measure reading its facts."""
    target, mutants = fact_file_mutants(ruleset, rel)
    own = {f.id for f in ruleset.facts.values() if f.path == rel}
    checks: list[tuple[str | None, dict[str, Any], Any]] = [
        (None, case, prepare_case(case, root)) for case in ruleset.fact_tests if case["__file__"] == rel]
    for mid in sorted(ruleset.measures):
        if facts_read(ruleset, ruleset.measures[mid]) & own:
            checks += [(mid, case, prepare_case(case, root)) for case in ruleset.measures[mid].tests]
    broken = tuple(f"{mid or rel}: {case['name']}: {'; '.join(problems)}" for mid, case, parsed in checks
                   if (problems := _problems(ruleset, mid, case, parsed)))
    if broken:
        return MeasureReport(rel, len(mutants), 0, (), (), (), broken)
    listed = ruleset.fact_equivalents.get(rel, {})
    equivalent, survivors, killed = [], [], 0
    for mutant in mutants:
        with applied(mutant, target):
            dead = any(_fails(ruleset, mid, case, parsed) for mid, case, parsed in checks)
        if dead:
            killed += 1
        elif mutant.id in listed:
            equivalent.append(mutant.id)
        else:
            survivors.append(Survivor(mutant.id, mutant.description))
    stale = tuple(sorted(m for m in listed if m not in equivalent))
    return MeasureReport(rel, len(mutants), killed, tuple(equivalent), tuple(survivors), stale)


def facts_read(ruleset: RuleSet, measure: Measure) -> set[str]:
    """The fact ids a measure's criteria and benefit read, directly or through other facts."""
    roots = [n for c in _conditions(measure.criteria) for n in c.expr.walk()]
    for node in (measure.benefit.amount, measure.benefit.rate):
        roots += node.walk() if node is not None else []
    todo = [n.path for n in roots if isinstance(n, Name) and n.path in ruleset.facts]
    seen: set[str] = set()
    while todo:
        fid = todo.pop()
        if fid not in seen:
            seen.add(fid)
            todo += [n.path for n in ruleset.facts[fid].expr.walk() if isinstance(n, Name) and n.path in ruleset.facts]
    return seen


def _conditions(node: Criterion) -> list[Condition]:
    if isinstance(node, Condition):
        return [node]
    return [c for child in node.children for c in _conditions(child)]


def _problems(ruleset: RuleSet, measure_id: str | None, case: dict[str, Any], parsed: Any) -> list[str]:
    if measure_id is None:
        return fact_case_problems(ruleset, case, parsed)
    return case_problems(ruleset, measure_id, case, parsed)


def _fails(ruleset: RuleSet, measure_id: str | None, case: dict[str, Any], parsed: Any) -> bool:
    try:
        return bool(_problems(ruleset, measure_id, case, parsed))
    except Exception:  # noqa: BLE001 - a mutant that makes evaluation fail is detected, hence killed
        return True


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


def fact_files(ruleset: RuleSet) -> list[str]:
    """The facts files of a RuleSet (`facts/finance.yaml`, …), sorted."""
    return sorted({f.path for f in ruleset.facts.values()})


def mutate_unit(ruleset: RuleSet, unit: str, root: Path) -> MeasureReport:
    """One unit of mutation: a measure id, or a facts file (`facts/x.yaml`)."""
    if unit in ruleset.measures:
        return mutate_measure(ruleset, unit, root)
    return mutate_facts_file(ruleset, unit, root)


def _work(unit: str) -> MeasureReport:
    return mutate_unit(_WORKER["ruleset"], unit, _WORKER["root"])


def _weight(ruleset: RuleSet, unit: str) -> int:
    if unit in ruleset.measures:
        return len(ruleset.measures[unit].tests) * len(mutants_of(ruleset.measures[unit]))
    return 10 ** 6  # facts files run many measures' tests: start them first


def mutate_all(ruleset: RuleSet, root: Path, measure_ids: list[str] | None = None,
               jobs: int | None = None) -> list[MeasureReport]:
    """Mutation reports for the given units — measure ids or facts files `facts/x.yaml` — (default: every
    measure), in order; `jobs` worker processes."""
    ids = sorted(measure_ids if measure_ids is not None else ruleset.measures)
    jobs = jobs if jobs is not None else min(len(ids), os.cpu_count() or 1)
    if jobs <= 1 or len(ids) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [mutate_unit(ruleset, mid, root) for mid in ids]
    _WORKER.update(ruleset=ruleset, root=root)
    try:
        # units with many tests and mutants first, so the pool finishes evenly
        order = sorted(ids, key=lambda m: -_weight(ruleset, m))
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            reports = dict(zip(order, pool.map(_work, order, chunksize=1), strict=True))
    finally:
        _WORKER.clear()
    return [reports[mid] for mid in ids]
