"""This file generates the OpenAPI 3.1 document of the JSON API from the pydantic models in schemas.py.

`ENDPOINTS` is the single list of operations (method, path, auth, bodies, answers); the document and
the human page /api/v1/docs are both built from it. Component schemas come from pydantic's JSON Schema
(2020-12, which OpenAPI 3.1 uses as is), with refs under #/components/schemas.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

import engine
from web.api import schemas as s
from web.api.problems import PROBLEMS, problem_type
from web.api.summary import TRACE_CHOICES

DOC_KEY = "subsidy.api.openapi"
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    response: type[BaseModel] | None
    status: int = 200
    request: type[BaseModel] | None = None
    request_required: bool = True
    roles: tuple[str, ...] = ()
    problems: tuple[int, ...] = ()
    path_params: tuple[tuple[str, str], ...] = ()  # (name, integer|string)
    query: tuple[tuple[str, dict[str, Any], str], ...] = ()
    headers: tuple[tuple[str, dict[str, Any], str], ...] = ()
    response_headers: dict[str, str] = field(default_factory=dict)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("post", "/evaluate", "evaluate", "Evaluate a profile / 评价档案",
             "Anonymous. Evaluates the profile against every measure (or those named). By default the answer is "
             "the summary (EvaluationSummaryOut: outcomes, amounts, failing and missing conditions, gaps, "
             "stacking); with `?trace=reading` the summary plus its reading in the request's language (`?lang=zh|en`: "
             "headline, next actions, one card per measure in words); with `?trace=full` it is the whole Decision "
             "with every trace (DecisionOut, the canonical JSON byte for byte). Nothing is stored. Rate limited per "
             "client IP.",
             s.EvaluateOut, request=s.EvaluateRequest, problems=(400, 413, 415, 422, 429),
             query=(("trace", {"type": "string", "enum": list(TRACE_CHOICES), "default": "summary"},
                     "summary (default): no traces; reading: the summary and its reading in words; "
                     "full: the Decision with its traces"),)),
    Endpoint("get", "/measures", "listMeasures", "List measures / 措施列表",
             "Anonymous. Every measure of the catalogue, sorted by id, optionally only those open to one applicant kind.",
             s.MeasureListOut, query=(("applicant", {"type": "string", "enum": ["enterprise", "incubator",
                                                                                   "institution", "talent", "team"]},
                                       "only measures open to this applicant kind"),)),
    Endpoint("get", "/measures/{measure_id}", "getMeasure", "Show a measure / 措施详情",
             "Anonymous. One measure with its source, benefit, documents and criteria tree.",
             s.MeasureOut, problems=(404,), path_params=(("measure_id", "string"),)),
    Endpoint("get", "/calls/{call_id}", "getCall", "Show a call / 申报通知",
             "Anonymous. A call (申报通知): its window (UTC) and, per measure, the checklist of materials an "
             "application under it carries (`materials[].item` takes the item's key).",
             s.CallOut, problems=(404,), path_params=(("call_id", "integer"),)),
    Endpoint("post", "/tokens", "createToken", "Get a bearer token / 获取令牌",
             "Exchange a username and password for a signed bearer token that expires (default 1 hour). "
             "Rate limited per client IP.",
             s.TokenOut, request=s.TokenRequest, problems=(400, 401, 413, 415, 422, 429)),
    Endpoint("post", "/applications", "createApplication", "Apply / 提交申请",
             "Applicant token. Creates an application for the token's applicant (the profile must identify it) and "
             "stores its decision on the audit chain. Under a call, `materials` carries a file (base64) for every "
             "checklist item of the measures applied for, else 409. Send `Idempotency-Key` to make retries safe. "
             "Rate limited per applicant.",
             s.ApplicationOut, status=201, request=s.ApplicationRequest, roles=("applicant",),
             problems=(400, 401, 403, 409, 413, 415, 422, 429),
             headers=(("Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": 255,
                                           "pattern": "^[!-~]+$"},
                       "unique per request; repeating it with the same body returns the first response"),),
             response_headers={"Location": "the new application's URL"}),
    Endpoint("get", "/applications/{application_id}", "getApplication", "Show an application / 申请详情",
             "Token. Applicants see only their own applications (others are 404); reviewers, auditors and "
             "admins see all.",
             s.ApplicationOut, roles=("applicant", "reviewer", "auditor", "admin"), problems=(401, 403, 404),
             path_params=(("application_id", "integer"),)),
    Endpoint("get", "/decisions/{decision_id}", "getDecision", "Show a stored decision / 决策详情",
             "Auditor token. The stored decision with its inputs (profile, dates, RuleSet hash) and chain position.",
             s.StoredDecisionOut, roles=("auditor", "admin"), problems=(401, 403, 404),
             path_params=(("decision_id", "integer"),)),
    Endpoint("post", "/decisions/{decision_id}/replay", "replayDecision", "Replay a decision / 重放决策",
             "Auditor token. Re-evaluates the stored inputs under the stored RuleSet snapshot and compares the "
             "canonical JSON byte for byte; with `current`, also explains what today's rules decide.",
             s.ReplayOut, request=s.ReplayRequest, request_required=False, roles=("auditor", "admin"),
             problems=(400, 401, 403, 404, 413, 415, 422), path_params=(("decision_id", "integer"),)),
)

STATUS_TEXT = {200: "OK", 201: "Created", 400: "Bad Request (unreadable JSON)", 401: "Unauthorized",
               403: "Forbidden", 404: "Not Found", 409: "Conflict", 413: "Content Too Large",
               415: "Unsupported Media Type", 422: "Unprocessable Content (validation)", 429: "Too Many Requests"}
MODELS: tuple[type[BaseModel], ...] = (s.EvaluateRequest, s.ApplicationRequest, s.TokenRequest, s.ReplayRequest,
                                       s.EvaluateOut, s.DecisionOut, s.MeasureListOut, s.MeasureOut, s.TokenOut, s.ApplicationOut,
                                       s.StoredDecisionOut, s.ReplayOut, s.CallOut, s.ProblemOut)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _components() -> dict[str, Any]:
    pairs = [(m, "validation" if m.__name__.endswith("Request") else "serialization") for m in MODELS]
    _, top = models_json_schema(pairs, ref_template="#/components/schemas/{model}")
    return dict(sorted(top.get("$defs", {}).items()))


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": STATUS_TEXT.get(status, str(status)),
                                "content": {"application/problem+json": {"schema": _ref(s.ProblemOut)}}}
    if status == 429:
        response["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
    return response


def _operation(ep: Endpoint) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": ep.operation_id, "summary": ep.summary, "description": ep.description,
                          "tags": [ep.path.split("/")[1]]}
    params = [{"name": name, "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID} if kind == "integer"
               else {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^/]+$"}}
              for name, kind in ep.path_params]
    params += [{"name": name, "in": "query", "required": False, "schema": schema, "description": text}
               for name, schema, text in ep.query]
    params += [{"name": name, "in": "header", "required": False, "schema": schema, "description": text}
               for name, schema, text in ep.headers]
    if params:
        op["parameters"] = params
    if ep.request is not None:
        op["requestBody"] = {"required": ep.request_required,
                             "content": {"application/json": {"schema": _ref(ep.request)}}}
    ok: dict[str, Any] = {"description": STATUS_TEXT[ep.status],
                          "content": {"application/json": {"schema": _ref(ep.response)}}} if ep.response else {}
    if ep.response_headers:
        ok["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                         for name, text in ep.response_headers.items()}
    op["responses"] = {str(ep.status): ok, **{str(code): _problem_response(code) for code in ep.problems}}
    if ep.roles:
        op["security"] = [{"bearer": list(ep.roles)}]
        op["description"] += f" Roles: {', '.join(ep.roles)}."
    return op


def build_document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for ep in ENDPOINTS:
        paths.setdefault(f"/api/v1{ep.path}", {})[ep.method] = _operation(ep)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Subsidy eligibility API / 科技扶持政策资格接口", "version": engine.__version__,
                 "description": "Evaluate applicant profiles against the S&T support measures of Qingyuan, "
                                "Qingcheng and Shaoguan; apply; audit and replay decisions. Errors are RFC 9457 "
                                "problem details (application/problem+json)."},
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": _components(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a token from POST /api/v1/tokens"}},
        },
        "x-problem-types": {problem_type(code): {"status": status, "title": title}
                            for code, (status, title) in PROBLEMS.items()},
    }


def openapi_document(app: Flask) -> str:
    """The document as JSON text, built once per application."""
    text = app.extensions.get(DOC_KEY)
    if text is None:
        text = app.extensions[DOC_KEY] = json.dumps(build_document(), ensure_ascii=False, indent=1)
    return str(text)
