"""The summary (engine.summary) is the full Decision without its traces, whichever path makes it."""

from __future__ import annotations

import datetime as dt
import json

from engine import evaluate, parse_profile
from engine.fast import compile_ruleset, summarise
from engine.summary import summary_of
from tests.engine.test_golden import AS_OF, GOLDEN, RULESETS


def _expected(decision: object) -> dict:
    full = json.loads(decision.to_json())  # type: ignore[attr-defined]
    full.pop("facts")
    for result in full["results"]:
        result.pop("trace")
    return full


def test_summary_is_the_decision_without_traces_on_every_fixture_case() -> None:
    for case in GOLDEN["cases"][::3]:
        ruleset = RULESETS[case["rules"]]
        parsed = parse_profile(case["profile"], dt.date.fromisoformat(case["today"]))
        expected = _expected(evaluate(ruleset, parsed, AS_OF))
        assert summarise(ruleset, parsed, AS_OF) == expected, case["name"]
        assert summary_of(compile_ruleset(ruleset, AS_OF).decide(parsed)) == expected, case["name"]


def test_a_summary_builds_no_trace() -> None:
    case = next(c for c in GOLDEN["cases"] if c["name"].startswith("sample:hnte_rd_ratio_near_miss"))
    ruleset = RULESETS[case["rules"]]
    decision = evaluate(ruleset, parse_profile(case["profile"], dt.date.fromisoformat(case["today"])), AS_OF)
    summary = summary_of(decision)
    assert any(r["gaps"] for r in summary["results"])  # the near miss says what is missing
    deferred = [r for r in decision.results if r.__dict__.get("_deferred")]
    assert len(deferred) > 10 and all("trace" not in r.__dict__ for r in deferred)  # never built
    assert all(r.trace is not None for r in deferred)  # and there when asked for
