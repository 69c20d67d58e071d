"""POST /api/v1/evaluate: the summary by default, the full trace with ?trace=full, both canonical bytes
written with orjson; stored decisions keep the full trace."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from flask.testing import FlaskClient

from bench.generate import generate, threshold_profiles
from engine import evaluate, parse_profile
from engine.model import RuleSet
from tests.conftest import AS_OF, SAMPLES, sample
from tests.web.test_api import PROFILE, api, api_app, assert_problem, migrated_db, token  # noqa: F401 - fixtures
from web.api.schemas import DecisionOut, EvaluateOut, EvaluationSummaryOut
from web.api.serialize import canonical_bytes, decision_json
from web.api.summary import summary_of


def post(api: FlaskClient, query: str = "", **body: Any) -> Any:  # noqa: F811 - the fixture is passed in
    return api.post(f"/api/v1/evaluate{query}", json={"profile": PROFILE, "as_of": "2025-06-30", **body})


def test_default_answer_is_the_summary(api: FlaskClient, web_ruleset: RuleSet) -> None:  # noqa: F811
    response = post(api)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    decision = evaluate(web_ruleset, parse_profile(PROFILE, AS_OF), AS_OF)
    body = response.json
    EvaluationSummaryOut.model_validate(body)
    EvaluateOut.model_validate(body)
    assert "facts" not in body and all("trace" not in r for r in body["results"])
    full = json.loads(decision.to_json())
    assert body["results"] == [{k: v for k, v in r.items() if k != "trace"} for r in full["results"]]
    assert {k: v for k, v in body.items() if k != "results"} == {k: v for k, v in full.items()
                                                                  if k not in ("results", "facts")}
    assert response.get_data() == canonical_bytes(summary_of(decision))


def test_full_trace_on_request(api: FlaskClient, web_ruleset: RuleSet) -> None:  # noqa: F811
    response = post(api, "?trace=full")
    assert response.status_code == 200
    DecisionOut.model_validate(response.json)
    assert response.get_data() == evaluate(web_ruleset, parse_profile(PROFILE, AS_OF), AS_OF).to_json().encode()
    assert post(api, "?trace=summary").get_data() == post(api).get_data()


@pytest.mark.parametrize("query", ["?trace=yes", "?trace=", "?trace=full&trace=summary", "?trace=FULL"])
def test_bad_trace_parameter_is_named(api: FlaskClient, query: str) -> None:  # noqa: F811
    body = assert_problem(post(api, query), 400, "bad-request")
    assert [e["path"] for e in body["errors"]] == ["trace"]
    assert body["errors"][0]["message_zh"] and body["errors"][0]["message_en"]


def test_stored_decisions_keep_the_full_trace(api: FlaskClient) -> None:  # noqa: F811
    headers = token(api, "applicant")
    every = [m["id"] for m in api.get("/api/v1/measures").json["measures"]]  # an application names its measures
    created = api.post("/api/v1/applications", json={"profile": PROFILE, "as_of": "2025-06-30", "measures": every},
                       headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    decision_id = created.json["decisions"][0]["id"]
    stored = api.get(f"/api/v1/decisions/{decision_id}", headers=token(api, "auditor"))
    assert stored.status_code == 200
    decision = stored.json["decision"]
    assert decision["facts"] and all("trace" in r for r in decision["results"])
    assert any(r["trace"] for r in decision["results"])


# -- orjson keeps the canonical bytes -------------------------------------------------------------------------

def _profiles() -> list[Any]:
    out = []
    for path in sorted(SAMPLES.glob("*.yaml")):
        try:
            out.append(parse_profile(sample(path.stem), AS_OF))
        except Exception:  # noqa: BLE001 - some samples are deliberately invalid
            continue
    out += [parse_profile(p, AS_OF) for p in generate(40, seed=17)[0]]
    out += [parse_profile(p, AS_OF) for p in random.Random(3).sample(threshold_profiles(seed=5), 20)]
    return out


def test_orjson_bytes_are_the_canonical_json(ruleset: RuleSet) -> None:
    profiles = _profiles()
    assert len(profiles) >= 70
    explained = 0
    for parsed in profiles:
        decision = evaluate(ruleset, parsed, AS_OF)
        reference = decision.to_json().encode("utf-8")
        assert decision_json(decision) == reference
        summary = summary_of(decision)
        assert canonical_bytes(summary) == json.dumps(summary, ensure_ascii=False, sort_keys=True,
                                                      separators=(",", ":")).encode("utf-8")
        explained += any(r["gaps"] for r in summary["results"]) and any(r["missing"] for r in summary["results"])
    assert explained >= 10  # summaries keep the gaps and the missing fields


@pytest.mark.parametrize("value", [
    {"b": "\u2028\x00\x1f\"\\/\n\t\r\b\f😀中文\ud7ff", "a": [1, -2, {"z": None, "y": True}]},
    {"é": 1, "e": 2, "\uffff": 3, "😀": 4}, {"big": 2**63 - 1, "small": -(2**63)}, {"huge": 2**70}, {"k": "×" * 3}])
def test_canonical_bytes_match_the_standard_library(value: Any) -> None:
    assert canonical_bytes(value) == json.dumps(value, ensure_ascii=False, sort_keys=True,
                                                separators=(",", ":")).encode("utf-8")


# -- request bodies share the profile readers' bounds (engine.safe_yaml) --------------------------------------

def test_duplicate_keys_and_deep_bodies_are_refused(api: FlaskClient) -> None:  # noqa: F811
    body = json.dumps({"profile": PROFILE, "as_of": "2025-06-30"}, ensure_ascii=False)
    twice = body[:-1] + ', "as_of": "2024-06-30"}'
    problem = assert_problem(api.post("/api/v1/evaluate", data=twice, content_type="application/json"), 400,
                             "unreadable-json")
    assert "as_of" in problem["detail"] and problem["errors"][0]["code"] == "DUPLICATE_KEY"
    deep = '{"profile": ' + "[" * 40 + "]" * 40 + "}"
    problem = assert_problem(api.post("/api/v1/evaluate", data=deep, content_type="application/json"), 400,
                             "unreadable-json")
    assert problem["errors"][0]["message_zh"] and problem["errors"][0]["message_en"]
    yaml_text = "profile: {name: x}"
    assert_problem(api.post("/api/v1/evaluate", data=yaml_text, content_type="application/json"), 400,
                   "unreadable-json")


def test_a_body_is_json_only_and_refusals_name_the_place(api: FlaskClient) -> None:  # noqa: F811
    """The body is parsed once, as JSON only (engine.safe_yaml.load_document(json_only=True)): YAML is refused
    naming the line, in both languages; JSON that only the shared bounds refuse still names its field."""
    problem = assert_problem(api.post("/api/v1/evaluate", data="{}\nprofile:\n  name: x\n",
                                      content_type="application/json"), 400, "unreadable-json")
    error = problem["errors"][0]
    assert error["code"] == "NOT_JSON" and "request body:2:1" in error["message_en"]
    assert "不是有效的JSON（JSON结束后还有多余内容）" in error["message_zh"] and "not valid JSON" in problem["detail"]
    assert "Extra data" in error["message_en"] and "Extra" not in error["message_zh"]  # the parser's words, translated
    error = assert_problem(api.post("/api/v1/evaluate", data='{"profile": {name: "x"}}', content_type="application/json"),
                           400, "unreadable-json")["errors"][0]
    assert "request body:1:14" in error["message_en"] and "键名应写在双引号中" in error["message_zh"]
    long_number = '{"profile": {"name": "x", "staff": {"total": ' + "9" * 40 + '}}, "as_of": "2025-06-30"}'
    problem = assert_problem(api.post("/api/v1/evaluate", data=long_number, content_type="application/json"), 400,
                             "unreadable-json")
    assert problem["errors"][0]["code"] == "NUMBER_TOO_LONG" and "profile.staff.total" in problem["detail"]
    bom = b"\xef\xbb\xbf" + json.dumps({"profile": PROFILE, "as_of": "2025-06-30"}).encode()
    assert_problem(api.post("/api/v1/evaluate", data=bom, content_type="application/json"), 400, "unreadable-json")
    deep = '{"profile": {"name": "x"},\n "as_of": ' + "[" * 40 + "]" * 40 + "}"
    problem = assert_problem(api.post("/api/v1/evaluate", data=deep, content_type="application/json"), 400,
                             "unreadable-json")
    assert problem["errors"][0]["code"] == "DOCUMENT_TOO_DEEP" and "request body:2:1" in problem["detail"]
