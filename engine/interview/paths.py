"""This file reads and writes answers in profile data by profile path ("finance[2024].rd_expense").

Profile data is the dict a profile file holds (what `parse_profile` accepts). A fiscal year is addressed
by its year (`finance[2024]`), other lists by their index (`certificates[0]`). Writing never mutates
its input: it returns a new dict, so an interview step is a pure function of the answers so far.
"""

from __future__ import annotations

import copy
import re
from typing import Any

KEYED_LISTS = {"finance": "year"}  # list records addressed by a key field, as the engine names them
_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$")


def split_path(path: str) -> list[tuple[str, int | None]]:
    """'finance[2024].rd_expense' → [('finance', 2024), ('rd_expense', None)].

    >>> split_path("finance[2024].rd_expense")
    [('finance', 2024), ('rd_expense', None)]

    Raises:
        ValueError: the path is not a profile path.
    """
    out: list[tuple[str, int | None]] = []
    for part in path.split("."):
        found = _SEGMENT.match(part)
        if found is None:
            raise ValueError(f"not a profile path: {path!r}")
        out.append((found.group(1), int(found.group(2)) if found.group(2) is not None else None))
    return out


def _record(items: list[Any], name: str, index: int, create: bool) -> dict[str, Any] | None:
    key = KEYED_LISTS.get(name)
    if key is None:
        while create and len(items) <= index:
            items.append({})
        return items[index] if index < len(items) and isinstance(items[index], dict) else None
    for item in items:
        if isinstance(item, dict) and item.get(key) == index:
            return item
    if not create:
        return None
    items.append({key: index})
    items.sort(key=lambda item: item.get(key, 0) if isinstance(item, dict) else 0)
    return next(item for item in items if isinstance(item, dict) and item.get(key) == index)


def get_answer(data: dict[str, Any], path: str) -> Any:
    """The value stored at `path`, or None when it is not answered.

    >>> get_answer({"finance": [{"year": 2024, "sales": 1}]}, "finance[2024].sales")
    1
    """
    node: Any = data
    for name, index in split_path(path):
        node = node.get(name) if isinstance(node, dict) else None
        if index is not None:
            node = _record(node, name, index, create=False) if isinstance(node, list) else None
        if node is None:
            return None
    return node


def set_answer(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with `value` stored at `path` (None removes the answer).

    >>> set_answer({}, "finance[2024].sales", "450万元")
    {'finance': [{'year': 2024, 'sales': '450万元'}]}
    """
    out = copy.deepcopy(data)
    segments = split_path(path)
    node: Any = out
    for name, index in segments[:-1]:
        if index is None:
            if not isinstance(node.get(name), dict):
                node[name] = {}
            node = node[name]
        else:
            if not isinstance(node.get(name), list):
                node[name] = []
            node = _record(node[name], name, index, create=True)
    name, index = segments[-1]
    if index is not None:
        raise ValueError(f"an answer fills a field, not a whole record: {path!r}")
    if value is None:
        node.pop(name, None)
    else:
        node[name] = value
    return out


def set_answers(data: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """`set_answer` for several paths at once (in sorted path order, so the result is deterministic)."""
    out = data
    for path in sorted(answers):
        out = set_answer(out, path, answers[path])
    return out
