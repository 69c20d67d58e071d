"""Read a register file (CSV in UTF-8 or GBK, or JSONL) into validated profiles and rejects, in chunks.

CSV rows take the fast path of engine.register (typed values without pydantic) when they are plainly
valid, and `parse_profile` otherwise — which either accepts them or says, field by field in zh and en,
why not. JSONL lines are whole profiles for `parse_profile`. Every row ends up in exactly one place:
a profile to evaluate, or a reject with its reasons. Nothing is dropped silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import parse_profile
from engine.errors import Message, ProfileError, ProfileIssue
from engine.register import Layout, LayoutError, sniff_encoding


@dataclass
class Reject:
    """A register row that did not validate, with every reason."""

    row: int
    credit_code: str
    name: str
    issues: list[ProfileIssue]


@dataclass
class Chunk:
    """Consecutive rows: the accepted profiles (with their row numbers) and the rejects."""

    rows: list[int] = field(default_factory=list)
    profiles: list[Any] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    read: int = 0


class RegisterError(ValueError):
    """The file as a whole cannot be read (encoding, header); the message says what to do."""


def open_text(path: Path, encoding: str | None) -> tuple[io.TextIOBase, str]:
    """The file as text, in the given encoding or the one its first megabyte shows (UTF-8 or GBK)."""
    raw = path.open("rb")
    chosen = encoding or sniff_encoding(raw.read(1 << 20))
    raw.seek(0)
    return io.TextIOWrapper(raw, encoding=chosen, newline=""), chosen


def count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


@dataclass
class RawChunk:
    """Consecutive raw rows of a register: (row number, CSV cells or a JSON line)."""

    kind: str  # csv | jsonl
    header: list[str]
    items: list[tuple[int, Any]]


def raw_chunks(path: Path, encoding: str | None = None, size: int = 5000) -> Iterator[RawChunk]:
    """The file's rows in chunks, unvalidated (cheap: the work is in `validate`, which may run elsewhere)."""
    text, chosen = open_text(path, encoding)
    try:
        if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
            lines = ((n, line) for n, line in enumerate(text, start=1) if line.strip())
            yield from _chunked("jsonl", [], lines, size)
            return
        reader = csv.reader(text)
        header = next(reader, None)
        if not header:
            raise RegisterError("空文件或缺少表头 / the file is empty or has no header row")
        layout_of(tuple(header))
        rows = ((n, cells) for n, cells in enumerate(reader, start=2) if cells)
        yield from _chunked("csv", header, rows, size)
    except UnicodeDecodeError as exc:
        raise RegisterError(f"{path}: 不是{chosen}编码（可用 --encoding 指定，如 gbk） / not {chosen} "
                            f"text at byte {exc.start} (give --encoding, e.g. gbk)") from None
    finally:
        text.close()


def _chunked(kind: str, header: list[str], items: Iterator[tuple[int, Any]], size: int) -> Iterator[RawChunk]:
    batch: list[tuple[int, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield RawChunk(kind, header, batch)
            batch = []
    if batch:
        yield RawChunk(kind, header, batch)


_LAYOUTS: dict[tuple[str, ...], Layout] = {}


def layout_of(header: tuple[str, ...]) -> Layout:
    found = _LAYOUTS.get(header)
    if found is None:
        try:
            found = _LAYOUTS[header] = Layout(list(header))
        except LayoutError as exc:
            raise RegisterError("表头有误 / the header has problems: " + "; ".join(exc.problems)) from None
    return found


def raw_absent(raw: RawChunk) -> frozenset[str]:
    """Profile paths this register has no column for: absent from every row read on the fast path."""
    return layout_of(tuple(raw.header)).absent_paths() if raw.kind == "csv" else frozenset()


def validate(raw: RawChunk, today: dt.date) -> Chunk:
    """Validate a raw chunk: every row becomes a profile or a reject."""
    chunk = Chunk()
    if raw.kind == "jsonl":
        for number, line in raw.items:
            _add_line(chunk, number, line, today)
        return chunk
    layout = layout_of(tuple(raw.header))
    for number, cells in raw.items:
        _add_row(chunk, layout, number, cells, today)
    return chunk


def read_chunks(path: Path, today: dt.date, encoding: str | None = None, size: int = 5000) -> Iterator[Chunk]:
    """Validated chunks, in this process."""
    for raw in raw_chunks(path, encoding, size):
        yield validate(raw, today)


def _add_row(chunk: Chunk, layout: Layout, number: int, cells: list[str], today: dt.date) -> None:
    chunk.read += 1
    if len(cells) > layout.width:
        issue = ProfileIssue("(row)", "ROW_TOO_LONG", Message(
            f"本行有{len(cells)}个单元格，多于表头的{layout.width}列", f"{len(cells)} cells, the header has {layout.width}"))
        chunk.rejects.append(Reject(number, _cell(layout, cells, "credit_code"), _cell(layout, cells, "name"), [issue]))
        return
    fast = layout.fast_profile(cells, today)
    if fast is not None:
        chunk.rows.append(number)
        chunk.profiles.append(fast)
        return
    try:
        parsed = parse_profile(layout.raw_profile(cells), today)
    except ProfileError as exc:
        chunk.rejects.append(Reject(number, _cell(layout, cells, "credit_code"), _cell(layout, cells, "name"),
                                    exc.issues))
        return
    chunk.rows.append(number)
    chunk.profiles.append(parsed.profile)


def _cell(layout: Layout, cells: list[str], name: str) -> str:
    i = layout.index.get(name)
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _add_line(chunk: Chunk, number: int, line: str, today: dt.date) -> None:
    chunk.read += 1
    data: Any = None
    try:
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        parsed = parse_profile(data, today)
    except ProfileError as exc:
        chunk.rejects.append(Reject(number, str(data.get("credit_code") or ""), str(data.get("name") or ""),
                                    exc.issues))
    except ValueError as exc:
        chunk.rejects.append(Reject(number, "", "", [ProfileIssue("(line)", "JSON_INVALID", Message(
            f"不是有效的JSON对象（{exc}）", f"not a valid JSON object ({exc})"))]))
    else:
        chunk.rows.append(number)
        chunk.profiles.append(parsed.profile)
