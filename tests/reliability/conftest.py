"""Fixtures of the reliability suite: hypothesis profiles, the `fuzz` marker, the two databases.

Hypothesis profiles:
  * the default profile (100 examples a property) runs in the normal suite;
  * ``--hypothesis-profile=fuzz`` runs 10,000 examples a property, with no deadline:
    ``pytest tests/reliability -m fuzz --hypothesis-profile=fuzz`` (bounded: 10,000 cases each).

The SQLite + PostgreSQL fixtures are those of tests/store/conftest.py (imported, not copied), so every
store-level test here runs on both databases and skips its PostgreSQL leg, saying so, without a server.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
STORE_TESTS = PROJECT_ROOT / "tests" / "store"
for folder in (HERE, STORE_TESTS):  # relkit / storekit importable by name, also in spawned processes
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from tests.store.conftest import (  # noqa: E402,F401  (fixtures re-exported for this folder)
    database_url,
    db_engine,
    db_url,
    loadable_rules,
    mini_rules,
    rules_copy,
    session,
)

FUZZ_EXAMPLES = 10_000
settings.register_profile(
    "fuzz", max_examples=FUZZ_EXAMPLES, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: property tests that run 10,000 cases with --hypothesis-profile=fuzz")
    config.addinivalue_line("markers", "faults: crash / disk-full / database-restart tests (child processes)")
