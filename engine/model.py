"""What a rule *is* once loaded: frozen dataclasses for measures, criteria, facts and the RuleSet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from engine.errors import Message
from engine.expr.nodes import Node
from engine.parameters import ParameterSeries


@dataclass(frozen=True)
class Condition:
    """A leaf of a criteria tree: policy text, applicant message, and the evaluable statement."""

    id: str
    text: Message
    fails: Message | None
    expr: Node
    source_text: str
    source: str | None = None
    gap: str = "numerator"  # numerator | both | none


@dataclass(frozen=True)
class Group:
    id: str
    op: str  # all | any | not
    text: Message | None
    children: tuple[Condition | Group, ...]


Criterion = Condition | Group


@dataclass(frozen=True)
class Benefit:
    """What a measure gives. `payee`: applicant | bank | guarantor | third_party; `basis`: entitlement |
    competitive | case_by_case | tax | status (None only where the file does not say; lint flags it)."""

    kind: str
    text: Message
    amount: Node | None
    rate: Node | None
    up_to: bool
    note: Message | None
    payee: str | None = None
    basis: str | None = None


@dataclass(frozen=True)
class HowToApply:
    """How to apply, as far as the source says: the accepting body, the usual call period, the document address."""

    body: Message | None
    period: Message | None
    url: str | None


@dataclass(frozen=True)
class Measure:
    id: str
    path: str
    title: Message
    issuer: str
    jurisdiction: tuple[str, ...]
    applicant: tuple[str, ...]
    source: dict[str, Any]
    also: tuple[dict[str, Any], ...]
    seeds: tuple[str, ...]
    effective_from: dt.date
    effective_until: dt.date | None
    status: str
    status_note: Message | None
    parameters: dict[str, ParameterSeries]
    criteria: Criterion
    benefit: Benefit
    excludes: tuple[str, ...]
    documents: tuple[Message, ...]
    tags: tuple[str, ...]
    tests: tuple[dict[str, Any], ...]
    depends_on: tuple[str, ...] = ()
    how_to_apply: HowToApply | None = None
    equivalent_mutants: dict[str, Message] = field(default_factory=dict)  # mutant id → why no test can kill it
    jurisdiction_explicit: bool = False  # the file narrows/widens the issuer's default area
    jurisdiction_source: str | None = None  # …and says where that scope comes from

    @property
    def is_draft(self) -> bool:
        """A draft (征求意见稿, no enacted text): never eligible, never counted (engine.evaluate)."""
        return self.status == "draft"

    @property
    def confidence(self) -> str:
        return str(self.source.get("confidence", "U"))

    @property
    def amount_published(self) -> bool:
        return self.benefit.kind != "unpublished"


@dataclass(frozen=True)
class Fact:
    """A derived value defined once in rules/facts/ and shared by every measure."""

    id: str
    path: str
    text: Message
    unit: str
    expr: Node
    source_text: str
    parameters: dict[str, ParameterSeries]
    warning: Message | None = None  # when the (yes/no) fact is true: a data warning (engine.evaluate.fact_warnings)


@dataclass(frozen=True)
class RuleSet:
    """An immutable, content-addressed set of measures and facts; its hash is its version."""

    measures: dict[str, Measure]
    facts: dict[str, Fact]
    order: tuple[str, ...]  # measures in dependency order
    hash: str
    snapshot: dict[str, Any] = field(repr=False)
    fact_tests: tuple[dict[str, Any], ...] = ()
    fact_equivalents: dict[str, dict[str, Message]] = field(default_factory=dict)  # facts file → mutant → reason

    def __repr__(self) -> str:
        return f"RuleSet(hash={self.hash[:12]}, measures={len(self.measures)}, facts={len(self.facts)})"
