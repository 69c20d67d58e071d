"""Schemathesis against the served OpenAPI document: no 5xx, no response that breaks the schema.

The API runs in process (WSGI) on a migrated SQLite database with an applicant, a reviewer and an
auditor; each operation is called with the token its scope needs. Examples are bounded (25 per
operation) and derandomized, so the run is deterministic and quick enough for the test suite.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine import parse_profile
from engine.model import RuleSet
from tests.conftest import AS_OF, sample
from web.api.openapi import ENDPOINTS, Endpoint
from web.app import create_app
from web.db_session import db, dispose
from web.store import migrate, queries

PASSWORD = "correct horse battery"
PROFILE: dict[str, Any] = json.loads(json.dumps(sample("qingcheng_ceramics_turning_hightech"), default=str))
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
ROLE_FOR = {"createApplication": "applicant", "getApplication": "applicant", "getDecision": "auditor",
            "replayDecision": "auditor"}


@pytest.fixture(scope="module")
def st_app(web_ruleset: RuleSet, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    path: Path = tmp_path_factory.mktemp("api_st") / "api.db"
    migrate.upgrade(f"sqlite:///{path}")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789", "DATABASE_URL": f"sqlite:///{path}",
                      "API_EVALUATE_RATE_LIMIT": "off", "API_TOKENS_RATE_LIMIT": "off",
                      "API_SUBMISSIONS_RATE_LIMIT": "off"}, ruleset=web_ruleset)
    with app.app_context():
        session = db()
        applicant = queries.get_or_create_applicant(session, parse_profile(PROFILE, AS_OF).profile)
        queries.create_user(session, "applicant", PASSWORD, "applicant", applicant.id)
        queries.create_user(session, "auditor", PASSWORD, "auditor")
        session.commit()
    client = app.test_client()
    for username in ("applicant", "auditor"):  # one stored application and decision, so ids 1 exist
        response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
        app.config[f"TEST_TOKEN_{username}"] = response.json["access_token"]
    created = client.post("/api/v1/applications", json={"profile": PROFILE, "as_of": "2025-06-30",
                                                        "measures": ["qingyuan.webtest_award"]},
                          headers={"Authorization": f"Bearer {app.config['TEST_TOKEN_applicant']}"})
    assert created.status_code == 201, created.get_data(as_text=True)
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def api_schema(st_app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", st_app)


# schemathesis.pytest.from_fixture does not run under pytest 9 (it reads Function._nodeid), so each
# operation is a parameter and hypothesis drives the operation's strategy directly.
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda ep: ep.operation_id)
def test_api_conforms_to_its_openapi_document(endpoint: Endpoint, api_schema: Any, st_app: Flask) -> None:
    operation = api_schema[f"/api/v1{endpoint.path}"][endpoint.method.upper()]
    role = ROLE_FOR.get(endpoint.operation_id)
    headers = {"Authorization": f"Bearer {st_app.config[f'TEST_TOKEN_{role}']}"} if role else {}

    @given(case=operation.as_strategy())
    @settings(max_examples=25, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
