"""This file gives the human zh/en label of any profile path, so no page or message shows an internal name.

Labels come from the profile models' own field metadata (engine/profile/fields.py `field`/`required`), so a
field added to a model is labelled at once. List items are named by their fiscal year (`finance[2024]`) or by
their position (`certificates[0]` → item 1); the sections of a person (`person`, `leader`) prefix their fields.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel

from engine.errors import Message

SPECIAL_LABELS: dict[str, Message] = {
    "(profile)": Message("申请资料", "the profile"),
    "kind": Message("申请主体类型", "applicant kind"),
    "as_of": Message("评价日期", "decision date"),
    "city": Message("所在地级市", "city"),
    "region_class": Message("所在区域（粤东西北/珠三角）", "region (east/west/north Guangdong or Pearl River Delta)"),
}
"""Names that are not model fields: the whole profile, the discriminator, and the engine's special names."""

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?")
_FIRST_YEAR = 1900  # a `finance[...]` key from here up is a fiscal year, below it a list position


def _models(kind: str | None) -> list[type[BaseModel]]:
    from engine.names import KIND_MODELS  # engine.names imports the profile models: import it late

    first = [KIND_MODELS[kind]] if kind in KIND_MODELS else []
    return first + [m for m in KIND_MODELS.values() if m not in first]


def _extra(info: Any) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def _nested(annotation: Any) -> type[BaseModel] | None:
    for arg in (annotation, *getattr(annotation, "__args__", ())):
        inner = getattr(arg, "__args__", (arg,))[0] if getattr(arg, "__origin__", None) is list else arg
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return None


def _item(list_label: Message, key: str, leaf: Message | None) -> Message:
    """A list item's label: a fiscal year for finance, otherwise its position (1-based) or its key."""
    if key.isdigit() and int(key) >= _FIRST_YEAR:
        if leaf is None:
            return Message(f"{key}年度财务数据", f"figures for fiscal year {key}")
        return Message(f"{key}年度{leaf.zh}", f"{leaf.en} ({key})")
    number = str(int(key) + 1) if key.isdigit() else key
    head = Message(f"{list_label.zh}第{number}项", f"{list_label.en}, item {number}")
    return head if leaf is None else Message(f"{head.zh}：{leaf.zh}", f"{head.en}: {leaf.en}")


def _label_in(model: type[BaseModel], segments: list[tuple[str, str | None]]) -> Message | None:
    name, key = segments[0]
    info = model.model_fields.get(name)
    if info is None:
        return None
    extra = _extra(info)
    own = Message(str(extra["zh"]), str(extra["en"])) if "zh" in extra and "en" in extra else None
    nested = _nested(info.annotation)
    rest = segments[1:]
    leaf = None
    if rest:
        if nested is None:
            return None
        leaf = _label_in(nested, rest)
        if leaf is None:
            return None
    if key is not None:
        return _item(own or Message(name, name), key, leaf)
    if leaf is None:
        return own
    if extra.get("unit") == "person" and own is not None:
        return Message(f"{own.zh}：{leaf.zh}", f"{own.en}: {leaf.en}")
    return leaf


@cache
def field_label(path: str, kind: str | None = None) -> Message:
    """The zh/en label of a profile path; `kind` is asked first, then every other applicant kind.

    Args:
        path: a profile path as rules, questions and errors write it: "staff.total",
            "finance[2024].rd_expense" (by year), "certificates[0].issued_on" (by position).
        kind: enterprise | incubator | institution | talent | team, or None.

    Returns:
        The label; the path itself only for a name no profile model has.

    >>> field_label("finance[2024].rd_expense").zh, field_label("finance[2024].rd_expense").en
    ('2024年度研究开发费用总额', 'R&D expense (2024)')
    >>> field_label("rd_centre.founded_on").en
    'date the R&D centre was set up'
    >>> field_label("certificates[2].issued_on").zh
    '已获资格/证书第3项：发证/认定日期'
    """
    if path in SPECIAL_LABELS:
        return SPECIAL_LABELS[path]
    segments = [(m.group(1), m.group(2)) for m in _SEGMENT.finditer(path)]
    if not segments or ".".join(n + (f"[{k}]" if k is not None else "") for n, k in segments) != path:
        return Message(path, path)
    for model in _models(kind):
        found = _label_in(model, segments)
        if found is not None:
            return found
    return Message(path, path)


def has_label(path: str, kind: str | None = None) -> bool:
    """True when `path` names a profile field (its label is not the path itself)."""
    label = field_label(path, kind)
    return label.zh != path or label.en != path
