"""The meaning of all / any / not, failing, missing and reasons — written once, for every backend.

Truth is three-valued (Kleene) and, where another measure's *forecast* is involved, two-world:

- the algebra itself (`Truth`, `conj`, `disj`, `neg`, `combine_truths`) works on a pair
  (surely true, surely false) of *anything with & and |*: Python bools for one profile, numpy boolean
  masks for a column. Unknown is "neither"; that is the whole of Kleene logic.
- scalar values are `True`, `False`, `Unknown` (missing is not zero: it names the fields that would
  settle it) and `Conditional`: the value in the world as it is now and in the world where the
  prerequisite measures (a status the applicant does not hold yet, e.g. 高企认定) have been granted.
  `eligible("m")` yields one when m's outcome is only the engine's forecast. Each world is combined
  with the same algebra; where both agree, the value is plain again.
- criteria trees are named records (`CriteriaTree`); `failing`, `missing`, `reasons` read them.

Backends supply only "how a leaf runs" (engine.evaluate, engine.fast.plan/traced, engine.fast.columnar);
no other module defines a combination of truth values (tests/engine/test_logic.py checks it). Outside
and / or / not (a comparison, if(), arithmetic) a Conditional reads as unknown (engine.expr.values).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from engine.expr.values import Conditional, Unknown

# -- the algebra, generic over the representation -----------------------------------------------------


class Truth(NamedTuple):
    """(surely true, surely false): bools for one value, boolean masks for a column; neither = unknown."""

    true: Any
    false: Any


def conj(a: Truth, b: Truth) -> Truth:
    return Truth(a.true & b.true, a.false | b.false)


def disj(a: Truth, b: Truth) -> Truth:
    return Truth(a.true | b.true, a.false & b.false)


def neg(a: Truth) -> Truth:
    return Truth(a.false, a.true)


def combine_truths(op: str, parts: Sequence[Truth], empty: Truth | None = None) -> Truth:
    """`all` / `any` / `not` (also `and` / `or`) over truths; `empty` is the truth of an empty group."""
    if op == "not":
        return neg(parts[0])
    step = conj if op in ("all", "and") else disj
    if not parts:
        if empty is None:
            empty = Truth(True, False) if step is conj else Truth(False, True)
        return empty
    out = parts[0]
    for part in parts[1:]:
        out = step(out, part)
    return out


# -- scalar values --------------------------------------------------------------------------------------


def forecast(measure_id: str, prerequisites: Iterable[str] = (), world: str | None = None) -> Any:
    """What `eligible(measure_id)` is when that measure's outcome is the engine's forecast only.

    In the criteria: false now, true once recognised. `world="recognised"` (amounts: what the measure
    pays once it applies) gives the plain truth of that world.
    """
    if world == "recognised":
        return True
    return Conditional(False, True, frozenset({measure_id, *prerequisites}))


def as_truth(value: Any) -> Truth:
    """A plain scalar value as a Truth (anything but True/False is unknown)."""
    return Truth(value is True, value is False)


def _plain_combine(op: str, values: Sequence[Any]) -> Any:
    """One world: the algebra on bools; unknown carries the missing fields of its unknown operands."""
    truth = combine_truths(op, [as_truth(v) for v in values])
    if truth.true:
        return True
    if truth.false:
        return False
    return _merged_unknown(values)


def _merged_unknown(values: Sequence[Any]) -> Unknown:
    """The unknown result of a combination: the missing fields of every operand that is not a bool."""
    found: Unknown | None = None
    for v in values:
        if v is not True and v is not False:
            u = v if type(v) is Unknown else Unknown()
            found = u if found is None else found.merge(u)
    return found if found is not None else Unknown()


def _join(now: Any, recognised: Any, prerequisites: frozenset[str]) -> Any:
    if now is recognised and (now is True or now is False):
        return now
    if type(now) is Unknown and type(recognised) is Unknown:
        return now.merge(recognised)
    return Conditional(now, recognised, prerequisites)


def combine(op: str, values: Sequence[Any]) -> Any:
    """`all`/`any`/`not` (or `and`/`or`) of scalar values: True, False, an Unknown or a Conditional.

    >>> combine("all", [True, Unknown(frozenset({"staff.total"}))])
    Unknown(missing=frozenset({'staff.total'}), reason='')
    >>> combine("any", [False, forecast("national.hnte_recognition")]).prerequisites
    frozenset({'national.hnte_recognition'})
    """
    if op == "not":
        return negate(values[0])
    decisive = op in ("any", "or")
    other = not decisive
    plain = True
    conditional = False
    for v in values:  # the common case, all plain bools, without building truths
        if v is decisive:
            return decisive
        if v is not other:
            plain = False
            if type(v) is Conditional:
                conditional = True
    if plain:
        return other
    if not conditional:  # no decisive value, some unknown: unknown (Kleene)
        return _merged_unknown(values)
    prerequisites = frozenset().union(*(v.prerequisites for v in values if type(v) is Conditional))
    now = _plain_combine(op, [v.now if type(v) is Conditional else v for v in values])
    recognised = _plain_combine(op, [v.recognised if type(v) is Conditional else v for v in values])
    return _join(now, recognised, prerequisites)


def negate(value: Any) -> Any:
    if value is True or value is False:
        return not value
    if type(value) is Conditional:
        return _join(negate(value.now), negate(value.recognised), value.prerequisites)
    return value if type(value) is Unknown else Unknown()


def word(value: Any) -> str:
    """true | false | unknown | conditional: the result of a trace node and, via OUTCOME, of a measure.

    True now is "true"; true only once the prerequisites are granted is "conditional".
    """
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is Conditional:
        if value.now is True:
            return "true"
        if value.recognised is True:
            return "conditional"
        return "false" if value.now is False and value.recognised is False else "unknown"
    return "unknown"


OUTCOME = {"true": "eligible", "false": "ineligible", "unknown": "undetermined", "conditional": "conditional"}
WORD_VALUE = {"true": True, "false": False}


def missing(value: Any) -> tuple[str, ...]:
    """The profile paths that would settle an unknown value (sorted; empty for a known one)."""
    if type(value) is Unknown:
        return tuple(sorted(value.missing))
    if type(value) is Conditional and word(value) == "unknown":
        found = {m for w in (value.now, value.recognised) if type(w) is Unknown for m in w.missing}
        return tuple(sorted(found))
    return ()


def reason(value: Any) -> str | None:
    if type(value) is Unknown:
        return value.reason or None
    if type(value) is Conditional and word(value) == "unknown":
        return next((w.reason for w in (value.recognised, value.now) if type(w) is Unknown and w.reason), None)
    return None


def prerequisites(value: Any) -> tuple[str, ...]:
    """The measures a conditional truth waits for (empty unless the value is "conditional")."""
    return tuple(sorted(value.prerequisites)) if type(value) is Conditional and word(value) == "conditional" else ()


# -- criteria trees -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CriteriaTree:
    """A criteria node: a condition (with the index of its value among the leaves) or an all/any/not group.

    `pos` numbers every node in pre-order, so per-node values live in a list.
    """

    kind: str  # condition | all | any | not
    id: str
    pos: int
    leaf: int  # index among the leaves (conditions only; -1 for groups)
    children: tuple[CriteriaTree, ...]
    node: Any  # the engine.model Condition or Group it stands for

    @property
    def is_unit(self) -> bool:
        """A node a failing list names: a condition, or a `not` group as a whole."""
        return self.kind in ("condition", "not")


def criteria_tree(criterion: Any) -> tuple[CriteriaTree, list[Any]]:
    """(tree, its conditions in leaf order) of an engine.model criteria node."""
    leaves: list[Any] = []
    counter = [0]

    def build(node: Any) -> CriteriaTree:
        pos = counter[0]
        counter[0] += 1
        if not hasattr(node, "children"):
            leaves.append(node)
            return CriteriaTree("condition", node.id, pos, len(leaves) - 1, (), node)
        return CriteriaTree(node.op, node.id, pos, -1, tuple(build(child) for child in node.children), node)

    return build(criterion), leaves




def tree_values(tree: CriteriaTree, leaves: Sequence[Any]) -> dict[int, Any]:
    """The value of every node (by pos) from the values of the leaves."""
    out: dict[int, Any] = {}

    def walk(node: CriteriaTree) -> Any:
        if node.kind == "condition":
            value = leaves[node.leaf]
        else:
            value = combine(node.kind, [walk(child) for child in node.children])
        out[node.pos] = value
        return value

    walk(tree)
    return out


def tree_evaluator(tree: CriteriaTree) -> Callable[[Sequence[Any]], list[Any]]:
    """A function giving what `tree_values` gives — every node's value from the leaves' — as a list by pos, in one
    flat pass (the groups combined children first, by `combine`); its first item is the root's value."""
    nodes: list[CriteriaTree] = []
    stack = [tree]
    while stack:  # pre-order: a node before its children, so reversed, every group comes after its children
        node = stack.pop()
        nodes.append(node)
        stack.extend(reversed(node.children))
    size = len(nodes)
    leaves = tuple((n.pos, n.leaf) for n in nodes if n.kind == "condition")
    groups = tuple((n.kind, n.pos, _children_of(tuple(c.pos for c in n.children)))
                   for n in reversed(nodes) if n.kind != "condition")

    def values(leaf_values: Sequence[Any]) -> list[Any]:
        out: list[Any] = [None] * size
        for pos, i in leaves:
            out[pos] = leaf_values[i]
        for op, pos, children in groups:
            out[pos] = combine(op, children(out))
        return out
    return values


