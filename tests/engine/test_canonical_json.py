"""The canonical JSON written by orjson from the objects (engine.canonical.json_bytes, Decision.to_json) is the
standard library's text of plain() — byte for byte, on every sample applicant and on generated profiles with
fields left out (undetermined, conditional, non-terminating fractions, dates, intervals), on both evaluators.

The reference here never goes through orjson: `json.dumps(decision.to_dict(), ensure_ascii=False, sort_keys=True,
separators=(",", ":"))`, plain()'s deep conversion written by the standard library.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import json
import pickle
import re
from fractions import Fraction
from typing import Any

import pytest
import yaml

from bench.generate import AS_OF, TODAY, generate, threshold_profiles, with_answers
from engine import evaluate, parse_profile
from engine.canonical import direct_json, dumps, json_bytes, plain, profile_hash_of, sha256_of
from engine.decision import Amount, Decision, MeasureResult, Outcome
from engine.errors import Message
from engine.fast import compile_ruleset, fast_evaluate
from engine.model import RuleSet
from engine.trace import FactTrace, ParamRead, TraceNode, fact_json, node_json, trace_node
from tests.conftest import SAMPLES
from tests.engine.profile_holes import drop as drop_field


def reference(decision: Decision) -> str:
    """plain()'s data, written by the standard library (the canonical text, without orjson)."""
    return json.dumps(decision.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def written(decision: Decision) -> str:
    """The decision's JSON before its plain data exists (to_dict() makes to_json write that instead)."""
    assert "_plain" not in decision.__dict__
    return decision.to_json()


def _samples() -> list[Any]:
    return [parse_profile(yaml.safe_load(p.read_text(encoding="utf-8")), dt.date(2030, 1, 1))
            for p in sorted(SAMPLES.glob("*.yaml"))]


@pytest.mark.parametrize("as_of", [dt.date(2025, 6, 30), dt.date(2019, 12, 31)])
def test_every_sample_is_the_standard_librarys_text(ruleset: RuleSet, as_of: dt.date) -> None:
    for parsed in _samples():
        fast, slow, compiled = (fast_evaluate(ruleset, parsed, as_of), evaluate(ruleset, parsed, as_of),
                                compile_ruleset(ruleset, as_of).decide(parsed))
        texts = [written(fast), written(slow), written(compiled), written(fast_evaluate(ruleset, parsed, as_of)),
                 fast_evaluate(ruleset, parsed, as_of).to_json_bytes().decode("utf-8")]
        hashes = {fast.hash, slow.hash, compiled.hash}
        expected = reference(evaluate(ruleset, parsed, as_of))
        assert texts == [expected] * 5, parsed.profile.name
        assert hashes == {hashlib.sha256(expected.encode("utf-8")).hexdigest()}
        slow.to_dict()  # the plain data built: to_json writes that from now on
        assert slow.to_json() == expected and slow.to_json_bytes() == expected.encode("utf-8")
        assert Decision.from_json(expected).to_json() == expected


# Fields left out give Unknowns: undetermined outcomes with missing fields and reasons, unknown amounts.
DROPS = [("registered_on",), ("region_code",), ("tech_field",), ("staff", "total"), ("ip", "class1"),
         ("innovation", "assessed_total"), ("finance", -1, "rd_expense"), ("finance", -1, "sales"),
         ("finance", 0), ("resident_enterprise",), ("staff",)]


def _generated() -> list[dict[str, Any]]:
    profiles, _ = generate(90, seed=23)
    profiles = with_answers(profiles, seed=5) + threshold_profiles(each=2)
    out = []
    for i, profile in enumerate(profiles):
        holed = copy.deepcopy(profile)
        for path in (DROPS[i % len(DROPS)], DROPS[(i * 7) % len(DROPS)]) if i % 2 else ():
            drop_field(holed, path)
        out.append(holed)
    return out


def test_generated_profiles_are_the_standard_librarys_text(ruleset: RuleSet) -> None:
    """Whole catalogue on generated profiles, some with fields left out: both evaluators write the reference
    text; and the cases cover what the writer converts (checked on the text, so the test cannot go blind)."""
    seen: set[str] = set()
    outcomes: set[str] = set()
    for profile in _generated():
        parsed = parse_profile(profile, TODAY)
        fast, slow = fast_evaluate(ruleset, parsed, AS_OF), evaluate(ruleset, parsed, AS_OF)
        text = written(fast)
        assert written(slow) == text
        assert reference(slow) == text
        outcomes.update(r.outcome.value for r in fast.results)
        seen.update(kind for kind, pattern in COVERAGE.items() if re.search(pattern, text))
    assert outcomes == {o.value for o in Outcome}
    assert seen == set(COVERAGE)


COVERAGE = {  # what the canonical text of the generated decisions must contain somewhere
    "non-terminating fraction": r'"-?\d+/\d+"', "terminating decimal": r'"-?\d+\.\d+"',
    "date": r'"\d{4}-\d{2}-\d{2}"', "interval": r'\{"interval":\[', "unknown value": r'\{"unknown":\[',
    "unknown with a reason": r'"reason":"[^"]+","unknown":\[', "prerequisites": r'"prerequisites":\["',
    "dated parameter": r'"params":\[\{"effective_from":"', "comparison": r'"comparison":\{"left":',
}


@dataclasses.dataclass(frozen=True)
class Pair:
    left: Any
    right: Any = None
    extra: tuple[str, ...] = dataclasses.field(default=(), metadata={"omit_default": True})


def test_writer_matches_plain_on_edge_values() -> None:
    """Values the writer handles apart — kept bytes, an instance __dict__ that is not exactly the fields, an
    omitted field absent or present at its default — give plain()'s text; what orjson refuses falls back."""
    message = Message("中文 \u2028", "text")
    odd = Pair(Fraction(1, 3), message)
    object.__setattr__(odd, "note", "not a field")  # another attribute in the instance's __dict__
    values: list[Any] = [
        [message, message, Pair(message)],  # kept bytes reused within a document
        odd, Pair(dt.date(2024, 2, 29), Fraction(-7, 20)), Pair(1, extra=("x",)),
        trace_node("c", "condition", "true", message, None, "x > 1", {"x": Fraction(3, 2)},
                   (ParamRead("p", Fraction(1, 10), "2024-01-01", "doc"),), None, (), None, (), ()),
        TraceNode("c", "condition", "true", prerequisites=()), TraceNode("c", "condition", "true", prerequisites=("m",)),
        Message("lone \ud800 surrogate", "x"), Pair(2**70), Amount("exact", 2**64),
    ]
    for value in values:
        assert direct_json({"v": value}) == dumps(plain({"v": value})), value
        assert direct_json({"v": value}) == direct_json({"v": value})
    assert json_bytes(values[0]) == dumps(plain(values[0])).encode("utf-8")


def test_trace_node_is_the_constructors_instance() -> None:
    """trace_node leaves empty prerequisites to the class default: equal, equally hashed fields, pickled and
    written as the constructor's instance."""
    args = ("c", "condition", "unknown", Message("条件", "condition"), None, "x > 1", {"x": 1}, (), None, ("x",),
            "why", ())
    for prerequisites in ((), ("m1", "m2")):
        fast, built = trace_node(*args, prerequisites), TraceNode(*args, prerequisites)
        assert fast == built and fast.prerequisites == prerequisites
        assert pickle.loads(pickle.dumps(fast)) == built
        assert dataclasses.replace(fast, result="true") == dataclasses.replace(built, result="true")
        assert direct_json(fast) == direct_json(built) == dumps(plain(built))


def test_deferred_fields_are_written_built_or_not() -> None:
    """A result whose trace and gaps are built on first read writes the same text before and after."""
    def result() -> MeasureResult:
        built = {"trace": lambda: TraceNode("c", "condition", "unknown", missing=("x",)), "gaps": tuple}
        return MeasureResult.deferred(built, measure_id="m", outcome=Outcome.UNDETERMINED, reason=None,
                                      amount=Amount("none"), failing=(), missing=("x",), prerequisites=())
    fresh, read = result(), result()
    assert read.trace.missing == ("x",) and read.gaps == ()
    assert "_deferred" not in read.__dict__  # complete: a plain dataclass again
    assert direct_json(fresh) == direct_json(read) == dumps(plain(result()))


def test_written_forms_are_the_writers_text_of_the_objects() -> None:
    """node_json / fact_json (a fresh decision's traces written from the run's records) give the text of the
    TraceNode / FactTrace built from the same arguments; a deferred field written that way is still built when read
    (and pickled without its written form); a 2**70 read falls back to the objects."""
    message, param = Message("条件 \u2028", "condition"), ParamRead("p", Fraction(1, 10), "2024-01-01", "doc")
    for value in (True, 2**70):
        for prerequisites in ((), ("m1", "m2")):
            leaf = ("c", "condition", "unknown", message, Message("差", "short"), "x > 1", {"x": Fraction(3, 2), "y": value},
                    (param,), {"op": ">", "left": Fraction(3, 2), "right": 1, "unit": "ratio"}, ("x",), "why", ())
            group = ("g", "all", "false", None, None, None, {}, (), None, (), None)
            built = trace_node(*group, (trace_node(*leaf, prerequisites),), ())
            fast = node_json(*group, (node_json(*leaf, prerequisites),), ())

            def result() -> MeasureResult:
                return MeasureResult.deferred_written(
                    {"trace": lambda: built, "gaps": tuple}, {"trace": lambda: fast},  # noqa: B023
                    measure_id="m", outcome=Outcome.INELIGIBLE, reason=None, amount=Amount("none"), failing=("c",),
                    missing=(), prerequisites=())
            fresh, read = result(), result()
            assert read.trace is built and "_deferred" in read.__dict__  # the gaps still deferred
            assert direct_json(fresh, lambda r=read: r) == direct_json(read) == dumps(plain(read))
            assert read.gaps == () and "_deferred" not in read.__dict__ and "_written" not in read.__dict__
            assert fresh.trace is built and pickle.loads(pickle.dumps(fresh)) == read
            trace = FactTrace("f", message, "a + b", Fraction(1, 3), {"a": value}, (param,))
            assert direct_json(fact_json(trace), lambda t=trace: t) == dumps(plain(trace))


def test_profile_hash_is_the_canonical_hash_of_the_profile() -> None:
    for parsed in _samples()[:8]:
        data = parsed.profile.model_dump(mode="python", exclude_none=True)
        assert profile_hash_of(parsed.profile) == sha256_of(data)


def test_kept_bytes_stay_bounded() -> None:
    """Shared objects' bytes are kept by identity, a bounded number of them: many short-lived ones do not grow
    the memory the writer holds, and each is still written as plain() writes it."""
    from engine import canonical

    for i in range(canonical._LIMIT + 10):
        message = Message(f"第{i}条", f"item {i}")
        assert direct_json(message) == dumps(plain(message))
    assert len(canonical._JSON.memo) <= canonical._LIMIT
