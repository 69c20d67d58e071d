"""engine.summary.summarise and summary_json: the summary from the untraced path, as data and as the API's bytes —
equal to the Decision's summary on every fixture case, whatever was written before (shared pieces are kept)."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from engine import evaluate, fast, parse_profile, summary
from engine.canonical import dumps_bytes
from engine.summary import summarise, summary_json, summary_of
from tests.engine.test_golden import AS_OF, GOLDEN, RULESETS


def _cases(step: int) -> list[tuple[Any, Any, str]]:
    return [(RULESETS[c["rules"]], parse_profile(c["profile"], dt.date.fromisoformat(c["today"])), c["name"])
            for c in GOLDEN["cases"][::step]]


def test_summarise_and_its_bytes_are_the_decisions_summary() -> None:
    written = 0
    for ruleset, parsed, name in _cases(2):
        expected = summary_of(evaluate(ruleset, parsed, AS_OF))
        got = summarise(ruleset, parsed, AS_OF)
        assert got == expected == fast.summarise(ruleset, parsed, AS_OF), name
        for _ in range(2):  # the second time from the kept pieces
            body = summary_json(ruleset, parsed, AS_OF)
            assert body == dumps_bytes(expected), name
        assert json.loads(body) == json.loads(json.dumps(expected, default=str)), name
        written += 1
    assert written > 200


def test_a_subset_of_measures_too() -> None:
    ruleset, parsed, _ = _cases(7)[3]
    wanted = sorted(ruleset.measures)[:5]
    expected = summary_of(evaluate(ruleset, parsed, AS_OF, measures=wanted))
    assert summarise(ruleset, parsed, AS_OF, wanted) == expected
    assert summary_json(ruleset, parsed, AS_OF, wanted) == dumps_bytes(expected)


def test_the_summary_is_fresh_data_each_time() -> None:
    ruleset, parsed, _ = _cases(5)[0]
    first = summarise(ruleset, parsed, AS_OF)
    expected = json.loads(json.dumps(first, default=str))
    first["stacking"].clear()
    for result in first["results"]:
        result["amount"].clear()
        result["missing"].append("x")
    assert json.loads(json.dumps(summarise(ruleset, parsed, AS_OF), default=str)) == expected
    assert json.loads(summary_json(ruleset, parsed, AS_OF)) == expected


def test_what_orjson_refuses_falls_back_to_the_standard_librarys_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset, parsed, _ = _cases(5)[1]
    expected = dumps_bytes(summarise(ruleset, parsed, AS_OF))

    def refuse(*_: Any, **__: Any) -> bytes:
        raise TypeError("Integer exceeds 64-bit range")
    monkeypatch.setattr(summary, "orjson", SimpleNamespace(Fragment=orjson.Fragment, dumps=refuse,
                                                           OPT_SORT_KEYS=orjson.OPT_SORT_KEYS))
    assert summary_json(ruleset, parsed, AS_OF) == expected
