"""This file defines how a closed call's budget is allocated: the ranking and the two methods, as pure functions.

Claims are (application, measure) pairs of approved applications. **Ranking** follows the call's published
criterion (`rank_by`), never triage flags or priority:

* ``received`` — the earlier submission first;
* ``score`` — the reviewers' higher score first (no score: after every scored claim), then the earlier submission;
* ``amount_asc`` — the smaller amount first, then the earlier submission;

ties by the lower application id and the measure id, so the order is total and reproducible.

A claim's **amount** is the reviewer's approved amount when one was set, else the rule's exact receivable
figure (an "up to" ceiling is never granted as such: it needs an approved amount). A claim may be **held**
(a flag raised after the approval: someone must look again) or **excluded** (a blocking flag) — it then
takes no money and says why; flags never move a claim up.

**Methods** (the call says which):

* ``rank_full`` — full amounts in rank order: each claim gets its whole amount if it fits in what is left of
  the call's budget and of its measure's cap; otherwise it gets nothing (reason ``budget`` or ``cap``) and
  the next claim is tried.
* ``pro_rata`` — everyone gets the same share: a measure whose claims exceed its cap is first scaled to
  the cap, then every claim is scaled by budget ÷ total (never above 1), rounded down to whole yuan.
  The yuan lost to rounding stay unallocated (reported as ``left``).

Exact integer and Fraction arithmetic throughout.

>>> claims = [Claim(1, "m", 300, "eligible", "2025-05-02T00:00:00"), Claim(2, "m", 300, "eligible", "2025-05-01T00:00:00")]
>>> [(l.application_id, l.granted, l.reason) for l in allocate(claims, 500, "rank_full", {}).lines]
[(2, 300, 'funded'), (1, 0, 'budget')]
>>> [(l.application_id, l.granted, l.reason) for l in allocate(claims, 500, "pro_rata", {}).lines]
[(2, 250, 'pro_rata'), (1, 250, 'pro_rata')]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from engine.errors import Message

FUNDED, PRO_RATA, BUDGET, CAP, NOT_ELIGIBLE, NO_AMOUNT = "funded", "pro_rata", "budget", "cap", "not_eligible", "no_amount"
HELD, EXCLUDED, OBJECTION = "held", "excluded", "objection"
OK = "ok"
RANK_BY = ("received", "score", "amount_asc")
# Why a line got what it got, in the words the staff, the auditor and the applicant read.
REASON_LABELS = {
    FUNDED: Message("足额资助", "funded in full"),
    PRO_RATA: Message("按比例资助（预算不足以足额资助所有申请）", "funded pro-rata (the budget does not cover every claim in full)"),
    BUDGET: Message("未获资助：按本通知公布的排序规则轮到本项时，预算已用完",
                    "not funded: by the call's published ranking, the budget had run out when this line's turn came"),
    CAP: Message("未获资助：该措施在本通知中的限额已用完（不是总预算不足）",
                 "not funded: this measure's cap within the call had run out (not the overall budget)"),
    NOT_ELIGIBLE: Message("不参与分配：该措施的判断结果不是“符合”", "not allocated: the decision for this measure is not eligible"),
    NO_AMOUNT: Message("不参与分配：规则没有确定的可发放金额，审核人也未核定金额",
                       "not allocated: the rule has no exact receivable amount and no amount was approved"),
    HELD: Message("暂缓：审核通过后出现新的提示，需重新审核", "held: a flag was raised after the approval and needs another review"),
    EXCLUDED: Message("排除：有阻断性提示", "excluded: a blocking flag"),
    OBJECTION: Message("公示期异议成立，取消资助", "withdrawn: an objection was upheld during the 公示"),
}
COUNTED_OUTCOMES = ("eligible", "undetermined")  # undetermined counts only with a reviewer's approved amount


@dataclass(frozen=True)
class Claim:
    application_id: int
    measure_id: str
    amount: int | None  # yuan: the approved amount, else the rule's exact receivable figure (None: neither)
    outcome: str  # the decision's outcome for the measure
    submitted_at: str  # ISO timestamp
    score: int | None = None  # the reviewers' score (ranking by score)
    hold: str = OK  # ok | held | excluded
    approved: bool = False  # the amount is a reviewer's approved amount

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


def _key(claim: Claim, rank_by: str) -> tuple[Any, ...]:
    tail = (claim.submitted_at, claim.application_id, claim.measure_id)
    if rank_by == "score":
        return (claim.score is None, -(claim.score or 0), *tail)
    if rank_by == "amount_asc":
        return (claim.amount is None, claim.amount or 0, *tail)
    if rank_by == "received":
        return tail
    raise ValueError(f"unknown ranking criterion {rank_by!r}")


def ranked(claims: Iterable[Claim], rank_by: str = "received") -> list[Claim]:
    """Claims in rank order by the call's published criterion (see the module docstring)."""
    return sorted(claims, key=lambda c: _key(c, rank_by))


def _counts(claim: Claim) -> bool:
    if claim.hold != OK or claim.amount is None or claim.amount <= 0:
        return False
    return claim.outcome == "eligible" or (claim.approved and claim.outcome in COUNTED_OUTCOMES)


def _not_counted(claim: Claim) -> str:
    if claim.hold in (HELD, EXCLUDED):
        return claim.hold
    if claim.outcome not in COUNTED_OUTCOMES or (claim.outcome != "eligible" and not claim.approved):
        return NOT_ELIGIBLE
    return NO_AMOUNT


def allocate(claims: Iterable[Claim], budget: int, method: str, caps: Mapping[str, int | None],
             rank_by: str = "received") -> Result:
    """Allocate `budget` yuan over the claims by `method` within the per-measure `caps` (None: no cap),
    in the order of the call's `rank_by` criterion."""
    order = ranked(claims, rank_by)
    if method == "rank_full":
        grants = _rank_full(order, budget, caps)
    elif method == "pro_rata":
        grants = _pro_rata(order, budget, caps)
    else:
        raise ValueError(f"unknown allocation method {method!r}")
    lines = []
    for rank, claim in enumerate(order, start=1):
        granted, reason = grants.get(id(claim), (0, _not_counted(claim)))
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
