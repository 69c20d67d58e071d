"""The vocabulary rules may use: profile field paths with units, list names, facts and specials.

Built from the profile models themselves, so a new profile field is usable in rules at once and a
typo in a rule is a load error with the closest known name.
"""

from __future__ import annotations

import types
import typing
from functools import cache
from typing import Any

from pydantic import BaseModel

from engine.profile.carriers import IncubatorProfile, InstitutionProfile
from engine.profile.enterprise import EnterpriseProfile
from engine.profile.fields import unwrap
from engine.profile.people import TalentProfile, TeamProfile

KIND_MODELS: dict[str, type[BaseModel]] = {
    "enterprise": EnterpriseProfile,
    "incubator": IncubatorProfile,
    "institution": InstitutionProfile,
    "talent": TalentProfile,
    "team": TeamProfile,
}

SPECIAL_NAMES: dict[str, str] = {
    "as_of": "date",  # the date the decision is made for
    "kind": "code",  # applicant kind
    "city": "code",  # qingyuan | shaoguan | null, derived from region_code
    "region_class": "code",  # east_west_north | pearl_river_delta | other (粤东西北 / 珠三角)
}


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_list(a) for a in typing.get_args(annotation))
    return False


def _walk(model: type[BaseModel], prefix: str, out: dict[str, str]) -> None:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        nested = _model_of(info.annotation)
        if _is_list(info.annotation):
            out[path] = "list"
        elif nested is not None:
            _walk(nested, f"{path}.", out)
        else:
            out[path] = str(extra.get("unit", "any"))


@cache
def profile_names(kind: str) -> dict[str, str]:
    """Dotted field path → unit for one applicant kind."""
    out: dict[str, str] = {}
    _walk(KIND_MODELS[kind], "", out)
    return out


@cache
def all_profile_names() -> dict[str, str]:
    merged: dict[str, str] = {}
    for kind in KIND_MODELS:
        merged.update(profile_names(kind))
    return merged


def record_fields() -> dict[str, dict[str, str]]:
    """Fields of the records inside list fields (finance, certificates, loans, projects)."""
    out: dict[str, dict[str, str]] = {}
    for model in KIND_MODELS.values():
        for name, info in model.model_fields.items():
            item = _model_of(unwrap(info.annotation)[0])  # list[X] | None (an unanswered list is None)
            if _is_list(info.annotation) and item is not None:
                fields: dict[str, str] = {}
                _walk(item, "", fields)
                out.setdefault(name, {}).update(fields)
    return out
