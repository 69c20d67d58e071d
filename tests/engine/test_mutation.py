"""Issue 17 item 5: law mutation testing. A rule whose tests do not pin its threshold yields survivors;
the boundary tests kill them; an equivalent mutant named with a reason is counted apart; rule files are
never written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.mutation import mutants_of, mutate_all, mutate_measure
from tests.engine.test_benefit_receivable import CASH, measure_text, ruleset_of

PROFILE = '{kind: enterprise, name: 测试企业, region_code: "441802"}'
WEAK_TESTS = f"""\
- name: 20人，符合
  as_of: 2025-06-30
  profile: {PROFILE}
  set: {{staff.total: 20}}
  expect: {{outcome: eligible, amount: 100000}}
- name: 5人，不符合
  as_of: 2025-06-30
  profile: {PROFILE}
  set: {{staff.total: 5}}
  expect: {{outcome: ineligible, failing: [staff]}}
"""
BOUNDARY_TESTS = WEAK_TESTS + f"""\
- name: 恰好10人，符合
  as_of: 2025-06-30
  profile: {PROFILE}
  set: {{staff.total: 10}}
  expect: {{outcome: eligible}}
- name: 9人，不符合
  as_of: 2025-06-30
  profile: {PROFILE}
  set: {{staff.total: 9}}
  expect: {{outcome: ineligible}}
"""
ROOT = Path(__file__).resolve().parents[2]


def test_the_mutants_of_a_measure_have_stable_ids() -> None:
    measure = ruleset_of({"qingyuan.m": measure_text("m", CASH)}).measures["qingyuan.m"]
    ids = [m.id for m in mutants_of(measure)]
    assert ids == ["param.award@2020-01-01:+1", "param.award@2020-01-01:-1",
                   "param.staff_min@2020-01-01:+1", "param.staff_min@2020-01-01:-1", "when.staff.cmp0:>=→>"]
    assert ids == [m.id for m in mutants_of(measure)]


def test_a_weak_test_leaves_survivors_and_the_boundary_tests_kill_them() -> None:
    weak = ruleset_of({"qingyuan.m": measure_text("m", CASH, tests=WEAK_TESTS)})
    report = mutate_measure(weak, "qingyuan.m", ROOT)
    assert not report.broken
    assert report.mutants == 5 and report.killed == 2  # the amount test kills award ±1 yuan
    assert {s.mutant for s in report.survivors} == {"param.staff_min@2020-01-01:+1", "param.staff_min@2020-01-01:-1",
                                                     "when.staff.cmp0:>=→>"}
    strong = ruleset_of({"qingyuan.m": measure_text("m", CASH, tests=BOUNDARY_TESTS)})
    report = mutate_measure(strong, "qingyuan.m", ROOT)
    assert (report.mutants, report.killed, report.survived) == (5, 5, 0)


def test_the_ruleset_is_restored_after_each_mutant() -> None:
    weak = ruleset_of({"qingyuan.m": measure_text("m", CASH, tests=WEAK_TESTS)})
    measure = weak.measures["qingyuan.m"]
    before = (measure.parameters["staff_min"], measure.criteria.children[0].expr.op)
    mutate_measure(weak, "qingyuan.m", ROOT)
    assert (measure.parameters["staff_min"], measure.criteria.children[0].expr.op) == before


def test_an_equivalent_mutant_is_counted_apart_with_its_reason() -> None:
    extra = """\
        equivalent_mutants:
          - mutant: "when.staff.cmp0:>=→>"
            reason: {zh: 测试用, en: for the test}
          - mutant: param.award@2020-01-01:+1
            reason: {zh: 实际被杀死, en: actually killed}
        """
    weak = ruleset_of({"qingyuan.m": measure_text("m", CASH, tests=WEAK_TESTS, extra=extra)})
    report = mutate_measure(weak, "qingyuan.m", ROOT)
    assert report.equivalent == ("when.staff.cmp0:>=→>",)
    assert report.survived == 2
    assert report.stale_equivalents == ("param.award@2020-01-01:+1",)  # listed but a test kills it


def test_tables_literals_and_dates_are_mutated_too() -> None:
    params = """\
        tiers:
          unit: ratio
          values:
            2020-01-01:
              value: [{max: 50000000, value: 5%}, {value: 3%}]
              source: 第三条
        """
    text = measure_text("t", CASH, parameters=params,
                        when="staff.total >= 10 and registered_on >= date(\"2019-01-01\") "
                             "and band(staff.total, param.tiers) > 0")
    measure = ruleset_of({"qingyuan.t": text}).measures["qingyuan.t"]
    ids = {m.id: m.description for m in mutants_of(measure)}
    assert "param.tiers@2020-01-01[0].max:+1" in ids and ids["param.tiers@2020-01-01[0].max:+1"].endswith(
        "50000000 → 50000001")  # a bound in yuan moves by one yuan
    assert ids["param.tiers@2020-01-01[1].value:-1"].endswith("3% → 2.99%")  # a ratio by 0.01 %
    assert "when.staff.lit0:+1" in ids and "when.staff.lit1:-1" in ids  # 10 and 0
    assert ids["when.staff.date0:-1"] == "date('2019-01-01') → date('2018-12-31')"
    assert "when.staff.cmp2:>→>=" in ids


def test_processes_give_the_same_reports() -> None:
    rules = ruleset_of({"qingyuan.a": measure_text("a", CASH, tests=WEAK_TESTS),
                        "qingyuan.b": measure_text("b", CASH, tests=BOUNDARY_TESTS)})
    assert mutate_all(rules, ROOT, jobs=2) == mutate_all(rules, ROOT, jobs=1)


@pytest.mark.parametrize(("tests", "code", "last"), [
    (WEAK_TESTS, 1, "5 mutants, 2 killed, 0 equivalent, 3 survived"),
    (BOUNDARY_TESTS, 0, "5 mutants, 5 killed, 0 equivalent, 0 survived"),
])
def test_the_cli_lists_survivors_and_exits_1(tmp_path: Path, tests: str, code: int, last: str) -> None:
    from web.cli import main
    (tmp_path / "qingyuan").mkdir()
    path = tmp_path / "qingyuan" / "m.yaml"
    path.write_text(measure_text("m", CASH, tests=tests), encoding="utf-8")
    before = path.read_bytes()
    run = CliRunner().invoke(main, ["rules", "mutate", "--rules", str(tmp_path), "--jobs", "1"])
    assert run.exit_code == code, run.output
    lines = run.output.rstrip().splitlines()
    assert lines[-1] == last
    if code:
        assert "  survived  when.staff.cmp0:>=→>   (staff.total >= param.staff_min: >= → >)" in lines
    assert path.read_bytes() == before  # never writes a rule file
    table = CliRunner().invoke(main, ["rules", "mutate", "--rules", str(tmp_path), "--format", "markdown"])
    assert "| qingyuan.m | 5 |" in table.output and table.output.rstrip().splitlines()[-1] == last


FACTS = """\
title: {zh: 测试事实, en: test facts}
parameters:
  big_min: {unit: count, values: {2020-01-01: {value: 50, source: 第一条}}}
