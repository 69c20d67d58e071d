"""Registers in and out of the engine: the flat layout, file readers into columns, column-wise validation.

    for raw in raw_chunks(path):                 # CSV (UTF-8/GBK), Parquet or JSONL, in chunks
        chunk = validate(raw, today)             # typed columns for accepted rows + rejects with reasons
        result = evaluate_chunk(columnar, chunk) # engine.fast.columnar on the columns

The engine's core does not import this package; it depends on the profile model, engine.profile.checks
(the one profile-checking module) and engine.fast's column batch.
"""

from engine.io.batch import RegisterBatch, evaluate_chunk
from engine.io.layout import (
    FINANCE_FIELDS,
    Column,
    Layout,
    LayoutError,
    column_of,
    known_names,
    row_of,
    safe_cell,
    sniff_encoding,
    static_columns,
)
from engine.io.read import (
    CsvPart,
    Part,
    RawChunk,
    RegisterError,
    csv_parts,
    parquet_parts,
    raw_chunks,
    register_kind,
)
from engine.io.table import Chunk, Reject, layout_of, validate

__all__ = ["FINANCE_FIELDS", "Chunk", "Column", "CsvPart", "Layout", "LayoutError", "Part", "RawChunk", "RegisterBatch",
           "RegisterError", "Reject", "column_of", "csv_parts", "evaluate_chunk", "known_names", "layout_of", "parquet_parts", "raw_chunks",
           "register_kind", "row_of", "safe_cell", "sniff_encoding", "static_columns", "validate"]
