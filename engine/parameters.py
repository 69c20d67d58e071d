"""Dated parameters (OpenFisca style): a value in force from a date, with the source that sets it.

Values are written as rule-language literals ("10%", "5000万元", 365), tables (lists of band rows)
or mappings (band letter → points). Lists of two numbers in a `points` parameter are intervals.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import ExprError
from engine.expr.nodes import Literal
from engine.expr.parser import parse
from engine.expr.values import Interval, exact


@dataclass(frozen=True)
class ParameterValue:
    value: Any
    effective_from: dt.date
    source: str


@dataclass(frozen=True)
class ParameterSeries:
    """One named parameter and every value it has had."""

    name: str
    unit: str
    values: tuple[ParameterValue, ...]  # sorted by effective_from
    confirmed: dt.date | None = None  # a later check that the latest value still holds (`confirmed:` in the file)

    def at(self, as_of: dt.date) -> ParameterValue | None:
        """The value in force on `as_of`, or None before the first date."""
        index = bisect.bisect_right([v.effective_from for v in self.values], as_of) - 1
        return self.values[index] if index >= 0 else None


def literal_value(raw: Any, unit: str) -> Any:
    """Convert a YAML parameter value into an engine value; raise ExprError when it is not a literal."""
    if isinstance(raw, bool) or raw is None or isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and unit == "date":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ExprError("bad-literal", f"'{raw}' is not a date (YYYY-MM-DD)") from None
    if isinstance(raw, int | Decimal):
        return exact(raw)
    if isinstance(raw, str) and unit in ("text", "code", "list"):
        return raw
    if isinstance(raw, str):
        node = parse(raw)
        if isinstance(node, Literal):
            return node.value
        if type(node).__name__ == "Unary" and isinstance(getattr(node, "operand", None), Literal):
            return -node.operand.value  # type: ignore[attr-defined]
        raise ExprError("bad-literal", f"'{raw}' is not a literal value (write e.g. 10%, 5000万元, 365)")
    if isinstance(raw, list):
        items = [literal_value(item, unit) for item in raw]
        if unit == "points" and len(items) == 2 and all(isinstance(i, int) for i in items):
            return Interval(items[0], items[1])
        return items
    if isinstance(raw, dict):
        return {key: literal_value(value, unit) for key, value in raw.items()}
    raise ExprError("bad-literal", f"unsupported parameter value {raw!r}")


BAND_KEYS = ("min", "over", "max", "under")


def band_lookup(x: Any, table: list[dict[str, Any]]) -> Any:
    """First row whose bound admits `x` (min: x ≥ b, over: x > b, max: x ≤ b, under: x < b, none: default)."""
    for row in table:
        if "min" in row and not x >= row["min"]:
            continue
        if "over" in row and not x > row["over"]:
            continue
        if "max" in row and not x <= row["max"]:
            continue
        if "under" in row and not x < row["under"]:
            continue
        return row["value"]
    return None
