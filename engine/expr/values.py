"""Values of the condition language: exact numbers, intervals, and Unknown (missing is not zero).

Numbers are `int` or `fractions.Fraction`, never float: a profile one yuan under a threshold fails.
`Unknown` carries the profile paths whose absence caused it, so an undetermined outcome can say
exactly which fields would settle it. Comparisons and logic are three-valued (Kleene).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

Number = int | Fraction


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known from the profile; `missing` names the fields that would settle it."""

    missing: frozenset[str] = frozenset()
    reason: str = ""

    def __bool__(self) -> bool:  # pragma: no cover - guard against accidental truthiness
        raise TypeError("Unknown has no truth value; use the three-valued helpers")

    def merge(self, other: Unknown) -> Unknown:
        """The fields of both and the first reason; an operand that already says everything is returned as it is
        (values are immutable: equal is as good as new, and merging the same Unknown again is the common case)."""
        if self is other:
            return self
        mine, theirs = self.missing, other.missing
        if (self.reason or not other.reason) and (theirs is mine or theirs <= mine):
            return self
        if not self.reason and mine <= theirs:
            return other
        return Unknown(mine | theirs, self.reason or other.reason)


@dataclass(frozen=True)
class Conditional:
    """A truth that differs between now and once the prerequisite measures are granted (engine.logic).

    `now` and `recognised` are each True, False or an Unknown, never the same plain value.
    """

    now: Any
    recognised: Any
    prerequisites: frozenset[str]

    def __bool__(self) -> bool:  # pragma: no cover - guard against accidental truthiness
        raise TypeError("Conditional has no truth value; use engine.logic")

    def as_unknown(self) -> Unknown:
        """How a consumer other than and / or / not sees it: unknown before the recognition."""
        return Unknown(reason=f"depends on the recognition of {', '.join(sorted(self.prerequisites))}")


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def unknown_of(*values: Any) -> Unknown | None:
    """Merge every Unknown among `values`; None when all are known."""
    found: Unknown | None = None
    for value in values:
        kind = type(value)  # Unknown has no subclasses
        if kind is Unknown:
            found = value if found is None else found.merge(value)
        elif kind is Conditional:
            found = value.as_unknown() if found is None else found.merge(value.as_unknown())
    return found


@dataclass(frozen=True)
class Interval:
    """A closed range [lo, hi] of exact numbers, for expert-judged scores given as bands."""

    lo: Number
    hi: Number

    def __add__(self, other: Any) -> Interval:
        o = as_interval(other)
        return Interval(self.lo + o.lo, self.hi + o.hi)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Interval:
        o = as_interval(other)
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __rsub__(self, other: Any) -> Interval:
        return as_interval(other) - self


def as_interval(value: Any) -> Interval:
    return value if isinstance(value, Interval) else Interval(value, value)


def exact(value: Any) -> Any:
    """Convert Decimal and integral values to the engine's exact types; floats are refused."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        frac = Fraction(value)
        return frac.numerator if frac.denominator == 1 else frac
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, float):
        raise TypeError("floats are not allowed in the engine; use int, Decimal or Fraction")
    return value


def ratio(value: Any) -> tuple[int, int] | None:
    """(numerator, denominator) of an exact number (int or Fraction, not bool); None for anything else."""
    kind = type(value)
    if kind is int:
        return value, 1
    if kind is Fraction:
        return value.numerator, value.denominator
    return None


def is_number(value: Any) -> bool:
    return isinstance(value, int | Fraction) and not isinstance(value, bool)

