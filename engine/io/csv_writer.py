"""The one CSV writer of every export (公示 list, decisions, payments, screening, simulation flips).

Every text cell goes through `engine.io.layout.safe_cell`, so a value a spreadsheet would run as a formula
(`=HYPERLINK(…)`, `+`, `-`, `@`, a tab or CR first) is written with a leading apostrophe; numbers (int,
Decimal, Fraction — never a bool) are written as they are, so a negative amount stays a number. Pure: rows in,
text out; the caller adds a BOM for Excel when it serves the file (`csv_text(..., bom=True)`).

>>> csv_text(["name", "amount"], [["=1+1", 5], ["ok", -3]])
"name,amount\\r\\n'=1+1,5\\r\\nok,-3\\r\\n"
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, TextIO

from engine.io.layout import safe_cell

BOM = "\ufeff"


def cell(value: Any) -> Any:
    """One cell as written: numbers unchanged, everything else as neutralised text."""
    if isinstance(value, int | Decimal | Fraction) and not isinstance(value, bool):
        return value
    return safe_cell(value)


def field(text: str) -> str:
    """One text cell, already neutralised (`cell`), as csv.writer writes it: quoted only when it must be. For
    writers that build their lines column by column (screening) and must write what `write_rows` writes: a text
    holding a comma, a quote or a line break is quoted, its quotes doubled."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def write_rows(handle: TextIO, rows: Iterable[Sequence[Any]]) -> None:
    """Write rows (header included, if wanted) to an open text handle (opened with newline="")."""
    writer = csv.writer(handle)
    for row in rows:
        writer.writerow([cell(v) for v in row])


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> str:
    """The whole CSV (header first) as text, every cell neutralised; `bom` prefixes U+FEFF for Excel."""
    out = io.StringIO()
    write_rows(out, [header, *rows])
    return (BOM if bom else "") + out.getvalue()
