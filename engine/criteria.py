"""Parse a criteria tree (all / any / not over named conditions) from rule-file data, with marks."""

from __future__ import annotations

from typing import Any

from engine.errors import ExprError, Message, RuleFileError
from engine.expr.parser import parse
from engine.model import Condition, Criterion, Group
from engine.yamlmarks import Marks, mark_of

LEAF_KEYS = {"id", "text", "fails", "when", "source", "gap"}
GROUP_KEYS = {"id", "text", "all", "any", "not"}


class CriteriaParser:
    """Collects every error in a criteria tree instead of stopping at the first."""

    def __init__(self, filename: str, marks: Marks):
        self.filename = filename
        self.marks = marks
        self.errors: list[RuleFileError] = []
        self.ids: set[str] = set()
        self.leaf_paths: dict[str, tuple[Any, ...]] = {}

    def error(self, path: tuple[Any, ...], code: str, message: str, hint: str = "", col_offset: int = 0) -> None:
        line, col = mark_of(self.marks, path)
        self.errors.append(RuleFileError(self.filename, line, col + col_offset, code, message, hint))

    def parse(self, data: Any, path: tuple[Any, ...]) -> Criterion | None:
        if isinstance(data, list):
            data = {"all": data}
        if not isinstance(data, dict):
            self.error(path, "criteria-shape", "a criterion must be a mapping with 'when' or all/any/not")
            return None
        if "when" in data:
            return self._leaf(data, path)
        return self._group(data, path)

    def _text(self, data: Any, path: tuple[Any, ...], required: bool) -> Message | None:
        if data is None:
            if required:
                self.error(path, "missing-text", "every condition needs text: {zh: …, en: …}")
            return None
        if not isinstance(data, dict) or not data.get("zh") or not data.get("en") or set(data) - {"zh", "en"}:
            self.error(path, "bad-text", "text must be {zh: …, en: …} with both languages")
            return None
        return Message(str(data["zh"]), str(data["en"]))

    def _check_id(self, data: dict[str, Any], path: tuple[Any, ...]) -> str:
        cid = data.get("id")
        if not isinstance(cid, str) or not cid.replace("_", "").isalnum():
            self.error(path, "bad-id", "every criterion needs an id of letters, digits and _")
            return "?"
        if cid in self.ids:
            self.error((*path, "id"), "duplicate-id", f"criterion id '{cid}' is used twice in this measure")
        self.ids.add(cid)
        return cid

    def _leaf(self, data: dict[str, Any], path: tuple[Any, ...]) -> Condition | None:
        for key in set(data) - LEAF_KEYS:
            self.error((*path, key), "unknown-key", f"unknown key '{key}' in a condition",
                       hint=f"allowed: {', '.join(sorted(LEAF_KEYS))}")
        cid = self._check_id(data, path)
        self.leaf_paths[cid] = (*path, "when")
        text = self._text(data.get("text"), (*path, "text"), required=True)
        fails = self._text(data.get("fails"), (*path, "fails"), required=False)
        source_text = data.get("when")
        gap = data.get("gap", "numerator")
        if gap not in ("numerator", "both", "none"):
            self.error((*path, "gap"), "bad-gap", "gap must be numerator, both or none")
        if not isinstance(source_text, str):
            self.error((*path, "when"), "bad-expression", "'when' must be an expression in quotes")
            return None
        try:
            expr = parse(source_text)
        except ExprError as exc:
            self.error((*path, "when"), exc.code, f"{exc.message} in: {source_text}", col_offset=exc.offset + 6)
            return None
        if text is None:
            return None
        return Condition(cid, text, fails, expr, source_text, data.get("source"), gap)

    def _group(self, data: dict[str, Any], path: tuple[Any, ...]) -> Group | None:
        ops = [k for k in ("all", "any", "not") if k in data]
        for key in set(data) - GROUP_KEYS:
            self.error((*path, key), "unknown-key", f"unknown key '{key}' in a criteria group",
                       hint="a condition needs 'when'; a group needs one of all/any/not")
        if len(ops) != 1:
            self.error(path, "criteria-shape", "a group needs exactly one of all / any / not")
            return None
        op = ops[0]
        cid = str(data.get("id") or f"{op}_{len(self.ids)}")
        if "id" in data:
            cid = self._check_id(data, path)
        text = self._text(data.get("text"), (*path, "text"), required=False)
        items = data[op] if isinstance(data[op], list) else [data[op]]
        if op == "not" and len(items) != 1:
            self.error((*path, op), "criteria-shape", "'not' takes exactly one criterion")
        children = [self.parse(item, (*path, op, i)) for i, item in enumerate(items)]
        if any(c is None for c in children):
            return None
        return Group(cid, op, text, tuple(c for c in children if c is not None))
