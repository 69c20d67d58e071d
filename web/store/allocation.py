"""This file defines how a closed call's budget is allocated: the ranking and the two methods, as pure functions.

Claims are (application, measure) pairs of approved applications. **Ranking**: triage priority (higher
first), then the measure's rule amount (larger first), then the earlier submission, then the lower
application id and the measure id — the stated tie-break, so the order is total and reproducible.

**Methods** (the call says which):

* ``rank_full`` — full amounts in rank order: each claim gets its whole rule amount if it fits in what is
  left of the call's budget and of its measure's cap; otherwise it gets nothing (reason ``budget`` or
  ``cap``) and the next claim is tried.
* ``pro_rata`` — everyone gets the same share: a measure whose claims exceed its cap is first scaled to
  the cap, then every claim is scaled by budget ÷ total (never above 1), rounded down to whole yuan.
  The yuan lost to rounding stay unallocated (reported as ``left``).

Only measures the decision found *eligible* with a published figure take part; others are listed with
reason ``not_eligible`` (including ``conditional``: 认定后可申请, never counted now) or ``no_amount``.
Exact integer and Fraction arithmetic throughout.

>>> claims = [Claim(1, "m", 5, 300, "eligible", "2025-05-01T00:00:00"), Claim(2, "m", 0, 300, "eligible", "2025-05-02T00:00:00")]
>>> [(l.application_id, l.granted, l.reason) for l in allocate(claims, 500, "rank_full", {}).lines]
[(1, 300, 'funded'), (2, 0, 'budget')]
>>> [(l.application_id, l.granted, l.reason) for l in allocate(claims, 500, "pro_rata", {}).lines]
[(1, 250, 'pro_rata'), (2, 250, 'pro_rata')]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

FUNDED, PRO_RATA, BUDGET, CAP, NOT_ELIGIBLE, NO_AMOUNT = "funded", "pro_rata", "budget", "cap", "not_eligible", "no_amount"


@dataclass(frozen=True)
class Claim:
    application_id: int
    measure_id: str
    priority: int
    amount: int | None  # the rule amount in yuan (None: no published figure)
    outcome: str  # the decision's outcome for the measure
    submitted_at: str  # ISO timestamp (tie-break)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Line:
    application_id: int
    measure_id: str
    rank: int
    requested: int
    granted: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Result:
    lines: tuple[Line, ...]
    budget: int
    granted: int
    left: int


def ranked(claims: Iterable[Claim]) -> list[Claim]:
    """Claims in rank order (see the module docstring)."""
    return sorted(claims, key=lambda c: (-c.priority, -(c.amount or 0), c.submitted_at, c.application_id,
                                         c.measure_id))


def _counts(claim: Claim) -> bool:
    return claim.outcome == "eligible" and claim.amount is not None and claim.amount > 0


def allocate(claims: Iterable[Claim], budget: int, method: str, caps: Mapping[str, int | None]) -> Result:
    """Allocate `budget` yuan over the claims by `method` within the per-measure `caps` (None: no cap)."""
    order = ranked(claims)
    if method == "rank_full":
        grants = _rank_full(order, budget, caps)
    elif method == "pro_rata":
        grants = _pro_rata(order, budget, caps)
    else:
        raise ValueError(f"unknown allocation method {method!r}")
    lines = []
    for rank, claim in enumerate(order, start=1):
        granted, reason = grants.get(id(claim), (0, NO_AMOUNT if claim.outcome == "eligible" else NOT_ELIGIBLE))
        lines.append(Line(claim.application_id, claim.measure_id, rank, claim.amount or 0, granted, reason))
    total = sum(line.granted for line in lines)
    return Result(tuple(lines), budget, total, budget - total)


def _rank_full(order: list[Claim], budget: int, caps: Mapping[str, int | None]) -> dict[int, tuple[int, str]]:
    left, cap_left = budget, {m: c for m, c in caps.items() if c is not None}
    out: dict[int, tuple[int, str]] = {}
    for claim in filter(_counts, order):
        need = int(claim.amount or 0)
        if claim.measure_id in cap_left and need > cap_left[claim.measure_id]:
            out[id(claim)] = (0, CAP)
        elif need > left:
            out[id(claim)] = (0, BUDGET)
        else:
            left -= need
            if claim.measure_id in cap_left:
                cap_left[claim.measure_id] -= need
            out[id(claim)] = (need, FUNDED)
    return out


def _pro_rata(order: list[Claim], budget: int, caps: Mapping[str, int | None]) -> dict[int, tuple[int, str]]:
    counted = list(filter(_counts, order))
    asked: dict[str, int] = {}
    for claim in counted:
        asked[claim.measure_id] = asked.get(claim.measure_id, 0) + int(claim.amount or 0)
    scale = {m: Fraction(min(total, caps[m]), total) if caps.get(m) is not None else Fraction(1)  # type: ignore[type-var]
             for m, total in asked.items()}
    effective = {id(c): int(c.amount or 0) * scale[c.measure_id] for c in counted}
    total = sum(effective.values(), Fraction(0))
    factor = min(Fraction(1), Fraction(budget) / total) if total else Fraction(1)
    out: dict[int, tuple[int, str]] = {}
    for claim in counted:
        granted = math.floor(effective[id(claim)] * factor)
        reason = FUNDED if granted == claim.amount else (PRO_RATA if granted > 0 else BUDGET)
        out[id(claim)] = (granted, reason)
    return out
