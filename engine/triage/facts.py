"""What triage reads: one ApplicationFacts per application, the bureau Register, and measure exclusions.

These are plain frozen models (extra keys forbidden) so that a test case in a rule file, a web form
and the engine's own Decision all produce the same thing. Identity fields are normalised on the way
in (credit code upper case without spaces, names NFKC with single spaces, phone digits only, e-mail
lower case), so that the joins compare like with like. Numbers are exact: int, Decimal or Fraction,
or text such as "0.05", "1/20" or "4.9%"; floats are refused.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from engine.decision import Outcome
from engine.lifecycle import State
from engine.standards.uscc import normalize_uscc

ListKind = Literal["dishonesty", "incident"]
LIST_KINDS: tuple[ListKind, ...] = ("dishonesty", "incident")


def to_fraction(value: Any) -> Any:
    """Exact number from int, Decimal, Fraction or text ('0.05', '1/20', '4.9%'); floats are refused."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("floats are not exact: write the number as text, e.g. '0.05' or '1/20'")
    if isinstance(value, int | Decimal | Fraction):
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        scale = Fraction(1, 100) if text.endswith("%") else Fraction(1)
        try:
            number = text.rstrip("%")
            return (Fraction(number) if "/" in number else Fraction(Decimal(number))) * scale
        except (ValueError, ZeroDivisionError, InvalidOperation):
            raise ValueError(f"'{value}' is not an exact number") from None
    return value


Exact = Annotated[Fraction, BeforeValidator(to_fraction)]


def normalise_name(value: str) -> str:
    """NFKC (full-width brackets and letters to half width) with single spaces.

    >>> normalise_name("清远 某某科技（有限公司） ")
    '清远 某某科技(有限公司)'
    """
    return " ".join(unicodedata.normalize("NFKC", value).split())


def normalise_phone(value: str | None) -> str | None:
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits or None


def normalise_email(value: str | None) -> str | None:
    text = unicodedata.normalize("NFKC", value or "").strip().lower()
    return text or None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GapSummary(Strict):
    """A failed numeric condition and its relative distance to the threshold (engine Gap.shortfall)."""

    condition: str = Field(min_length=1)
    shortfall: Exact = Field(gt=0)


class MeasureSummary(Strict):
    """The Decision's result for one measure applied for: outcome, missing fields, failed gaps."""

    measure_id: str = Field(min_length=1)
    outcome: Outcome  # the engine's own outcome values (conditional included), never a copy
    missing: tuple[str, ...] = ()
    gaps: tuple[GapSummary, ...] = ()


class Staff(Strict):
    total: Exact | None = None
    sci_tech: Exact | None = None


class FiscalYear(Strict):
    year: int = Field(ge=1990, le=2100)
    sales: Exact | None = None
    total_income: Exact | None = None
    hitech_income: Exact | None = None
    rd_expense: Exact | None = None
    total_assets: Exact | None = None
    net_assets: Exact | None = None


class Figures(Strict):
    """The profile figures the consistency rules compare (same paths as the profile)."""

    staff: Staff = Staff()
    finance: tuple[FiscalYear, ...] = ()

    @field_validator("finance")
    @classmethod
    def _one_per_year(cls, years: tuple[FiscalYear, ...]) -> tuple[FiscalYear, ...]:
        seen = [y.year for y in years]
        if len(seen) != len(set(seen)):
            raise ValueError("each fiscal year may appear once")
        return tuple(sorted(years, key=lambda y: y.year))


class Declared(Strict):
    """The applicant's own declarations: on a dishonesty list? a major incident? (None = not answered)."""

    dishonesty: bool | None = None
    incident: bool | None = None


class ApplicationFacts(Strict):
    """Everything triage needs to know about one application."""

    application_id: str = Field(min_length=1)
    credit_code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    contact_phone: str | None = None
    contact_email: str | None = None
    measures: tuple[str, ...] = ()
    project_keys: tuple[str, ...] = ()
    status: State
    status_since: dt.date
    decision: tuple[MeasureSummary, ...] = ()
    figures: Figures = Figures()
    declared: Declared = Declared()
    materials_complete: bool | None = None

    @field_validator("credit_code")
    @classmethod
    def _code(cls, value: str) -> str:
        return normalize_uscc(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return normalise_name(value)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalise_phone(value)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalise_email(value)

    @field_validator("measures", "project_keys")
    @classmethod
    def _unique(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(v.strip() for v in values)
        if any(not v for v in cleaned) or len(set(cleaned)) != len(cleaned):
            raise ValueError("entries must be non-empty and appear once")
        return cleaned

    def summary(self, measure_id: str) -> MeasureSummary | None:
        return next((s for s in self.decision if s.measure_id == measure_id), None)


class RegisterEntry(Strict):
    """One line of a bureau register: a credit code on the dishonesty (失信) or incident list."""

    credit_code: str = Field(min_length=1)
    kind: ListKind
    reason: str = Field(min_length=1)
    listed_on: dt.date | None = None

    @field_validator("credit_code")
    @classmethod
    def _code(cls, value: str) -> str:
        return normalize_uscc(value)


class Register(Strict):
    entries: tuple[RegisterEntry, ...] = ()

    def entries_for(self, credit_code: str) -> list[RegisterEntry]:
        return [e for e in self.entries if e.credit_code == credit_code]


@dataclass(frozen=True)
class Exclusions:
    """Pairs of measures that exclude each other (symmetric), from the catalogue's `excludes`."""

    pairs: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, mapping: Mapping[str, Iterable[str]]) -> Exclusions:
        """From {measure: [measures it excludes]}; the relation is made symmetric, self-pairs dropped.

        >>> sorted(Exclusions.of({"a": ["b"]}).pairs)
        [('a', 'b'), ('b', 'a')]
        """
        pairs = {(a, b) for a, others in mapping.items() for b in others if a != b}
        return cls(frozenset(pairs | {(b, a) for a, b in pairs}))

    @classmethod
    def from_ruleset(cls, ruleset: Any) -> Exclusions:
        """From a measure RuleSet (engine.model.RuleSet): every measure's `excludes`."""
        return cls.of({mid: m.excludes for mid, m in ruleset.measures.items()})

    def excludes(self, a: str, b: str) -> bool:
        return (a, b) in self.pairs
