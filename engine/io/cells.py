"""Typing register cells column-wise: a column of texts → (values, known, suspect) numpy arrays.

Each kind of field accepts only its plainest written form, checked for a whole column at once with
pyarrow.compute: digits for yuan, YYYY-MM-DD for dates, 是/否 or true/false (yes/no, 1/0…) for booleans, a
listed code for choices, a text within its length bounds. A cell in any other form ("4900万元",
"2024/1/1", "约100人") is *suspect*: its row is handed to `parse_profile`, which accepts it (and reads it
the reference way) or says in zh and en, naming the field, why not. An empty cell is unknown, never zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.io.layout import FALSE, TRUE, Column

EPOCH_ORDINAL = 719163  # datetime.date(1970, 1, 1).toordinal()
_PATTERNS = {
    "money": r"^[0-9]{1,18}$",
    "signed_money": r"^-?[0-9]{1,18}$",
    "count": r"^(0|[1-9][0-9]{0,9})$",  # a fractional head count (12.5) is read by parse_profile
    "whole": r"^(0|[1-9][0-9]{0,17})$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}
_BOOL_TEXTS = pa.array(sorted(TRUE | FALSE))
_TRUE_TEXTS = pa.array(sorted(TRUE))
# constants as Arrow scalars made once: pyarrow converts a Python value on every call, and tries (and fails) to
# import pandas and dateutil each time it does — a search of the import path per call, ~0.7 µs a register row
_EMPTY = pa.scalar("", pa.string())
_ZERO_TEXT = pa.scalar("0", pa.string())
_NO_TEXT = pa.scalar(None, pa.string())
_NO = pa.scalar(False)
_ZERO_DAY = pa.scalar(0, pa.int32())


@dataclass
class Cells:
    """One typed column: values (int64, bool, day ordinals, or object for text), which cells are known,
    and which cells are suspect (their row goes to parse_profile)."""

    values: Any
    known: Any
    suspect: Any


def type_column(column: Column, texts: pa.Array) -> Cells:
    """Type the cells of one column (strings, null or "" for an empty cell)."""
    texts = pc.utf8_trim_whitespace(texts.cast(pa.string()))
    given = pc.fill_null(pc.not_equal(texts, _EMPTY), _NO)
    kind = column.kind
    if kind in _PATTERNS:
        plain = pc.fill_null(pc.match_substring_regex(texts, _PATTERNS[kind]), _NO)
        values, ok = _numbers(texts, plain, column) if kind != "date" else _dates(texts, plain)
    elif kind == "bool":
        lower = pc.utf8_lower(texts)
        ok = pc.fill_null(pc.is_in(lower, value_set=_BOOL_TEXTS), _NO)
        values = pc.fill_null(pc.is_in(lower, value_set=_TRUE_TEXTS), _NO).to_numpy(zero_copy_only=False)
        ok = ok.to_numpy(zero_copy_only=False)
    else:
        values, ok = _texts(texts, column)
    known = given.to_numpy(zero_copy_only=False)
    return Cells(values, known & ok, known & ~ok)


def _numbers(texts: pa.Array, plain: pa.Array, column: Column) -> tuple[Any, Any]:
    cleaned = pc.if_else(plain, texts, _ZERO_TEXT)
    try:
        values = pc.cast(cleaned, pa.int64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:  # a 19-digit figure beyond int64: every such row goes to parse_profile
        return np.zeros(len(texts), np.int64), np.zeros(len(texts), bool)
    ok = plain.to_numpy(zero_copy_only=False)
    if column.ge is not None:
        ok &= values >= column.ge
    if column.le is not None:
        ok &= values <= column.le
    return np.where(ok, values, 0), ok


def _dates(texts: pa.Array, plain: pa.Array) -> tuple[Any, Any]:
    cleaned = pc.if_else(plain, texts, _NO_TEXT)
    try:  # every YYYY-MM-DD of the column is a real date: one cast
        days = pc.cast(cleaned, pa.date32())
        ok = plain.to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:  # some are not (2024-02-30): find them by reading each back
        stamps = pc.strptime(cleaned, format="%Y-%m-%d", unit="s", error_is_null=True)
        days = pc.cast(stamps, pa.date32())
        again = pc.strftime(stamps, format="%Y-%m-%d")  # 2024-02-30 would otherwise read as 2024-03-01
        ok = pc.fill_null(pc.equal(again, cleaned), _NO).to_numpy(zero_copy_only=False)
    values = pc.fill_null(pc.cast(days, pa.int32()), _ZERO_DAY).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.where(ok, values + EPOCH_ORDINAL, 0), ok


def _texts(texts: pa.Array, column: Column) -> tuple[Any, Any]:
    filled = pc.fill_null(texts, _EMPTY)
    if column.kind == "choice":
        ok = pc.is_in(filled, value_set=pa.array(sorted(column.choices))).to_numpy(zero_copy_only=False)
    elif column.kind == "text":
        length = pc.utf8_length(filled).to_numpy(zero_copy_only=False)
        ok = np.ones(len(length), bool)
        if column.min_len is not None:
            ok &= length >= column.min_len
        if column.max_len is not None:
            ok &= length <= column.max_len
    else:
        ok = np.zeros(len(filled), bool)
    return filled.to_numpy(zero_copy_only=False).astype(object), ok
