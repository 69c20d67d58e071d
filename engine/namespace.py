"""Flatten a validated profile into the names rules read: dotted paths, lists of records, specials."""

from __future__ import annotations

from typing import Any

from engine.expr.values import exact
from engine.standards.regions import city_of, region_class

LIST_KEYS = {"finance": "year"}  # list records addressed by a key field instead of their index


def build_namespace(profile: Any) -> dict[str, Any]:
    """Dotted path → exact value (None when not given); list fields → list of record dicts."""
    data = profile.model_dump(mode="python")
    out: dict[str, Any] = {}
    _flatten(data, "", out)
    region = data.get("region_code")
    out["kind"] = data.get("kind")
    out["city"] = city_of(region) if region else None
    out["region_class"] = region_class(region) if region else None
    return out


def _flatten(data: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{path}.", out)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out[path] = [_record(item, path, i) for i, item in enumerate(value)]
        elif isinstance(value, list) and not prefix and key in ("finance", "certificates", "loans", "projects"):
            out[path] = []
        else:
            out[path] = [exact(v) for v in value] if isinstance(value, list) else exact(value)


def _record(item: dict[str, Any], path: str, index: int) -> dict[str, Any]:
    key_field = LIST_KEYS.get(path)
    label = f"{path}[{item[key_field]}]" if key_field else f"{path}[{index}]"
    record = {k: (exact(v) if not isinstance(v, dict | list) else v) for k, v in item.items()}
    record["__path__"] = label
    return record
