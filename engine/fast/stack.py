"""The stacking of a compiled run, remembered: engine.stacking.best_combination depends only on which
measures are eligible or conditional and on their amounts, and few profiles differ there.

The key is exactly what best_combination reads: (measure id, outcome, amount) of every eligible and
conditional result; the value is its Stacking (a frozen dataclass, shared).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.decision import Outcome, Stacking
from engine.model import RuleSet
from engine.stacking import best_combination

COUNTED = (Outcome.ELIGIBLE, Outcome.CONDITIONAL)
_ELIGIBLE, _CONDITIONAL = COUNTED
LIMIT = 4096


class StackingCache:
    """best_combination(ruleset, results) by the results it reads, for one RuleSet."""

    def __init__(self, ruleset: RuleSet):
        self.ruleset = ruleset
        self.found: dict[tuple[Any, ...], Stacking] = {}

    def __call__(self, results: Iterable[Any]) -> Stacking:
        if type(results) is not tuple:
            results = tuple(results)
        key = tuple([(r.measure_id, o, r.amount) for r in results if (o := r.outcome) is _ELIGIBLE or o is _CONDITIONAL])
        try:
            found = self.found.get(key)
        except TypeError:  # an amount that does not hash (none in today's rules)
            return best_combination(self.ruleset, results)
        if found is None:
            found = best_combination(self.ruleset, results)
            if len(self.found) < LIMIT:
                self.found[key] = found
        return found
