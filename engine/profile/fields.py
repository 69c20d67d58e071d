"""Field helpers for the profile models: every field declares its unit and its zh/en label.

The unit (money in whole yuan, count, ratio, area in ㎡, date, bool, text, code) drives the rule type
checker, the gap messages ("¥1.6M more") and the web forms (money shown in 万元).
"""

from __future__ import annotations

import types
import typing
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, NonNegativeInt
from pydantic_core import PydanticCustomError

from engine.standards.money import MAX_YUAN, MoneyFormatError, parse_money


def _money(value: Any, allow_negative: bool = False) -> Any:
    if value is None:
        return None
    if type(value) is int and (0 if not allow_negative else -MAX_YUAN) <= value <= MAX_YUAN:
        return value  # what parse_money answers for a whole number of yuan within its bounds (most fields, most forms)
    try:
        return parse_money(value, allow_negative=allow_negative)
    except MoneyFormatError as exc:
        raise PydanticCustomError(exc.code, "{en}", {"zh": exc.message.zh, "en": exc.message.en}) from None


def _signed_money(value: Any) -> Any:
    return _money(value, allow_negative=True)


def _count(value: Any) -> Any:
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise PydanticCustomError("NUMBER_FORMAT", "{en}", {"zh": "应为数字，例如 12 或 12.5。",
                                                                 "en": "Enter a number, e.g. 12 or 12.5."})
        value = Decimal(str(value))
    return value


Money = Annotated[NonNegativeInt, BeforeValidator(_money)]
"""Whole yuan; accepts 4500000, "4,500,000元", "450万元", "450.1234万"."""

SignedMoney = Annotated[int, BeforeValidator(_signed_money)]
Count = Annotated[Decimal, BeforeValidator(_count), Field(ge=0, max_digits=12, decimal_places=2)]
"""A head count or average (annual monthly averages may be fractional, e.g. 12.5)."""

MAX_WHOLE = 10**9
Whole = Annotated[int, Field(ge=0, le=MAX_WHOLE)]
"""A whole count, area or number of months: 0 … 10^9 (issue 18: no unbounded number reaches the store or triage;
a larger one is refused with "不能大于1000000000 / Enter 1000000000 or less", naming the field)."""


def required(unit: str, zh: str, en: str, **kwargs: Any) -> Any:
    """A field that must be given (no default): its absence is a field-named error, not an unknown."""
    return Field(..., description=f"{zh} / {en}", json_schema_extra={"unit": unit, "zh": zh, "en": en}, **kwargs)


def field(unit: str, zh: str, en: str, default: Any = None, *, adverse: bool = False, **kwargs: Any) -> Any:
    """A model field with its unit and bilingual label recorded in the JSON Schema.

    `adverse`: a yes/no whose "yes" is a finding against the applicant (on a blacklist, a major accident); the
    interview asks the adverse fields of one record together, with one answer "以上情形均没有" that answers
    each of them "no" (engine/interview: Question.batch).
    """
    extra: dict[str, Any] = {"unit": unit, "zh": zh, "en": en}
    if adverse:
        extra["adverse"] = True
    if "default_factory" in kwargs:
        return Field(description=f"{zh} / {en}", json_schema_extra=extra, **kwargs)
    return Field(default, description=f"{zh} / {en}", json_schema_extra=extra, **kwargs)


def unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the type inside Optional/Annotated/list of a profile field's annotation, whether it was a list)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return unwrap(inner[0]) if len(inner) == 1 else (annotation, False)
    if typing.get_origin(annotation) is typing.Annotated:
        return unwrap(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) is list:
        return unwrap(typing.get_args(annotation)[0])[0], True
    return annotation, False
