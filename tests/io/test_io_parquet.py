"""`subsidy screen --format parquet`: results.parquet holds results.csv's rows, row by row, read back with pyarrow.

Generated enterprises (some exactly on a threshold or one unit below it) and the sample applicants, with
`--missing`, in one process and in a pool of two: every Parquet row against the CSV line at the same place
(results.csv is itself checked against one-by-one evaluation in test_io_equivalence.py) and against the JSON
line of its enterprise; choosing more formats changes none of the others' bytes; the pool leaves nothing behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner

from bench.generate import AS_OF, TODAY, generate, threshold_profiles, with_answers
from engine import parse_profile
from engine.errors import ProfileError
from engine.io import known_names, row_of, safe_cell
from engine.io.results_parquet import CELL_COLUMNS, SCHEMA, results_table
from tests.conftest import SAMPLES
from web.cli import main

DATES = ["--as-of", AS_OF.isoformat(), "--today", TODAY.isoformat()]


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    header = known_names(range(AS_OF.year - 3, AS_OF.year))
    profiles = with_answers(generate(1300, seed=23)[0] + threshold_profiles()[:200], seed=9)
    rows = [row_of({k: v for k, v in p.items() if k not in ("loans", "projects")}, header) for p in profiles]
    for path in sorted(SAMPLES.glob("*.yaml")):
        try:
            parsed = parse_profile(yaml.safe_load(path.read_text(encoding="utf-8")), dt.date(2030, 1, 1))
        except ProfileError:
            continue
        rows.append(row_of(parsed.profile.model_dump(mode="python", exclude_none=True), header))
    rows[7][header.index("name")] = '=HYPERLINK("x"),"引号"'  # a formula and quotes: neutralised in the CSV only
    path = tmp_path_factory.mktemp("register") / "register.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def screen(register: Path, out: Path, *extra: str) -> None:
    result = CliRunner().invoke(main, ["screen", str(register), "--out", str(out), "--chunk", "400", "--missing",
                                       *DATES, *extra])
    assert result.exit_code == 0, result.output


def as_csv_line(row: dict[str, Any]) -> list[str]:
    """A Parquet row as results.csv writes it: the enterprise's texts neutralised, an unknown one empty."""
    texts = [safe_cell(row[name]) if row[name] is not None else "" for name in ("credit_code", "name", "region_code")]
    return [str(row["row"]), *texts, *(row[name] for name in CELL_COLUMNS)]


def test_parquet_holds_the_csv_rows(tmp_path: Path, register: Path) -> None:
    screen(register, tmp_path / "all", "--jobs", "1", "--format", "csv,jsonl,parquet")
    screen(register, tmp_path / "default", "--jobs", "1")
    for name in ("results.csv", "results.jsonl", "rejects.csv", "summary.csv"):
        assert (tmp_path / "all" / name).read_bytes() == (tmp_path / "default" / name).read_bytes(), name
    assert not (tmp_path / "default" / "results.parquet").exists()

    table = pq.read_table(tmp_path / "all" / "results.parquet")
    assert table.schema == SCHEMA
    rows = table.to_pylist()
    with (tmp_path / "all" / "results.csv").open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))[1:]
    assert len(rows) == len(lines) > 1500 * 3
    for row, line in zip(rows, lines, strict=True):
        assert as_csv_line(row) == line
    outcomes = {row["outcome"] for row in rows}
    assert {"eligible", "ineligible", "undetermined"} <= outcomes
    assert any(row["missing"] for row in rows) and any(row["first_failing_text"] for row in rows)
    assert any(row["name"] and row["name"].startswith("=HYPERLINK") for row in rows)

    by_row: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_row.setdefault(row["row"], []).append(row)
    for text in (tmp_path / "all" / "results.jsonl").read_text(encoding="utf-8").splitlines():
        line = json.loads(text)
        mine = by_row.pop(line["row"], [])
        assert [{k: line[k] for k in ("credit_code", "name", "region_code")}] * len(mine) == [
            {k: r[k] for k in ("credit_code", "name", "region_code")} for r in mine]
        assert [{k: str(v) for k, v in result.items()} for result in line["results"]] == [
            {k: r[k] for k in CELL_COLUMNS} for r in mine]
    assert not by_row


def test_parquet_from_a_pool_is_the_same_and_leaves_nothing_behind(tmp_path: Path, register: Path) -> None:
    screen(register, tmp_path / "one", "--jobs", "1", "--format", "parquet", "--all")
    (tmp_path / "pool").mkdir()
    (tmp_path / "pool" / "results.csv").write_text("an earlier run's results\n", encoding="utf-8")
    screen(register, tmp_path / "pool", "--jobs", "2", "--format", "parquet", "--all")
    one, pool = (pq.read_table(tmp_path / name / "results.parquet") for name in ("one", "pool"))
    assert one.equals(pool) and one.num_rows > 1500 * 60  # --all: every measure for every accepted row
    assert "not_applicable" in set(one.column("outcome").to_pylist())
    assert sorted(p.name for p in (tmp_path / "pool").iterdir()) == [
        "rejects.csv", "report.html", "results.parquet", "summary.csv", "summary.json"]  # stale CSV removed
    assert (tmp_path / "one" / "summary.csv").read_bytes() == (tmp_path / "pool" / "summary.csv").read_bytes()


def test_unknown_format_is_a_usage_error(tmp_path: Path, register: Path) -> None:
    result = CliRunner().invoke(main, ["screen", str(register), "--out", str(tmp_path / "x"), "--format", "xlsx"])
    assert result.exit_code == 2 and "csv, jsonl, parquet" in result.output
    help_text = CliRunner().invoke(main, ["screen", "--help"]).output
    assert "--format" in help_text and "parquet" in help_text


def test_results_table_from_distinct_cells() -> None:
    """Each result takes its enterprise's texts (null when unknown) and its cells by index; no result, no rows."""
    cells = [("m.a", "eligible", 5000, "exact", "", "", ""), ("m.b", "ineligible", "", "none", "c1", "文", "")]
    table = results_table(np.array([2, 5, 9]), {"credit_code": ["91", None, "93"], "name": ["甲", "乙", "丙"],
                                                "region_code": [None, "440204", "440204"]},
                          np.array([0, 0, 2]), cells, np.array([1, 0, 1]))
    first, second = ({**dict(zip(CELL_COLUMNS, map(str, c), strict=True))} for c in cells)
    assert table.to_pylist() == [{"row": 2, "credit_code": "91", "name": "甲", "region_code": None, **second},
                                 {"row": 2, "credit_code": "91", "name": "甲", "region_code": None, **first},
                                 {"row": 9, "credit_code": "93", "name": "丙", "region_code": "440204", **second}]
    empty = results_table(np.array([2]), {"credit_code": ["91"], "name": ["甲"], "region_code": ["1"]},
                          np.zeros(0, np.int64), [], np.zeros(0, np.int64))
    assert empty.num_rows == 0 and empty.schema == SCHEMA
