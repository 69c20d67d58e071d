"""The one logic core: its meaning, its agreement across representations, and that no backend forks it."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine import logic
from engine.expr.nodes import kleene
from engine.expr.values import Conditional, Unknown
from engine.logic import Truth, combine, combine_truths, forecast, word

ENGINE = Path(__file__).resolve().parents[2] / "engine"
A, B = Unknown(frozenset({"a"})), Unknown(frozenset({"b"}), "why b")
VALUES: list[Any] = [True, False, A, B, forecast("m1"), Conditional(False, A, frozenset({"m2"}))]


def _world(value: Any, now: bool) -> Any:
    if isinstance(value, Conditional):
        return value.now if now else value.recognised
    return value


@pytest.mark.parametrize("op", ["all", "any"])
def test_combine_is_kleene_in_each_world(op: str) -> None:
    """Every combination of scalar values is the algebra of (surely true, surely false) applied per world."""
    for size in (1, 2, 3):
        for values in itertools.product(VALUES, repeat=size):
            got = combine(op, list(values))
            for now in (True, False):
                truth = combine_truths(op, [logic.as_truth(_world(v, now)) for v in values])
                expected = "true" if truth.true else "false" if truth.false else "unknown"
                assert word(_world(got, now)) == expected, (op, values, got)


def test_masks_and_scalars_mean_the_same() -> None:
    """The algebra is generic: numpy masks give, row by row, what bools give."""
    rows = list(itertools.product([True, False, None], repeat=3))
    cols = [Truth(np.array([r[k] is True for r in rows]), np.array([r[k] is False for r in rows])) for k in range(3)]
    for op in ("all", "any"):
        masks = combine_truths(op, cols)
        for i, row in enumerate(rows):
            scalar = combine(op, [A if v is None else v for v in row])
            assert word(scalar) == ("true" if masks.true[i] else "false" if masks.false[i] else "unknown")


def test_unknown_keeps_the_missing_fields_of_its_unknown_operands_only() -> None:
    assert combine("all", [True, A, B]).missing == frozenset({"a", "b"})
    assert combine("any", [A, True]) is True
    assert combine("all", [A, False]) is False


def test_expression_and_criteria_logic_agree_on_a_non_truth_value() -> None:
    """Before the one core, `and` in an expression read a non-boolean operand as true (5 and true → true)
    while a criteria group read it as unknown. Both are the same function now: unknown."""
    assert kleene is combine
    assert word(kleene("and", [5, True])) == "unknown"
    assert word(combine("all", [5, True])) == "unknown"


def test_forecast_is_conditional_and_plain_in_the_world_of_an_amount() -> None:
    value = combine("all", [True, forecast("national.hnte_recognition")])
    assert word(value) == "conditional" and logic.prerequisites(value) == ("national.hnte_recognition",)
    assert word(combine("any", [True, forecast("x")])) == "true"
    assert word(combine("all", [False, forecast("x")])) == "false"
    assert word(combine("all", [A, forecast("x")])) == "unknown" and logic.missing(combine("all", [A, forecast("x")])) == ("a",)
    assert forecast("x", world="recognised") is True


def test_not_swaps_each_world() -> None:
    assert logic.negate(forecast("m")) == Conditional(True, False, frozenset({"m"}))
    assert logic.negate(A) is A and logic.negate(True) is False


def _backends() -> list[Path]:
    return [ENGINE / p for p in ("evaluate.py", "expr/nodes.py", "fast/plan.py", "fast/traced.py",
                                 "fast/columnar.py", "fast/vector.py")]


def test_every_backend_imports_the_core() -> None:
    for path in _backends():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "engine"
                 for alias in node.names}
        assert "engine.logic" in imported or "logic" in names, path


TREE_QUERIES = {"tree_value", "tree_fn", "flat_fn", "failing_of", "missing_of", "reasons_of"}


def _is_combinator(name: str) -> bool:
    parts = set(name.lower().strip("_").split("_"))
    return bool(parts & {"kleene", "combine", "tri"}) or name.strip("_") in TREE_QUERIES


def test_no_module_but_the_core_defines_a_kleene_combinator() -> None:
    """A function named like a combinator outside engine/logic.py must delegate to engine.logic, and the
    tell-tale of a hand-written Kleene loop (a `decisive` value) appears nowhere else."""
    for path in ENGINE.rglob("*.py"):
        if path.name == "logic.py" and path.parent == ENGINE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not any(isinstance(n, ast.Name) and n.id == "decisive" for n in ast.walk(tree)), path
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and _is_combinator(node.name):
                body = ast.unparse(node)
                assert "combine_truths" in body or "logic." in body or "failing_units" in body, \
                    f"{path.relative_to(ENGINE)}:{node.lineno} {node.name} combines truth values itself"


def test_the_check_catches_the_old_copies() -> None:
    assert all(_is_combinator(n) for n in ("_kleene", "kleene", "_combine", "tree_value", "_flat_fn", "failing_of"))
    assert not any(_is_combinator(n) for n in ("_trim", "_is_flat", "fy_value"))


def test_one_pass_node_values_and_failing_agree_with_the_tree_walks() -> None:
    """tree_evaluator gives tree_values' node values and failing_function gives failing(), on every measure's
    criteria of the catalogue and random leaf values (the untraced path uses the one-pass forms)."""
    import random

    from engine import load_ruleset

    rules = load_ruleset(ENGINE.parent / "rules")
    rng = random.Random(7)
    for measure in rules.measures.values():
        tree, leaves = logic.criteria_tree(measure.criteria)
        values_of, failing_of = logic.tree_evaluator(tree), logic.failing_function(tree)
        for _ in range(50):
            leaf_values = [rng.choice(VALUES) for _ in leaves]
            walked = logic.tree_values(tree, leaf_values)
            one_pass = values_of(leaf_values)
            assert one_pass == [walked[pos] for pos in range(len(walked))], measure.id
            assert failing_of(one_pass) == logic.failing(tree, walked), measure.id
            assert logic.reasons(tree, one_pass) == logic.reasons(tree, walked), measure.id


def test_merge_returns_an_operand_that_already_says_everything() -> None:
    """Unknown.merge: the union of the fields and the first reason, whichever object carries it."""
    for a, b in itertools.product([A, B, Unknown(), Unknown(frozenset({"a", "b"})), Unknown(reason="r")], repeat=2):
        merged = a.merge(b)
        assert merged == Unknown(a.missing | b.missing, a.reason or b.reason), (a, b)
