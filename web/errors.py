"""This file defines the app-wide error pages: HTML for people, `{code, message, path}` JSON under /api/.

Every handled status (400, 403, 404, 405, 413, 500, and an expired CSRF token) gets a short bilingual
explanation and a next step; a 500 never shows a traceback.  [microblog app/errors/handlers.py]
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from web.i18n import tr

ERRORS = {
    400: ("bad_request", _l("请求无效"), _l("提交的内容无法处理，请返回检查后重试。")),
    403: ("forbidden", _l("无权访问"), _l("您没有访问此页面的权限。")),
    404: ("not_found", _l("页面不存在"), _l("您访问的页面不存在或已移动，请检查网址。")),
    405: ("method_not_allowed", _l("请求方式不正确"), _l("此页面不支持该请求方式。")),
    413: ("payload_too_large", _l("提交的内容过大"), _l("提交的内容超过了允许的大小，请精简后重试。")),
    500: ("internal_error", _l("系统繁忙"), _l("系统出现内部错误，已记录。请稍后重试。")),
}
CSRF = ("csrf_failed", _l("页面已过期"), _l("表单已过期或来源无法验证，请返回上一页刷新后重新提交。"))


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _respond(status: int, code: str, title: str, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify(code=code, message=message, path=request.path), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def handle_http(exc: HTTPException) -> tuple[Response | str, int]:
    status = exc.code or 500
    code, title, message = ERRORS.get(status, (exc.name.lower().replace(" ", "_"), exc.name, exc.description))
    return _respond(status, code, tr(title), tr(message))


def handle_csrf(exc: CSRFError) -> tuple[Response | str, int]:
    code, title, message = CSRF
    return _respond(400, code, tr(title), tr(message))


def init_errors(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    # Unhandled exceptions reach the HTTPException handler as InternalServerError (Flask logs them first);
    # with TESTING or DEBUG they propagate instead, so tests see the traceback.
