"""Policy simulation by partitions: each chunk of a register simulated on its own, the parts merged in order.

`simulate_chunk` runs engine.fast.simulate on one validated chunk (its accepted rows, labelled with their row
numbers); `merge` adds the parts up exactly as one run over the whole register would: transitions and
budgets summed (exact integers and fractions), flips concatenated with their global index, and the first
`examples` flipped cases per measure and direction kept in the order they were first met.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from engine.fast.simulate import Budget, MeasureChange, Simulation, simulate
from engine.io import Chunk
from engine.profile import parse_profile


class Row(dict):  # type: ignore[type-arg]
    """A register profile that remembers its row number (a dict, so the engine reads it as a profile)."""

    def __init__(self, number: int, profile: Any):
        data = profile if isinstance(profile, dict) else profile.model_dump(mode="python", exclude_none=True)
        super().__init__(data)
        self.number = number


def label(profile: Any) -> str:
    number = getattr(profile, "number", "?")
    return f"第{number}行 row {number} {profile.get('credit_code') or ''} {profile.get('name') or ''}".strip()


def simulate_chunk(current: Any, proposed: Any, chunk: Chunk, today: dt.date, examples: int) -> Simulation:
    """One chunk's simulation (its accepted rows), with traced examples."""
    profiles = [Row(int(number), chunk.profile(i)) for i, number in enumerate(chunk.rows.tolist())]
    return simulate(current, proposed, profiles, label=label, examples=examples, chunk=max(1, len(profiles)),
                    trace=lambda program, profile: program.decide(parse_profile(dict(profile), today)))


def merge(parts: Iterable[Simulation], examples: int) -> Simulation:
    """The simulation of the whole register from its parts, in order."""
    rows, changes = 0, {}
    groups: dict[str, dict[tuple[str, str], list[Any]]] = {}
    for part in parts:
        for change in part.measures:
            mine = changes.setdefault(change.measure_id, MeasureChange(change.measure_id))
            for key, count in change.transitions.items():
                mine.transitions[key] = mine.transitions.get(key, 0) + count
            _add(mine.before, change.before)
            _add(mine.after, change.after)
            mine.flips += [dataclasses.replace(f, index=f.index + rows) for f in change.flips]
            for example in change.examples:
                kept = groups.setdefault(change.measure_id, {}).setdefault((example.flip.before, example.flip.after), [])
                if len(kept) < examples:
                    kept.append(dataclasses.replace(example, flip=dataclasses.replace(
                        example.flip, index=example.flip.index + rows)))
        rows += part.rows
    for mid, by_direction in groups.items():
        changes[mid].examples = [example for kept in by_direction.values() for example in kept]
    return Simulation(rows, [changes[mid] for mid in sorted(changes)])


def _add(mine: Budget, other: Budget) -> None:
    for name in ("exact", "up_to", "unpublished", "unknown", "other"):
        setattr(mine, name, getattr(mine, name) + getattr(other, name))
