"""The Decision: per-measure outcomes with amounts, failing conditions, gaps and traces.

A Decision is a pure value: same RuleSet + profile + as_of ⇒ the same canonical JSON, byte for byte,
and therefore the same hash. It names the engine version, the RuleSet hash and the profile hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from engine.canonical import dumps, plain
from engine.errors import Message, ProfileIssue
from engine.trace import OMIT_EMPTY, FactTrace, TraceNode


class Outcome(StrEnum):
    """A measure's outcome. CONDITIONAL: the measure pays holders of a status (e.g. a 高企 certificate)
    that the applicant does not hold yet, but the engine's own outcome for that status is eligible —
    eligible once recognised; never counted as money receivable now."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNDETERMINED = "undetermined"
    NOT_APPLICABLE = "not_applicable"
    CONDITIONAL = "conditional"


OUTCOME_LABELS: dict[Outcome, Message] = {
    Outcome.ELIGIBLE: Message("符合条件", "eligible"),
    Outcome.INELIGIBLE: Message("不符合", "not eligible"),
    Outcome.UNDETERMINED: Message("待定", "undetermined"),
    Outcome.NOT_APPLICABLE: Message("不适用", "not applicable"),
    Outcome.CONDITIONAL: Message("认定后可申请", "eligible once recognised"),
}
"""The one table of outcome labels (zh/en) every page and report shows: `OUTCOME_LABELS[Outcome(value)]`."""


class Deferred:
    """A frozen dataclass whose costly fields are built on first access (traces cost what they are used for).

    `Cls.deferred({"field": build, …}, **cheap_fields)` makes an instance holding the cheap fields; the first
    read of a deferred field calls its `build()` once. Equality, hashing, `plain()`, `dataclasses.replace`
    and pickling read fields normally, so they see the complete value.
    """

    @classmethod
    def deferred(cls, builders: dict[str, Any], **fields: Any) -> Any:
        obj = object.__new__(cls)
        obj.__dict__.update(fields)
        obj.__dict__["_deferred"] = builders
        return obj

    def __getattr__(self, name: str) -> Any:
        builders = self.__dict__.get("_deferred")
        build = builders.pop(name, None) if builders else None
        if build is None:
            raise AttributeError(name)
        value = self.__dict__[name] = build()
        return value

    def __getstate__(self) -> dict[str, Any]:
        for name in list(self.__dict__.get("_deferred") or ()):
            getattr(self, name)
        self.__dict__.pop("_deferred", None)
        return self.__dict__


@dataclass(frozen=True)
class Gap:
    """The smallest change that would pass one failed numeric condition, in the applicant's units."""

    condition: str
    target: str
    unit: str
    current: Any
    required: Any
    change: Any
    both_grow: bool
    shortfall: Any  # relative distance to the threshold (for "near miss" triage)
    message: Message


@dataclass(frozen=True)
class Amount:
    """An estimated benefit: exact yuan, a cap ("up to"), a rate, or unpublished."""

    kind: str  # exact | up_to | rate | unpublished | none | unknown
    value: Any = None
    note: Message | None = None


@dataclass(frozen=True)
class MeasureResult(Deferred):
    measure_id: str
    outcome: Outcome
    reason: str | None  # not_applicable: other_kind | not_in_force | out_of_area
    amount: Amount
    failing: tuple[str, ...]
    missing: tuple[str, ...]
    gaps: tuple[Gap, ...]
    trace: TraceNode | None
    prerequisites: tuple[str, ...] = field(default=(), metadata=OMIT_EMPTY)  # conditional: what it waits for


@dataclass(frozen=True)
class Stacking:
    """The combination of eligible measures with the highest total that the exclusions allow."""

    chosen: tuple[str, ...]
    total: int
    dropped: tuple[tuple[str, str], ...]  # (measure, because it excludes this chosen one)
    conditional: tuple[str, ...] = field(default=(), metadata=OMIT_EMPTY)  # best combination once recognised
    conditional_total: int = field(default=0, metadata=OMIT_EMPTY)  # 认定后可申请的金额, never in `total`


@dataclass(frozen=True)
class Decision(Deferred):
    engine_version: str
    ruleset_hash: str
    as_of: str
    profile_hash: str
    profile_kind: str
    results: tuple[MeasureResult, ...]
    facts: tuple[FactTrace, ...]
    warnings: tuple[ProfileIssue, ...]
    stacking: Stacking

    def result(self, measure_id: str) -> MeasureResult:
        return next(r for r in self.results if r.measure_id == measure_id)

    @cached_property
    def _plain(self) -> dict[str, Any]:
        data: dict[str, Any] = plain(self)
        data["warnings"] = [w.as_dict() for w in self.warnings]
        return data

    def to_dict(self) -> dict[str, Any]:
        """The decision as plain JSON-ready data (computed once; treat it as read-only)."""
        return self._plain

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, exact numbers as text; equal decisions give equal bytes."""
        return dumps(self._plain)

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()
