"""`subsidy screen`: CSV (UTF-8 and GBK) and JSONL registers, rejects with reasons, safe CSV, HTML report.

Small generated registers (bench/generate.py, fixed seed) against the benchmark rule set, whose outcomes
the tests recompute with evaluate(); one run against the whole catalogue.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.generate import AS_OF, TODAY, generate, register_columns, register_rows
from engine import evaluate, load_ruleset, parse_profile
from engine.errors import ProfileError
from engine.fast import compile_ruleset
from engine.fast.columnar import Columnar
from engine.io import Layout, evaluate_chunk, raw_chunks, row_of, safe_cell, validate
from engine.profile.checks import uscc_plain
from engine.standards import validate_uscc
from tests.conftest import ROOT
from web.cli import main

BENCH_RULES = str(ROOT / "bench" / "rules")
DATES = ["--as-of", AS_OF.isoformat(), "--today", TODAY.isoformat()]


def write_register(path: Path, n: int, encoding: str = "utf-8", seed: int = 3, invalid: float = 0.05) -> list[list[str]]:
    columns, rows = register_rows(n, seed=seed, invalid_share=invalid)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return rows


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def screen(tmp_path: Path, register: Path, *extra: str, rules: str = BENCH_RULES) -> tuple[Any, Path]:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["screen", str(register), "--out", str(out), "--rules", rules, "--jobs", "1",
                                       *DATES, *extra])
    return result, out


def test_every_row_is_screened_or_rejected_with_reasons(tmp_path: Path) -> None:
    rows = write_register(tmp_path / "register.csv", 300)
    result, out = screen(tmp_path, tmp_path / "register.csv")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["read"] == len(rows) == summary["accepted"] + summary["rejected"]
    assert summary["rejected"] >= 5
    rejects = read_csv(out / "rejects.csv")
    assert {int(r["row"]) for r in rejects} and len({int(r["row"]) for r in rejects}) == summary["rejected"]
    assert all(r["path"] and r["code"] and r["message_zh"] and r["message_en"] for r in rejects)
    assert {"credit_code", "registered_on", "staff.total", "name"} & {r["path"] for r in rejects}
    results = read_csv(out / "results.csv")
    assert len(results) == 2 * summary["accepted"]
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == summary["accepted"] and {len(json.loads(line)["results"]) for line in lines} == {2}
    assert (out / "summary.csv").exists()


def test_results_are_what_evaluate_decides(tmp_path: Path) -> None:
    write_register(tmp_path / "register.csv", 120, invalid=0)
    result, out = screen(tmp_path, tmp_path / "register.csv", "--missing")
    assert result.exit_code == 0, result.output
    ruleset = load_ruleset(BENCH_RULES)
    profiles = {i + 2: p for i, p in enumerate(generate(120, seed=3)[0])}
    with (tmp_path / "register.csv").open(encoding="utf-8", newline="") as handle:
        layout_rows = list(csv.reader(handle))
    layout = Layout(layout_rows[0])
    for row in read_csv(out / "results.csv"):
        number = int(row["row"])
        parsed = parse_profile(layout.raw_profile(layout_rows[number - 1]), TODAY)
        decided = evaluate(ruleset, parsed, AS_OF).result(row["measure"])
        assert row["outcome"] == decided.outcome.value, (number, row)
        assert row["first_failing"] == (decided.failing[0] if decided.failing else "")
        assert row["missing"] == ";".join(decided.missing)
        assert profiles[number]["name"] == row["name"]


def test_gbk_register_is_detected_and_read(tmp_path: Path) -> None:
    write_register(tmp_path / "gbk.csv", 60, encoding="gbk", invalid=0)
    result, out = screen(tmp_path, tmp_path / "gbk.csv")
    assert result.exit_code == 0, result.output
    names = {row["name"] for row in read_csv(out / "results.csv")}
    assert "基准科技企业000001有限公司" in names
    forced = CliRunner().invoke(main, ["screen", str(tmp_path / "gbk.csv"), "--out", str(tmp_path / "x"),
                                       "--rules", BENCH_RULES, "--jobs", "1", "--encoding", "utf-8", *DATES])
    assert forced.exit_code == 2 and "--encoding" in forced.output and "Traceback" not in forced.output


def test_jsonl_register_with_bad_lines(tmp_path: Path) -> None:
    profiles = generate(40, seed=5)[0]
    lines = [json.dumps(p, ensure_ascii=False, default=str) for p in profiles]
    lines[3] = "{not json"
    lines[7] = json.dumps({**profiles[7], "staff": {"total": -3}}, ensure_ascii=False, default=str)
    (tmp_path / "register.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, out = screen(tmp_path, tmp_path / "register.jsonl")
    assert result.exit_code == 0, result.output
    rejects = read_csv(out / "rejects.csv")
    assert {r["row"] for r in rejects} == {"4", "8"}
    assert {r["path"] for r in rejects} >= {"(line)", "staff.total"}
    assert len((out / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 38


def test_csv_exports_neutralise_formulas(tmp_path: Path) -> None:
    columns = register_columns()
    profiles = generate(6, seed=9)[0]
    rows = [row_of(p, columns) for p in profiles]
    names = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3", "@SUM(A1)", "\t=1", "正常企业"]
    for row, name in zip(rows, names, strict=True):
        row[columns.index("name")] = name
    rows[5][columns.index("staff_total")] = "=1+1"  # rejected: the reason quotes nothing unsafe either
    with (tmp_path / "register.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([columns, *rows])
    result, out = screen(tmp_path, tmp_path / "register.csv")
    assert result.exit_code == 0, result.output
    written = {row["name"] for row in read_csv(out / "results.csv")}
    assert written == {"'" + n.strip() for n in names[:5]}  # names are stripped, as the profile model does
    for path in (out / "results.csv", out / "rejects.csv"):
        for row in read_csv(path):
            assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values()), row
    assert safe_cell("-12") == "'-12" and safe_cell("正常") == "正常"


def test_html_report_has_charts_and_no_script(tmp_path: Path) -> None:
    write_register(tmp_path / "register.csv", 80)
    result, out = screen(tmp_path, tmp_path / "register.csv")
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 2 and "<script" not in html and "http" not in html.replace("http://www.w3.org", "")
    assert "基准测试：高新技术企业条件" in html
    assert any(name in html for name in ("清城区", "武江区", "英德市", "南雄市"))  # districts by name


def test_whole_catalogue_screening(tmp_path: Path) -> None:
    write_register(tmp_path / "register.csv", 60)
    result, out = screen(tmp_path, tmp_path / "register.csv", "--missing", rules=str(ROOT / "rules"))
    assert result.exit_code == 0, result.output
    results = read_csv(out / "results.csv")
    assert any(r["missing"] for r in results if r["outcome"] == "undetermined")
    assert {"eligible", "ineligible", "undetermined"} >= {r["outcome"] for r in results}
    assert any(r["measure"] == "national.hnte_recognition" for r in results)


def test_unknown_column_is_named_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "register.csv").write_text("name,staff_totl\nx,3\n", encoding="utf-8")
    result, _ = screen(tmp_path, tmp_path / "register.csv")
    assert result.exit_code == 2 and "staff_totl" in result.output and "staff_total" in result.output


# -- the column-wise reader never accepts what parse_profile would reject, and reads the same values -----------

MUTATIONS = ["", " 12 ", "abc", "-5", "1.234", "12.5", "0012", "是", "否", "yes", "TRUE", "2024-02-30", "2099-01-01",
             "2024-2-1", "=1", "１２", "1e3", "450万元", "99999999999999999999", "1990", "441802", "999999"]


def test_column_reader_agrees_with_parse_profile(tmp_path: Path) -> None:
    columns = register_columns()
    layout = Layout(columns)
    program = compile_ruleset(load_ruleset(BENCH_RULES), AS_OF)
    rng = random.Random(11)
    rows = []
    for profile in generate(600, seed=13)[0]:
        row = row_of(profile, columns)
        for _ in range(rng.choice([0, 0, 1, 2])):
            row[rng.randrange(len(row))] = rng.choice(MUTATIONS)
        rows.append(row)
    with (tmp_path / "register.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([columns, *rows])
    chunks = [validate(raw, TODAY) for raw in raw_chunks(tmp_path / "register.csv", size=250)]
    accepted = {int(n): (chunk, i) for chunk in chunks for i, n in enumerate(chunk.rows.tolist())}
    rejected = {r.row: r for chunk in chunks for r in chunk.rejects}
    results = {id(chunk): evaluate_chunk(Columnar(program), chunk) for chunk in chunks}
    assert len(accepted) + len(rejected) == len(rows) and not set(accepted) & set(rejected)
    for number, row in enumerate(rows, start=2):
        try:
            parsed = parse_profile(layout.raw_profile(row), TODAY)
        except ProfileError as exc:
            assert number in rejected, row
            assert [i.code for i in rejected[number].issues] == [i.code for i in exc.issues]
            continue
        chunk, i = accepted[number]
        assert program.verdicts(chunk.profile(i)) == program.verdicts(parsed), row
        assert results[id(chunk)].verdicts(i) == program.verdicts(parsed), row
    assert 50 < len(rejected) < 400


@pytest.mark.parametrize("seed", range(3))
def test_plain_uscc_check_is_never_laxer_than_the_validator(seed: int) -> None:
    from bench.generate import credit_code

    rng = random.Random(seed)
    codes = []
    for i in range(3000):
        code = credit_code(rng.choice(["441802", "440203", "110105"]), i)
        if rng.random() < 0.6:
            j = rng.randrange(18)
            code = code[:j] + rng.choice("0123456789ABHJXYZIOSVa -") + code[j + 1:]
        codes.append(code)
    plain = uscc_plain(codes)
    for code, ok in zip(codes, plain, strict=True):
        errors = [x for x in validate_uscc(code)[1] if x.severity == "error"]
        if ok:
            assert not errors, code
        elif code == code.strip().upper() and len(code) == 18:
            assert errors, code  # and never stricter on a code already in normal form
    assert 0.3 < plain.mean() < 0.7


def test_dates_in_the_future_are_judged_against_today(tmp_path: Path) -> None:
    rows = write_register(tmp_path / "register.csv", 20, invalid=0)
    columns = register_columns()
    assert any(r[columns.index("registered_on")] for r in rows)
    result, out = screen(tmp_path, tmp_path / "register.csv", "--today", (dt.date(2015, 1, 1)).isoformat())
    assert result.exit_code == 0
    assert {r["code"] for r in read_csv(out / "rejects.csv")} >= {"DATE_FUTURE"}
