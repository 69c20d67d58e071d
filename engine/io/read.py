"""Reading register files in chunks of text columns: CSV (UTF-8 or GBK), Parquet, and JSONL.

CSV and Parquet become pyarrow tables of strings in header order, with the row number of every row
(the header is row 1); rows pyarrow cannot split into the header's width are read again with the csv
module: a short row is padded with empty cells (unknown), a long row is kept as `long` for a reject.
JSONL lines are whole profiles, kept as text for `parse_profile`. Nothing is typed or checked here
(engine.io.table does that, possibly in another process); nothing is dropped except blank rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from engine.io.layout import sniff_encoding

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
# encodings in which bytes 0x0A, 0x0D and 0x22 are always the characters \n, \r and " (never part of another)
SPLITTABLE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "ascii", "gbk", "gb2312", "gb18030"})
PARQUET_SUFFIXES = (".parquet", ".pq")


class RegisterError(ValueError):
    """The file as a whole cannot be read (encoding, header); the message says what to do, in zh and en."""


@dataclass
class RawChunk:
    """Consecutive rows of a register, unvalidated: picklable, so it can be validated elsewhere."""

    kind: str  # table | jsonl
    header: list[str]
    table: pa.Table | None = None  # string columns in header order
    rows: Any = None  # row number of every table row
    long: list[tuple[int, list[str]]] = field(default_factory=list)  # rows with more cells than the header
    lines: list[tuple[int, str]] = field(default_factory=list)  # JSONL: (line number, text)

    @property
    def read(self) -> int:
        return (self.table.num_rows if self.table is not None else 0) + len(self.long) + len(self.lines)

    def head(self, n: int) -> RawChunk:
        """The chunk's first n rows (a view of the table), e.g. to warm a screener up on the register's data."""
        table = self.table.slice(0, n) if self.table is not None else None
        rows = self.rows[:n] if self.rows is not None else None
        return RawChunk(self.kind, self.header, table, rows, [], self.lines[:n])


@dataclass(frozen=True)
class Part:
    """Row groups of a Parquet register that a worker reads itself (`load()`): only the path travels, so a
    cluster's task graph holds nothing large. `start` is the row number of its first row."""

    path: str
    groups: tuple[int, ...]
    start: int

    def load(self) -> RawChunk:
        import pyarrow.parquet as pq

        handle = pq.ParquetFile(self.path)
        header = list(handle.schema_arrow.names)
        table = handle.read_row_groups(list(self.groups))
        columns = [_as_text(table.column(i).combine_chunks()) for i in range(len(header))]
        texts = pa.table({f"c{i}": column for i, column in enumerate(columns)})
        return RawChunk("table", header, texts, np.arange(self.start, self.start + texts.num_rows, dtype=np.int64))


def parquet_parts(path: Path, size: int = 50_000) -> list[Part]:
    """A Parquet register as partitions of whole row groups of about `size` rows, for workers to read."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except (pa.ArrowInvalid, OSError) as exc:
        raise RegisterError(f"{path}: 不是Parquet文件 / not a Parquet file ({exc})") from None
    if not meta.schema.names:
        raise RegisterError("空文件或缺少表头 / the file is empty or has no header row")
    parts, groups, rows, start = [], [], 0, 2
    for g in range(meta.num_row_groups):
        groups.append(g)
        rows += meta.row_group(g).num_rows
        if rows >= size:
            parts.append(Part(str(path.resolve()), tuple(groups), start))
            start, groups, rows = start + rows, [], 0
    if groups:
        parts.append(Part(str(path.resolve()), tuple(groups), start))
    return parts


@dataclass(frozen=True)
class CsvPart:
    """Lines of a CSV register that a worker reads itself: bytes [start, end) of the file, whose first line is line
    `first_line` of the file (the header is line 1). Only the description travels; `csv_parts` makes them only
    where every line break ends a row, so the part's rows, numbers and rejects are the whole-file reader's."""

    path: str
    encoding: str  # as chosen for the whole file (given or sniffed)
    header: tuple[str, ...]
    start: int
    end: int
    first_line: int

    def load(self) -> RawChunk:
        with open(self.path, "rb") as handle:
            handle.seek(self.start)
            data = handle.read(self.end - self.start)
        header = list(self.header)
        chunks = list(_csv_rows(pa.BufferReader(data), Path(self.path), self.encoding, header, 1 << 62, skip_rows=0,
                                first_line=self.first_line))
        return chunks[0] if chunks else RawChunk("table", header, _empty(len(header)), np.zeros(0, np.int64))


def csv_parts(path: Path, encoding: str | None = None, size: int = 50_000) -> list[CsvPart] | None:
    """A CSV register as byte ranges of about `size` lines, cut after a line feed, for workers to read — or None
    when a line break might not end a row and the file must be read in order by one reader: a quote anywhere in
    the file (a quoted cell may hold a line break), a carriage return not followed by a line feed (pyarrow ends a
    row there too), or an encoding other than UTF-8/GBK/GB18030/ASCII (where 0x0A might belong to a character)."""
    chosen = _encoding(path, encoding)
    try:
        if codecs.lookup(chosen).name not in SPLITTABLE_ENCODINGS:
            return None
    except LookupError:
        return None
    header = tuple(_header(path, chosen))
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b'"') >= 0 or data.find(b"\r") >= 0 and re.search(rb"\r(?!\n)", data):  # type: ignore[call-overload]
            return None
        start = data.find(b"\n") + 1  # the header's line: no quotes, so it ends at the first line feed
        if not start:
            return None
        sample = data[start:start + (1 << 20)]
        target = max(1, len(sample) * size // max(1, sample.count(b"\n")))  # bytes of about `size` lines
        parts, line, total, where = [], 2, len(data), str(path.resolve())
        while start < total:
            cut = data.find(b"\n", min(start + target, total) - 1)
            end = total if cut < 0 else cut + 1
            parts.append(CsvPart(where, chosen, header, start, end, line))
            line += data[start:end].count(b"\n")
            start = end
    return parts


def register_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    return "jsonl" if suffix in JSONL_SUFFIXES else "parquet" if suffix in PARQUET_SUFFIXES else "csv"


def raw_chunks(path: Path, encoding: str | None = None, size: int = 50_000) -> Iterator[RawChunk]:
    """The file's rows in chunks of about `size` rows, in file order."""
    kind = register_kind(path)
    if kind == "jsonl":
        yield from _jsonl_chunks(path, encoding, size)
    elif kind == "parquet":
        yield from _parquet_chunks(path, size)
    else:
        yield from _csv_chunks(path, encoding, size)


