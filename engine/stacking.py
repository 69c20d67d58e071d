"""Stacking: the combination of eligible cash measures with the highest total that exclusions allow.

Exclusions are symmetric ("pay the higher, once"; 同一项目不重复资助). Each connected group of mutually
exclusive measures is small, so every independent subset of a group is tried; ties go to the
alphabetically first combination, keeping the result deterministic.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from engine.decision import MeasureResult, Outcome, Stacking
from engine.model import RuleSet


def _value(result: MeasureResult) -> int:
    amount = result.amount
    return int(amount.value) if amount.kind in ("exact", "up_to") and isinstance(amount.value, int) else 0


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


def best_combination(ruleset: RuleSet, results: tuple[MeasureResult, ...] | Any) -> Stacking:
    eligible = {r.measure_id: r for r in results if r.outcome is Outcome.ELIGIBLE}
    ids = sorted(eligible)
    edges = _conflicts(ruleset, ids)
    values = {i: _value(eligible[i]) for i in ids}
    chosen: list[str] = []
    for group in _components(edges):
        chosen.extend(_best(group, edges, values) if len(group) > 1 else group)
    chosen_set = set(chosen)
    dropped = tuple((m, sorted(edges[m] & chosen_set)[0]) for m in ids if m not in chosen_set)
    return Stacking(tuple(sorted(chosen)), sum(values[m] for m in chosen), dropped)