def _children_of(positions: tuple[int, ...]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """A function giving the values at `positions` of a list, in order (a tuple; no comprehension to call)."""
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    if positions:
        pos = positions[0]
        return lambda out: (out[pos],)
    return lambda out: ()


def tree_function(tree: CriteriaTree) -> Callable[[Sequence[Any]], Any]:
    """A closure giving the root value from the leaf values (what tree_values computes, for the root only)."""
    if tree.kind == "condition":
        i = tree.leaf
        return lambda leaves: leaves[i]
    op = tree.kind
    if op != "not" and tree.children and all(c.kind == "condition" for c in tree.children):
        indices = tuple(c.leaf for c in tree.children)
        return lambda leaves: combine(op, [leaves[i] for i in indices])
    fns = [tree_function(child) for child in tree.children]
    return lambda leaves: combine(op, [f(leaves) for f in fns])


def failing_units(tree: CriteriaTree, false_of: Callable[[CriteriaTree], Any], above: Any = True
                  ) -> list[tuple[str, Any]]:
    """(unit id, where it fails): a unit is on the failing list where it and every ancestor are false.

    Generic: `false_of` gives a bool (one profile) or a mask (a column) per node.
    """
    out: list[tuple[str, Any]] = []

    def walk(node: CriteriaTree, ancestors: Any) -> None:
        here = ancestors & false_of(node)
        if node.is_unit:
            out.append((node.id, here))
            return
        for child in node.children:
            walk(child, here)

    walk(tree, above)
    return out


def failing(tree: CriteriaTree, values: Mapping[int, Any] | Sequence[Any]) -> tuple[str, ...]:
    """The conditions (and `not` groups) responsible for a false result."""
    return tuple(uid for uid, hit in failing_units(tree, lambda n: word(values[n.pos]) == "false") if hit)


class _Chain(tuple[int, ...]):
    """The positions of a unit and its ancestors: `&` of two chains is both (failing_units' `&`, recorded)."""

    def __and__(self, other: Any) -> _Chain:
        return _Chain((*self, *other))


def failing_function(tree: CriteriaTree) -> Callable[[Sequence[Any]], tuple[str, ...]]:
    """`failing(tree, values)` for one tree: the nodes each unit's failing depends on (itself and its ancestors, by
    failing_units) worked out once; a unit fails where every one of them is false."""
    chains = tuple((uid, tuple(chain)) for uid, chain in failing_units(tree, lambda n: _Chain((n.pos,)), _Chain()))

    def failing_of(values: Sequence[Any]) -> tuple[str, ...]:
        out = []
        for uid, chain in chains:
            for pos in chain:
                value = values[pos]
                if value is not False and word(value) != "false":
                    break
            else:
                out.append(uid)
        return tuple(out)
    return failing_of


def reasons(tree: CriteriaTree, values: Mapping[int, Any] | Sequence[Any]) -> str | None:
    """Why an unknown result is unknown beyond missing fields: the reasons of its unknown leaves reached
    through unknown nodes only (e.g. an interval straddling 70)."""
    found: set[str] | None = None  # made for the first reason (most unknown results have none)
    stack = [tree]
    while stack:
        node = stack.pop()
        value = values[node.pos]
        if value is True or value is False or (type(value) is Conditional and word(value) != "unknown"):
            continue  # (anything else is unknown: word's last answer)
        if node.kind == "condition":
            text = value.reason if type(value) is Unknown else reason(value)  # reason(), an Unknown's at once
            if text:
                if found is None:
                    found = {text}
                else:
                    found.add(text)
        else:
            stack.extend(node.children)
    return None if found is None else "; ".join(sorted(found))
