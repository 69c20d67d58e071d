"""Screening results column-wise: a chunk's (enterprise, measure) results as an Arrow table, written to Parquet.

results.parquet holds the rows of results.csv, one column each, in the same order: `row` (int64) and, as
dictionary-encoded text, the enterprise's `credit_code`, `name` and `region_code` as the register gives them
(null when empty, as results.jsonl writes them), then the result cells exactly as results.csv writes them before
quoting (`amount` is exact text: whole yuan, a terminating decimal, or n/d). A chunk's results are a few distinct
cell tuples repeated over its rows, so each column is built from the distinct tuples and an index per result —
no Python per result. Pure: arrays in, a table out; `ResultsFile` appends tables to one file in chunk order
(a worker's table comes already encoded, as an `Encoded` Parquet file beside the outputs whose pages are copied).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from engine.io.parquet_footer import (
    MAGIC,
    Struct,
    joined,
    moved,
    read_footer,
    row_groups,
    split_file,
    write_footer,
)

ENTERPRISE_COLUMNS = ("credit_code", "name", "region_code")
CELL_COLUMNS = ("measure", "outcome", "amount", "amount_kind", "first_failing", "first_failing_text", "missing")
_TEXT = pa.dictionary(pa.int32(), pa.string())
SCHEMA = pa.schema([("row", pa.int64()), *((name, _TEXT) for name in (*ENTERPRISE_COLUMNS, *CELL_COLUMNS))])


def results_table(rows: Any, texts: Mapping[str, Sequence[Any]], rows_i: Any, cells: Sequence[tuple[Any, ...]],
                  which: Any) -> pa.Table:
    """The results of one chunk: result k is row `rows_i[k]` of the chunk (whose register row number is
    `rows[rows_i[k]]` and whose enterprise texts are `texts[name][rows_i[k]]`) with the cells `cells[which[k]]`."""
    rows_i = np.asarray(rows_i, np.int32)  # the indices of the dictionary arrays, as they are stored
    columns: list[pa.Array] = [pa.array(np.asarray(rows, np.int64)[rows_i], pa.int64())]
    for name in ENTERPRISE_COLUMNS:
        values = list(texts[name])
        unknown = np.fromiter((v is None for v in values), bool, len(values))
        dictionary = pa.array(["" if v is None else v for v in values], pa.string())
        columns.append(_dictionary(rows_i, dictionary, unknown[rows_i] if unknown.any() else None))
    which = np.asarray(which, np.int32)
    for c in range(len(CELL_COLUMNS)):
        encoded = pa.array([str(cell[c]) for cell in cells], pa.string()).dictionary_encode()
        index = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), np.int32)
        columns.append(_dictionary(index[which] if len(which) else which, encoded.dictionary, None))
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def _dictionary(indices: Any, dictionary: pa.Array, null: Any) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(indices, np.int32), pa.int32(), mask=null), dictionary)


WRITE_OPTIONS: dict[str, Any] = {"compression": "zstd", "use_dictionary": True,
                                 "write_statistics": ["row"]}  # statistics of the texts cost as much as the rest


def encoded(table: pa.Table | None) -> bytes:
    """A chunk's table as a whole Parquet file of one row group (none for no table), as results.parquet writes it."""
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, SCHEMA, **WRITE_OPTIONS) as writer:
        if table is not None and table.num_rows:
            writer.write_table(table)
    return sink.getvalue().to_pybytes()


@dataclass(frozen=True)
class Encoded:
    """A chunk's table a worker encoded into a Parquet file of its own beside the outputs: only the name travels
    back, and `ResultsFile.write` copies its pages into results.parquet as they are (the Parquet encoding, ~5 µs a
    register row, runs in the workers, not in the one process writing the file). `ResultsFile.write` removes it."""

    path: str

    @staticmethod
    def of(table: pa.Table, path: str) -> Encoded:
        with open(path, "wb") as sink:
            sink.write(encoded(table))
        return Encoded(path)

    def take(self) -> bytes:
        with open(self.path, "rb") as source:
            data = source.read()
        os.unlink(self.path)
        return data


class ResultsFile:
    """results.parquet, a chunk's table at a time (one row group per chunk, in the order given), closed by `close()`.

    Every chunk is encoded on its own, by a worker (`Encoded`) or here, into a Parquet file of one row group; its
    pages are appended to results.parquet as they are and its row group's offsets moved to where they landed
    (engine.io.parquet_footer); `close()` writes one footer holding every row group."""

    def __init__(self, path: Path):
        self.handle = path.open("wb")
        self.handle.write(MAGIC)
        self.first: Struct | None = None  # the first chunk's footer: the schema and metadata of the whole file
        self.groups: list[Struct] = []

    def write(self, given: pa.Table | Encoded | None) -> None:
        if isinstance(given, Encoded):
            self._append(given.take())
        elif given is not None and given.num_rows:
            self._append(encoded(given))

    def _append(self, data: bytes) -> None:
        start, footer = split_file(data)
        meta = read_footer(footer)
        shift = self.handle.tell() - len(MAGIC)  # the chunk's byte p lands at p + shift
        self.handle.write(memoryview(data)[len(MAGIC):start])
        self.groups.extend(moved(group, shift, len(self.groups) + i) for i, group in enumerate(row_groups(meta)))
        self.first = self.first or meta

    def close(self) -> None:
        if self.first is None:  # no results at all: the schema alone
            self._append(encoded(None))
        assert self.first is not None
        footer = write_footer(joined(self.first, self.groups))
        self.handle.write(footer + len(footer).to_bytes(4, "little") + MAGIC)
        self.handle.close()

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
