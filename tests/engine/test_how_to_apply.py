"""The optional `how_to_apply:` block of a measure file: validated, carried in Measure, kept in the snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import Message, RuleLoadError
from engine.loader import load_from_snapshot, load_from_texts, load_ruleset, read_rule_texts

RULES = Path(__file__).parents[2] / "rules"
MEASURE = """\
id: national.sample
title: {zh: 示例, en: sample}
issuer: national
applicant: [enterprise]
source: {document: 测试, confidence: V}
effective: {from: 2020-01-01}
criteria:
  all:
    - {id: a, text: {zh: 甲, en: a}, when: "staff.total >= 10"}
benefit: {kind: recognition, text: {zh: 无, en: none}}
"""


def _load(extra: str):  # type: ignore[no-untyped-def]
    facts = {k: v for k, v in read_rule_texts(RULES).items() if k.startswith("facts/")}
    return load_from_texts({**facts, "national/sample.yaml": MEASURE + extra})


def test_block_is_carried_in_the_measure_and_survives_the_snapshot() -> None:
    ruleset = _load("how_to_apply:\n"
                    "  body: {zh: 市科学技术局, en: city S&T bureau}\n"
                    "  period: {zh: 每年6月, en: every June}\n"
                    "  url: https://example.gov.cn/notice.html\n")
    how = ruleset.measures["national.sample"].how_to_apply
    assert how is not None
    assert how.body == Message("市科学技术局", "city S&T bureau")
    assert how.period == Message("每年6月", "every June")
    assert how.url == "https://example.gov.cn/notice.html"
    assert ruleset.snapshot["national/sample.yaml"]["how_to_apply"]["url"] == how.url
    again = load_from_snapshot(ruleset.snapshot)
    assert again.hash == ruleset.hash
    assert again.measures["national.sample"].how_to_apply == how


def test_each_field_is_optional_and_the_block_too() -> None:
    assert _load("").measures["national.sample"].how_to_apply is None
    how = _load("how_to_apply: {url: 'http://example.com/a?b=1'}\n").measures["national.sample"].how_to_apply
    assert how is not None and how.body is None and how.period is None and how.url == "http://example.com/a?b=1"


def test_block_changes_the_ruleset_hash() -> None:
    assert _load("").hash != _load("how_to_apply: {url: 'https://example.com/x'}\n").hash


@pytest.mark.parametrize(("extra", "code"), [
    ("how_to_apply: {}\n", "empty-how-to-apply"),
    ("how_to_apply: {url: 'ftp://example.com/x'}\n", "bad-url"),
    ("how_to_apply: {url: 'https://exa mple.com/x'}\n", "bad-url"),
    ("how_to_apply: {url: 'https://localhost'}\n", "bad-url"),
    ("how_to_apply: {office: {zh: 甲, en: a}}\n", "unknown-key"),
    ("how_to_apply: {body: {zh: '', en: a}}\n", "string-too-short"),
])
def test_bad_blocks_are_load_errors(extra: str, code: str) -> None:
    with pytest.raises(RuleLoadError) as caught:
        _load(extra)
    assert code in {e.code for e in caught.value.errors}, [str(e) for e in caught.value.errors]


def test_every_shipped_block_is_complete_text() -> None:
    for measure in load_ruleset(RULES).measures.values():
        how = measure.how_to_apply
        if how is not None:
            for text in (how.body, how.period):
                assert text is None or (text.zh.strip() and text.en.strip()), measure.id


def _with_source_url(url: str, extra: str = ""):  # type: ignore[no-untyped-def]
    text = MEASURE.replace("source: {document: 测试, confidence: V}",
                           f"source: {{document: 测试, confidence: V, url: '{url}'}}")
    facts = {k: v for k, v in read_rule_texts(RULES).items() if k.startswith("facts/")}
    return load_from_texts({**facts, "national/sample.yaml": text + extra}).measures["national.sample"].how_to_apply


def test_the_address_is_written_once_in_the_source() -> None:
    how = _with_source_url("https://example.gov.cn/policy/1.html")
    assert how is not None and how.url == "https://example.gov.cn/policy/1.html" and how.body is None
    how = _with_source_url("https://example.gov.cn/policy/1.html", "how_to_apply: {body: {zh: 甲局, en: bureau A}}\n")
    assert how is not None and how.url == "https://example.gov.cn/policy/1.html" and how.body == Message("甲局", "bureau A")


def test_a_bare_site_is_not_offered_as_the_document() -> None:
    assert _with_source_url("https://example.gov.cn") is None
    how = _with_source_url("https://example.gov.cn/", "how_to_apply: {period: {zh: 每年6月, en: every June}}\n")
    assert how is not None and how.url is None


def test_an_application_notice_address_overrides_the_source() -> None:
    how = _with_source_url("https://example.gov.cn/policy/1.html",
                           "how_to_apply: {url: 'https://example.gov.cn/notice/2023.html'}\n")
    assert how is not None and how.url == "https://example.gov.cn/notice/2023.html"
