"""What an expression reads, for the columnar evaluator (engine.fast.columnar): the profile names behind it (through
facts and the builtins that look names up), the fiscal-year fields the rules use, and whether eligible() is read
only through and / or / not."""

from __future__ import annotations

from typing import Any

from engine.expr.nodes import Attr, BoolOp, Call, Literal, Name, Unary

LIST_FIELDS = frozenset({"certificates", "loans", "projects"})
IMPLICIT = {"holds": {"certificates"}, "recognised_within": {"certificates"}, "recognised_since": {"certificates"},
            "recent_years": {"registered_on", "finance"}, "fy": {"finance"}, "eligible": {"?"}}


def names_read(node: Any, facts: Any, seen: set[str]) -> set[str]:
    """Profile names an expression reads, through facts and the builtins that look names up."""
    out: set[str] = set()
    for sub in node.walk():
        if type(sub) is Name and sub.path in facts and sub.path not in seen:
            seen.add(sub.path)
            out |= names_read(facts[sub.path].expr, facts, seen)
        elif type(sub) is Name and sub.path != "as_of":
            out.add(sub.path)
        elif type(sub) is Call:
            out |= IMPLICIT.get(sub.name, set())
    return out


def finance_fields(ruleset: Any) -> set[str]:
    """Fiscal-year fields the rules read through fy(k).field or recent_years(n).field."""
    roots = [fact.expr for fact in ruleset.facts.values()]
    for measure in ruleset.measures.values():
        roots += [node for node in (measure.benefit.amount, measure.benefit.rate) if node is not None]
        roots += conditions(measure.criteria)
    return {node.name for root in roots for node in root.walk()
            if type(node) is Attr and type(node.target) is Call and node.target.name in ("fy", "recent_years")}


def conditions(node: Any) -> list[Any]:
    if hasattr(node, "expr"):
        return [node.expr]
    return [expr for child in node.children for expr in conditions(child)]


def logic_over_eligible(node: Any, names: Any) -> bool:
    """eligible() is read only through and / or / not (each world is then plain Kleene logic)."""
    kind = type(node)
    if kind is Call and node.name == "eligible":
        return len(node.args) == 1 and type(node.args[0]) is Literal
    if kind is BoolOp:
        return all(logic_over_eligible(item, names) for item in node.items)
    if kind is Unary and node.op == "not":
        return logic_over_eligible(node.operand, names)
    return "?" not in names(node)
