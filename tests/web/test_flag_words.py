"""A triage flag reads in words on the bureau's pages: measures by their titles, conditions by their texts (issue 20:
nobody reads rule ids), re-rendered from the flag's stored details."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Flask

from engine import load_ruleset
from tests.web.conftest import ROOT
from web.app import create_app
from web.bureau.flags import flag_words

CATALOGUE = load_ruleset(ROOT / "rules")


def _app(db_url: str) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "flag-words-test-key-0123456789", "DATABASE_URL": db_url},
                      ruleset=CATALOGUE)


def _flag(rule_id: str, details: dict[str, str], zh: str = "stored", en: str = "stored") -> Any:
    return SimpleNamespace(rule_id=rule_id, details=details, message_zh=zh, message_en=en)


def test_exclusive_measures_are_named_by_their_titles(db_url: str) -> None:
    details = {"measure": "qingyuan.hnte_award_benchmark", "other_measure": "qingyuan.hnte_award_first_time",
               "other_application": "17"}
    with _app(db_url).test_request_context("/review/"):
        zh, en = flag_words(_flag("exclusive_measures", details), "zh"), flag_words(_flag("exclusive_measures", details), "en")
    assert "清远市标杆高新技术企业奖励" in zh and "清远市新认定高新技术企业奖励（首次认定）" in zh
    assert "qingyuan." not in zh and "qingyuan." not in en
    assert "benchmark" in en.lower()


def test_a_flag_whose_rule_is_gone_keeps_its_stored_words(db_url: str) -> None:
    with _app(db_url).test_request_context("/review/"):
        assert flag_words(_flag("no_such_rule", {"x": "1"}, zh="原文"), "zh") == "原文"
