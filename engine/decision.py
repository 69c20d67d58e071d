"""The Decision: per-measure outcomes with amounts, failing conditions, gaps and traces.

A Decision is a pure value: same RuleSet + profile + as_of ⇒ the same canonical JSON, byte for byte,
and therefore the same hash. It names the engine version, the RuleSet hash and the profile hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import Any

from engine.canonical import direct_json, dumps, dumps_bytes, json_bytes, keep_bytes, number_of_text, plain
from engine.errors import Message, ProfileIssue
from engine.expr.values import Interval, Unknown
from engine.trace import OMIT_EMPTY, FactTrace, ParamRead, TraceNode, fact_json


class Outcome(StrEnum):
    """A measure's outcome. CONDITIONAL: the measure pays holders of a status (e.g. a 高企 certificate)
    that the applicant does not hold yet, but the engine's own outcome for that status is eligible —
    eligible once recognised; never counted as money receivable now."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNDETERMINED = "undetermined"
    NOT_APPLICABLE = "not_applicable"
    CONDITIONAL = "conditional"


class Deferred:
    """A frozen dataclass whose costly fields are built on first access (traces cost what they are used for).

    `Cls.deferred({"field": build, …}, **cheap_fields)` makes an instance holding the cheap fields; the first
    read of a deferred field calls its `build()` once. Equality, hashing, `plain()`, `dataclasses.replace`
    and pickling read fields normally, so they see the complete value. `Cls.deferred_written(builders,
    {"field": write, …}, **cheap_fields)` also gives the JSON writer a deferred field's written form
    (engine.canonical, one level: what it would make of `build()`) without building the field: a trace written
    from the run's records, its TraceNodes never built.
    """

    @classmethod
    def deferred(cls, builders: dict[str, Any], **fields: Any) -> Any:
        obj = object.__new__(cls)
        obj.__dict__.update(fields)
        obj.__dict__["_deferred"] = builders
        return obj

    @classmethod
    def deferred_written(cls, builders: dict[str, Any], written: dict[str, Any], **fields: Any) -> Any:
        obj = object.__new__(cls)
        obj.__dict__.update(fields)
        obj.__dict__["_deferred"] = builders
        obj.__dict__["_written"] = written
        return obj

    def __getattr__(self, name: str) -> Any:
        builders = self.__dict__.get("_deferred")
        build = builders.pop(name, None) if builders else None
        if build is None:
            raise AttributeError(name)
        value = self.__dict__[name] = build()
        if not builders:  # complete: read as a plain dataclass from now on
            del self.__dict__["_deferred"]
            self.__dict__.pop("_written", None)
        return value

    def __getstate__(self) -> dict[str, Any]:
        for name in list(self.__dict__.get("_deferred") or ()):
            getattr(self, name)
        self.__dict__.pop("_deferred", None)
        self.__dict__.pop("_written", None)
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
    """An estimated benefit: exact yuan, a cap ("up to"), a rate, or unpublished.

    `benefit` is the measure's benefit kind (cash | tax_rate | super_deduction | loan_compensation | …),
    `payee` who is paid (applicant | bank | guarantor | third_party) and `basis` on what footing
    (entitlement | competitive | case_by_case | tax | status). Whether an amount is money the applicant
    receives now is decided in one place: engine.benefits.counts_as_receivable.
    """

    kind: str  # exact | up_to | rate | unpublished | none | unknown
    value: Any = None
    note: Message | None = None
    benefit: str | None = field(default=None, metadata=OMIT_EMPTY)
    payee: str | None = field(default=None, metadata=OMIT_EMPTY)
    basis: str | None = field(default=None, metadata=OMIT_EMPTY)


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
    # eligible measures whose money is not receivable as of right (engine.benefits.money_class), never in `total`:
    competitive: tuple[str, ...] = field(default=(), metadata=OMIT_EMPTY)  # 择优: a maximum, if selected
    case_by_case: tuple[str, ...] = field(default=(), metadata=OMIT_EMPTY)  # 一事一议
    tax: tuple[str, ...] = field(default=(), metadata=OMIT_EMPTY)  # a tax treatment (减按15%征收, 加计扣除)
    paid_to_others: tuple[str, ...] = field(default=(), metadata=OMIT_EMPTY)  # paid to a bank/guarantor/third party


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
        """Canonical JSON: sorted keys, exact numbers as text; equal decisions give equal bytes.

        Written straight from the objects (engine.canonical.direct_json) unless the plain data is already built.
        """
        built = self.__dict__.get("_plain")
        return dumps(built) if built is not None else direct_json(self._top(True), self._top)

    def _top(self, written: bool = False) -> dict[str, Any]:
        """The decision one level down, as the JSON writer takes it (`written`: the fact traces in their written
        form, engine.trace.fact_json)."""
        top = {name: getattr(self, name) for name in _DECISION_FIELDS}
        top["warnings"] = [w.as_dict() for w in self.warnings]
        if written:
            top["facts"] = [fact_json(trace) for trace in top["facts"]]
        return top

    def to_json_bytes(self) -> bytes:
        """`to_json()` as UTF-8 bytes, without decoding the writer's bytes only to encode them again (an HTTP
        body, a hash)."""
        built = self.__dict__.get("_plain")
        return dumps_bytes(built) if built is not None else json_bytes(self._top(True), self._top)

    @property
    def hash(self) -> str:
        return json_digest(self.to_json_bytes())

    def json_and_hash(self) -> tuple[str, str]:
        """`to_json()` and `hash` from one writing of the JSON (a store keeps both: written twice, it cost a second
        walk of every trace)."""
        raw = self.to_json_bytes()
        return raw.decode("utf-8"), json_digest(raw)

    @classmethod
    def from_json(cls, data: str | bytes | dict[str, Any]) -> Decision:
        """A stored decision (its canonical JSON, or that JSON parsed) as a Decision again.

        `Decision.from_json(d.to_json()).to_json() == d.to_json()`: exact numbers of amounts and gaps become
        int / Fraction again; the values read in traces and facts keep their plain JSON form (engine.canonical).
        """
        raw: dict[str, Any] = json.loads(data) if isinstance(data, str | bytes) else data
        stacking = raw.get("stacking") or {}
        return cls(
            engine_version=raw["engine_version"], ruleset_hash=raw["ruleset_hash"], as_of=raw["as_of"],
            profile_hash=raw["profile_hash"], profile_kind=raw["profile_kind"],
            results=tuple(_result(r) for r in raw.get("results") or ()),
            facts=tuple(FactTrace(f["id"], _message(f["text"]) or Message("", ""), f.get("expr", ""), f.get("value"),
                                  dict(f.get("reads") or {}), _params(f.get("params")))
                        for f in raw.get("facts") or ()),
            warnings=tuple(ProfileIssue(w["path"], w["code"], Message(w.get("zh", ""), w.get("en", "")),
                                        w.get("severity", "error")) for w in raw.get("warnings") or ()),
            stacking=Stacking(**{"chosen": (), "total": 0, "dropped": (),
                                 **{f.name: _tuples(stacking[f.name]) for f in fields(Stacking) if f.name in stacking}}),
        )


