"""This file defines how the API reads request bodies: content type, size, JSON, and validation.

Order of checks: 415 unless `Content-Type: application/json` (or `…+json`); 413 over MAX_CONTENT_LENGTH
(werkzeug stops reading); then the body is parsed once by engine.safe_yaml.load_document(json_only=True), under
the bounds every profile reader shares: 400 for bytes that are not UTF-8 JSON (NaN/Infinity refused too; never
read as YAML), a duplicate key, too deep or too many nodes, a number with too many digits; 413 past its size
bound; 422 for JSON that does not validate, listing every problem with its field path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import request
from pydantic import BaseModel, ConfigDict, ValidationError

from engine.errors import ProfileError, ProfileIssue
from engine.model import RuleSet
from engine.profile import ParsedProfile, parse_profile
from engine.profile.errors import issues_from
from engine.safe_yaml import DocumentError, load_document
from engine.suggest import hint_for
from web.api.problems import FieldError, Problem
from web.api.schemas import MAX_DATE, MIN_DATE
from web.store.contacts import ContactError, Contacts, validate_contacts


def read_json(*, required: bool = True) -> Any:
    """The request's JSON body (None when optional and empty)."""
    length = request.content_length
    if not required and not length and not request.headers.get("Content-Type"):
        if not request.get_data(cache=True):
            return None
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise Problem("unsupported-media-type", f"Send the body as JSON with `Content-Type: application/json`, not "
                      f"{mimetype or 'no content type'!r} / 请求体应为JSON（Content-Type: application/json）")
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    if not raw.strip():
        if not required:
            return None
        raise Problem("unreadable-json", "The request body is empty; send a JSON object / 请求体为空")
    try:  # JSON only (never YAML), parsed once, under the bounds every profile reader shares: duplicate keys,
        # depth, node count, size, over-long numbers
        return load_document(raw, "request body", json_only=True)
    except DocumentError as exc:
        code = "payload-too-large" if exc.code == "DOCUMENT_TOO_LARGE" else "unreadable-json"
        raise Problem(code, f"{exc.issues[0].message.en} / {exc.issues[0].message.zh}",
                      field_errors(exc.issues)) from None


def field_errors(issues: list[ProfileIssue], prefix: str = "") -> list[FieldError]:
    out = []
    for issue in issues:
        path = issue.path if issue.path != "(profile)" else ""
        full = f"{prefix}.{path}" if prefix and path else (prefix or path or "(body)")
        out.append(FieldError(full, issue.code, issue.message.zh, issue.message.en))
    return out


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)

    profile: dict[str, Any]
    as_of: dt.date | None = None
    measures: list[str] | None = None


def validation_problem(errors: list[FieldError]) -> Problem:
    return Problem("validation-error", f"{len(errors)} problem(s) in the request body; see `errors` "
                   f"/ 请求体有{len(errors)}处问题，详见errors", errors)


def validate_model(model: type[BaseModel], body: Any) -> Any:
    if not isinstance(body, dict):
        raise validation_problem([FieldError("(body)", "MODEL_TYPE", "应为一组字段（JSON对象）。",
                                              "The body must be a JSON object.")])
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise validation_problem(field_errors(issues_from(exc))) from None


def parse_request(body: Any, ruleset: RuleSet, today: dt.date) -> tuple[ParsedProfile, dict[str, Any], dt.date,
                                                                          list[str] | None]:
    """Validate an evaluate/application body: (parsed profile, raw profile, as_of, measures)."""
    if not isinstance(body, dict):
        raise validation_problem([FieldError("(body)", "MODEL_TYPE", "应为一组字段（JSON对象）。",
                                              "The body must be a JSON object.")])
    errors: list[FieldError] = []
    envelope: _Envelope | None = None
    try:
        envelope = _Envelope.model_validate(body)
    except ValidationError as exc:
        errors += field_errors(issues_from(exc))
    raw_profile = body.get("profile")
    parsed: ParsedProfile | None = None
    if isinstance(raw_profile, dict):
        try:
            parsed = parse_profile(raw_profile, today)
        except ProfileError as exc:
            errors += field_errors(exc.issues, "profile")
    if envelope is not None:
        if envelope.as_of is not None and not MIN_DATE <= envelope.as_of <= MAX_DATE:
            errors.append(FieldError("as_of", "DATE_OUT_OF_RANGE", f"评价日期应在{MIN_DATE}至{MAX_DATE}之间。",
                                     f"as_of must be between {MIN_DATE} and {MAX_DATE}."))
        for i, measure_id in enumerate(envelope.measures or []):
            if measure_id not in ruleset.measures:
                hint = hint_for(measure_id, ruleset.measures)
                errors.append(FieldError(f"measures[{i}]", "UNKNOWN_MEASURE", f"未知措施：{measure_id} {hint}".strip(),
                                         f"unknown measure {measure_id!r} {hint}".strip()))
        if envelope.measures is not None and len(envelope.measures) > 200:
            errors.append(FieldError("measures", "TOO_LONG", "最多200项。", "At most 200 measures."))
    if errors or parsed is None or envelope is None:
        raise validation_problem(errors)
    wanted = sorted(set(envelope.measures)) if envelope.measures else None
    return parsed, raw_profile, envelope.as_of or today, wanted  # type: ignore[return-value]


def split_submission(body: Any) -> tuple[Any, int | None, Contacts | None, Any]:
    """Take an application's `call_id`, `contacts` and `materials` out of its body (the rest is an evaluate body).

    Raises a 422 Problem naming `call_id` or `contacts.<field>` when they are unusable (the materials are read by
    web.api.materials once the call is known).
    """
    if not isinstance(body, dict):
        return body, None, None, None
    rest = {k: v for k, v in body.items() if k not in ("call_id", "contacts", "materials")}
    errors: list[FieldError] = []
    call_id = body.get("call_id")
    if call_id is not None and (isinstance(call_id, bool) or not isinstance(call_id, int)
                                or not 1 <= call_id <= 2**31 - 1):
        errors.append(FieldError("call_id", "CALL_ID", "申报通知编号应为正整数。", "call_id must be a positive integer."))
    if call_id is None and not body.get("measures"):
        errors.append(FieldError("measures", "MEASURES_OR_CALL", "请填写申报的政策措施（measures）或申报通知编号（call_id）。",
                                 "An application names its measures (measures) or the call it applies under (call_id)."))
    people = None
    raw = body.get("contacts")
    if raw is not None:
        if not isinstance(raw, dict) or set(raw) - {"name", "phone", "email"} or not all(
                isinstance(raw.get(k), str) for k in ("name", "phone", "email")):
            errors.append(FieldError("contacts", "CONTACTS", "联系人应为 {name, phone, email} 三个文本字段。",
                                     "contacts must be an object with the texts name, phone and email."))
        else:
            try:
                people = validate_contacts(raw["name"], raw["phone"], raw["email"])
            except ContactError as refused:
                errors.append(FieldError(f"contacts.{refused.field.removeprefix('contact_')}", "CONTACT", refused.zh,
                                         refused.en))
    if errors:
        raise validation_problem(errors)
    return rest, call_id, people, body.get("materials")
