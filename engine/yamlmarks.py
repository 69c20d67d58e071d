"""YAML reading for rule files: line marks for every value, duplicate keys rejected, no floats.

Floats in rule files become `Decimal` from their source text, so `0.6` means exactly 3/5.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from engine.errors import RuleFileError

Marks = dict[tuple[Any, ...], tuple[int, int]]
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, filename: str) -> tuple[Any, Marks, list[RuleFileError]]:
    """Parse `text`; return (data, marks by path, errors). Never raises on bad YAML."""
    loader: Any = None
    try:
        try:  # libyaml when present (10× faster, same nodes and marks); the Python parser words any error
            loader = _FAST_LOADER(text)
            node = loader.get_single_node()
        except yaml.YAMLError:
            if loader is not None:
                loader.dispose()
            loader = yaml.SafeLoader(text)
            node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        position = getattr(exc, "position", None)  # a ReaderError (NUL, control characters) has no mark
        if mark is None and isinstance(position, int):
            line = text.count("\n", 0, position) + 1
            col = position - (text.rfind("\n", 0, position) + 1) + 1
        reason = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc).splitlines()[0]
        return None, {}, [RuleFileError(filename, line, col, "yaml-syntax", str(reason))]
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return None, {}, [RuleFileError(filename, 1, 1, "empty-file", "the file is empty (a half-written save?)")]
    marks: Marks = {}
    errors: list[RuleFileError] = []
    data = _build(node, (), marks, errors, filename, loader)
    return data, marks, errors


def _build(node: yaml.Node, path: tuple[Any, ...], marks: Marks, errors: list[RuleFileError],
           filename: str, loader: yaml.SafeLoader) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, loader, errors, filename)
            if isinstance(key, Decimal):
                key = str(key)
            if key in out:
                line = key_node.start_mark.line + 1
                errors.append(RuleFileError(filename, line, key_node.start_mark.column + 1, "duplicate-key",
                                            f"key '{key}' appears twice in the same mapping"))
                continue
            out[key] = _build(value_node, (*path, key), marks, errors, filename, loader)
            marks[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), marks, errors, filename, loader) for i, item in enumerate(node.value)]
    return _scalar(node, loader, errors, filename)


PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


def _scalar(node: yaml.Node, loader: yaml.SafeLoader, errors: list[RuleFileError], filename: str) -> Any:
    if node.tag not in PLAIN_TAGS:
        mark = node.start_mark
        errors.append(RuleFileError(filename, mark.line + 1, mark.column + 1, "unsupported-tag",
                                    f"the YAML tag {node.tag} is not allowed in rule files"))
        return str(node.value)
    if node.tag == "tag:yaml.org,2002:float":
        return Decimal(str(node.value).replace("_", ""))
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError) as exc:
        mark = node.start_mark
        errors.append(RuleFileError(filename, mark.line + 1, mark.column + 1, "bad-value",
                                    f"'{node.value}' is not a valid value here ({exc})"))
        return str(node.value)


def mark_of(marks: Marks, path: tuple[Any, ...]) -> tuple[int, int]:
    """The nearest recorded position for `path` (walking up to the parent when needed)."""
    while path not in marks and path:
        path = path[:-1]
    return marks.get(path, (0, 0))
