"""This file defines the API's errors: RFC 9457 `application/problem+json` bodies and their handlers.

Every error under /api/v1 is a problem document `{type, title, status, detail, instance}`; validation
errors add `errors: [{path, code, message_zh, message_en}]` naming each field (dotted paths with
`[i]` list indices, e.g. `profile.finance[0].sales`). The `type` URIs point at the problem's entry on
the human API page (`/api/v1/docs#problem-<code>`). Handlers are registered on the blueprint, so the
HTML error pages of the rest of the site are untouched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"

# code → (status, title)
PROBLEMS: dict[str, tuple[int, str]] = {
    "bad-request": (400, "Bad request / 请求无效"),
    "unreadable-json": (400, "Unreadable JSON / 请求体不是有效的JSON"),
    "unauthorized": (401, "Authentication required / 需要身份认证"),
    "invalid-token": (401, "Invalid or expired token / 令牌无效或已过期"),
    "invalid-credentials": (401, "Wrong username or password / 用户名或密码错误"),
    "forbidden": (403, "Forbidden / 无权访问"),
    "not-found": (404, "Not found / 资源不存在"),
    "method-not-allowed": (405, "Method not allowed / 请求方式不正确"),
    "idempotency-key-reused": (409, "Idempotency-Key reused with a different request / 幂等键已用于不同的请求"),
    "call-not-open": (409, "No open call for this measure / 该措施不在开放的申报通知期内"),
    "idempotency-key-in-flight": (409, "Request with this Idempotency-Key still in progress / 相同幂等键的请求正在处理"),
    "payload-too-large": (413, "Request body too large / 请求体过大"),
    "unsupported-media-type": (415, "Unsupported media type / 不支持的内容类型"),
    "validation-error": (422, "Validation failed / 校验未通过"),
    "rate-limited": (429, "Too many requests / 请求过于频繁"),
    "replay-failed": (422, "Decision cannot be replayed / 无法重放该决策"),
    "internal-error": (500, "Internal error / 系统内部错误"),
}
_BY_STATUS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
              405: "method-not-allowed", 413: "payload-too-large", 415: "unsupported-media-type",
              422: "validation-error", 429: "rate-limited", 500: "internal-error"}


@dataclass(frozen=True)
class FieldError:
    path: str
    code: str
    message_zh: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}


@dataclass
class Problem(Exception):
    """Raise anywhere in the API to answer with a problem document."""

    code: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None

    def __post_init__(self) -> None:
        super().__init__(self.detail)

    def response(self) -> Response:
        status, title = PROBLEMS.get(self.code, (self.status or 500, self.code))
        return problem_response(status if self.status is None else self.status, self.code, title, self.detail,
                                self.errors, self.headers)


def problem_type(code: str) -> str:
    return f"/api/v1/docs#problem-{code}"


def problem_response(status: int, code: str, title: str, detail: str, errors: list[FieldError] | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"type": problem_type(code), "title": title, "status": status, "detail": detail,
                            "instance": request.path}
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _handle_problem(exc: Problem) -> Response:
    return exc.response()


def _handle_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = _BY_STATUS.get(status, "bad-request" if status < 500 else "internal-error")
    title = PROBLEMS.get(code, (status, exc.name))[1]
    detail = exc.description or exc.name
    if status == 413:
        limit = request.max_content_length
        detail = f"The request body exceeds the limit of {limit} bytes / 请求体超过{limit}字节的上限"
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(exc.valid_methods or []))
    return problem_response(status, code, title, detail, None, headers)


def init_problems(bp: Blueprint) -> None:
    """Register the problem handlers on the API blueprint."""
    bp.register_error_handler(Problem, _handle_problem)
    bp.register_error_handler(HTTPException, _handle_http)
