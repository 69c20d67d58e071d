"""Stacking: the combination of eligible cash measures with the highest total that exclusions allow.

Only money receivable as of right counts (engine.benefits.counts_as_receivable); eligible measures whose
benefit is a competitive or case-by-case maximum, a tax treatment or money paid to a bank, guarantor or
third party are listed apart by that class and never added.

Measures that are only conditional (eligible once a status is recognised) are never in the total:
their own best combination is listed apart (认定后可申请的金额). Exclusions are symmetric ("pay the higher, once"; 同一项目不重复资助). Each connected group of mutually
exclusive measures is small, so every independent subset of a group is tried; ties go to the
alphabetically first combination, keeping the result deterministic.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from engine.benefits import money_class, receivable_value
from engine.decision import MeasureResult, Outcome, Stacking
from engine.model import RuleSet

APART = ("competitive", "case_by_case", "tax", "paid_to_others")


def _value(result: MeasureResult) -> int:
    return receivable_value(result.amount)


def _conflicts(ruleset: RuleSet, ids: list[str]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {i: set() for i in ids}
    for a in ids:
        for b in ruleset.measures[a].excludes:
            if b in edges:
                edges[a].add(b)
                edges[b].add(a)
    return edges


def _components(edges: dict[str, set[str]]) -> list[list[str]]:
    seen: set[str] = set()
    out = []
    for start in sorted(edges):
        if start in seen:
            continue
        stack, group = [start], []
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            group.append(node)
            stack.extend(edges[node] - seen)
        out.append(sorted(group))
    return out


def _best(group: list[str], edges: dict[str, set[str]], values: dict[str, int]) -> tuple[str, ...]:
    best: tuple[int, tuple[str, ...]] = (-1, ())
    for size in range(len(group), 0, -1):
        for combo in combinations(group, size):
            if any(b in edges[a] for a in combo for b in combo):
                continue
            total = sum(values[m] for m in combo)
            if total > best[0]:
                best = (total, combo)
    return best[1]


def _choose(ruleset: RuleSet, results: dict[str, Any]) -> tuple[list[str], dict[str, set[str]], dict[str, int]]:
    ids = sorted(results)
    edges = _conflicts(ruleset, ids)
    values = {i: _value(results[i]) for i in ids}
    chosen: list[str] = []
    for group in _components(edges):
        chosen.extend(_best(group, edges, values) if len(group) > 1 else group)
    return chosen, edges, values


def best_combination(ruleset: RuleSet, results: tuple[MeasureResult, ...] | Any) -> Stacking:
    """The best combination of eligible measures; conditional ones (eligible once recognised) apart."""
    eligible = {r.measure_id: r for r in results if r.outcome is Outcome.ELIGIBLE}
    chosen, edges, values = _choose(ruleset, eligible)
    chosen_set = set(chosen)
    dropped = tuple((m, sorted(edges[m] & chosen_set)[0]) for m in sorted(eligible) if m not in chosen_set)
    conditional = {r.measure_id: r for r in results if r.outcome is Outcome.CONDITIONAL}
    later, _, later_values = _choose(ruleset, conditional) if conditional else ([], {}, {})
    apart = {name: tuple(m for m in sorted(eligible) if money_class(eligible[m].amount) == name) for name in APART}
    return Stacking(tuple(sorted(chosen)), sum(values[m] for m in chosen), dropped,
                    tuple(sorted(later)), sum(later_values[m] for m in later), **apart)
