"""`subsidy simulate`: one threshold changed flips exactly the profiles between the two thresholds, and the
budget change is the flipped count times the amount; measures without changes report none."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.generate import AS_OF, TODAY, register_rows
from engine import evaluate, load_ruleset, parse_profile
from engine.decision import Outcome
from engine.fast import compile_ruleset
from engine.fast.simulate import simulate
from engine.io import Layout
from tests.conftest import ROOT
from web.cli import main

AWARD = 200_000
MEASURE = """\
id: qingyuan.bench_staff_award
title: {{zh: 测试：科技人员占比奖励, en: "Test: S&T staff share award"}}
issuer: qingyuan
applicant: [enterprise]
source: {{document: test, confidence: U}}
effective: {{from: 2016-01-01}}
parameters:
  staff_ratio_min:
    unit: ratio
    values:
      2016-01-01: {{value: {threshold}, source: test}}
  amount:
    unit: money
    values:
      2016-01-01: {{value: 20万元, source: test}}
criteria:
  all:
    - id: staff_ratio
      text: {{zh: 科技人员占比达到要求, en: "S&T staff share high enough"}}
      when: staff_ratio >= param.staff_ratio_min
    - id: core_ip
      text: {{zh: 拥有核心知识产权, en: "owns core IP"}}
      when: ip.core_ip_owned == true
benefit:
  kind: cash
  payee: applicant
  basis: entitlement
  amount: param.amount
  text: {{zh: 奖励20万元, en: "award of 200,000 yuan"}}
"""


def rules_dir(root: Path, threshold: str) -> Path:
    shutil.copytree(ROOT / "bench" / "rules", root)
    (root / "qingyuan").mkdir()
    (root / "qingyuan" / "bench_staff_award.yaml").write_text(MEASURE.format(threshold=threshold), encoding="utf-8")
    return root


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    current, proposed = rules_dir(tmp_path / "current", "10%"), rules_dir(tmp_path / "proposed", "15%")
    columns, rows = register_rows(400, seed=21, invalid_share=0.01)
    with (tmp_path / "register.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([columns, *rows])
    return current, proposed, tmp_path / "register.csv"


def expected(current: Path, proposed: Path, register: Path) -> tuple[int, int, int]:
    """(lost, gained, undetermined changes) of the award, by evaluate() one profile at a time."""
    old, new = load_ruleset(current), load_ruleset(proposed)
    with register.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    layout, lost, gained, eligible_before = Layout(rows[0]), 0, 0, 0
    for row in rows[1:]:
        try:
            parsed = parse_profile(layout.raw_profile(row), TODAY)
        except Exception:  # noqa: BLE001 - rejected rows are not simulated
            continue
        a = evaluate(old, parsed, AS_OF).result("qingyuan.bench_staff_award").outcome
        b = evaluate(new, parsed, AS_OF).result("qingyuan.bench_staff_award").outcome
        lost += a is Outcome.ELIGIBLE and b is not Outcome.ELIGIBLE
        gained += b is Outcome.ELIGIBLE and a is not Outcome.ELIGIBLE
        eligible_before += a is Outcome.ELIGIBLE
    return lost, gained, eligible_before


def test_raising_a_threshold_flips_the_expected_profiles(setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    current, proposed, register = setup
    lost, gained, eligible_before = expected(current, proposed, register)
    assert lost > 5 and gained == 0
    out = tmp_path / "sim"
    result = CliRunner().invoke(main, ["simulate", "--rules", str(proposed), "--current", str(current),
                                       "--against", str(register), "--as-of", AS_OF.isoformat(),
                                       "--today", TODAY.isoformat(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "simulation.json").read_text(encoding="utf-8"))
    award = report["measures"]["qingyuan.bench_staff_award"]
    assert award["lost"] == lost and award["gained"] == 0
    assert award["budget_change"] == -lost * AWARD
    assert award["budget_before"]["exact"] == eligible_before * AWARD
    assert report["measures"]["national.bench_tech_sme"]["transitions"] == {
        k: v for k, v in report["measures"]["national.bench_tech_sme"]["transitions"].items() if k.split("→")[0] == k.split("→")[1]}
    with (out / "flips.csv").open(encoding="utf-8") as handle:
        flips = [r for r in csv.DictReader(handle) if r["measure"] == "qingyuan.bench_staff_award"]
    assert len(flips) == lost and {(r["before"], r["after"]) for r in flips} <= {("eligible", "ineligible")}
    assert "staff_ratio" in result.output and "0.15" in result.output  # an example trace shows the new threshold
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html


def test_simulate_takes_any_iterable_of_profiles(setup: tuple[Path, Path, Path]) -> None:
    from bench.generate import generate

    current, proposed, _ = setup
    profiles = generate(300, seed=4)[0]
    report = simulate(compile_ruleset(load_ruleset(current), AS_OF), compile_ruleset(load_ruleset(proposed), AS_OF),
                      iter(profiles), label=lambda p: p["name"], examples=1)
    award = next(m for m in report.measures if m.measure_id == "qingyuan.bench_staff_award")
    assert report.rows == 300 and award.lost == len(award.flips) > 0
    assert award.budget_change == -award.lost * AWARD and len(award.examples) == 1
    assert [c.id for c in award.examples[0].changes] == ["staff_ratio"]


def test_against_stored_is_not_available_yet(setup: tuple[Path, Path, Path]) -> None:
    _, proposed, _ = setup
    result = CliRunner().invoke(main, ["simulate", "--rules", str(proposed), "--against", "stored"])
    assert result.exit_code == 2 and "stored" in result.output


def test_money_paid_to_a_bank_never_enters_a_budget(setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """The same award paid to a cooperating bank: the same flips, no budget (counts_as_receivable, issue 17)."""
    current, proposed, register = setup
    for root in (current, proposed):
        path = root / "qingyuan" / "bench_staff_award.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("payee: applicant", "payee: bank"), encoding="utf-8")
    lost, _gained, _before = expected(current, proposed, register)
    out = tmp_path / "sim"
    result = CliRunner().invoke(main, ["simulate", "--rules", str(proposed), "--current", str(current),
                                       "--against", str(register), "--as-of", AS_OF.isoformat(),
                                       "--today", TODAY.isoformat(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    award = json.loads((out / "simulation.json").read_text(encoding="utf-8"))["measures"]["qingyuan.bench_staff_award"]
    assert lost > 5 and award["lost"] == lost
    assert award["budget_change"] == 0 and award["budget_before"]["exact"] == 0
