"""Read the names rules use straight from a profile model or a trusted dict, without a namespace.

`engine.namespace.build_namespace` dumps and flattens the whole profile (about 40 µs). A compiled
RuleSet knows which names its rules read, so it builds one small accessor per name instead and reads
only those, lazily, memoised per profile. Every accessor returns exactly what the namespace holds
for that name: exact numbers (int / Fraction, never Decimal), list records as dicts carrying their
`__path__` label, and None when the value is absent.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from operator import attrgetter
from typing import Any

from pydantic import BaseModel

from engine.expr.values import exact
from engine.names import KIND_MODELS
from engine.namespace import LIST_KEYS
from engine.standards.regions import city_of, region_class

Accessor = Callable[[Any], Any]
DEFAULT_LISTS = {kind: frozenset(name for name, info in model.model_fields.items() if info.default_factory is list)
                 for kind, model in KIND_MODELS.items()}


def exact_value(value: Any) -> Any:
    """`exact()` with a shortcut for the common already-exact types."""
    kind = type(value)
    if kind is int or kind is str or kind is bool or value is None:
        return value
    if kind is Decimal:
        num, den = value.as_integer_ratio()
        return num if den == 1 else Fraction(num, den)
    if kind is Fraction or kind is float:
        return exact(value)
    return value


def _scalar_or_list(value: Any, path: str) -> Any:
    kind = type(value)
    if kind is int or kind is str or kind is bool or value is None or kind is dt.date:
        return value
    if kind is Decimal:
        return exact_value(value)
    if kind is list:
        if value and isinstance(value[0], BaseModel | dict):
            return [_record(item, path, i) for i, item in enumerate(value)]
        return [exact_value(v) for v in value]
    if isinstance(value, BaseModel | dict):
        return None  # a section is never a value of its own: the namespace holds its leaves
    return exact_value(value)


_FLAT: dict[type, bool] = {}


def _is_flat(model: type[BaseModel]) -> bool:
    """True when no field of the model holds a model or a list (its __dict__ is its dump)."""
    flat = _FLAT.get(model)
    if flat is None:
        flat = _FLAT[model] = not any(
            isinstance(a, type) and issubclass(a, BaseModel | list) or typing.get_origin(a) is list
            for info in model.model_fields.values() for a in (info.annotation, *typing.get_args(info.annotation)))
    return flat


def _record(item: Any, path: str, index: int) -> dict[str, Any]:
    if isinstance(item, BaseModel):
        data = item.__dict__ if _is_flat(type(item)) else item.model_dump(mode="python")
    else:
        data = item
    key_field = LIST_KEYS.get(path)
    record = {k: (v if (t := type(v)) is int or t is str or v is None or t is dict or t is list else exact_value(v))
              for k, v in data.items()}
    record["__path__"] = f"{path}[{data[key_field]}]" if key_field else f"{path}[{index}]"
    return record


def _leaf(path: str) -> Accessor:
    """Exact value of a leaf read from its section (inline fast types, the rest via _scalar_or_list)."""
    def value_of(value: Any) -> Any:
        kind = type(value)
        if kind is int or kind is bool or kind is str or value is None:
            return value
        return _scalar_or_list(value, path)
    return value_of


_MODELS: set[type] = set()  # the model classes met as sections (isinstance of BaseModel is a slower test)


def _model_one(name: str, path: str) -> Accessor:
    def one(obj: Any) -> Any:  # _leaf written in line: these are the reads a profile makes most
        value = getattr(obj, name, None)
        kind = type(value)
        if kind is int or kind is bool or kind is str or value is None:
            return value
        return _scalar_or_list(value, path)
    return one


def _model_two(section: str, name: str, path: str) -> Accessor:
    def two(obj: Any) -> Any:
        inner = getattr(obj, section, None)
        if type(inner) not in _MODELS:
            if not isinstance(inner, BaseModel):
                return None
            _MODELS.add(type(inner))
        return value_of(getattr(inner, name, None))
    value_of = _model_value(path)
    return two


def _model_value(path: str) -> Accessor:
    """A section field's value as the engine reads it (fast types in line, Decimal exact, the rest via
    _scalar_or_list): the one typing of _model_two and _model_section."""
    def value_of(value: Any) -> Any:
        kind = type(value)
        if kind is int or kind is bool or kind is str or value is None:
            return value
        if kind is Decimal:
            return exact_value(value)
        return _scalar_or_list(value, path)
    return value_of


def _model_section(section: str, name: str, path: str) -> Accessor:
    """_model_two for a section that every profile model declaring it types as a model (never a list): both reads
    by one operator.attrgetter; a model without the section, or a section left empty (None), gives None."""
    read = attrgetter(f"{section}.{name}")
    value_of = _model_value(path)

    def two(obj: Any) -> Any:
        try:
            value = read(obj)
        except AttributeError:
            return None
        return value_of(value)
    return two


def _is_section(section: str, name: str) -> bool:
    """True when every profile model with a field `section` types it as a model (or None) that has a field `name`."""
    found = False
    for model in KIND_MODELS.values():
        info = model.model_fields.get(section)
        if info is None:
            continue
        types = [a for a in (info.annotation, *typing.get_args(info.annotation)) if a is not type(None)]
        inner = [a for a in types if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(inner) != 1 or any(a is not inner[0] and a is not info.annotation for a in types) \
                or name not in inner[0].model_fields:
            return False
        found = True
    return found


def _walk_model(parts: tuple[str, ...], path: str) -> Accessor:
    leaf = _leaf(path)
    if len(parts) == 1:
        return _model_one(parts[0], path)
    if len(parts) == 2:
        if _is_section(*parts):
            return _model_section(parts[0], parts[1], path)
        return _model_two(parts[0], parts[1], path)

    def get(obj: Any) -> Any:
        for part in parts:
            if not isinstance(obj, BaseModel):
                return None
            obj = getattr(obj, part, None)
        return leaf(obj)
    return get


def _default_list(obj: dict[str, Any], name: str) -> Any:
    """A list left out of a dict is the model's default empty list (for the kinds that have one)."""
    value = obj.get(name)
    if value is None and name in DEFAULT_LISTS.get(obj.get("kind") or "enterprise", ()):
        return []
    return value


