"""The `subsidy` CLI: reports in both languages, canonical JSON, exit status 2 on bad input, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from web.cli import main


@pytest.fixture
def run() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("profile", sorted(p.name for p in SAMPLES.glob("*.yaml")))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sample_gets_a_report(run: CliRunner, profile: str, lang: str) -> None:
    result = run.invoke(main, ["check", str(SAMPLES / profile), "--as-of", "2025-06-30", "--lang", lang])
    assert result.exit_code == 0, result.output
    assert ("资格自测报告" if lang == "zh" else "eligibility self-check") in result.output


def test_json_is_canonical_and_stable(run: CliRunner) -> None:
    args = ["check", str(SAMPLES / "qingcheng_ceramics_turning_hightech.yaml"), "--as-of", "2025-06-30",
            "--format", "json"]
    first, second = run.invoke(main, args), run.invoke(main, args)
    assert first.output == second.output
    data = json.loads(first.output)
    assert data["as_of"] == "2025-06-30" and len(data["ruleset_hash"]) == 64


@pytest.mark.parametrize(("content", "fragment"), [
    ("kind: enterprise\nname: x\ncredit_code: '91441802MA00000156'\n", "credit_code"),
    ("kind: enterprise\nname: x\nfinance: [{year: 2024, sales: -1}]\n", "finance[0].sales"),
    ("kind: enterprise\nname: x\nregistered_on: 2099-01-01\n", "registered_on"),
    ("kind: enterprise\nname: x\nnickname: y\n", "nickname"),
    ("kind: enterprise\nname: [unclosed\n", "YAML"),
    ("- just a list\n", "mapping"),
])
def test_bad_profiles_exit_2_with_the_field_named(run: CliRunner, tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(content, encoding="utf-8")
    result = run.invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_gbk_file_gets_a_clear_error(run: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("name: 清远市某公司\n".encode("gbk"))
    result = run.invoke(main, ["check", str(path)])
    assert result.exit_code == 2 and "UTF-8" in result.output


def test_bad_as_of_date(run: CliRunner) -> None:
    result = run.invoke(main, ["check", str(SAMPLES / "hnte_boundary_leap_year.yaml"), "--as-of", "2025-02-30"])
    assert result.exit_code == 2 and "--as-of" in result.output


def test_rules_commands(run: CliRunner) -> None:
    assert "national.hnte_recognition" in run.invoke(main, ["rules", "list"]).output
    shown = run.invoke(main, ["rules", "show", "national.hnte_recognition"])
    assert "国科发火〔2016〕32号" in shown.output and "staff_ratio_min" in shown.output
    tested = run.invoke(main, ["rules", "test"])
    assert tested.exit_code == 0 and " 0 failed" in tested.output
    assert run.invoke(main, ["rules", "show", "national.hnte_recognitoin"]).exit_code == 2
    assert "measures" in run.invoke(main, ["rules", "coverage"]).output
    assert run.invoke(main, ["schema"]).output.startswith("{")


def test_rules_lint_reports_load_errors_with_location(run: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "national").mkdir()
    (tmp_path / "national" / "bad.yaml").write_text("id: national.bad\ntitle: {zh: x}\n", encoding="utf-8")
    result = run.invoke(main, ["rules", "lint", "--rules", str(tmp_path)])
    assert result.exit_code == 2 and "national/bad.yaml:" in result.output