facts:
  - id: big_firm
    text: {zh: 职工不少于50人, en: at least 50 staff}
    unit: bool
    value: staff.total >= param.big_min
tests:
  - name: 50人是大企业
    as_of: 2025-06-30
    profile: {kind: enterprise, name: 测试企业, staff: {total: 50}}
    expect: {big_firm: true}
"""


def test_a_facts_file_is_mutated_and_killed_by_its_own_and_its_readers_tests() -> None:
    from engine.loader import load_from_texts
    from engine.mutation.run import mutate_all
    measure = measure_text("f", CASH, when="big_firm == true", tests=WEAK_TESTS.replace("20}", "60}"))
    rules = load_from_texts({"facts/test.yaml": FACTS, "qingyuan/f.yaml": measure})
    (report,) = mutate_all(rules, ROOT, ["facts/test.yaml"], jobs=1)
    assert report.mutants == 3 and not report.broken  # big_min ±1, >= flipped
    assert {s.mutant for s in report.survivors} == {"param.big_min@2020-01-01:-1"}  # nobody tests 49 staff
    pinned = FACTS + """\
  - name: 49人不是
    as_of: 2025-06-30
    profile: {kind: enterprise, name: 测试企业, staff: {total: 49}}
    expect: {big_firm: false}
"""
    rules = load_from_texts({"facts/test.yaml": pinned, "qingyuan/f.yaml": measure})
    (report,) = mutate_all(rules, ROOT, ["facts/test.yaml"], jobs=1)
    assert (report.killed, report.survived) == (3, 0)


def test_every_threshold_of_the_catalogue_is_pinned_by_a_test(ruleset: Any) -> None:
    """The CI gate of issue 17: no measure of rules/ has a surviving mutant (equivalents carry a reason)."""
    reports = mutate_all(ruleset, ROOT, jobs=1)  # in-process: the suite may hold server threads (no fork)
    assert len(reports) == len(ruleset.measures)
    assert not [(r.measure_id, r.broken) for r in reports if r.broken]
    assert not [(r.measure_id, s.mutant, s.description) for r in reports for s in r.survivors]
    assert sum(r.killed for r in reports) > 0