def _walk_dict(parts: tuple[str, ...], path: str) -> Accessor:
    leaf = _leaf(path)
    if len(parts) == 1:
        name = parts[0]
        if any(name in names for names in DEFAULT_LISTS.values()):
            return lambda obj: leaf(_default_list(obj, name))
        return lambda obj: leaf(obj.get(name))
    if len(parts) == 2:
        section, name = parts

        def two(obj: Any) -> Any:
            inner = obj.get(section)
            return leaf(inner.get(name)) if type(inner) is dict else None
        return two

    def get(obj: Any) -> Any:
        for part in parts:
            if not isinstance(obj, dict):
                return None
            obj = obj.get(part)
        return leaf(obj)
    return get


def _region(obj: Any, is_dict: bool) -> Any:
    return obj.get("region_code") if is_dict else getattr(obj, "region_code", None)


def _special(path: str, is_dict: bool) -> Accessor | None:
    if path == "kind":
        return (lambda obj: obj.get("kind") or "enterprise") if is_dict else (lambda obj: obj.kind)
    if path == "city":
        return lambda obj: city_of(r) if (r := _region(obj, is_dict)) else None
    if path == "region_class":
        return lambda obj: region_class(r) if (r := _region(obj, is_dict)) else None
    return None


def accessor(path: str, is_dict: bool) -> Accessor:
    """The accessor of one dotted name for a profile model (`is_dict=False`) or a trusted dict."""
    special = _special(path, is_dict)
    if special is not None:
        return special
    parts = tuple(path.split("."))
    return _walk_dict(parts, path) if is_dict else _walk_model(parts, path)


class Accessors:
    """Accessors by name for both kinds of source, built on first use and shared by every profile."""

    def __init__(self) -> None:
        self.model: dict[str, Accessor] = {}
        self.dict: dict[str, Accessor] = {}

    def table(self, is_dict: bool) -> dict[str, Accessor]:
        return self.dict if is_dict else self.model

    def get(self, path: str, is_dict: bool) -> Accessor:
        table = self.table(is_dict)
        found = table.get(path)
        if found is None:
            found = table[path] = accessor(path, is_dict)
        return found


def finance_items(src: Any, is_dict: bool) -> dict[int, Any] | None:
    """Fiscal-year records of a source by year (the last one wins, as in recent_years())."""
    items = _default_list(src, "finance") if is_dict else getattr(src, "finance", None)
    if items is None:
        return None
    if is_dict:
        return {item["year"]: item for item in items}
    return {item.year: item for item in items}


def unwrap(profile: Any) -> tuple[Any, bool, str]:
    """(source object, is it a dict, applicant kind) of a ParsedProfile, a profile model or a dict."""
    if type(profile) not in _MODELS and not isinstance(profile, dict | BaseModel):  # a ParsedProfile (a model
        inner = getattr(profile, "profile", None)  # has no `profile`: not asked, as pydantic answers a missing
        if inner is not None:  # attribute slowly)
            profile = inner
    if type(profile) in _MODELS:  # a model class met before (isinstance of BaseModel is a slower test)
        return profile, False, profile.kind
    if isinstance(profile, dict):
        return profile, True, profile.get("kind") or "enterprise"
    if isinstance(profile, BaseModel):
        _MODELS.add(type(profile))
    return profile, False, profile.kind