def _encoding(path: Path, encoding: str | None) -> str:
    if encoding:
        return encoding
    with path.open("rb") as handle:
        return sniff_encoding(handle.read(1 << 20))


def _jsonl_chunks(path: Path, encoding: str | None, size: int) -> Iterator[RawChunk]:
    chosen = _encoding(path, encoding)
    batch: list[tuple[int, str]] = []
    try:
        with path.open(encoding=chosen, newline="") as text:
            for number, line in enumerate(text, start=1):
                if line.strip():
                    batch.append((number, line))
                if len(batch) >= size:
                    yield RawChunk("jsonl", [], lines=batch)
                    batch = []
    except UnicodeDecodeError as exc:
        raise _not_encoded(path, chosen, exc) from None
    if batch:
        yield RawChunk("jsonl", [], lines=batch)


def _not_encoded(path: Path, chosen: str, exc: UnicodeDecodeError) -> RegisterError:
    return RegisterError(f"{path}: 不是{chosen}编码（可用 --encoding 指定，如 gbk） / not {chosen} "
                         f"text at byte {exc.start} (give --encoding, e.g. gbk)")


def _header(path: Path, chosen: str) -> list[str]:
    try:
        with path.open(encoding=chosen, newline="") as text:
            header = next(csv.reader(text), None)
    except UnicodeDecodeError as exc:
        raise _not_encoded(path, chosen, exc) from None
    if not header:
        raise RegisterError("空文件或缺少表头 / the file is empty or has no header row")
    return header


def _csv_chunks(path: Path, encoding: str | None, size: int) -> Iterator[RawChunk]:
    chosen = _encoding(path, encoding)
    yield from _csv_rows(path, path, chosen, _header(path, chosen), size, skip_rows=1, first_line=1)


def _csv_rows(source: Any, path: Path, chosen: str, header: list[str], size: int, skip_rows: int,
              first_line: int) -> Iterator[RawChunk]:
    """The CSV rows of `source` (the file, or a part's bytes whose first line is line `first_line` of the file) in
    chunks of about `size` rows, numbered as lines of the file (the header is row 1)."""
    names = [f"c{i}" for i in range(len(header))]
    odd: list[tuple[int, str]] = []
    shift = first_line - 1  # pyarrow numbers the source's lines from 1

    def keep_aside(row: Any) -> str:
        odd.append((row.number + shift, row.text))
        return "skip"

    reader = pcsv.open_csv(
        source, read_options=pcsv.ReadOptions(use_threads=False, block_size=1 << 22, skip_rows=skip_rows,
                                              column_names=names, encoding=_arrow_encoding(chosen)),
        parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                        invalid_row_handler=keep_aside),
        convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                            strings_can_be_null=False, quoted_strings_can_be_null=False))
    numbering = _Numbering(first_line + skip_rows)
    pending: list[RawChunk] = []
    try:
        for batch in reader:
            table = pa.Table.from_batches([batch])
            rows = numbering.place(table.num_rows, odd)
            table, rows = _without_blank_rows(table, rows)
            pending.append(_with_odd(header, table, rows, numbering.take(odd, int(rows[-1]) if len(rows) else 0)))
            if sum(c.read for c in pending) >= size:
                yield _merge(header, pending)
                pending = []
    except UnicodeDecodeError as exc:
        raise _not_encoded(path, chosen, exc) from None
    except pa.ArrowInvalid as exc:
        raise RegisterError(f"{path}: CSV无法解析 / cannot be parsed as CSV: {exc}") from None
    rest = numbering.take(odd, 1 << 62)
    if rest:
        pending.append(_with_odd(header, _empty(len(header)), np.zeros(0, np.int64), rest))
    if pending:
        yield _merge(header, pending)


