"""Whole-catalogue screening writes, for every row and measure, what one-by-one evaluation decides.

10,000 generated enterprises (2 % exactly on a threshold or one unit below it, plus every threshold pair of the
benchmark), with the answers the high-tech awards need, and the sample applicants: `subsidy screen --missing` (column-wise, engine.fast.columnar)
against the compiled scalar path on each row's parsed profile — outcome, amount and its kind, first failing
condition and missing fields; evaluate() itself on a slice and on the sample applicants.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner

from bench.generate import AS_OF, TODAY, generate, threshold_profiles, with_answers
from engine import evaluate, load_ruleset, parse_profile
from engine.errors import ProfileError
from engine.fast import compile_ruleset
from engine.io import Layout, known_names, row_of
from tests.conftest import ROOT, SAMPLES
from web.cli import main
from web.reports.screening import amount_cells

ROWS = 10_000


def _rows(header: list[str]) -> list[list[str]]:
    profiles = with_answers(generate(ROWS - 200, seed=17)[0] + threshold_profiles()[:200], seed=5)
    rows = [row_of({k: v for k, v in p.items() if k not in ("loans", "projects")}, header)  # no such columns
            for p in profiles]
    for path in sorted(SAMPLES.glob("*.yaml")):
        import yaml

        try:
            parsed = parse_profile(yaml.safe_load(path.read_text(encoding="utf-8")), dt.date(2030, 1, 1))
        except ProfileError:  # a sample being edited elsewhere
            continue
        rows.append(row_of(parsed.profile.model_dump(mode="python", exclude_none=True), header))
    return rows


def test_screening_writes_what_each_row_evaluates_to(tmp_path: Path) -> None:
    header = known_names(range(AS_OF.year - 3, AS_OF.year))
    rows = _rows(header)
    seen, accepted, checked_by_evaluate = _screen_and_check(tmp_path, header, rows, "4000", every=100)
    assert accepted >= ROWS * 0.95
    assert checked_by_evaluate >= 90
    # A register cannot answer "no certificates" (no cell says none), so the high-tech awards stay undetermined
    # here; conditional outcomes are compared column-wise on profiles in tests/engine/test_fast.py.
    assert {"eligible", "ineligible", "undetermined"} <= set(seen), seen


def test_screening_on_the_innovation_score_edges(tmp_path: Path) -> None:
    """The 高企 innovation score's interval columns from a register (engine.io.batch.RegisterBatch): every band
    letter or none, IP counts on the band bounds, growth exactly on a band bound and one yuan off, zero rules,
    amounts whose products overflow int64 (those rows fall back), assessed totals on the range's bounds."""
    from tests.engine.test_fast_columnar_intervals import shaped_profiles

    header = known_names(range(AS_OF.year - 3, AS_OF.year))
    rows = [row_of({k: v for k, v in p.items() if k not in ("loans", "projects")}, header)
            for p in shaped_profiles(1500)]
    seen, accepted, checked = _screen_and_check(tmp_path, header, rows, "500", every=25)
    assert accepted >= 1400 and checked >= 50
    assert {"eligible", "ineligible", "undetermined"} <= set(seen), seen


def _screen_and_check(tmp_path: Path, header: list[str], rows: list[list[str]], chunk: str,
                      every: int) -> tuple[Counter[str], int, int]:
    """`subsidy screen --missing` over the rows, then each written line against the scalar path on the row's parsed
    profile (and evaluate() itself on every `every`-th row): outcome, amount and its kind, first failing condition,
    missing fields; not-applicable measures are not written."""
    register = tmp_path / "register.csv"
    with register.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["screen", str(register), "--out", str(out), "--jobs", "1", "--missing",
                                       "--chunk", chunk, "--as-of", AS_OF.isoformat(), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    written: dict[int, dict[str, dict[str, str]]] = {}
    with (out / "results.csv").open(encoding="utf-8", newline="") as handle:
        for line in csv.DictReader(handle):
            written.setdefault(int(line["row"]), {})[line["measure"]] = line
    ruleset = load_ruleset(ROOT / "rules")
    program = compile_ruleset(ruleset, AS_OF)
    layout = Layout(header)
    seen: Counter[str] = Counter()
    checked_by_evaluate = accepted = 0
    for number, row in enumerate(rows, start=2):
        try:
            parsed = parse_profile(layout.raw_profile(row), TODAY)
        except ProfileError:
            assert number not in written
            continue
        accepted += 1
        verdicts = program.verdicts(parsed)
        if number % every == 0:  # the scalar path is evaluate() itself (tests/engine/test_fast.py); here too
            expected = [(r.measure_id, r.outcome, r.amount, r.failing, r.missing)
                        for r in evaluate(ruleset, parsed, AS_OF).results]
            assert [(v.measure_id, v.outcome, v.amount, v.failing, v.missing) for v in verdicts] == expected
            checked_by_evaluate += 1
        mine = written.get(number, {})
        for verdict in verdicts:
            seen[verdict.outcome.value] += 1
            if verdict.outcome.value == "not_applicable":
                assert verdict.measure_id not in mine, (number, verdict.measure_id)
                continue
            line = mine[verdict.measure_id]
            amount, kind = amount_cells(verdict.amount)
            assert (line["outcome"], line["amount_kind"], line["first_failing"], line["missing"]) == (
                verdict.outcome.value, kind, verdict.first_failing or "", ";".join(verdict.missing)), \
                (number, verdict.measure_id)
            assert (Fraction(line["amount"]) if line["amount"] else "") == (Fraction(amount) if amount != "" else "")
    return seen, accepted, checked_by_evaluate
