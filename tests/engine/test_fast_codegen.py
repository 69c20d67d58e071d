"""Generated code (engine.fast.codegen) decides what the closures and evaluate() decide, and no rule text
becomes code: the functions are built from the AST, their names are the generator's own."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

import pytest

from bench.generate import AS_OF, TODAY, generate, threshold_profiles
from engine import evaluate, parse_profile
from engine.expr.nodes import Compare, Literal, Name
from engine.fast import CompiledRuleSet
from engine.fast.codegen import Generator
from engine.fast.traced import evaluate_traced
from engine.model import RuleSet
from tests.conftest import ROOT


def key(result: Any) -> tuple[Any, ...]:
    return (result.measure_id, result.outcome, result.reason, result.amount, result.failing, result.missing)


@pytest.fixture(scope="module")
def bench_rules() -> RuleSet:
    from engine import load_ruleset

    return load_ruleset(ROOT / "bench" / "rules")


def _ratio_edges() -> list[dict[str, Any]]:
    """On-threshold ratios and zero or missing denominators: the cases cross-multiplication must get right."""
    base = generate(1, seed=3)[0][0]
    last = max(r["year"] for r in base["finance"])
    out = []
    # staff ratio exactly on a band bound (10, 15, 20, 25, 30 %), one below, 0/0, n/0
    for total, sci in ((100, 10), (100, 9), (0, 0), (7, 0), (3, 1), (30, 3), (100, 30), (100, 29), (20, 5), (40, 6)):
        p = copy.deepcopy(base)
        p["staff"].update(total=total, sci_tech=sci)
        out.append(p)
    for hitech, income in ((60, 100), (59, 100), (0, 0), (6, 10), (600_000_001, 1_000_000_000)):
        p = copy.deepcopy(base)
        record = next(r for r in p["finance"] if r["year"] == last)
        record.update(hitech_income=hitech, total_income=income)
        out.append(p)
    for rd in (0, 1, 3):  # R&D over sales at and around each tier, domestic share at 60 %
        p = copy.deepcopy(base)
        for record in p["finance"]:
            record.update(sales=100, rd_expense=rd + 2, rd_domestic=(rd + 2) * 6 // 10)
        out.append(p)
    return out


@pytest.mark.parametrize("rules", ["bench", "catalogue"])
def test_generated_code_agrees_with_closures_and_evaluate(rules: str, bench_rules: RuleSet, ruleset: RuleSet) -> None:
    rs = bench_rules if rules == "bench" else ruleset
    generated, closures = CompiledRuleSet(rs, AS_OF), CompiledRuleSet(rs, AS_OF, generated=False)
    profiles = generate(600, seed=19)[0] + threshold_profiles(each=2) + _ratio_edges()
    for profile in profiles:
        parsed = parse_profile(profile, TODAY)
        expected = [key(r) for r in evaluate(rs, parsed, AS_OF).results]
        for source in (parsed, profile):
            assert [key(v) for v in generated.verdicts(source)] == expected, profile["name"]
            assert generated.verdicts(source) == closures.verdicts(source)


def test_rule_text_stays_data(bench_rules: RuleSet) -> None:
    """A string in a rule that looks like Python is a constant compared as text, never code."""
    program = CompiledRuleSet(bench_rules, AS_OF)
    hostile = '"); __import__("os").system("echo pwned"); ("'
    node = Compare("==", Name("tech_field"), Literal(hostile))
    fn = Generator(program).leaves("probe", [type("C", (), {"expr": node})()], {})
    program.blank = program.blank + [program.blank[0]] * (len(program.slots) - len(program.blank))
    assert fn(_run(program, {"tech_field": hostile})) == [True]
    assert fn(_run(program, {"tech_field": "A01"})) == [False]
    assert "__import__" not in fn.__code__.co_names and hostile in fn.__code__.co_consts


def _run(program: Any, profile: dict[str, Any]) -> Any:
    from engine.fast.plan import FastRun

    return FastRun(program, profile, True)


def test_generated_names_are_the_generators_own(ruleset: RuleSet) -> None:
    program = CompiledRuleSet(ruleset, AS_OF)
    gen = Generator(program)
    functions = [gen.leaves(f"m{i}", plan.criteria[1], plan.measure.parameters)
                 for i, plan in enumerate(program.plans.values())]
    functions += [gen.fact(f"f{i}", fact.expr, fact.parameters) for i, fact in enumerate(ruleset.facts.values())]
    assert all(f.__code__.co_filename == "<engine.fast.codegen>" for f in functions)
    allowed = {"MISS", "Fraction", "Unknown", "compare", "arithmetic", "combine", "type", "divmod", "memo", "int", "bool", "str",
               "numerator", "denominator", "src", "is_dict", "fin", "finance", "get", "getattr", "exact_value",
               "range", "max", "year", "merge"}  # merge: Unknown.merge, in a generated coalesce()
    for f in functions:
        assert all(n in allowed or re.fullmatch(r"k\d+", n) for n in f.__code__.co_names), f.__code__.co_names
        assert all(re.fullmatch(r"run|memo|[vqrfi]\d+", n) for n in f.__code__.co_varnames)


def test_functions_are_generated_on_first_use(bench_rules: RuleSet) -> None:
    program = CompiledRuleSet(bench_rules, dt.date(2024, 6, 30))
    stand_ins = [plan.values_of for plan in program.plans.values()]
    assert all(f.__code__.co_filename != "<engine.fast.codegen>" for f in stand_ins)
    program.verdicts(generate(1, seed=5)[0][0])
    assert all(plan.values_of.__code__.co_filename == "<engine.fast.codegen>" for plan in program.plans.values())


@pytest.mark.parametrize("rules", ["bench", "catalogue"])
def test_traced_leaves_are_generated_code_with_the_same_trace(rules: str, bench_rules: RuleSet, ruleset: RuleSet
                                                              ) -> None:
    """The traced run's conditions and facts are generated (engine.fast.tracedgen) once a profile is decided, and
    what they record is what evaluate() records: the same JSON, byte for byte; the code only uses the generator's
    names."""
    rs = bench_rules if rules == "bench" else ruleset
    program = CompiledRuleSet(rs, AS_OF)
    profiles = generate(40, seed=23)[0] + threshold_profiles(each=1)
    for profile in profiles:
        parsed = parse_profile(profile, TODAY)
        assert evaluate_traced(program, parsed).to_json() == evaluate(rs, parsed, AS_OF).to_json(), profile["name"]
    functions = [*program.traced_facts.values(), *(plan.traced_values for plan in program.plans.values())]
    built = [f for f in functions if f is not None and f.__code__.co_filename == "<engine.fast.codegen>"]
    assert len(built) > len(functions) // 2
    allowed = {"MISS", "Fraction", "Unknown", "compare", "arithmetic", "combine", "type", "divmod", "int", "bool",
               "str", "numerator", "denominator", "get", "merge", "frames", "reads", "params", "facts", "_fact", "ns",
               "values", "record_comparison", "Frame", "append", "pop", "by_year", "records_by_year", "range", "max",
               "year", "is_dict", "src"}
    for f in built:
        assert all(n in allowed or re.fullmatch(r"k\d+", n) for n in f.__code__.co_names), f.__code__.co_names
        assert all(re.fullmatch(r"run|frame|reads|stack|[vqrfi]\d+", n) for n in f.__code__.co_varnames)


def test_traced_rule_text_stays_data(bench_rules: RuleSet) -> None:
    """A string in a rule that looks like Python is a constant in the traced code too, and the read is recorded."""
    from engine.fast.traced import TracedRun
    from engine.fast.tracedgen import TracedGenerator
    from engine.trace import Frame

    program = CompiledRuleSet(bench_rules, AS_OF)
    hostile = '"); __import__("os").system("echo pwned"); ("'
    node = Compare("==", Name("tech_field"), Literal(hostile))
    fn = TracedGenerator(program).condition("probe", node, {})
    run = TracedRun(program, parse_profile(generate(1, seed=5)[0][0], TODAY).profile)
    frame = Frame()
    run.frames.append(frame)
    assert fn(run) is False and "tech_field" in frame.reads
    assert frame.comparisons[-1]["right"] == hostile
    assert "__import__" not in fn.__code__.co_names and hostile in fn.__code__.co_consts