_DECISION_FIELDS = tuple(f.name for f in fields(Decision))

# What decisions share, written once by the JSON writer: rule texts, the parameters read, not-applicable results.
keep_bytes(Message)
keep_bytes(ParamRead)
keep_bytes(MeasureResult, when=lambda result: result.__dict__.get("trace", result) is None)
keep_bytes(Amount)  # the compiled plans' amounts that read nothing of the profile: one per measure and outcome
keep_bytes(Stacking)  # remembered by what it depends on (engine.fast.stack)
for _value_kind in (Unknown, Interval, Fraction):  # values a decision repeats: a fact's value in every read of it
    keep_bytes(_value_kind)


def _message(data: Any) -> Message | None:
    return None if data is None else Message(str(data.get("zh", "")), str(data.get("en", "")))


def _exact(value: Any) -> Any:
    """An exact number written as text by the canonical JSON ("0.15", "3/70") as int / Fraction; others as they are."""
    if isinstance(value, str):
        number = number_of_text(value)
        return value if number is None else number
    return value


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _params(data: Any) -> tuple[ParamRead, ...]:
    return tuple(ParamRead(p["name"], p.get("value"), p.get("effective_from", ""), p.get("source", ""))
                 for p in data or ())


def _node(data: dict[str, Any]) -> TraceNode:
    return TraceNode(
        id=data["id"], kind=data["kind"], result=data["result"], text=_message(data.get("text")),
        fails=_message(data.get("fails")), expr=data.get("expr"), reads=dict(data.get("reads") or {}),
        params=_params(data.get("params")), comparison=data.get("comparison"), missing=tuple(data.get("missing") or ()),
        reason=data.get("reason"), children=tuple(_node(c) for c in data.get("children") or ()),
        prerequisites=tuple(data.get("prerequisites") or ()))


def _result(data: dict[str, Any]) -> MeasureResult:
    amount = dict(data.get("amount") or {"kind": "none"})
    return MeasureResult(
        measure_id=data["measure_id"], outcome=Outcome(data["outcome"]), reason=data.get("reason"),
        amount=Amount(**{**amount, "value": _exact(amount.get("value")), "note": _message(amount.get("note"))}),
        failing=tuple(data.get("failing") or ()), missing=tuple(data.get("missing") or ()),
        gaps=tuple(Gap(**{**g, "current": _exact(g.get("current")), "required": _exact(g.get("required")),
                          "change": _exact(g.get("change")), "shortfall": _exact(g.get("shortfall")),
                          "message": _message(g.get("message"))}) for g in data.get("gaps") or ()),
        trace=_node(data["trace"]) if data.get("trace") else None,
        prerequisites=tuple(data.get("prerequisites") or ()))


def json_digest(canonical: bytes) -> str:
    """A decision's hash: SHA-256 of its canonical JSON's bytes (the one definition)."""
    return hashlib.sha256(canonical).hexdigest()
