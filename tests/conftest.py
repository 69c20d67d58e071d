"""Shared fixtures: the project's RuleSet and sample profiles."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import load_ruleset
from engine.model import RuleSet

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_applicants"
AS_OF = dt.date(2025, 6, 30)


def pytest_configure(config: pytest.Config) -> None:
    """Uploaded materials written by the tests (the demo, the CLI) go to a temporary folder, never instance/; so does
    the command line's cache of read rule files (web/cli/rules_cache.py), never the user's ~/.cache."""
    if not os.environ.get("SUBSIDY_MATERIALS"):
        os.environ["SUBSIDY_MATERIALS"] = tempfile.mkdtemp(prefix="subsidy-test-materials-")
    if not os.environ.get("SUBSIDY_RULES_CACHE"):
        os.environ["SUBSIDY_RULES_CACHE"] = tempfile.mkdtemp(prefix="subsidy-test-rules-cache-")


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset(ROOT / "rules")


def sample(name: str) -> dict[str, Any]:
    return yaml.safe_load((SAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
