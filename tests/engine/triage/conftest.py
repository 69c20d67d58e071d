"""Shared setup of the triage tests: the project's triage rules and a small application factory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from engine.loader import load_from_texts, read_rule_texts
from engine.model import RuleSet
from engine.triage import ApplicationFacts, TriageRuleSet, load_triage_rules

ROOT = Path(__file__).resolve().parents[3]
TRIAGE_DIR = ROOT / "rules" / "triage"
TODAY = dt.date(2025, 6, 30)  # a Monday
CODE_A = "91441802MA4W1A2B98"
CODE_B = "91441802MA4W3C4D44"
CODE_C = "91441802MA4W5E6FXW"


@pytest.fixture(scope="session")
def rules() -> TriageRuleSet:
    return load_triage_rules(TRIAGE_DIR)


@pytest.fixture(scope="session")
def hnte_ruleset() -> RuleSet:
    """Only the facts and the HNTE measure: these tests need a Decision, not the whole catalogue."""
    texts = read_rule_texts(ROOT / "rules")
    return load_from_texts({k: v for k, v in texts.items()
                            if k.startswith("facts/") or k == "national/hnte_recognition.yaml"})


def app(application_id: str, **fields: Any) -> ApplicationFacts:
    """An application in review since last Friday, by company A unless told otherwise."""
    data: dict[str, Any] = {"application_id": application_id, "credit_code": CODE_A,
                            "name": "清远甲科技有限公司", "status": "in_review",
                            "status_since": dt.date(2025, 6, 27)}
    return ApplicationFacts.model_validate({**data, **fields})
