"""Tests of the JSON API under /api/v1: every endpoint, auth scopes, idempotency, problem details, rate limit.

Each test gets its own SQLite database (a copy of one migrated at the start of the module) holding an
applicant (the Qingcheng ceramics sample), an applicant user for it, another applicant, a reviewer and an
auditor. The RuleSet is the web tests' small one (tests/web/conftest.py).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import evaluate, parse_profile
from engine.model import RuleSet
from tests.conftest import AS_OF, sample
from web.api.schemas import (
    ApplicationOut,
    DecisionOut,
    MeasureListOut,
    MeasureOut,
    ProblemOut,
    ReplayOut,
    StoredDecisionOut,
    TokenOut,
)
from web.app import create_app
from web.db_session import db, dispose
from web.store import migrate, queries
from web.store.models import Application, IdempotencyKey

PASSWORD = "correct horse battery"
PROFILE: dict[str, Any] = json.loads(json.dumps(sample("qingcheng_ceramics_turning_hightech"), default=str))
OTHER_PROFILE = {**PROFILE, "name": "清远市另一家科技有限公司", "credit_code": "91441802MA0000031T"}
BASE_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789", "API_EVALUATE_RATE_LIMIT": "off",
               "API_TOKENS_RATE_LIMIT": "off"}


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api_db") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def seed(app: Flask) -> None:
    """An applicant user for PROFILE, one for OTHER_PROFILE, a reviewer and an auditor."""
    with app.app_context():
        session = db()
        for username, profile in (("applicant", PROFILE), ("other", OTHER_PROFILE)):
            applicant = queries.get_or_create_applicant(session, parse_profile(profile, AS_OF).profile)
            queries.create_user(session, username, PASSWORD, "applicant", applicant.id)
        queries.create_user(session, "reviewer", PASSWORD, "reviewer")
        queries.create_user(session, "auditor", PASSWORD, "auditor")
        session.commit()


def make_app(ruleset: RuleSet, db_path: Path, **config: Any) -> Flask:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{db_path}", **config}, ruleset=ruleset)
    seed(app)
    return app


@pytest.fixture
def api_app(web_ruleset: RuleSet, migrated_db: Path, tmp_path: Path) -> Iterator[Flask]:
    path = tmp_path / "api.db"
    shutil.copy(migrated_db, path)
    app = make_app(web_ruleset, path)
    yield app
    dispose(app)


@pytest.fixture
def api(api_app: Flask) -> FlaskClient:
    return api_app.test_client()


def token(client: FlaskClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/problem+json"
    body = response.json
    ProblemOut.model_validate(body)
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    if code:
        assert body["type"].endswith(f"#problem-{code}")
    return body


def error_paths(body: dict[str, Any]) -> set[str]:
    return {e["path"] for e in body.get("errors", [])}


# -- evaluate -----------------------------------------------------------------------------------------

def test_evaluate_returns_the_engines_canonical_decision(api: FlaskClient, web_ruleset: RuleSet) -> None:
    response = api.post("/api/v1/evaluate?trace=full", json={"profile": PROFILE, "as_of": "2025-06-30"})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/json"
    expected = evaluate(web_ruleset, parse_profile(PROFILE, AS_OF), AS_OF).to_json()
    assert response.get_data(as_text=True) == expected
    decision = DecisionOut.model_validate(response.json)
    assert decision.ruleset_hash == web_ruleset.hash and decision.as_of == "2025-06-30"
    assert {r.measure_id for r in decision.results} == set(web_ruleset.measures)


def test_evaluate_can_restrict_measures(api: FlaskClient) -> None:
    response = api.post("/api/v1/evaluate", json={"profile": PROFILE, "as_of": "2025-06-30",
                                                  "measures": ["qingyuan.webtest_award"]})
    assert response.status_code == 200
    assert [r["measure_id"] for r in response.json["results"]] == ["qingyuan.webtest_award"]


def test_evaluate_validation_errors_name_every_field(api: FlaskClient) -> None:
    profile = {**PROFILE, "finance": [{**PROFILE["finance"][0], "sales": "lots"}], "staff": {"total": -3},
               "nonsense": 1}
    response = api.post("/api/v1/evaluate", json={"profile": profile, "as_of": "1800-01-01",
                                                  "measures": ["qingyuan.webtest_awrd"], "extra": True})
    body = assert_problem(response, 422, "validation-error")
    paths = error_paths(body)
    assert {"profile.finance[0].sales", "profile.staff.total", "profile.nonsense", "extra"} <= paths
    for error in body["errors"]:
        assert set(error) == {"path", "code", "message_zh", "message_en"}
        assert error["message_zh"] and error["message_en"] and error["code"]


def test_evaluate_date_range_and_unknown_measure(api: FlaskClient) -> None:
    response = api.post("/api/v1/evaluate", json={"profile": PROFILE, "as_of": "1800-01-01",
                                                  "measures": ["qingyuan.webtest_awrd"]})
    body = assert_problem(response, 422)
    assert {"as_of", "measures[0]"} <= error_paths(body)
    assert "qingyuan.webtest_award" in next(e for e in body["errors"] if e["path"] == "measures[0]")["message_en"]


@pytest.mark.parametrize("payload", [[1, 2], "text", None])
def test_evaluate_body_must_be_an_object(api: FlaskClient, payload: Any) -> None:
    response = api.post("/api/v1/evaluate", data=json.dumps(payload), content_type="application/json")
    assert error_paths(assert_problem(response, 422)) == {"(body)"}


def test_evaluate_missing_profile(api: FlaskClient) -> None:
    assert "profile" in error_paths(assert_problem(api.post("/api/v1/evaluate", json={}), 422))


@pytest.mark.parametrize("data", [b"{", b"\xff\xfe", b'{"profile": NaN}', b"   "])
def test_unreadable_json_is_400(api: FlaskClient, data: bytes) -> None:
    assert_problem(api.post("/api/v1/evaluate", data=data, content_type="application/json"), 400, "unreadable-json")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_wrong_content_type_is_415(api: FlaskClient, content_type: str | None) -> None:
    kwargs = {"content_type": content_type} if content_type else {}
    response = api.post("/api/v1/evaluate", data=json.dumps({"profile": PROFILE}), **kwargs)
    assert_problem(response, 415, "unsupported-media-type")


def test_json_suffix_media_type_is_accepted(api: FlaskClient) -> None:
    response = api.post("/api/v1/evaluate", data=json.dumps({"profile": PROFILE, "as_of": "2025-06-30"}),
                        content_type="application/merge-patch+json")
    assert response.status_code == 200


def test_oversized_body_is_413(web_ruleset: RuleSet, migrated_db: Path, tmp_path: Path) -> None:
    shutil.copy(migrated_db, tmp_path / "api.db")
    app = make_app(web_ruleset, tmp_path / "api.db", MAX_CONTENT_LENGTH=2000)
    response = app.test_client().post("/api/v1/evaluate", json={"profile": {**PROFILE, "name": "x" * 5000}})
    assert_problem(response, 413, "payload-too-large")
    dispose(app)


def test_unknown_path_and_method_are_problems(api: FlaskClient) -> None:
    assert_problem(api.get("/api/v1/nothing-here"), 404, "not-found")
    assert_problem(api.get("/api/v1/decisions/99999999999999", headers=token(api, "auditor")), 404)
    response = api.delete("/api/v1/measures")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["Allow"] == "GET"
    assert_problem(api.get("/api/v1/evaluate"), 405)


def test_evaluate_is_rate_limited_per_client(web_ruleset: RuleSet, migrated_db: Path, tmp_path: Path) -> None:
    shutil.copy(migrated_db, tmp_path / "api.db")
    app = make_app(web_ruleset, tmp_path / "api.db", API_EVALUATE_RATE_LIMIT="2/minute")
    client = app.test_client()
    body = {"profile": PROFILE, "as_of": "2025-06-30"}
    assert [client.post("/api/v1/evaluate", json=body).status_code for _ in range(2)] == [200, 200]
    limited = client.post("/api/v1/evaluate", json=body)
    problem = assert_problem(limited, 429, "rate-limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 30
    assert "2 requests per 60 s" in problem["detail"]
    other = client.post("/api/v1/evaluate", json=body, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # another client has its own bucket
    assert client.get("/api/v1/measures").status_code == 200  # reads are not limited
    dispose(app)


def test_api_is_exempt_from_csrf(web_ruleset: RuleSet, migrated_db: Path, tmp_path: Path) -> None:
    shutil.copy(migrated_db, tmp_path / "api.db")
    app = make_app(web_ruleset, tmp_path / "api.db", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    assert client.post("/api/v1/evaluate", json={"profile": PROFILE, "as_of": "2025-06-30"}).status_code == 200
    assert client.post("/api/v1/tokens", json={"username": "auditor", "password": PASSWORD}).status_code == 200
    dispose(app)


# -- measures -----------------------------------------------------------------------------------------

def test_measures_list_and_detail(api: FlaskClient, web_ruleset: RuleSet) -> None:
    listing = MeasureListOut.model_validate(api.get("/api/v1/measures").json)
    assert listing.count == len(web_ruleset.measures) == len(listing.measures)
    assert [m.id for m in listing.measures] == sorted(web_ruleset.measures)
    talent = MeasureListOut.model_validate(api.get("/api/v1/measures?applicant=talent").json)
    assert all("talent" in m.applicant for m in talent.measures) and talent.count < listing.count
    detail = MeasureOut.model_validate(api.get("/api/v1/measures/qingyuan.webtest_award").json)
    assert detail.title.en == "web-test award" and detail.excludes == ["qingyuan.webtest_small"]
    assert detail.confidence == "V" and detail.benefit.up_to
    assert detail.criteria.children[0].id == "staff_min"
    assert_problem(api.get("/api/v1/measures/no.such_measure"), 404, "not-found")


# -- tokens -------------------------------------------------------------------------------------------

def test_token_issue_and_refusal(api: FlaskClient) -> None:
    response = api.post("/api/v1/tokens", json={"username": "auditor", "password": PASSWORD})
    issued = TokenOut.model_validate(response.json)
    assert issued.token_type == "Bearer" and issued.scope == "auditor" and issued.expires_in == 3600
    wrong = api.post("/api/v1/tokens", json={"username": "auditor", "password": "nope"})
    assert_problem(wrong, 401, "invalid-credentials")
    assert_problem(api.post("/api/v1/tokens", json={"username": "ghost", "password": "x"}), 401)
    assert "password" in error_paths(assert_problem(api.post("/api/v1/tokens", json={"username": "a"}), 422))


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Basic abc", "Bearer ", "Token x"])
def test_bad_tokens_are_401(api: FlaskClient, header: str) -> None:
    response = api.get("/api/v1/decisions/1", headers={"Authorization": header})
    assert_problem(response, 401, "invalid-token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_missing_token_is_401(api: FlaskClient) -> None:
    response = api.get("/api/v1/applications/1")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(web_ruleset: RuleSet, migrated_db: Path, tmp_path: Path) -> None:
    shutil.copy(migrated_db, tmp_path / "api.db")
    app = make_app(web_ruleset, tmp_path / "api.db", API_TOKEN_MAX_AGE=-1)
    client = app.test_client()
    headers = token(client, "auditor")
    body = assert_problem(client.get("/api/v1/decisions/1", headers=headers), 401, "invalid-token")
    assert "expired" in body["detail"]
    dispose(app)


def test_token_of_a_deactivated_user_stops_working(api_app: Flask, api: FlaskClient) -> None:
    headers = token(api, "auditor")
    with api_app.app_context():
        queries.get_user(db(), "auditor").active = False
        db().commit()
    assert_problem(api.get("/api/v1/decisions/1", headers=headers), 401, "invalid-token")


def test_token_from_another_secret_is_refused(api: FlaskClient, web_ruleset: RuleSet, migrated_db: Path,
                                              tmp_path: Path) -> None:
    shutil.copy(migrated_db, tmp_path / "other.db")
    other = make_app(web_ruleset, tmp_path / "other.db", SECRET_KEY="another-secret-key-0123456789")
    headers = token(other.test_client(), "auditor")
    assert_problem(api.get("/api/v1/decisions/1", headers=headers), 401, "invalid-token")
    dispose(other)


# -- applications -------------------------------------------------------------------------------------

def apply(client: FlaskClient, headers: dict[str, str], profile: dict[str, Any] | None = None,
          **extra: Any) -> Any:
    """An application (by default for every test measure: an application names its measures or its call)."""
    if "measures" not in extra and "call_id" not in extra:
        extra["measures"] = ["qingyuan.webtest_award", "qingyuan.webtest_small", "qingyuan.webtest_unpublished"]
    return client.post("/api/v1/applications", json={"profile": profile or PROFILE, "as_of": "2025-06-30", **extra},
                       headers=headers)


def test_applicant_creates_and_reads_own_application(api: FlaskClient, web_ruleset: RuleSet) -> None:
    headers = token(api, "applicant")
    response = apply(api, headers, measures=["qingyuan.webtest_award", "qingyuan.webtest_small"])
    assert response.status_code == 201, response.get_data(as_text=True)
    created = ApplicationOut.model_validate(response.json)
    assert response.headers["Location"] == f"/api/v1/applications/{created.id}"
    assert created.status == "decided" and created.applicant.code == PROFILE["credit_code"]
    assert created.measures == ["qingyuan.webtest_award", "qingyuan.webtest_small"]
    assert set(created.decisions[0].outcomes) == {"qingyuan.webtest_award", "qingyuan.webtest_small"}
    read = api.get(response.headers["Location"], headers=headers)
    assert read.status_code == 200 and read.json == response.json
    assert created.submitted_at.tzinfo is not None


def test_application_scopes(api: FlaskClient) -> None:
    created = apply(api, token(api, "applicant")).json
    url = f"/api/v1/applications/{created['id']}"
    assert_problem(api.get(url, headers=token(api, "other")), 404)  # another applicant: as if absent
    assert api.get(url, headers=token(api, "reviewer")).status_code == 200
    assert api.get(url, headers=token(api, "auditor")).status_code == 200
    assert_problem(apply(api, token(api, "auditor")), 403, "forbidden")
    assert_problem(apply(api, {}), 401, "unauthorized")
    assert_problem(api.get("/api/v1/applications/4242", headers=token(api, "auditor")), 404)


def test_applicant_cannot_apply_for_someone_else(api: FlaskClient) -> None:
    body = assert_problem(apply(api, token(api, "applicant"), OTHER_PROFILE), 403, "forbidden")
    assert "different applicant" in body["detail"]


def test_application_validation_errors(api: FlaskClient) -> None:
    body = assert_problem(apply(api, token(api, "applicant"), {**PROFILE, "registered_on": "yesterday"}), 422)
    assert "profile.registered_on" in error_paths(body)


# -- idempotency --------------------------------------------------------------------------------------

def count_applications(app: Flask) -> int:
    with app.app_context():
        return db().query(Application).count()


def test_same_idempotency_key_and_body_returns_the_same_response(api_app: Flask, api: FlaskClient) -> None:
    headers = {**token(api, "applicant"), "Idempotency-Key": "3f1c2a9e-key-1"}
    first = apply(api, headers)
    again = apply(api, headers)
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert again.headers["Location"] == first.headers["Location"]
    assert count_applications(api_app) == 1
    assert apply(api, {**headers, "Idempotency-Key": "3f1c2a9e-key-2"}).json["id"] != first.json["id"]
    assert count_applications(api_app) == 2


def test_same_idempotency_key_with_another_body_is_refused(api_app: Flask, api: FlaskClient) -> None:
    headers = {**token(api, "applicant"), "Idempotency-Key": "key-reused"}
    assert apply(api, headers).status_code == 201
    refused = apply(api, headers, measures=["qingyuan.webtest_award"])
    assert_problem(refused, 422, "idempotency-key-reused")
    assert count_applications(api_app) == 1


def test_idempotency_keys_are_per_user(api: FlaskClient) -> None:
    mine = apply(api, {**token(api, "applicant"), "Idempotency-Key": "shared"})
    theirs = apply(api, {**token(api, "other"), "Idempotency-Key": "shared"}, OTHER_PROFILE)
    assert mine.status_code == theirs.status_code == 201 and mine.json["id"] != theirs.json["id"]


def test_failed_request_releases_its_idempotency_key(api_app: Flask, api: FlaskClient) -> None:
    headers = {**token(api, "applicant"), "Idempotency-Key": "fix-and-retry"}
    assert apply(api, headers, {**PROFILE, "registered_on": "bad"}).status_code == 422
    assert apply(api, headers).status_code == 201
    with api_app.app_context():
        row = db().query(IdempotencyKey).one()
        assert row.response_status == 201 and row.key == "fix-and-retry"


def test_in_flight_idempotency_key_is_409(api_app: Flask, api: FlaskClient) -> None:
    headers = {**token(api, "applicant"), "Idempotency-Key": "in-flight"}
    body = {"profile": PROFILE, "as_of": "2025-06-30"}
    from web.api.idempotency import IdempotencyStore, request_hash

    with api_app.app_context():
        user = queries.get_user(db(), "applicant")
        IdempotencyStore(db()).claim("in-flight", user.id, "POST", "/api/v1/applications",
                                     request_hash("POST", "/api/v1/applications", body))
    response = api.post("/api/v1/applications", json=body, headers=headers)
    assert_problem(response, 409, "idempotency-key-in-flight")
    assert response.headers["Retry-After"] == "1"


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "ключ"])
def test_invalid_idempotency_key_is_422(api: FlaskClient, key: str) -> None:
    body = assert_problem(apply(api, {**token(api, "applicant"), "Idempotency-Key": key}), 422)
    assert error_paths(body) == {"header.Idempotency-Key"}


# -- decisions and replay (auditor) -------------------------------------------------------------------

def test_auditor_reads_and_replays_a_decision(api: FlaskClient) -> None:
    created = apply(api, token(api, "applicant")).json
    decision_id = created["decisions"][0]["id"]
    auditor = token(api, "auditor")
    stored = StoredDecisionOut.model_validate(api.get(f"/api/v1/decisions/{decision_id}", headers=auditor).json)
    assert stored.application_id == created["id"] and stored.profile["credit_code"] == PROFILE["credit_code"]
    assert stored.decision_hash == created["decisions"][0]["decision_hash"]
    replayed = api.post(f"/api/v1/decisions/{decision_id}/replay", headers=auditor)
    assert replayed.status_code == 200, replayed.get_data(as_text=True)
    result = ReplayOut.model_validate(replayed.json)
    assert result.identical and result.differences == [] and result.current is None
    assert result.recomputed_hash and result.stored_hash == stored.decision_hash
    current = ReplayOut.model_validate(api.post(f"/api/v1/decisions/{decision_id}/replay", json={"current": True},
                                                headers=auditor).json)
    assert current.current is not None and not current.current.rules_changed
    assert all(c.status == "unchanged" for c in current.current.changes)


def test_decisions_need_the_auditor_scope(api: FlaskClient) -> None:
    created = apply(api, token(api, "applicant")).json
    url = f"/api/v1/decisions/{created['decisions'][0]['id']}"
    for user in ("applicant", "reviewer"):
        assert_problem(api.get(url, headers=token(api, user)), 403, "forbidden")
        assert_problem(api.post(f"{url}/replay", headers=token(api, user)), 403)
    assert_problem(api.get(url), 401)
    auditor = token(api, "auditor")
    assert_problem(api.get("/api/v1/decisions/777", headers=auditor), 404)
    assert_problem(api.post("/api/v1/decisions/777/replay", headers=auditor), 404)
    assert "as_of" in error_paths(assert_problem(api.post(f"{url}/replay", json={"as_of": "x"}, headers=auditor), 422))
    assert_problem(api.post(f"{url}/replay", data="x", content_type="text/plain", headers=auditor), 415)


# -- documentation ------------------------------------------------------------------------------------

def test_openapi_document(api: FlaskClient) -> None:
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/api/v1/evaluate", "/api/v1/measures", "/api/v1/measures/{measure_id}", "/api/v1/tokens",
        "/api/v1/applications", "/api/v1/applications/{application_id}", "/api/v1/decisions/{decision_id}",
        "/api/v1/decisions/{decision_id}/replay", "/api/v1/calls/{call_id}"}
    schemas = document["components"]["schemas"]
    assert {"EnterpriseProfile", "TalentProfile", "DecisionOut", "ProblemOut"} <= set(schemas)
    assert document["paths"]["/api/v1/applications"]["post"]["security"] == [{"bearer": ["applicant"]}]
    text = response.get_data(as_text=True)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in schemas, ref


def test_docs_page_lists_endpoints_without_inline_script(api: FlaskClient) -> None:
    response = api.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "/api/v1/evaluate" in html and 'id="problem-validation-error"' in html
    assert "<script" not in html and "style=" not in html and "http://" not in html.replace("http://www.w3", "")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_decision_schema_fits_every_sample(ruleset: RuleSet) -> None:
    """DecisionOut describes the engine's JSON exactly (extra fields forbidden) for every sample applicant."""
    from tests.conftest import SAMPLES

    for path in sorted(SAMPLES.glob("*.yaml")):
        data = sample(path.stem)
        try:
            parsed = parse_profile(data, AS_OF)
        except Exception:  # noqa: BLE001 - some samples are deliberately invalid
            continue
        DecisionOut.model_validate(json.loads(evaluate(ruleset, parsed, AS_OF).to_json()))


def test_fast_decision_json_is_byte_identical_to_the_engines(ruleset: RuleSet) -> None:
    """The API's serialiser and fast evaluation give exactly `evaluate(...).to_json()` on every sample."""
    from engine.fast import fast_evaluate
    from tests.conftest import SAMPLES
    from web.api.serialize import decision_json

    checked = 0
    for path in sorted(SAMPLES.glob("*.yaml")):
        try:
            parsed = parse_profile(sample(path.stem), AS_OF)
        except Exception:  # noqa: BLE001 - some samples are deliberately invalid
            continue
        reference = evaluate(ruleset, parsed, AS_OF).to_json()
        assert decision_json(fast_evaluate(ruleset, parsed, AS_OF)) == reference.encode("utf-8"), path.stem
        checked += 1
    assert checked >= 10
