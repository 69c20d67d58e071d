"""Screening results column-wise: a chunk's (enterprise, measure) results as an Arrow table, written to Parquet.

results.parquet holds the rows of results.csv, one column each, in the same order: `row` (int64) and, as
dictionary-encoded text, the enterprise's `credit_code`, `name` and `region_code` as the register gives them
(null when empty, as results.jsonl writes them), then the result cells exactly as results.csv writes them before
quoting (`amount` is exact text: whole yuan, a terminating decimal, or n/d). A chunk's results are a few distinct
cell tuples repeated over its rows, so each column is built from the distinct tuples and an index per result —
no Python per result. Pure: arrays in, a table out; `ResultsFile` appends tables to one file in chunk order
(a worker's table may come as a `Spooled` Arrow file beside the outputs, mapped rather than unpickled).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

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


@dataclass(frozen=True)
class Spooled:
    """A chunk's table a worker wrote to a file (Arrow IPC) beside the outputs: only the name travels back, and
    the writing process maps the file instead of unpickling a copy (`ResultsFile.write` removes it)."""

    path: str

    @staticmethod
    def of(table: pa.Table, path: str) -> Spooled:
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        return Spooled(path)

    def load(self) -> pa.Table:
        with pa.memory_map(self.path) as source:
            return pa.ipc.open_file(source).read_all()


class ResultsFile:
    """results.parquet, written a chunk's table at a time (one row group per chunk), closed by `close()`."""

    def __init__(self, path: Path):
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(path, SCHEMA, compression="zstd", use_dictionary=True,
                                         write_statistics=["row"])  # statistics of the texts cost as much as the rest

    def write(self, given: pa.Table | Spooled | None) -> None:
        table = given.load() if isinstance(given, Spooled) else given
        if isinstance(given, Spooled):
            os.unlink(given.path)
        if table is not None and table.num_rows:
            self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
