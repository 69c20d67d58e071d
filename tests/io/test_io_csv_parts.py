"""CSV registers read by the workers themselves (engine.io.csv_parts): byte ranges cut at line feeds give the
rows, row numbers and set-aside rows of the whole-file reader — UTF-8, GBK, CRLF, blank, short and long rows —
and a file whose line feeds might not all end a row (quotes, a lone carriage return, another encoding) is not
split at all (the main process reads it in order)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bench.generate import AS_OF, TODAY, register_rows
from engine.io import CsvPart, RawChunk, csv_parts, raw_chunks
from tests.conftest import ROOT
from web.cli import main

BENCH_RULES = str(ROOT / "bench" / "rules")
DATES = ["--as-of", AS_OF.isoformat(), "--today", TODAY.isoformat()]
SCREEN_FILES = ("results.csv", "results.jsonl", "rejects.csv", "summary.csv")


def odd_register(path: Path, n: int, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """A register of n generated rows with a blank line, a short row and a long row among them, unquoted."""
    header, rows = register_rows(n, seed=5, invalid_share=0.02)
    staff = header.index("staff_total")
    lines = [",".join(header)]
    for i, row in enumerate(rows):
        lines.append(",".join(row[:staff] if i % 97 == 3 else row + ["extra"] if i % 89 == 4 else row))
        if i % 113 == 2:
            lines.append("")
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def flattened(chunks: list[RawChunk]) -> tuple[list[list[str]], list[int], list[tuple[int, list[str]]]]:
    """Every table row's cells, its row number, and the long rows, over consecutive chunks."""
    cells = [row for c in chunks if c.table is not None for row in zip(*c.table.to_pydict().values(), strict=True)]
    numbers = [int(n) for c in chunks for n in (c.rows if c.rows is not None else [])]
    return [list(row) for row in cells], numbers, [item for c in chunks for item in c.long]


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("gb18030", "\r\n"), ("utf-8", "\r\n")])
def test_parts_read_what_the_whole_file_reader_reads(tmp_path: Path, encoding: str, newline: str) -> None:
    path = odd_register(tmp_path / "register.csv", 700, encoding, newline)
    parts = csv_parts(path, None, 100)  # the encoding sniffed, as the command does
    assert parts is not None and len(parts) >= 6
    assert all(isinstance(p, CsvPart) and p.start < p.end for p in parts)
    assert [p.end for p in parts[:-1]] == [p.start for p in parts[1:]] and parts[-1].end == path.stat().st_size
    whole = flattened(list(raw_chunks(path, None, 100)))
    split = flattened([part.load() for part in parts])
    assert split == whole
    assert len(whole[2]) >= 7 and len(whole[1]) > 600  # long rows set aside, short ones padded into the table
    names = {cells[1] for cells in whole[0]}
    assert any("有限公司" in name for name in names)  # Chinese text decoded the same either way


def test_gbk_given_explicitly_splits_too(tmp_path: Path) -> None:
    path = odd_register(tmp_path / "gbk.csv", 300, "gbk")
    parts = csv_parts(path, "gbk", 50)
    assert parts is not None and len(parts) > 3
    assert flattened([p.load() for p in parts]) == flattened(list(raw_chunks(path, "gbk", 50)))


@pytest.mark.parametrize("trouble", ["quote", "lone-cr", "encoding"])
def test_a_file_that_cannot_be_proven_safe_is_not_split(tmp_path: Path, trouble: str) -> None:
    header, rows = register_rows(50, seed=3, invalid_share=0)
    lines = [",".join(header), *(",".join(row) for row in rows)]
    if trouble == "quote":
        name = header.index("name")
        cells = rows[30][:]
        cells[name] = '"多行\n名称有限公司"'  # a line feed that does not end a row
        lines[31] = ",".join(cells)
    text = "\n".join(lines) + "\n"
    if trouble == "lone-cr":
        text = text.replace("\n", "\r", 1)
    path = tmp_path / "register.csv"
    path.write_bytes(text.encode("utf-8"))
    assert csv_parts(path, "shift_jis" if trouble == "encoding" else None, 10) is None


def test_an_empty_register_has_no_parts_to_split(tmp_path: Path) -> None:
    path = tmp_path / "header-only.csv"
    path.write_text("credit_code,name", encoding="utf-8")
    assert csv_parts(path, None, 10) is None
    path.write_text("credit_code,name\n", encoding="utf-8")
    assert csv_parts(path, None, 10) == []


def test_a_part_of_blank_lines_loads_as_an_empty_chunk(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("credit_code,name\n\n\n", encoding="utf-8")
    part = CsvPart(str(path), "utf-8", ("credit_code", "name"), 17, 19, 2)
    chunk = part.load()
    assert chunk.read == 0 and chunk.table is not None and len(np.asarray(chunk.rows)) == 0


@pytest.mark.parametrize(("encoding", "newline", "quoted"), [("utf-8", "\n", False), ("gb18030", "\r\n", False),
                                                             ("utf-8", "\n", True)])
def test_jobs_2_reading_parts_writes_what_one_process_writes(tmp_path: Path, encoding: str, newline: str,
                                                             quoted: bool) -> None:
    path = odd_register(tmp_path / "register.csv", 1200, encoding, newline)
    if quoted:  # falls back to reading in this process: same files
        header, _, rest = path.read_bytes().partition(b"\n")
        first, _, rest = rest.partition(b"\n")
        cells = first.split(b",")
        cells[1] = b'"' + cells[1] + b'\n2"'
        path.write_bytes(header + b"\n" + b",".join(cells) + b"\n" + rest)
        assert csv_parts(path, None, 300) is None
    else:
        assert csv_parts(path, None, 300) is not None
    outs = {}
    for name, extra in (("one", ["--jobs", "1"]), ("pool", ["--jobs", "2"])):
        out = tmp_path / name
        result = CliRunner().invoke(main, ["screen", str(path), "--out", str(out), "--rules", BENCH_RULES,
                                           "--chunk", "300", *DATES, *extra])
        assert result.exit_code == 0, result.output
        outs[name] = {file: (out / file).read_bytes() for file in SCREEN_FILES}
    assert outs["one"] == outs["pool"]
    assert outs["one"]["rejects.csv"].count(b"ROW_TOO_LONG") >= 10
