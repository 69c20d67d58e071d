"""This file lists the profile fields the measures for one kind of applicant can read, from the rules alone.

Static: every name in a measure's criteria (and in the facts it uses, facts within facts), a record field read
through a list (`recent_years(3).sales` → `finance.sales`, `filter(loans, "type", …)` → `loans.type`). The web
pages use it to ask a talent only what talent measures read (no company declarations), and a test uses it to
prove there is no dead end: every field a kind's measures read can be asked on that kind's pages.
"""

from __future__ import annotations

from engine.expr.nodes import Attr, Call, Literal, Name, Node
from engine.interview.fields import field_info
from engine.model import Criterion, Group, RuleSet
from engine.names import profile_names

_CACHE: dict[tuple[str, str], frozenset[str]] = {}

LISTS = ("finance", "certificates", "loans", "projects")
IMPLICIT: dict[str, frozenset[str]] = {
    "holds": frozenset({"certificates"}), "recognised_within": frozenset({"certificates"}),
    "recognised_since": frozenset({"certificates"}), "recent_years": frozenset({"finance", "registered_on"}),
    "fy": frozenset({"finance"}),
}
"""Builtins that read profile fields themselves (engine/expr/functions.py: ctx.lookup), by name."""


def _nodes(criterion: Criterion) -> list[Node]:
    if isinstance(criterion, Group):
        return [n for child in criterion.children for n in _nodes(child)]
    return criterion.expr.walk()


def _names(nodes: list[Node], ruleset: RuleSet, seen: set[str]) -> tuple[set[str], set[str]]:
    """(names read, record attributes read), facts opened."""
    names: set[str] = set()
    attrs: set[str] = set()
    for node in nodes:
        if isinstance(node, Name):
            if node.path in ruleset.facts and node.path not in seen:
                seen.add(node.path)
                inner, inner_attrs = _names(ruleset.facts[node.path].expr.walk(), ruleset, seen)
                names |= inner
                attrs |= inner_attrs
            names.add(node.path)
        elif isinstance(node, Attr):
            attrs.add(node.name)
        elif isinstance(node, Call):
            names |= IMPLICIT.get(node.name, frozenset())
            if node.name in ("holds", "recognised_within", "recognised_since") and node.args:
                first = node.args[0]
                if isinstance(first, Literal) and isinstance(first.value, str):
                    names.add(f"certificates.type={first.value}")
            if node.name == "filter" and len(node.args) == 3 and isinstance(node.args[0], Name) \
                    and node.args[0].path == "certificates" and isinstance(node.args[2], Literal):
                values = node.args[2].value if isinstance(node.args[2].value, list) else [node.args[2].value]
                names |= {f"certificates.type={v}" for v in values if isinstance(v, str)}
            key = node.args[1] if node.name in ("filter", "any_of", "all_of", "latest") and len(node.args) >= 2 else None
            if isinstance(key, Literal) and isinstance(key.value, str):
                attrs.add(key.value)
    return names, attrs


def kind_reads(ruleset: RuleSet, kind: str) -> frozenset[str]:
    """Profile paths the measures for `kind` read: "staff.total", "declarations.x", "finance.sales", "loans"."""
    key = (ruleset.hash, kind)
    if key not in _CACHE:
        _CACHE[key] = _kind_reads(ruleset, kind)
    return _CACHE[key]


def _kind_reads(ruleset: RuleSet, kind: str) -> frozenset[str]:
    known = profile_names(kind)
    names: set[str] = set()
    attrs: set[str] = set()
    for measure in ruleset.measures.values():
        if kind not in measure.applicant:
            continue
        found, found_attrs = _names(_nodes(measure.criteria), ruleset, set())
        names |= found
        attrs |= found_attrs
    out = {n for n in names if n in known or n.startswith("certificates.type=")}
    for name in LISTS:
        if name in known:
            index = 2024 if name == "finance" else 0
            out |= {f"{name}.{a}" for a in attrs if field_info(kind, f"{name}[{index}].{a}") is not None}
    return frozenset(out)


def certificate_types(ruleset: RuleSet, kind: str) -> tuple[str, ...]:
    """The certificate types the measures for `kind` ask about (a talent: 高层次人才, never 高新技术企业)."""
    return tuple(sorted(p.split("=", 1)[1] for p in kind_reads(ruleset, kind) if p.startswith("certificates.type=")))
