"""results.parquet put together from chunks encoded on their own (engine.io.parquet_footer, ResultsFile): the
joined file reads back as the chunks' tables one after the other, a footer is written back byte for byte, a chunk
with page indexes is refused, and a run without results still writes a file with the schema."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.io import parquet_footer
from engine.io.results_parquet import SCHEMA, WRITE_OPTIONS, Encoded, ResultsFile, encoded


def chunk_table(k: int, n: int) -> pa.Table:
    """A results-shaped table: row numbers, and text columns with repeats and nulls that differ per chunk."""
    columns = [pa.array(np.arange(n, dtype=np.int64) + 1000 * k, pa.int64())]
    for field in list(SCHEMA)[1:]:
        texts = [None if i % 11 == 0 else f"{field.name}-{(i * 7 + k) % 13}-结果" for i in range(n)]
        columns.append(pa.array(texts, pa.string()).dictionary_encode())
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def as_text(table: pa.Table) -> pa.Table:
    return pa.table({name: column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column
                     for name, column in zip(table.column_names, table.columns, strict=True)})


def test_a_footer_is_written_back_byte_for_byte() -> None:
    _, footer = parquet_footer.split_file(encoded(chunk_table(1, 500)))
    assert parquet_footer.write_footer(parquet_footer.read_footer(footer)) == footer


def test_chunks_encoded_apart_join_into_one_file(tmp_path: Path) -> None:
    tables = [chunk_table(k, n) for k, n in enumerate((700, 1, 2500, 0, 40))]
    path = tmp_path / "results.parquet"
    with ResultsFile(path) as results:
        for k, table in enumerate(tables):  # a worker's encoded file, or a table encoded here
            results.write(Encoded.of(table, str(tmp_path / f"{k}.parquet")) if k % 2 else table)
    assert not list(tmp_path.glob("?.parquet"))  # the workers' files are removed once copied
    handle = pq.ParquetFile(path)
    assert handle.metadata.num_row_groups == 4 and handle.metadata.num_rows == 3241
    assert handle.schema_arrow == SCHEMA
    assert as_text(pq.read_table(path)).equals(as_text(pa.concat_tables(tables)))
    assert as_text(handle.read_row_group(2)).equals(as_text(tables[2]))


def test_no_results_still_write_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "results.parquet"
    with ResultsFile(path) as results:
        results.write(None)
    assert pq.read_table(path).schema == SCHEMA and pq.read_table(path).num_rows == 0


def test_page_indexes_are_refused(tmp_path: Path) -> None:
    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, SCHEMA, **WRITE_OPTIONS, write_page_index=True) as writer:
        writer.write_table(chunk_table(0, 100))
    _, footer = parquet_footer.split_file(sink.getvalue().to_pybytes())
    group = parquet_footer.row_groups(parquet_footer.read_footer(footer))[0]
    with pytest.raises(parquet_footer.FooterError):
        parquet_footer.moved(group, 10, 0)
