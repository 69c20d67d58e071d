"""Every broken rule file in invalid_rules/ fails to load with its code, line and a helpful message."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import RuleLoadError
from engine.loader import load_from_texts, read_rule_texts

HERE = Path(__file__).parent / "invalid_rules"
RULES = Path(__file__).parents[2] / "rules"

CASES = [
    ("unknown_key.yaml", "unknown-key", 7, ["critera", "criteria"]),
    ("typo_in_name.yaml", "unknown-name", 11, ["rd_ratoi_3y", "did you mean 'rd_ratio_3y'"]),
    ("money_without_unit.yaml", "unit-mismatch", 11, ["money", "5000万元"]),
    ("bad_date.yaml", "date-from-datetime-parsing", 6, ["effective.from"]),
    ("syntax_error.yaml", "syntax", 11, ["expected ')'"]),
    ("duplicate_key.yaml", "duplicate-key", 11, ["benefit"]),
    ("unknown_parameter.yaml", "unknown-parameter", 11, ["staf_min", "staff_min"]),
    ("unknown_function.yaml", "unknown-function", 11, ["summ", "sum"]),
    ("missing_text.yaml", "missing-text", 9, ["text"]),
    ("bad_confidence.yaml", "literal-error", 5, ["confidence"]),
    ("unpublished_with_amount.yaml", "unpublished-amount", 10, ["unpublished"]),
    ("duplicate_condition_id.yaml", "duplicate-id", 10, ["'a'"]),
    ("how_to_apply_bad_url.yaml", "bad-url", 13, ["how_to_apply.url", "www.example.gov.cn", "https://"]),
    ("how_to_apply_one_language.yaml", "missing", 12, ["how_to_apply.period.en"]),
]


def _facts() -> dict[str, str]:
    return {k: v for k, v in read_rule_texts(RULES).items() if k.startswith("facts/")}


@pytest.mark.parametrize(("name", "code", "line", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_broken_rule_file_is_rejected_with_location(name: str, code: str, line: int, fragments: list[str]) -> None:
    texts = {**_facts(), "national/bad.yaml": (HERE / name).read_text(encoding="utf-8")}
    with pytest.raises(RuleLoadError) as caught:
        load_from_texts(texts)
    errors = [e for e in caught.value.errors if e.file == "national/bad.yaml"]
    assert any(e.code == code for e in errors), [str(e) for e in errors]
    error = next(e for e in errors if e.code == code)
    assert error.line == line, str(error)
    text = str(error)
    for fragment in fragments:
        assert fragment in text, text


def test_every_corpus_file_is_covered() -> None:
    assert {c[0] for c in CASES} == {p.name for p in HERE.glob("*.yaml")}


def test_one_bad_file_rejects_the_whole_load() -> None:
    good = read_rule_texts(RULES)
    texts = {**good, "national/bad.yaml": (HERE / "typo_in_name.yaml").read_text(encoding="utf-8")}
    with pytest.raises(RuleLoadError):
        load_from_texts(texts)
    assert load_from_texts(good).measures  # the good set alone still loads


def test_all_errors_are_collected_not_just_the_first() -> None:
    texts = {**_facts()}
    for name in ("typo_in_name.yaml", "unknown_function.yaml"):
        text = (HERE / name).read_text(encoding="utf-8").replace("national.bad", f"national.{name[:-5]}")
        texts[f"national/{name[:-5]}.yaml"] = text
    with pytest.raises(RuleLoadError) as caught:
        load_from_texts(texts)
    assert {e.code for e in caught.value.errors} >= {"unknown-name", "unknown-function"}
