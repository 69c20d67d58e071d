"""The summary of a decision: everything but the traces — the one definition of its shape.

    summary_of(decision)                       # from a Decision, reading none of its (deferred) traces
    engine.fast.summarise(ruleset, parsed, as_of)   # the same dict, from the untraced compiled path

Shape (plain JSON data, keys as in the Decision's canonical JSON): engine_version, ruleset_hash, as_of,
profile_hash, profile_kind, warnings, stacking, and results — per measure measure_id, outcome, reason,
amount, failing, missing, gaps and (only when not empty) prerequisites. No `trace`, no `facts`.
"""

from __future__ import annotations

from typing import Any

from engine.canonical import plain
from engine.decision import Amount, Decision

_AMOUNTS: dict[int, tuple[Amount, dict[str, Any]]] = {}  # id → (amount, plain(amount)) of the amounts seen


def _amount(amount: Amount) -> dict[str, Any]:
    """plain(amount), a fresh dict; the compiled path shares its amount objects (none, fixed sums), so each is
    converted once (the amount is kept with its conversion: its id is not reused meanwhile)."""
    found = _AMOUNTS.get(id(amount))
    if found is not None and found[0] is amount:
        return dict(found[1])
    converted: dict[str, Any] = plain(amount)
    if len(_AMOUNTS) < 4096:
        _AMOUNTS[id(amount)] = (amount, converted)
        return dict(converted)
    return converted


def result_summary(result: Any, gaps: Any) -> dict[str, Any]:
    """One measure's summary from a MeasureResult or a Verdict and its gaps."""
    out: dict[str, Any] = {"measure_id": result.measure_id, "outcome": result.outcome._value_,
                           "reason": result.reason, "amount": _amount(result.amount), "failing": list(result.failing),
                           "missing": list(result.missing), "gaps": plain(gaps) if gaps else []}
    if result.prerequisites:
        out["prerequisites"] = list(result.prerequisites)
    return out


def header(engine_version: str, ruleset_hash: str, as_of: str, profile_hash: str, profile_kind: str,
           warnings: Any, stacking: Any) -> dict[str, Any]:
    return {"engine_version": engine_version, "ruleset_hash": ruleset_hash, "as_of": as_of,
            "profile_hash": profile_hash, "profile_kind": profile_kind,
            "warnings": [w.as_dict() for w in warnings], "stacking": plain(stacking)}


def summary_of(decision: Decision) -> dict[str, Any]:
    """The summary of a full Decision (its traces are never built for this)."""
    out = header(decision.engine_version, decision.ruleset_hash, decision.as_of, decision.profile_hash,
                 decision.profile_kind, decision.warnings, decision.stacking)
    out["results"] = [result_summary(r, r.gaps) for r in decision.results]
    return out
