"""Triage rule files load all or nothing; every broken file is reported with file:line, a code and a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import RuleLoadError
from engine.loader import read_rule_texts
from engine.triage import load_triage_from_texts, load_triage_rules
from engine.triage.loader import read_triage_texts
from tests.engine.triage.conftest import TRIAGE_DIR

HERE = Path(__file__).parent / "invalid_rules"

CASES = [
    ("unknown_key.yaml", "unknown-key", 7, ["sevrity_note", "severity"]),
    ("unknown_field.yaml", "unknown-field", 8, ["finance.rd_expnse", "did you mean 'finance.rd_expense'"]),
    ("unknown_placeholder.yaml", "unknown-placeholder", 5, ["{projct}", "did you mean 'project'"]),
    ("missing_parameter.yaml", "missing-parameter", 1, ["within"]),
    ("unknown_parameter.yaml", "unknown-parameter", 12, ["withn", "did you mean 'within'"]),
    ("bad_parameter.yaml", "bad-parameter", 13, ["whole number of days", "7.5"]),
    ("unknown_status.yaml", "unknown-status", 8, ["in_reveiw", "did you mean 'in_review'"]),
    ("no_effect.yaml", "no-effect", 5, ["route or a non-zero priority"]),
    ("id_mismatch.yaml", "id-mismatch", 1, ["duplicate_projects", "id_mismatch"]),
    ("duplicate_key.yaml", "duplicate-key", 7, ["route"]),
    ("bad_test_application.yaml", "unknown-key", 16, ["project_kyes", "did you mean 'project_keys'"]),
    ("bad_test_application.yaml", "unknown-application", 17, ["'A2'", "applications: A1"]),
    ("bad_option.yaml", "unknown-option", 10, ["rigth", "did you mean 'right'"]),
    ("bad_option.yaml", "bad-comparison", 9, ["staff.sci_tech", "finance.sales"]),
]


@pytest.mark.parametrize(("name", "code", "line", "fragments"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_broken_file_is_rejected_with_location(name: str, code: str, line: int, fragments: list[str]) -> None:
    texts = {**read_triage_texts(TRIAGE_DIR),
             f"triage/{Path(name).stem}.yaml": (HERE / name).read_text("utf-8")}
    with pytest.raises(RuleLoadError) as caught:
        load_triage_from_texts(texts)
    errors = [e for e in caught.value.errors if e.file == f"triage/{name}" and e.code == code]
    assert errors, f"no {code} error in {[str(e) for e in caught.value.errors]}"
    assert errors[0].line == line, str(errors[0])
    text = str(errors[0])
    assert all(fragment in text for fragment in fragments), text


def test_all_errors_of_all_files_are_reported_at_once() -> None:
    texts = {f"triage/{p.stem}.yaml": p.read_text("utf-8") for p in sorted(HERE.glob("*.yaml"))}
    with pytest.raises(RuleLoadError) as caught:
        load_triage_from_texts(texts)
    assert {e.file for e in caught.value.errors} == set(texts)


def test_the_project_rules_load_and_hash_their_content() -> None:
    first, second = load_triage_rules(TRIAGE_DIR), load_triage_rules(TRIAGE_DIR)
    assert first.hash == second.hash and len(first.hash) == 64
    assert set(first.snapshot) == {f"triage/{p.name}" for p in TRIAGE_DIR.glob("*.yaml")}


def test_the_measure_loader_ignores_the_triage_folder() -> None:
    assert not any(rel.startswith("triage/") for rel in read_rule_texts(TRIAGE_DIR.parent))
