"""Benefit amounts: cash (exact or "up to"), tax rates, loan-compensation shares, unpublished (NF).

Also the one reading of what an amount *is* for the applicant (`money_class`, `counts_as_receivable`):
every total — stacking, screening budgets, simulation, allocation — counts only what that says.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from engine.canonical import number_of_text
from engine.decision import Amount, MeasureResult, Outcome
from engine.errors import Message
from engine.expr.values import Unknown
from engine.model import Measure
from engine.trace import Frame

UNPUBLISHED = Message("金额未公布——请咨询主管部门", "amount not published — ask the bureau")


RECEIVABLE = "receivable"
MONEY_CLASSES = (RECEIVABLE, "competitive", "case_by_case", "tax", "paid_to_others", "status", "unpublished",
                 "undeclared", "none")
"""What an amount is for the applicant (`money_class`): receivable now as of right; a competitive (择优) or
case-by-case (一事一议) maximum; a tax treatment; money paid to a bank, guarantor or third party; a status
(recognition); not published; a cash/loan benefit whose file does not say payee and basis; nothing."""


def money_class(amount: Amount | Mapping[str, Any]) -> str:
    """The class of one amount (an Amount or its JSON dict), one of MONEY_CLASSES; outcome not considered."""
    get = amount.get if isinstance(amount, Mapping) else (lambda key: getattr(amount, key, None))
    kind, benefit, payee, basis = get("kind"), get("benefit"), get("payee"), get("basis")
    if kind == "unpublished":
        return "unpublished"
    if kind == "none" and benefit is None:
        return "none"
    if benefit in ("tax_rate", "super_deduction") or basis == "tax":
        return "tax"
    if basis == "status" or benefit == "recognition":
        return "status"
    if payee in ("bank", "guarantor", "third_party"):
        return "paid_to_others"
    if basis in ("competitive", "case_by_case"):
        return str(basis)
    if payee is None or basis is None:
        return "undeclared"
    if benefit == "cash" and kind in ("exact", "up_to") and payee == "applicant" and basis == "entitlement":
        return RECEIVABLE
    return "none"


def counts_as_receivable(amount: Amount | MeasureResult | Mapping[str, Any]) -> bool:
    """True when this is money the applicant is paid as of right: the ONE test every total uses.

    Pass an Amount (`result.amount`), a MeasureResult, or the JSON dict of either (a stored Decision:
    `{"kind": …, "value": …, "benefit": …, "payee": …, "basis": …}` or a result dict with "outcome" and
    "amount"). True only for a cash benefit with payee applicant and basis entitlement whose amount is
    a figure (kind exact or up_to, an exact number). Never for competitive (择优) or case-by-case (一事一议)
    maxima, tax treatments (a rate is a tax rate, "企业所得税减按15%征收", never "可获15%"), status,
    compensation paid to a bank / guarantor / third party, unpublished or unknown amounts, or a benefit
    whose file does not declare payee and basis. Given a result, its outcome must also be eligible:
    conditional (认定后可申请), undetermined (drafts included) and the rest never count.

    Add the amount's `value` only when this is True; show the others apart (engine.stacking lists them).
    """
    if isinstance(amount, MeasureResult):
        if amount.outcome is not Outcome.ELIGIBLE:
            return False
        amount = amount.amount
    elif isinstance(amount, Mapping) and "outcome" in amount:
        if amount.get("outcome") != Outcome.ELIGIBLE.value:
            return False
        amount = amount.get("amount") or {}
    value = amount.get("value") if isinstance(amount, Mapping) else amount.value
    if isinstance(value, str):  # canonical JSON writes exact numbers as text
        value = number_of_text(value)
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        return False
    return money_class(amount) == RECEIVABLE


def receivable_value(amount: Amount | MeasureResult | Mapping[str, Any]) -> int:
    """The whole yuan an amount adds to a receivable total: its value when counts_as_receivable, else 0."""
    if not counts_as_receivable(amount):
        return 0
    if isinstance(amount, MeasureResult):
        amount = amount.amount
    elif isinstance(amount, Mapping) and "outcome" in amount:
        amount = amount["amount"]
    value = amount.get("value") if isinstance(amount, Mapping) else amount.value
    return math.floor(Fraction(value))


def estimate_amount(run: Any, measure: Measure, outcome: Outcome) -> Amount:
    """The amount a measure would pay this applicant; none when ineligible or not applicable.

    Every amount carries the benefit's kind, payee and basis, so any reader can tell what it is.
    """
    return _tagged(_estimate(run, measure, outcome), measure)


def _tagged(amount: Amount, measure: Measure) -> Amount:
    if amount.kind == "none" and amount.note is None:
        return amount
    b = measure.benefit
    return Amount(amount.kind, amount.value, amount.note, b.kind, b.payee, b.basis)  # replace() walks fields by name


def _estimate(run: Any, measure: Measure, outcome: Outcome) -> Amount:
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
