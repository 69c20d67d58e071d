"""This file defines the JSON API's endpoints under /api/v1 (see docs/api.md).

Anonymous: POST /evaluate (rate limited per client IP; the summary by default, the full trace with
`?trace=full`, its reading with `?trace=reading`), GET /measures, GET /measures/{id}, GET /calls/{id}, POST /tokens
(rate limited), GET /openapi.json, GET /docs. Bearer token: POST /applications and GET /applications/{id}
(an applicant sees only its own; reviewers, auditors and admins see all), GET /decisions/{id} and
POST /decisions/{id}/replay (auditor or admin).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from pydantic import BaseModel
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Response

from engine import evaluate
from engine.errors import RuleLoadError
from engine.replay import ABSENT, ReplayError, compare_with_current, replay
from web.api import ratelimit
from web.api.auth import authenticate_for_token, current_api_user, issue_token, require_roles
from web.api.bodies import parse_request, read_json, split_submission, validate_model
from web.api.idempotency import HEADER, IdempotencyStore, check_key, request_hash
from web.api.materials import read_materials
from web.api.openapi import ENDPOINTS, openapi_document
from web.api.present import application_out, call_out, measure_detail, measure_list, stored_decision_out
from web.api.problems import FieldError, Problem
from web.api.schemas import ReplayOut, ReplayRequest, TokenRequest
from web.api.summary import TRACE_CHOICES, evaluation_body
from web.bureau.triage_now import triage_after_commit
from web.db_session import db
from web.extensions import current_ruleset
from web.masking import mask_document
from web.store import call_queries, intake, material_queries, queries, submission_queries, triage_due
from web.store.call_queries import CallNotOpen
from web.store.identity import identity_of

MAX_ID = 2**31 - 1
ID = "int"
READERS = ("applicant", "reviewer", "auditor", "admin")
AUDITORS = ("auditor", "admin")


def register_views(bp: Blueprint) -> None:
    bp.add_url_rule("/evaluate", "evaluate", evaluate_view, methods=["POST"])
    bp.add_url_rule("/measures", "measures", measures_view, methods=["GET"])
    bp.add_url_rule("/measures/<measure_id>", "measure", measure_view, methods=["GET"])
    bp.add_url_rule(f"/calls/<{ID}:call_id>", "call", call_view, methods=["GET"])
    bp.add_url_rule("/tokens", "tokens", tokens_view, methods=["POST"])
    bp.add_url_rule("/applications", "create_application", create_application_view, methods=["POST"])
    bp.add_url_rule(f"/applications/<{ID}:application_id>", "application", application_view, methods=["GET"])
    bp.add_url_rule(f"/decisions/<{ID}:decision_id>", "decision", decision_view, methods=["GET"])
    bp.add_url_rule(f"/decisions/<{ID}:decision_id>/replay", "replay", replay_view, methods=["POST"])
    bp.add_url_rule("/openapi.json", "openapi", openapi_view, methods=["GET"])
    bp.add_url_rule("/docs", "docs", docs_view, methods=["GET"])
    bp.add_url_rule("/", "root", not_found_view, defaults={"subpath": ""},
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    bp.add_url_rule("/<path:subpath>", "not_found", not_found_view, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])


def json_response(body: str | bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = current_app.response_class(body, status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def model_response(model: BaseModel, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return json_response(model.model_dump_json(), status, headers)


def today() -> dt.date:
    return dt.date.today()


# -- anonymous ----------------------------------------------------------------------------------------

def evaluate_view() -> Response:
    ratelimit.enforce("evaluate")
    trace = _trace_choice()
    body = read_json()
    ruleset = current_ruleset()
    parsed, _raw, as_of, wanted = parse_request(body, ruleset, today())
    return json_response(evaluation_body(ruleset, parsed, as_of, wanted, trace))


def _trace_choice() -> str:
    values = request.args.getlist("trace")
    value = values[-1] if values else "summary"
    if value not in TRACE_CHOICES or len(values) > 1:
        raise Problem("bad-request", "The query parameter `trace` must be `summary` (default), `reading` or `full`, "
                      "once / 查询参数trace只能是summary（默认）、reading或full", [FieldError(
                          "trace", "QUERY_INVALID", f"trace只能是summary、reading或full，收到{values!r}",
                          f"trace must be summary, reading or full, got {values!r}")])
    return value


def measures_view() -> Response:
    kind = request.args.get("applicant")
    return model_response(measure_list(current_ruleset(), kind))


def measure_view(measure_id: str) -> Response:
    measure = current_ruleset().measures.get(measure_id)
    if measure is None:
        raise Problem("not-found", f"No measure {measure_id!r} in the catalogue / 措施不存在")
    return model_response(measure_detail(measure))


def call_view(call_id: int) -> Response:
    call = call_queries.get_call(db(), call_id)
    if call is None:
        raise Problem("not-found", f"No call #{call_id} / 申报通知不存在")
    return model_response(call_out(call))


def tokens_view() -> Response:
    ratelimit.enforce("tokens")
    form = validate_model(TokenRequest, read_json())
    user = authenticate_for_token(form.username, form.password)  # the web form's login policy, shared
    return json_response(json.dumps(issue_token(user)), 200)


# -- applications -------------------------------------------------------------------------------------

@require_roles("applicant")
def create_application_view() -> Response:
    user = current_api_user()
    body = read_json()
    ratelimit.enforce_per_applicant("submissions", user.applicant_id)  # shared by all workers (issue 18)
    key = request.headers.get(HEADER)
    if key is None:
        return _create_application(body, user)
    session = db()
    store = IdempotencyStore(session)
    key, digest = check_key(key), request_hash(request.method, request.path, body)
    stored = store.claim(key, user.id, request.method, request.path, digest)
    if stored is not None:
        return json_response(stored.body, stored.status, {"Idempotent-Replayed": "true",
                                                          **_location(stored.body, stored.status)})
    try:
        response = _create_application(body, user)
    except BaseException:
        store.release(key, user.id)
        raise
    store.complete(key, user.id, response.status_code, response.get_data(as_text=True))
    return response


def _location(body: str, status: int) -> dict[str, str]:
    if status != 201:
        return {}
    try:
        return {"Location": url_for("api.application", application_id=int(json.loads(body)["id"]))}
    except (ValueError, KeyError, TypeError):
        return {}


def _create_application(body: Any, user: Any) -> Response:
    ruleset = current_ruleset()
    checked_on = today()
    body, call_id, people, raw_materials = split_submission(body)
    parsed, raw, as_of, wanted = parse_request(body, ruleset, checked_on)
    session = db()
    applicant = user.applicant
    if applicant is None or identity_of(parsed.profile).digest != applicant.identity_digest:
        raise Problem("forbidden", "The profile identifies a different applicant than the token's "
                      "(credit code or ID number) / 档案中的主体与令牌所属申请人不一致")
    files = read_materials(raw_materials, material_queries.checklist(session, call_id, wanted or ()))
    try:
        call = intake.check_intake(session, call_id=call_id, measures=wanted, files=files,
                                   identity_digest=applicant.identity_digest)
    except CallNotOpen as refused:
        raise Problem("call-not-open", f"{refused.en} / {refused.zh}") from None
    decision = evaluate(ruleset, parsed, as_of, measures=wanted)
    if call is None:
        row = queries.submit_and_decide(session, profile=parsed.profile, profile_data=raw, ruleset=ruleset,
                                        decision=decision, checked_on=checked_on, measures=wanted,
                                        extra=lambda s, _head, application, _row: triage_due.mark(s, application.id))
    else:
        row = submission_queries.submit_to_call(
            session, call_id=call.id, profile=parsed.profile, profile_data=raw, ruleset=ruleset, decision=decision,
            checked_on=checked_on, measures=list(wanted or ()), contacts=people, files=files, user_id=user.id)
    triage_after_commit()  # the mark is stored with the application (web.store.triage_due)
    application = queries.get_application(session, row.application_id)
    out = application_out(application, user.role)
    return model_response(out, 201, {"Location": url_for("api.application", application_id=out.id)})


@require_roles(*READERS)
def application_view(application_id: int) -> Response:
    user = current_api_user()
    application = queries.get_application(db(), application_id) if 1 <= application_id <= MAX_ID else None
    if application is None or (user.role == "applicant" and application.applicant_id != user.applicant_id):
        raise Problem("not-found", f"No application #{application_id} that this token may read / 申请不存在")
    return model_response(application_out(application, user.role))


# -- decisions (auditor) ------------------------------------------------------------------------------

def _decision_row(decision_id: int) -> Any:
    row = queries.get_decision(db(), decision_id) if 1 <= decision_id <= MAX_ID else None
    if row is None:
        raise Problem("not-found", f"No decision #{decision_id} / 决策不存在")
    return row


@require_roles(*AUDITORS)
def decision_view(decision_id: int) -> Response:
    return model_response(stored_decision_out(_decision_row(decision_id), current_api_user().role))


@require_roles(*AUDITORS)
def replay_view(decision_id: int) -> Response:
    body = read_json(required=False)
    options = validate_model(ReplayRequest, body) if body is not None else ReplayRequest()
    row = _decision_row(decision_id)
    snapshot = queries.ruleset_snapshot(db(), row.ruleset_hash)
    if snapshot is None:
        raise Problem("replay-failed", f"The RuleSet snapshot {row.ruleset_hash[:12]} is missing / 规则集快照缺失")
    try:
        result = replay(row.decision_json, snapshot, row.profile_json, row.as_of, today=row.checked_on)
    except (ReplayError, RuleLoadError) as exc:
        raise Problem("replay-failed", f"Decision #{decision_id} cannot be replayed: {exc}") from None
    out: dict[str, Any] = {
        "decision_id": row.id, "identical": result.identical, "stored_hash": row.decision_hash,
        "recomputed_hash": result.recomputed_hash,
        "differences": [{"path": d.path, "where": d.where, "old": None if d.old is ABSENT else d.old,
                         "new": None if d.new is ABSENT else d.new, "old_absent": d.old is ABSENT,
                         "new_absent": d.new is ABSENT} for d in result.diff]}
    if options.current:
        measures = [m for m in (row.application.measures or []) if m in current_ruleset().measures] or None
        try:
            comparison = compare_with_current(row.decision_json, current_ruleset(), row.profile_json,
                                              options.as_of or row.as_of, today=row.checked_on, measures=measures)
        except ReplayError as exc:
            raise Problem("replay-failed", f"Decision #{decision_id} cannot be compared: {exc}") from None
        out["current"] = {
            "stored_ruleset_hash": comparison.stored_ruleset_hash,
            "current_ruleset_hash": comparison.current_ruleset_hash, "rules_changed": comparison.rules_changed,
            "as_of": comparison.as_of,
            "changes": [{"measure_id": c.measure_id, "status": c.status, "outcome": list(c.outcome),
                         "failing_added": list(c.failing_added), "failing_removed": list(c.failing_removed),
                         "missing_added": list(c.missing_added), "missing_removed": list(c.missing_removed),
                         "explanation": c.lines() if c.status != "unchanged" else []}
                        for c in comparison.changes]}
    return model_response(ReplayOut.model_validate(mask_document(out, current_api_user().role)))


# -- documentation and fallbacks ----------------------------------------------------------------------

def openapi_view() -> Response:
    return json_response(openapi_document(current_app))


def docs_view() -> str:
    document = json.loads(openapi_document(current_app))
    return render_template("api/docs.html", document=document, endpoints=ENDPOINTS)


def not_found_view(subpath: str) -> Response:
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except Exception:  # noqa: BLE001 - no match for this method
            continue
        if endpoint not in ("api.not_found", "api.root"):
            allowed.append(method)
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise NotFound(f"No API endpoint at {request.path}; see /api/v1/docs / 接口不存在")
