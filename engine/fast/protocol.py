"""What the backends of engine.fast may ask of a compiled RuleSet (engine.fast.CompiledRuleSet), typed.

Plans, compilers, runs and batches are handed the compiled program; they see it through this Protocol,
not as `Any`, so a change to the program's shape is a type error where it is used.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from engine.model import RuleSet

if TYPE_CHECKING:
    from engine.decision import Decision
    from engine.fast.plan import MeasurePlan, Verdict
    from engine.fast.source import Accessors
    from engine.fast.stack import StackingCache

Fn = Callable[[Any], Any]  # a compiled closure: run state → value


class Program(Protocol):
    ruleset: RuleSet
    as_of: dt.date
    accessors: Accessors
    names: set[str]
    uses: Counter[str]
    slots: dict[str, int]
    readers: dict[str, Fn]
    plans: dict[str, MeasurePlan]
    sorted_ids: tuple[str, ...]
    traced_facts: dict[str, Fn]
    traced_leaves: dict[int, Fn]
    blank: list[Any]
    stacking: StackingCache

    def reader(self, name: str) -> Fn: ...
    def verdicts(self, profile: Any, measures: list[str] | None = None) -> tuple[Verdict, ...]: ...
    def decide(self, parsed: Any, measures: list[str] | None = None,
               profile_hash: str | None = None) -> Decision: ...
