"""The Decision's canonical JSON written straight from the objects (engine.canonical.direct_json) is the
text of `dumps(plain(...))`, byte for byte: on every sample applicant and on values orjson alone would
write differently or refuse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

import pytest

from engine import evaluate
from engine.canonical import direct_json, dumps, plain
from engine.decision import Amount, Decision, MeasureResult, Outcome
from engine.errors import Message
from engine.expr.values import Conditional, Interval, Unknown
from engine.fast import compile_ruleset, fast_evaluate
from engine.model import RuleSet
from engine.trace import TraceNode
from tests.conftest import SAMPLES

AS_OF = dt.date(2025, 6, 30)


class Pair(NamedTuple):
    a: Any
    b: Any


VALUES = [
    Fraction(1, 3), Fraction(-7, 20), Fraction(6, 2), Decimal("1.50"), dt.date(2024, 2, 29),
    Interval(Fraction(1, 2), 20), Unknown(frozenset({"b", "a"}), "why"), Unknown(),
    Conditional(False, True, frozenset({"m2", "m1"})), frozenset({"z", "y"}), {3, 1, 2}, Pair(Fraction(1, 4), None),
    {"k": [Fraction(5, 4), (1, 2)], "a": {"nested": Unknown(frozenset({"x"}))}}, 2**70, [2**64, "x"], {1: "int key"},
    "lone \ud800 surrogate", "中文 and \u2028 escapes", Outcome.ELIGIBLE,
    Amount("exact", Fraction(10, 1)), Amount("up_to", 5, Message("至多", "up to"), benefit="cash"),
    TraceNode("c", "condition", "true", prerequisites=("m",)), TraceNode("c", "condition", "false"),
]


@pytest.mark.parametrize("value", VALUES, ids=[type(v).__name__ + str(i) for i, v in enumerate(VALUES)])
def test_direct_json_is_plain_then_dumps(value: Any) -> None:
    assert direct_json({"v": value}) == dumps(plain({"v": value}))


def test_deferred_fields_are_built_and_written() -> None:
    built = {"trace": lambda: TraceNode("c", "condition", "unknown", missing=("x",)), "gaps": tuple}
    result = MeasureResult.deferred(built, measure_id="m", outcome=Outcome.UNDETERMINED, reason=None,
                                    amount=Amount("none"), failing=(), missing=("x",), prerequisites=())
    assert direct_json([result]) == dumps(plain([result]))


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_decision_json_of_every_sample(ruleset: RuleSet, path: Any) -> None:
    import yaml

    from engine import parse_profile

    parsed = parse_profile(yaml.safe_load(path.read_text(encoding="utf-8")), dt.date(2030, 1, 1))
    written = [fast_evaluate(ruleset, parsed, AS_OF).to_json(), compile_ruleset(ruleset, AS_OF).decide(parsed).to_json(),
               evaluate(ruleset, parsed, AS_OF).to_json()]
    walked = evaluate(ruleset, parsed, AS_OF)
    walked.to_dict()  # the plain data built first: to_json writes it
    assert written == [walked.to_json()] * 3
    assert Decision.from_json(written[0]).to_json() == written[0]


def test_stacking_is_remembered_by_what_it_reads(ruleset: RuleSet) -> None:
    """The compiled path's stacking (engine.fast.stack) is best_combination's on every sample, and is shared
    between profiles whose eligible and conditional results and amounts are the same."""
    import yaml

    from engine import parse_profile
    from engine.stacking import best_combination

    program = compile_ruleset(ruleset, AS_OF)
    for path in sorted(SAMPLES.glob("*.yaml")):
        parsed = parse_profile(yaml.safe_load(path.read_text(encoding="utf-8")), dt.date(2030, 1, 1))
        verdicts = program.verdicts(parsed)
        assert program.stacking(verdicts) == best_combination(ruleset, verdicts)
        assert program.stacking(verdicts) is program.stacking(list(verdicts))
