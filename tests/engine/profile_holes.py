"""Leave a field out of a profile dict, for tests that want unknowns: one helper for every engine test."""

from __future__ import annotations

from typing import Any


def drop(profile: dict[str, Any], path: tuple[Any, ...]) -> None:
    """Remove the value at `path` (keys and list indexes; -1 the last year); a path that is not there changes nothing."""
    target: Any = profile
    for part in path[:-1]:
        if isinstance(part, int) and not target:
            return
        target = target[part] if not isinstance(target, dict) or part in target else {}
    last = path[-1]
    if isinstance(last, int):
        if target:
            del target[last]
    elif isinstance(target, dict):
        target.pop(last, None)
