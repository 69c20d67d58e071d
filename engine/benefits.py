"""Benefit amounts: cash (exact or "up to"), tax rates, loan-compensation shares, unpublished (NF)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from engine.decision import Amount, Outcome
from engine.errors import Message
from engine.expr.values import Unknown
from engine.model import Measure
from engine.trace import Frame

UNPUBLISHED = Message("金额未公布——请咨询主管部门", "amount not published — ask the bureau")


def estimate_amount(run: Any, measure: Measure, outcome: Outcome) -> Amount:
    """The amount a measure would pay this applicant; none when ineligible or not applicable."""
    benefit = measure.benefit
    if outcome in (Outcome.INELIGIBLE, Outcome.NOT_APPLICABLE):
        return Amount("none")
    if benefit.kind == "unpublished":
        return Amount("unpublished", note=benefit.note or UNPUBLISHED)
    if benefit.kind == "recognition":
        return Amount("none", note=benefit.note)
    if benefit.amount is not None:
        value = _evaluate(run, measure, benefit.amount)
        if isinstance(value, Unknown):
            return Amount("unknown", note=benefit.note)
        if isinstance(value, Fraction):  # cash is paid in whole yuan, rounded down
            value = math.floor(value)
        return Amount("up_to" if benefit.up_to else "exact", value, benefit.note)
    if benefit.rate is not None:
        rate = _evaluate(run, measure, benefit.rate)
        if isinstance(rate, Unknown):
            return Amount("unknown", note=benefit.note)
        return Amount("rate", rate, benefit.note)
    return Amount("none", note=benefit.note)


def _evaluate(run: Any, measure: Measure, node: Any) -> Any:
    saved, world = run.params, getattr(run, "world", None)
    run.params = measure.parameters
    run.world = "recognised"  # an amount is what the measure pays once it applies (engine.logic.forecast)
    run.frames.append(Frame())
    try:
        return node.evaluate(run)
    finally:
        run.frames.pop()
        run.params, run.world = saved, world
