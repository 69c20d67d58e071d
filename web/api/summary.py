"""This file answers POST /evaluate: the summary by default, the whole Decision with `?trace=full`.

The summary's shape is the engine's (engine.summary, the one definition: outcomes, reasons, amounts,
failing conditions, missing fields, gaps, prerequisites, stacking, warnings and the header, no traces); it
is computed on the untraced compiled path and written as canonical JSON bytes (`engine.summary.summary_json`,
the bytes of `engine.summary.summarise`, which equals `engine.summary.summary_of(evaluate(...))`). The full
Decision comes from the compiled traced path (`engine.fast.fast_evaluate`), byte for byte
`evaluate(...).to_json()`. `?trace=reading` adds to the summary the reading of the decision in the request's
language (engine.reading: verdicts, what each measure pays, failing conditions as sentences, questions, next
steps, the headline) — the words every page shows. Stored decisions always keep the full trace (POST
/applications evaluates with it); a summary is never stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.fast import fast_evaluate
from engine.model import RuleSet
from engine.reading import read
from engine.reading.reading import as_data
from engine.summary import summary_json, summary_of
from web.api.serialize import canonical_bytes, decision_json
from web.i18n import current_lang

TRACE_CHOICES = ("summary", "full", "reading")

__all__ = ["TRACE_CHOICES", "evaluation_body", "summary_of"]


def evaluation_body(ruleset: RuleSet, parsed: Any, as_of: dt.date, measures: list[str] | None, trace: str) -> bytes:
    """The response body: the summary, or with `trace="full"` the whole Decision, as canonical JSON."""
    if trace == "full":
        return decision_json(fast_evaluate(ruleset, parsed, as_of, measures=measures))
    if trace == "reading":
        decision = fast_evaluate(ruleset, parsed, as_of, measures=measures)
        return canonical_bytes({**summary_of(decision),
                                "reading": as_data(read(decision, ruleset, current_lang(), with_trace=False))})
    return summary_json(ruleset, parsed, as_of, measures)
