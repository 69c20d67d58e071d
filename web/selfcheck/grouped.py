"""This file groups an interview page's adverse declarations into one block answered "以上情形均没有".

The engine says which questions form a grouped unit (engine.interview.batch: `Question.batch`, the profile's
`adverse` fields of one record); here they are shown as one block — the statements listed, one box "以上情形均没有"
that answers each of them "否", and the items below it to be answered one by one where one applies or is not
known. Choosing the box and answering an item "是" or "不知道" contradict each other: the page says so.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from engine.errors import Message
from engine.interview.batch import ASK, CLEAN, NONE_OF

if TYPE_CHECKING:
    from web.selfcheck.interview import Asked


@dataclasses.dataclass
class Block:
    """What the page shows as one question: one Asked, or a grouped unit ("以上情形均没有") of several."""

    members: list[Asked]
    key: str = ""  # the batch, for a grouped unit
    ask: Message = ASK
    none_of: Message = NONE_OF
    used_for: str = ""  # the measures its answers are used for, in the page's language


def blocks(asked: list[Asked]) -> list[Block]:
    """The page's questions as shown: the yes/no items of one batch together (at its first item's place) where
    two or more are asked, every other question alone."""
    grouped: dict[str, list[Asked]] = {}
    for a in asked:
        if a.batch and a.spec is not None and a.spec.kind == "bool":
            grouped.setdefault(a.batch, []).append(a)
    out: list[Block] = []
    for a in asked:
        members = grouped.get(a.batch) if a.batch else None
        if members is None or len(members) < 2:
            out.append(Block([a]))
        elif a is members[0]:
            out.append(Block(members, a.batch))
    return out


CLEAN_VALUE = {True: "true", False: "false"}[CLEAN]
"""What "以上情形均没有" puts in each item's yes/no field."""


def none_of(asked: list[Asked], formdata: Any, chosen: set[str], declined: set[str]) -> tuple[Any, list[Asked]]:
    """The page's answers with every item of each chosen "以上情形均没有" answered "否" (a new MultiDict), and the
    items that contradict it (answered "是" or "不知道" one by one)."""
    data = formdata.copy()
    conflicts = []
    for block in blocks(asked):
        if block.key not in chosen:
            continue
        for a in block.members:
            assert a.spec is not None
            if a.path in declined or str(data.get(a.spec.name, "")) not in ("", CLEAN_VALUE):
                conflicts.append(a)
            else:
                data[a.spec.name] = CLEAN_VALUE
    return data, conflicts


def conflict_message(conflicts: list[Asked]) -> Message:
    """The page's error when "以上情形均没有" is chosen and some item is answered "是" or "不知道"."""
    return Message("已选“以上情形均没有”，但下列情形逐项答了“是”或“不知道”：" + "、".join(a.label.zh for a in conflicts)
                   + "。请取消其中一个。",
                   "\"None of these applies\" is chosen, but these are answered \"Yes\" or \"Don't know\": "
                   + "; ".join(a.label.en for a in conflicts) + ". Please undo one of them.")
