"""This file defines bounded reading of profile documents (YAML or JSON) from untrusted bytes, for every caller.

`load_document(text, source)` refuses what a profile never needs and an attacker would use — anchors and
aliases (the "billion laughs"), explicit non-plain tags, several documents in one file, duplicate keys — and
bounds size, nesting depth and node count *before* any object is built. Every refusal is a `DocumentError`
(a `ProfileError`) whose message names the problem and its `source:line:column` in Chinese and English.

Plain (unquoted) scalars that YAML 1.1 reads differently from what a person typed are refused too, naming the
field: impossible dates (`2024-02-30`, which the constructor would crash on), numbers longer than
`MAX_DIGITS` digits (a 4,300-digit integer), sexagesimal numbers (`1:20:30` read as 4830), the booleans
`yes/no/on/off/y/n` (write true/false), octal, binary and hexadecimal integers (`017` read as 15) and
underscored numbers (`1_000`). Quoting the value keeps it as text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.errors import Message, ProfileError, ProfileIssue

MAX_BYTES = 256 * 1024  # 80× the largest shipped sample; a profile is a few kilobytes
MAX_DEPTH = 32  # the deepest profile path (finance[2024].rd_expense, certificates[0].issued_on) is 4 levels
MAX_NODES = 20_000  # scalars + collections in one document
MAX_DIGITS = 30  # digits in one number: money in 元 needs 15 at most
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in
                       ("str", "int", "float", "bool", "null", "timestamp", "map", "seq"))
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DocumentError(ProfileError):
    """A profile document that cannot be read safely; `code`, `line` and `column` locate the first problem."""

    def __init__(self, source: str, code: str, zh: str, en: str, line: int = 0, column: int = 0):
        self.source, self.code, self.line, self.column = source, code, line, column
        where = f"{source}:{line}:{column}" if line else source
        super().__init__([ProfileIssue("(profile)", code, Message(f"{where}：{zh}", f"{where}: {en}"))])


def load_document(text: str | bytes, source: str, *, json_only: bool = False) -> Any:
    """Parse one YAML or JSON profile document with aliases, anchors and non-plain tags refused.

    Args:
        text: the document (bytes must be UTF-8; a BOM is accepted, except with `json_only`).
        source: a name for messages (a file name, "upload", "request body").
        json_only: the document must be JSON (an API request body): text that is not JSON is the DocumentError
            NOT_JSON naming the parser's complaint and its line, never read as YAML. The bounds are the same.

    Returns:
        The data: mappings, lists, strings, numbers, booleans, None and dates, as `yaml.safe_load` gives them.

    Raises:
        DocumentError: too large, not UTF-8, not YAML/JSON, empty, an alias or anchor, a non-plain tag, too deep,
            too many nodes, a duplicate key or several documents — naming the line.

    >>> load_document("staff: {total: 12}", "p.yaml")
    {'staff': {'total': 12}}
    >>> try:
    ...     load_document("a: &x 1\\nb: *x", "p.yaml")
    ... except DocumentError as exc:
    ...     print(exc.code, exc.line, exc.column)
    YAML_ANCHOR 1 4
    """
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise DocumentError(source, "DOCUMENT_TOO_LARGE", f"文件过大（{size}字节，上限{MAX_BYTES}字节）",
                            f"the document is too large ({size} bytes, at most {MAX_BYTES})")
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8" if json_only else "utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise DocumentError(source, "NOT_UTF8", "文件不是UTF-8编码（请另存为UTF-8）",
                                "the file is not UTF-8 encoded (save it as UTF-8)", line, 1) from None
    if json_only:
        data = _try_json(text, source)
        if data is _NOT_JSON:
            _not_json(text, source)
        return data
    text = text.removeprefix("\ufeff")
    if text.lstrip().startswith(("{", "[")):
        data = _try_json(text, source)
        if data is not _NOT_JSON:
            return data
    _check_events(text, source)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader, and the events were checked above
    except yaml.YAMLError as exc:  # pragma: no cover - the event pass has already parsed the same text
        raise _syntax_error(exc, text, source) from None


_NOT_JSON = object()


def _try_json(text: str, source: str) -> Any:
    """JSON first for JSON-looking text (YAML 1.1 reads `1e5` as a string); YAML gets its turn on a syntax error.

    The text is parsed first and its bracket depth scanned (to name the line) only when something is wrong: every
    refusal is the one the scan-first order gave (a document too deep is named as such before anything else)."""
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_refuse_constant, parse_int=_bounded_int,
                          parse_float=_bounded_float)
    except _DuplicateKey as exc:
        _scan_json_depth(text, source)
        _check_events(text, source)  # the YAML pass names the line of the second key
        raise DocumentError(source, "DUPLICATE_KEY", f"键“{exc.key}”在同一对象中出现两次",
                            f"the key {exc.key!r} appears twice in the same object") from None
    except RecursionError:
        _scan_json_depth(text, source)
        raise _too_deep(source, 0) from None
    except ValueError:
        _scan_json_depth(text, source)
        return _NOT_JSON
    _check_tree(data, text, source)
    return data


def _pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(items)
    if len(out) != len(items):
        seen: set[str] = set()
        for key, _value in items:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


# the standard JSON decoder's complaints (json.decoder, CPython 3.10+) in Chinese; any other is "语法错误"
_JSON_COMPLAINTS_ZH = (
    ("Expecting value", "此处应为一个值"),
    ("Expecting property name enclosed in double quotes", "键名应写在双引号中"),
    ("Expecting ',' delimiter", "此处缺少逗号"),
    ("Expecting ':' delimiter", "此处缺少冒号"),
    ("Extra data", "JSON结束后还有多余内容"),
    ("Unterminated string", "字符串缺少结尾的双引号"),
    ("Invalid control character", "字符串中有未转义的控制字符"),
    ("Invalid \\escape", "无效的转义序列"),
    ("Invalid \\uXXXX escape", "无效的\\uXXXX转义"),
    ("Illegal trailing comma", "末尾多了一个逗号"),
    ("maximum recursion depth", "嵌套层数过多"),
)


def _not_json(text: str, source: str) -> None:
    """Raise NOT_JSON with the standard parser's complaint; JSON that only the bounds refuse gets the YAML pass's
    refusal naming the field (a number with too many digits)."""
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        line, column = getattr(exc, "lineno", 0), getattr(exc, "colno", 0)
        reason = getattr(exc, "msg", None) or str(exc)
        zh = next((words for start, words in _JSON_COMPLAINTS_ZH if reason.startswith(start)), "语法错误")
        raise DocumentError(source, "NOT_JSON", f"不是有效的JSON（{zh}）", f"not valid JSON ({reason})",
                            line, column) from None
    _check_events(text, source)
    raise DocumentError(source, "NOT_JSON", "不是有效的JSON", "not valid JSON")  # pragma: no cover - refused above


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _bounded_int(text: str) -> int:
    if len(text) > MAX_DIGITS + 1:
        raise ValueError("too many digits")  # the YAML pass then names the field
    return int(text)


def _bounded_float(text: str) -> float:
    if sum(ch.isdigit() for ch in text) > MAX_DIGITS:
        raise ValueError("too many digits")
    return float(text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _scan_json_depth(text: str, source: str) -> None:
    """Bracket depth of JSON text before parsing it (the decoder recurses), naming the line that goes too deep."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "{[":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(source, text.count("\n", 0, match.start()) + 1)
        elif token in "}]":
            depth -= 1


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')


def _check_tree(data: Any, text: str, source: str) -> None:
    """The node and depth bounds on parsed JSON, a level at a time (no recursion on hostile input); a document
    past either is named by the bracket scan of its text first (the line that goes too deep)."""
    level: list[Any] = [data]
    nodes = depth = 0
    while level:
        nodes += len(level)
        if nodes > MAX_NODES:
            _scan_json_depth(text, source)
            raise _too_many(source, 0)
        below: list[Any] = []
        containers = False
        for value in level:
            if isinstance(value, dict):
                below.extend(value.values())
                containers = True
            elif isinstance(value, list):
                below.extend(value)
                containers = True
        if containers:
            depth += 1
            if depth > MAX_DEPTH:
                _scan_json_depth(text, source)
                raise _too_deep(source, 0)
        level = below


@dataclass
class _Frame:
    mapping: bool
    keys: set[Any] = field(default_factory=set)
    expect_key: bool = True
    key: str = ""  # a mapping's current key; a sequence's next index
    index: int = 0


def _check_events(text: str, source: str) -> None:
    """Walk the parser's events (no objects built): refuse aliases, anchors, tags, depth, size, duplicates."""
    loader = _Loader(text)
    walk = _Walk(source)
    try:
        while True:
            try:
                event = loader.get_event()
            except yaml.YAMLError as exc:
                raise _syntax_error(exc, text, source) from None
            if isinstance(event, yaml.StreamEndEvent):
                break
            walk.step(event)
        if walk.documents == 0 or walk.nodes == 0:
            raise DocumentError(source, "EMPTY_DOCUMENT", "文件为空（保存了一半？）", "the document is empty (a half-written save?)")
    finally:
        loader.dispose()


@dataclass
class _Walk:
    """The state of one event walk: open collections, nodes and documents seen."""

    source: str
    stack: list[_Frame] = field(default_factory=list)
    nodes: int = 0
    documents: int = 0

    def step(self, event: Any) -> None:
        line, column = event.start_mark.line + 1, event.start_mark.column + 1
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise DocumentError(self.source, "MULTIPLE_DOCUMENTS", "一个文件只能包含一份申请人资料（发现第二个“---”文档）",
                                    "a file holds one profile (found a second '---' document)", line, column)
        elif isinstance(event, yaml.CollectionEndEvent):
            self.stack.pop()
            if self.stack and not self.stack[-1].mapping:
                self.stack[-1].index += 1
        elif isinstance(event, yaml.NodeEvent):
            self._node(event, line, column)

    def _node(self, event: Any, line: int, column: int) -> None:
        _check_node(event, self.source, line, column)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _too_many(self.source, line)
        is_key = False
        if self.stack and self.stack[-1].mapping:
            frame = self.stack[-1]
            is_key = frame.expect_key
            if frame.expect_key:
                _check_key(event, frame, self.source, line, column)
                frame.key = str(event.value)
            frame.expect_key = not frame.expect_key
        if isinstance(event, yaml.ScalarEvent) and not is_key:
            _check_scalar(event, self.path(), self.source, line, column)
        if self.stack and not self.stack[-1].mapping and not isinstance(event, yaml.CollectionStartEvent):
            self.stack[-1].index += 1
        if isinstance(event, yaml.CollectionStartEvent):
            self.stack.append(_Frame(isinstance(event, yaml.MappingStartEvent)))
            if len(self.stack) > MAX_DEPTH:
                raise _too_deep(self.source, line)


    def path(self) -> str:
        """The dotted path of the value being read (`finance[0].sales`), for messages."""
        out = ""
        for frame in self.stack:
            out += (("." if out else "") + frame.key) if frame.mapping else f"[{frame.index}]"
        return out or "(document)"


_YAML11_BOOL = re.compile(r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_OTHER_BASE = re.compile(r"[-+]?(?:0b[0-1_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+)")
_UNDERSCORED = re.compile(r"[-+]?(?:[0-9][0-9_]*_[0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?")
_NUMBER = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)[0-9].*)?")


def _check_scalar(event: Any, path: str, source: str, line: int, column: int) -> None:
    """Refuse a plain scalar that YAML 1.1 would read as something other than what was typed (module docstring)."""
    if not event.implicit[0] or event.tag not in (None, "!") or event.style not in (None, ""):
        return  # quoted or tagged: text as typed
    value = event.value

    def refuse(code: str, zh: str, en: str) -> DocumentError:
        return DocumentError(source, code, f"字段 {path}：{zh}", f"field {path}: {en}", line, column)

    if _YAML11_BOOL.fullmatch(value):
        raise refuse("YAML_BOOLEAN_WORD", f"“{value}”含义不明确，请写 true 或 false（如要文字，请加引号）",
                     f"{value!r} is ambiguous; write true or false (quote it if you mean text)")
    if _SEXAGESIMAL.fullmatch(value):
        raise refuse("YAML_SEXAGESIMAL", f"“{value}”会被当作六十进制数，请写普通数字（如要文字，请加引号）",
                     f"{value!r} would be read as a base-60 number; write a plain number (quote it if you mean text)")
    if _OTHER_BASE.fullmatch(value) and value.lstrip("+-") not in ("0", "0_"):
        raise refuse("YAML_NUMBER_BASE", f"“{value}”会被当作八进制/二进制/十六进制数，请写十进制数（如要文字，请加引号）",
                     f"{value!r} would be read as an octal, binary or hexadecimal number; write it in decimal "
                     "(quote it if you mean text)")
    if _UNDERSCORED.fullmatch(value):
        raise refuse("YAML_NUMBER_UNDERSCORE", f"“{value}”中的下划线会被忽略，请去掉下划线",
                     f"the underscores in {value!r} would be dropped; remove them")
    if _NUMBER.fullmatch(value) and sum(ch.isdigit() for ch in value) > MAX_DIGITS:
        raise refuse("NUMBER_TOO_LONG", f"数字超过{MAX_DIGITS}位，请核对",
                     f"the number has more than {MAX_DIGITS} digits; check it")
    match = _DATE.fullmatch(value)
    if match:
        try:
            dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise refuse("DATE_IMPOSSIBLE", f"日期“{value}”不存在（请核对年、月、日）",
                         f"the date {value!r} does not exist (check the year, month and day)") from None


def _check_node(event: Any, source: str, line: int, column: int) -> None:
    if isinstance(event, yaml.AliasEvent):
        raise DocumentError(source, "YAML_ALIAS", f"不允许使用YAML别名（*{event.anchor}）；请直接写出数值",
                            f"YAML aliases (*{event.anchor}) are not allowed in a profile; write the value out",
                            line, column)
    if event.anchor is not None:
        raise DocumentError(source, "YAML_ANCHOR", f"不允许使用YAML锚点（&{event.anchor}）",
                            f"YAML anchors (&{event.anchor}) are not allowed in a profile", line, column)
    tag = event.tag
    if tag not in (None, "!") and tag not in PLAIN_TAGS:
        raise DocumentError(source, "YAML_TAG", f"不允许使用YAML标签 {tag}", f"the YAML tag {tag} is not allowed in a profile",
                            line, column)


def _check_key(event: Any, frame: _Frame, source: str, line: int, column: int) -> None:
    if not isinstance(event, yaml.ScalarEvent):
        raise DocumentError(source, "COMPLEX_KEY", "字段名应为简单文字", "a field name must be a plain scalar", line, column)
    key = event.value
    if key == "<<" and event.implicit[0]:  # plain `<<`, not the quoted string
        raise DocumentError(source, "YAML_MERGE", "不允许使用YAML合并键（<<）", "YAML merge keys (<<) are not allowed",
                            line, column)
    if key in frame.keys:
        raise DocumentError(source, "DUPLICATE_KEY", f"键“{key}”在同一映射中出现两次（后者会覆盖前者）",
                            f"the key {key!r} appears twice in the same mapping (the second would overwrite the first)",
                            line, column)
    frame.keys.add(key)


def _syntax_error(exc: yaml.YAMLError, text: str, source: str) -> DocumentError:
    mark = getattr(exc, "problem_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    position = getattr(exc, "position", None)  # a ReaderError (NUL, control characters) has no mark
    if mark is None and isinstance(position, int):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
    reason = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc).splitlines()[0]
    return DocumentError(source, "YAML_SYNTAX", f"不是有效的YAML/JSON（{reason}）", f"not valid YAML or JSON ({reason})",
                         line, column)


def _too_deep(source: str, line: int) -> DocumentError:
    return DocumentError(source, "DOCUMENT_TOO_DEEP", f"嵌套层数超过{MAX_DEPTH}层", f"nested deeper than {MAX_DEPTH} levels",
                         line, 1 if line else 0)


def _too_many(source: str, line: int) -> DocumentError:
    return DocumentError(source, "DOCUMENT_TOO_MANY_NODES", f"字段和数值超过{MAX_NODES}个",
                         f"more than {MAX_NODES} fields and values", line, 1 if line else 0)
