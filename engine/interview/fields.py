"""This file describes a profile path for a question: its label, input kind, unit, choices and group.

Everything comes from the profile models' own field metadata (engine/profile: unit, type; the label from
engine.profile.labels.field_label, the one definition of a path's label), so a field added to a model can
be asked at once.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from engine.errors import Message
from engine.interview.paths import KEYED_LISTS, split_path
from engine.names import KIND_MODELS
from engine.profile.fields import unwrap
from engine.profile.labels import field_label
from engine.standards.regions import NO_PARK, PARKS

ABSENT = "exists"
"""A record's field that says whether the thing exists at all (rd_centre.exists): answered false ("没有研发中心"),
it answers every question about the record's figures (the rules read it: none of them can be met)."""


@dataclass(frozen=True)
class FieldInfo:
    """What a question needs to know about the profile field a path names."""

    label: Message
    unit: str
    kind: str  # money | int | decimal | date | bool | choice | multi | code | text | record | records
    group: str
    choices: tuple[str, ...] = ()
    required: bool = False
    siblings: tuple[str, ...] = ()  # required fields of the same record (asked together)
    adverse: bool = False  # a "yes" counts against the applicant: asked with "以上情形均没有" (engine.interview.batch)
    absent: str = ""  # the record's "exists" field: "没有研发中心" (it answered false) is another answer to this one


def input_kind(annotation: Any, unit: str) -> tuple[str, tuple[str, ...]]:
    """The input a profile field needs (money, int, decimal, date, bool, choice, multi, code, text) and the
    stored values of a choice, from its annotation and unit: the one reading of a field's type, which the web
    forms derive theirs from (web.answers.specs).

    >>> input_kind(bool | None, "bool"), input_kind(int | None, "money")
    (('bool', ()), ('money', ()))
    """
    inner, many = unwrap(annotation)
    if typing.get_origin(inner) is Literal:
        return ("multi" if many else "choice"), tuple(str(a) for a in typing.get_args(inner))
    if inner is bool:
        return "bool", ()
    if inner is dt.date:
        return "date", ()
    if unit == "money":
        return "money", ()
    if inner is Decimal:
        return "decimal", ()
    if inner is int:
        return "int", ()
    return ("code" if unit == "code" else "text"), ()


def _extra(info: Any) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


@cache
def field_info(kind: str, path: str) -> FieldInfo | None:
    """The metadata of `path` in the profile model of `kind`, or None when the model has no such field.

    >>> field_info("enterprise", "finance[2024].rd_expense").label.zh
    '2024年度研究开发费用总额'
    """
    model: type[BaseModel] | None = KIND_MODELS.get(kind)
    segments = split_path(path)
    prefix: list[str] = []
    key = None
    for position, (name, index) in enumerate(segments):
        if model is None or name not in model.model_fields:
            return None
        info = model.model_fields[name]
        inner, many = unwrap(info.annotation)
        is_model = isinstance(inner, type) and issubclass(inner, BaseModel)
        if position == len(segments) - 1:
            group = segments[0][0] if len(segments) > 1 or is_model else "identity"
            if is_model:
                return FieldInfo(field_label(path, kind), "record",
                                 "records" if many and index is None else "record", group)
            unit = str(_extra(info).get("unit", "text"))
            kind_, choices = input_kind(info.annotation, unit)
            siblings = tuple(".".join([*prefix, other]) for other, sub in model.model_fields.items()
                             if sub.is_required() and other not in (name, key)) if prefix else ()
            absent = ".".join([*prefix, ABSENT]) if prefix and ABSENT in model.model_fields and name != ABSENT else ""
            return FieldInfo(field_label(path, kind), unit, kind_, group, choices, info.is_required(), siblings,
                             bool(_extra(info).get("adverse")), absent)
        if not is_model or (many and index is None):
            return None
        prefix.append(f"{name}[{index}]" if index is not None else name)
        key = KEYED_LISTS.get(name) if index is not None else None
        model = inner
    return None


def code_choices(path: str, region_code: Any) -> tuple[str, ...]:
    """The stored values a code field may take for this profile: "in no park" (NO_PARK), then the parks of its
    county (other fields: none).

    >>> code_choices("park_code", "441802")[:2]
    ('none', 'QY-GXQ')
    """
    if path != "park_code" or not isinstance(region_code, str):
        return ()
    return (NO_PARK, *(code for code, park in PARKS.items() if region_code in park.counties))
