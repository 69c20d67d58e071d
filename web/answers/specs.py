"""This file turns the profile models' field metadata (unit, zh/en label, type) into form field specs.

A `FieldSpec` names one form input and the profile path it fills: `staff-total` ↔ `staff.total`,
`finance-1-sales` ↔ `finance[1].sales` (row 1 of the form). The kind of input follows the model:
money (万元), number, date, bool (是/否/未回答), choice (a Literal), multi (a list of Literals), text.
A field added to a profile model therefore appears on the form without touching the web layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from engine.errors import Message
from engine.interview.fields import input_kind
from engine.profile.fields import unwrap

FORM_KINDS = {"int": "number", "decimal": "number", "code": "text"}
"""The engine's input kinds the form draws alike: a number box for whole and decimal numbers, a text box for codes."""


@dataclass(frozen=True)
class FieldSpec:
    """One input of a self-check form and the profile path it fills."""

    name: str  # form/HTML name and id: "staff-total", "finance-0-sales"
    path: str  # profile path: "staff.total", "finance[0].sales" (row index of the form)
    key: str  # the model's field name: "total", "sales"
    kind: str  # money | number | date | bool | choice | multi | text
    unit: str
    label: Message
    choices: tuple[str, ...] = ()
    default: str = ""
    required: bool = False
    group: str | None = None  # the list field a row belongs to ("finance", "certificates")
    row: int | None = None


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds (directly, optionally or as list items), else None."""
    inner, _ = unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def is_list(annotation: Any) -> bool:
    return unwrap(annotation)[1]


def _kind(annotation: Any, unit: str) -> tuple[str, tuple[str, ...]]:
    """The form input of a field: the engine's reading of its type (engine.interview.fields.input_kind, the one
    definition), with whole and decimal numbers as one "number" input and codes as text."""
    kind, choices = input_kind(annotation, unit)
    return FORM_KINDS.get(kind, kind), choices


def _label(info: Any, name: str) -> tuple[str, Message]:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return str(extra.get("unit", "text")), Message(str(extra.get("zh", name)), str(extra.get("en", name)))


def scalar_names(model: type[BaseModel]) -> list[str]:
    """Fields of `model` that are single values (not nested models, not lists of records)."""
    out = []
    for name, info in model.model_fields.items():
        if name == "kind" or model_of(info.annotation) is not None:
            continue
        if is_list(info.annotation) and _kind(info.annotation, "")[0] != "multi":
            continue
        out.append(name)
    return out


def field_specs(model: type[BaseModel], prefix: str = "", *, group: str | None = None, row: int | None = None,
                names: list[str] | None = None, within_required: bool = True) -> tuple[FieldSpec, ...]:
    """Specs for the scalar fields of `model`, under a dotted `prefix` or as row `row` of list `group`.

    A field is marked required only when the profile cannot do without it: required in its model *and*
    the model itself required (`within_required`); a required field of an optional record (a listing's
    board, a certificate's type) is not, since the whole record may be left out.

    >>> [s.name for s in field_specs(__import__("engine.profile.enterprise").profile.enterprise.Staff, "staff")][:2]
    ['staff-total', 'staff-sci_tech']
    """
    specs = []
    for name in names if names is not None else scalar_names(model):
        info = model.model_fields[name]
        unit, label = _label(info, name)
        kind, choices = _kind(info.annotation, unit)
        default = info.default if info.default not in (None, PydanticUndefined) else ""
        if group is not None:
            form_name, path = f"{group}-{row}-{name}", f"{group}[{row}].{name}"
        else:
            form_name = f"{prefix.replace('.', '-')}-{name}" if prefix else name
            path = f"{prefix}.{name}" if prefix else name
        specs.append(FieldSpec(form_name, path, name, kind, unit, label, choices, str(default),
                               info.is_required() and within_required and group is None, group, row))
    return tuple(specs)
