"""The rule-file format as pydantic models (extra keys forbidden): what a file may contain.

The criteria tree is parsed separately (engine.criteria) so that each node keeps its own line mark.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

Confidence = Literal["V2", "V", "S", "U", "NF"]
Issuer = Literal["national", "guangdong", "qingyuan", "qingcheng", "shaoguan"]
ApplicantKind = Literal["enterprise", "incubator", "institution", "talent", "team"]
Unit = Literal["money", "ratio", "number", "count", "points", "area", "days", "months", "years", "date",
               "bool", "text", "code", "table", "list"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Model):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Confirmed(Model):
    """A later check that an old figure or source still holds: when, and against what (a document, a call, a phone note)."""

    date: dt.date
    source: str = Field(min_length=1)


class Source(Model):
    document: str
    number: str | None = None
    article: str | None = None
    issuer: str | None = None
    date: dt.date | None = None
    confidence: Confidence
    url: str | None = None
    note: Text | None = None
    confirmed: Confirmed | None = None


class Effective(Model):
    from_: dt.date = Field(alias="from")
    until: dt.date | None = None
    status: Literal["in_force", "possibly_superseded", "expired", "draft"] = "in_force"
    note: Text | None = None


class DatedValue(Model):
    value: Any
    source: str | None = None


class Parameter(Model):
    text: Text | None = None
    unit: Unit = "number"
    values: dict[dt.date, DatedValue]
    confirmed: Confirmed | None = None


Payee = Literal["applicant", "bank", "guarantor", "third_party"]
Basis = Literal["entitlement", "competitive", "case_by_case", "tax", "status"]


class Benefit(Model):
    """What the measure gives, to whom (`payee`) and on what footing (`basis`); see engine.benefits."""

    kind: Literal["cash", "tax_rate", "super_deduction", "loan_compensation", "recognition", "unpublished"]
    text: Text
    payee: Payee | None = None
    basis: Basis | None = None
    amount: str | None = None
    rate: str | None = None
    up_to: bool = False
    note: Text | None = None


def _web_address(value: str) -> str:
    """A source document's address must be an absolute http(s) URL without spaces."""
    if not re.fullmatch(r"https?://[^\s/?#]+\.[^\s/?#]+[^\s]*", value):
        raise PydanticCustomError("bad_url", "'{value}' is not a web address; write it as https://… or http://…",
                                  {"value": value})
    return value


WebAddress = Annotated[str, AfterValidator(_web_address)]


class HowToApply(Model):
    """Where and when to apply, only as far as the source says: 受理部门, usual call period, document address."""

    body: Text | None = None
    period: Text | None = None
    url: WebAddress | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> HowToApply:
        if self.body is None and self.period is None and self.url is None:
            raise PydanticCustomError("empty_how_to_apply",
                                      "how_to_apply needs at least one of body, period or url (or leave it out)")
        return self


class Expect(Model):
    outcome: Literal["eligible", "ineligible", "undetermined", "not_applicable", "conditional"]
    amount: int | Literal["unpublished"] | None = None
    rate: str | int | Decimal | None = None
    failing: list[str] = []
    missing: list[str] = []
    reason: str | None = None


class RuleTest(Model):
    name: str
    as_of: dt.date
    profile: dict[str, Any] | None = None
    base: str | None = None
    set: dict[str, Any] = {}
    expect: Expect


class FactTest(Model):
    name: str
    as_of: dt.date
    profile: dict[str, Any] | None = None
    base: str | None = None
    set: dict[str, Any] = {}
    expect: dict[str, Any]


class EquivalentMutant(Model):
    """A mutant (`subsidy rules mutate`) that no test can kill because it does not change the law's meaning."""

    mutant: str = Field(min_length=1)
    reason: Text


class MeasureFile(Model):
    id: str
    title: Text
    issuer: Issuer
    jurisdiction: list[str] | None = None
    jurisdiction_source: str | None = None  # where a narrowed/widened `jurisdiction` comes from
    applicant: list[ApplicantKind]
    source: Source
    also: list[Source] = []
    seeds: list[str] = []
    effective: Effective
    parameters: dict[str, Parameter] = {}
    criteria: Any
    benefit: Benefit
    excludes: list[str] = []
    documents: list[Text] = []
    how_to_apply: HowToApply | None = None
    tags: list[str] = []
    tests: list[RuleTest] = []
    equivalent_mutants: list[EquivalentMutant] = []


class FactDef(Model):
    id: str
    text: Text
    unit: Unit
    value: str
    note: Text | None = None
    warning: Text | None = None  # a yes/no fact that, when true, is a data warning shown with the decision


class FactsFile(Model):
    title: Text
    source: Source | None = None
    parameters: dict[str, Parameter] = {}
    facts: list[FactDef]
    tests: list[FactTest] = []
    equivalent_mutants: list[EquivalentMutant] = []
