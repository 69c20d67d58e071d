"""This file defines the one presentation of an evaluation summary: what POST /evaluate answers by default.

A summary is the canonical decision without its traces: per measure the outcome, reason, amount, failing
conditions, missing fields, gaps (the smallest passing change) and prerequisites, plus the stacking and the
profile warnings, with the same header (engine version, RuleSet hash, as-of date, profile hash). The full
decision (`?trace=full`) adds `results[].trace` and `facts`. Stored decisions always keep the full trace
(POST /applications evaluates with it); the summary is never stored.
"""

from __future__ import annotations

from typing import Any

from engine.decision import Decision
from web.api.serialize import canonical_bytes, decision_json

TRACE_CHOICES = ("summary", "full")
_DROPPED_RESULT_KEYS = frozenset({"trace"})
_DROPPED_KEYS = frozenset({"facts"})


def summary_of(decision: Decision) -> dict[str, Any]:
    """The summary of a decision as plain data (the decision's own canonical values, traces left out)."""
    data = decision.to_dict()
    out = {key: value for key, value in data.items() if key not in _DROPPED_KEYS}
    out["results"] = [{k: v for k, v in result.items() if k not in _DROPPED_RESULT_KEYS}
                      for result in data["results"]]
    return out


def evaluation_body(decision: Decision, trace: str) -> bytes:
    """The response body of POST /evaluate: the summary, or with `trace="full"` the whole decision."""
    return decision_json(decision) if trace == "full" else canonical_bytes(summary_of(decision))
