"""This file defines the one presentation of an evaluation summary: what POST /evaluate answers by default.

A summary is the canonical decision without its traces: per measure the outcome, reason, amount, failing
conditions, missing fields, gaps (the smallest passing change) and prerequisites, plus the stacking and the
profile warnings, with the same header (engine version, RuleSet hash, as-of date, profile hash). The full
decision (`?trace=full`) adds `results[].trace` and `facts`. Stored decisions always keep the full trace
(POST /applications evaluates with it); the summary is never stored.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from engine.canonical import plain
from engine.decision import Decision, MeasureResult
from web.api.serialize import canonical_bytes, decision_json

TRACE_CHOICES = ("summary", "full")
_DROPPED_RESULT_KEYS = frozenset({"trace"})
_DROPPED_KEYS = frozenset({"facts"})


def summary_of(decision: Decision) -> dict[str, Any]:
    """The summary of a decision as plain data: the decision's own canonical form (`Decision.to_dict`,
    `engine.canonical.plain`) of everything but the traces, which are never converted."""
    bare = dataclasses.replace(decision, results=(), facts=())
    out = {key: value for key, value in bare.to_dict().items() if key not in _DROPPED_KEYS}
    out["results"] = [_without_trace(result) for result in decision.results]
    return out


def _without_trace(result: MeasureResult) -> dict[str, Any]:
    data: dict[str, Any] = plain(dataclasses.replace(result, trace=None))
    for key in _DROPPED_RESULT_KEYS:
        data.pop(key, None)
    return data


def evaluation_body(decision: Decision, trace: str) -> bytes:
    """The response body of POST /evaluate: the summary, or with `trace="full"` the whole decision."""
    return decision_json(decision) if trace == "full" else canonical_bytes(summary_of(decision))