def _without_blank_rows(table: pa.Table, rows: Any) -> tuple[pa.Table, Any]:
    """A blank line reads as a row of empty cells: it is not a row of the register (the csv module agrees);
    it keeps its number, so the rows after it keep theirs."""
    import pyarrow.compute as pc

    if not table.num_rows:
        return table, rows
    empty = pa.scalar("", pa.string())  # a scalar, not "": pyarrow would try to import pandas to convert it
    blank = np.logical_and.reduce([pc.equal(column, empty).to_numpy(zero_copy_only=False) for column in table.columns])
    return (table.filter(pa.array(~blank)), rows[~blank]) if blank.any() else (table, rows)


def _arrow_encoding(chosen: str) -> str:
    return "utf8" if chosen.replace("-", "").lower() in ("utf8", "utf8sig") else chosen


class _Numbering:
    """Row numbers of the rows pyarrow keeps, given the line numbers of those it set aside."""

    def __init__(self, first: int = 2) -> None:
        self.next = first  # the number of the source's first row

    def place(self, count: int, odd: list[tuple[int, str]]) -> Any:
        rows = np.arange(self.next, self.next + count, dtype=np.int64)
        for number in sorted(n for n, _ in odd if n >= self.next):
            if count and number <= rows[-1]:
                rows[rows >= number] += 1
        if count:
            self.next = int(rows[-1]) + 1
        return rows

    @staticmethod
    def take(odd: list[tuple[int, str]], upto: int) -> list[tuple[int, str]]:
        """The set-aside rows up to row `upto`, removed from `odd`."""
        taken = [item for item in odd if item[0] <= upto]
        odd[:] = [item for item in odd if item[0] > upto]
        return taken


def _with_odd(header: list[str], table: pa.Table, rows: Any, odd: list[tuple[int, str]]) -> RawChunk:
    """A chunk with the set-aside rows re-read: short ones padded into the table, long ones kept apart."""
    width = len(header)
    short: list[tuple[int, list[str]]] = []
    long: list[tuple[int, list[str]]] = []
    for number, text in odd:
        for cells in csv.reader(io.StringIO(text)):
            (long if len(cells) > width else short).append((number, cells + [""] * (width - len(cells))))
    if short:
        extra = pa.table({f"c{i}": pa.array([cells[i] for _, cells in short], pa.string()) for i in range(width)})
        table = pa.concat_tables([table, extra])
        rows = np.concatenate([rows, np.array([n for n, _ in short], np.int64)])
        order = np.argsort(rows, kind="stable")
        table, rows = table.take(pa.array(order)), rows[order]
    return RawChunk("table", header, table, rows, long)


def _empty(width: int) -> pa.Table:
    return pa.table({f"c{i}": pa.array([], pa.string()) for i in range(width)})


def _merge(header: list[str], chunks: list[RawChunk]) -> RawChunk:
    if len(chunks) == 1:
        return chunks[0]
    table = pa.concat_tables([c.table for c in chunks if c.table is not None])
    rows = np.concatenate([c.rows for c in chunks])
    return RawChunk("table", header, table, rows, [item for c in chunks for item in c.long])


def _parquet_chunks(path: Path, size: int) -> Iterator[RawChunk]:
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise RegisterError(f"{path}: 不是Parquet文件 / not a Parquet file ({exc})") from None
    header = list(handle.schema_arrow.names)
    if not header:
        raise RegisterError("空文件或缺少表头 / the file is empty or has no header row")
    start = 2
    for batch in handle.iter_batches(batch_size=size):
        columns = [_as_text(batch.column(i)) for i in range(len(header))]
        table = pa.table({f"c{i}": column for i, column in enumerate(columns)})
        rows = np.arange(start, start + table.num_rows, dtype=np.int64)
        start += table.num_rows
        yield RawChunk("table", header, table, rows)


def _as_text(column: pa.Array) -> pa.Array:
    """A Parquet column as the text a CSV would hold (true/false, YYYY-MM-DD, digits)."""
    if pa.types.is_boolean(column.type):
        import pyarrow.compute as pc

        return pc.if_else(column, "true", "false")
    return column.cast(pa.string())
