"""The fast paths decide exactly what evaluate() decides: outcome, amount, failing and missing conditions.

Compared on thousands of generated profiles (fixed seed), on profiles sitting exactly on a threshold
of the benchmark rule set or one unit below it, on profiles with fields left out (hypothesis), and
on every sample applicant against the whole catalogue; the full-trace mode is compared byte for byte.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.generate import AS_OF, TODAY, generate, threshold_profiles, with_answers
from engine import evaluate, load_ruleset, parse_profile
from engine.errors import ProfileError
from engine.fast import compile_ruleset
from engine.fast.columnar import Columnar
from engine.model import RuleSet
from tests.conftest import ROOT, SAMPLES
from tests.engine.profile_holes import drop as drop_field

GENERATED = 3000


def key(result: Any) -> tuple[Any, ...]:
    return (result.measure_id, result.outcome, result.reason, result.amount, result.failing, result.missing)


@pytest.fixture(scope="module")
def bench_rules() -> RuleSet:
    return load_ruleset(ROOT / "bench" / "rules")


@pytest.fixture(scope="module")
def generated() -> list[dict[str, Any]]:
    profiles, boundary = generate(GENERATED, seed=7)
    assert len(boundary) > 20  # about 2 % sit on a threshold or one unit below
    return profiles + threshold_profiles()


def _parsed(profile: dict[str, Any]) -> Any:
    return parse_profile(profile, TODAY)


def test_verdicts_agree_on_generated_profiles(bench_rules: RuleSet, generated: list[dict[str, Any]]) -> None:
    program = compile_ruleset(bench_rules, AS_OF)
    outcomes = set()
    for profile in generated:
        parsed = _parsed(profile)
        expected = [key(r) for r in evaluate(bench_rules, parsed, AS_OF).results]
        assert [key(v) for v in program.verdicts(parsed)] == expected, profile["name"]
        assert [key(v) for v in program.verdicts(profile)] == expected, profile["name"]
        outcomes.update(e[1] for e in expected)
    assert {o.value for o in outcomes} >= {"eligible", "ineligible"}


def test_threshold_cases_are_exact(bench_rules: RuleSet) -> None:
    """On the threshold passes, one unit below fails — in both evaluators, for every threshold."""
    program = compile_ruleset(bench_rules, AS_OF)
    cases = threshold_profiles(each=3)
    flips = 0
    for on, below in zip(cases[0::2], cases[1::2], strict=True):
        a, b = program.verdicts(on), program.verdicts(below)
        flips += a != b
        for profile, verdicts in ((on, a), (below, b)):
            expected = [key(r) for r in evaluate(bench_rules, _parsed(profile), AS_OF).results]
            assert [key(v) for v in verdicts] == expected
    assert flips >= 0.8 * len(cases) / 2  # one unit changes an outcome or the failing conditions


def test_full_trace_is_byte_identical(bench_rules: RuleSet, generated: list[dict[str, Any]]) -> None:
    program = compile_ruleset(bench_rules, AS_OF)
    for profile in generated[::6]:
        parsed = _parsed(profile)
        assert program.decide(parsed).to_json() == evaluate(bench_rules, parsed, AS_OF).to_json()


def _samples() -> list[Any]:
    out = []
    for path in sorted(SAMPLES.glob("*.yaml")):
        try:
            out.append(parse_profile(yaml.safe_load(path.read_text(encoding="utf-8")), dt.date(2030, 1, 1)))
        except ProfileError:  # a sample being edited elsewhere; the sample tests report it
            continue
    return out


@pytest.mark.parametrize("as_of", [dt.date(2025, 6, 30), dt.date(2025, 2, 28), dt.date(2019, 12, 31)])
def test_whole_catalogue_agrees_on_every_sample(ruleset: RuleSet, as_of: dt.date) -> None:
    program = compile_ruleset(ruleset, as_of)
    for parsed in _samples():
        decision = evaluate(ruleset, parsed, as_of)
        assert program.decide(parsed).to_json() == decision.to_json()
        expected = [key(r) for r in decision.results]
        assert [key(v) for v in program.verdicts(parsed)] == expected
        assert [key(v) for v in program.verdicts(parsed.profile.model_dump())] == expected
        subset = sorted(ruleset.measures)[:3]
        assert program.decide(parsed, subset).to_json() == evaluate(ruleset, parsed, as_of, subset).to_json()


def test_whole_catalogue_agrees_on_generated_profiles(ruleset: RuleSet, generated: list[dict[str, Any]]) -> None:
    program = compile_ruleset(ruleset, AS_OF)
    for profile in generated[:400]:
        parsed = _parsed(profile)
        expected = [key(r) for r in evaluate(ruleset, parsed, AS_OF).results]
        assert [key(v) for v in program.verdicts(profile)] == expected


# Leaving fields out exercises the Unknown paths: missing sets, reasons, undetermined amounts.
PATHS = [("registered_on",), ("region_code",), ("tech_field",), ("staff", "total"), ("staff", "sci_tech"),
         ("ip", "core_ip_owned"), ("ip", "class1"), ("ip", "class2"), ("innovation", "assessed_total"),
         ("declarations", "major_incident_prior_year"), ("finance", 0, "sales"), ("finance", -1, "rd_expense"),
         ("finance", -1, "total_income"), ("finance", -1, "hitech_income"), ("finance", 0, "rd_domestic"),
         ("finance", -1, "total_assets"), ("finance", -1), ("finance", 0), ("resident_enterprise",)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, 199), drop=st.lists(st.sampled_from(PATHS), max_size=5))
def test_agreement_with_fields_left_out(bench_rules: RuleSet, ruleset: RuleSet, generated: list[dict[str, Any]],
                                        index: int, drop: list[tuple[Any, ...]]) -> None:
    profile = copy.deepcopy(generated[index])
    for path in drop:
        drop_field(profile, path)
    parsed = _parsed(profile)
    for rules in (bench_rules, ruleset):
        program = compile_ruleset(rules, AS_OF)
        decision = evaluate(rules, parsed, AS_OF)
        expected = [key(r) for r in decision.results]
        assert [key(v) for v in program.verdicts(profile)] == expected
        assert [key(v) for v in program.verdicts(parsed)] == expected
        assert program.decide(parsed).to_json() == decision.to_json()


def test_columnar_agrees(bench_rules: RuleSet, ruleset: RuleSet, generated: list[dict[str, Any]]) -> None:
    """Column-wise evaluation (numpy where the rules allow, per-row fallback elsewhere) changes nothing."""
    holes = [copy.deepcopy(p) for p in generated[:300]]
    for i, profile in enumerate(holes):
        drop_field(profile, PATHS[i % len(PATHS)])
    for rules in (bench_rules, ruleset):
        program = compile_ruleset(rules, AS_OF)
        batch = generated + holes
        table = Columnar(program).evaluate(batch)
        assert table.vectorised, "the benchmark measures should run column-wise"
        for i, profile in enumerate(batch):
            assert [key(v) for v in table.verdicts(i)] == [key(v) for v in program.verdicts(profile)], i


def test_compiled_program_is_cached_per_ruleset_and_date(bench_rules: RuleSet) -> None:
    assert compile_ruleset(bench_rules, AS_OF) is compile_ruleset(bench_rules, AS_OF)
    assert compile_ruleset(bench_rules, AS_OF) is not compile_ruleset(bench_rules, dt.date(2024, 6, 30))


def test_no_rule_text_is_evaluated() -> None:
    """The fast path compiles ASTs into closures, and engine.fast.codegen compiles an `ast` tree it builds node
    by node: no eval/exec anywhere, and `compile(` only there (tests/engine/test_fast_codegen.py)."""
    for path in (ROOT / "engine" / "fast").glob("*.py"):
        text = Path(path).read_text(encoding="utf-8")
        assert "eval(" not in text.replace(".evaluate(", "").replace("_eval(", "") and "exec(" not in text.replace(
            '"exec")', "")
        assert path.name == "codegen.py" or "compile(" not in text.replace(".compile(", "").replace("def compile(", "")


def test_columnar_from_columns_agrees(bench_rules: RuleSet, generated: list[dict[str, Any]]) -> None:
    """Data already in columns (numpy arrays, masked where absent) decides the same."""
    from bench.generate import columns_of

    program = compile_ruleset(bench_rules, AS_OF)
    table = Columnar(program).evaluate_columns(columns_of(generated), len(generated))
    for i, profile in enumerate(generated):
        assert [key(v) for v in table.verdicts(i)] == [key(v) for v in program.verdicts(profile)], i


def test_columnar_catalogue_decides_conditional_outcomes_column_wise(ruleset: RuleSet,
                                                                      generated: list[dict[str, Any]]) -> None:
    """Whole catalogue, column-wise: eligible() of a forecast is decided in two worlds from the columns
    (no row left to the whole measure's scalar path), conditions the columns cannot hold run per row, and
    every verdict — outcome, reason, amount, failing, missing, prerequisites — is the scalar path's, which is
    evaluate()'s (checked here too on a slice, and on every sample applicant)."""
    profiles = with_answers(generated[:1500], seed=3)
    samples = [p.profile for p in _samples()]
    program = compile_ruleset(ruleset, AS_OF)
    table = Columnar(program).evaluate(profiles + samples)
    outcomes: set[str] = set()
    for i, profile in enumerate(profiles + samples):
        verdicts = program.verdicts(profile)
        assert list(table.verdicts(i)) == list(verdicts), i
        outcomes.update(v.outcome.value for v in verdicts)
    assert "conditional" in outcomes and "undetermined" in outcomes and "eligible" in outcomes
    assert not [mid for mid, columns in table.measures.items() if columns.fallback[: len(profiles)].any()]
    for profile in profiles[:150]:
        expected = [(*key(r), r.prerequisites) for r in evaluate(ruleset, _parsed(profile), AS_OF).results]
        assert [(*key(v), v.prerequisites) for v in program.verdicts(profile)] == expected
