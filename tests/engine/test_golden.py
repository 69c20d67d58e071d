"""Byte identity: every backend still writes exactly the canonical Decision JSON the fixture recorded.

The fixture (tests/engine/golden/decisions.json.gz, written by `python -m tests.engine.golden.make_golden`)
holds its own RuleSet snapshots and profiles, so only a change in the engine can move it. When a change
of meaning is intended, regenerate it and name the results that moved in the commit.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from engine import evaluate, load_from_snapshot, parse_profile
from engine.fast import compile_ruleset

GOLDEN = json.loads(gzip.decompress((Path(__file__).parent / "golden" / "decisions.json.gz").read_bytes()))
AS_OF = dt.date.fromisoformat(GOLDEN["as_of"])
RULESETS = {name: load_from_snapshot(snapshot) for name, snapshot in GOLDEN["snapshots"].items()}


def _moved(decision: Any, expected: dict[str, Any]) -> list[str]:
    from tests.engine.golden.make_golden import digest

    got = digest(decision)
    moved = [m for m, h in got["results"].items() if expected["results"].get(m) != h]
    return moved + (["(stacking, facts or header)"] if got["rest"] != expected["rest"] else [])


def test_fixture_covers_samples_generated_and_thresholds() -> None:
    names = [case["name"] for case in GOLDEN["cases"]]
    assert sum(n.startswith("sample:") for n in names) >= 20
    assert sum(n.startswith("generated:") for n in names) >= 300


@pytest.mark.parametrize("backend", ["evaluate", "compiled"])
def test_canonical_json_is_byte_identical(backend: str) -> None:
    failures = []
    for case in GOLDEN["cases"]:
        ruleset = RULESETS[case["rules"]]
        parsed = parse_profile(case["profile"], dt.date.fromisoformat(case["today"]))
        decision = evaluate(ruleset, parsed, AS_OF) if backend == "evaluate" \
            else compile_ruleset(ruleset, AS_OF).decide(parsed)
        if decision.hash != case["expected"]["decision"]:
            failures.append(f"{case['name']}: {', '.join(_moved(decision, case['expected']))}")
    assert not failures, "\n".join(failures[:20])
