"""This file defines keeping and sharing the self-check answers: a resumable link, download and upload.

- POST /selfcheck/share stores the current answers under an unguessable token (web.store.share_queries,
  only its SHA-256 kept; 30 days) and shows the link once, with its expiry. No PII is in the URL.
- GET /selfcheck/resume/<token> loads those answers into this session and redirects (the token leaves the
  address bar at once).
- GET /selfcheck/download.yaml|json gives the profile that `subsidy check` reads (money in whole yuan).
- POST /selfcheck/upload reads such a file (bounded: engine.safe_yaml.load_document), checks it with the
  engine and fills the form; a bad file gets a bilingual error naming the problem, nothing else changes.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import yaml
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response

from engine import parse_profile
from engine.errors import Message, ProfileError
from engine.explain import field_label
from engine.interview.start import named
from engine.names import KIND_MODELS
from engine.safe_yaml import load_document
from web.answers import store
from web.answers.mapping import build, every_issue, unbuild
from web.answers.steps import FINANCE_YEARS
from web.db_session import db
from web.i18n import current_lang
from web.selfcheck import bp
from web.store import rate_queries, share_queries, web_queries

DECLINED_MARK = "# 不知道 / don't know:"  # a downloaded YAML's line listing the questions answered 不知道
LINK_KEY = "selfcheck_link"  # the link just made, shown once on the result page
MAX_UPLOAD = 256 * 1024 + 1  # read one byte past load_document's bound, so an oversized file is refused


class ShareForm(FlaskForm):
    """Save the answers as a resumable link (a POST with a CSRF token)."""


class UploadForm(FlaskForm):
    """Upload a profile file (YAML or JSON) to fill the self-check."""

    profile = FileField(_l("资料文件（YAML或JSON）"))


def _profile_data(kind: str) -> dict[str, Any] | None:
    """The current answers as a profile document (what `subsidy check` reads), or None when invalid."""
    pages_ = store.pages_of(kind)
    specs = tuple(s for p in pages_ for s in p.specs)
    built = build(kind, specs, store.answers(kind))
    built.data = named(built.data)  # no name given: "本企业" (the interview never asks it; no rule reads it)
    if built.issues:
        return None
    try:
        parse_profile(built.data, dt.date.today())
    except ProfileError:
        return None
    data = dict(built.data)
    for record in data.get("finance") or []:
        if str(record.get("year", "")).isdigit():
            record["year"] = int(record["year"])
    return data


@bp.route("/share", methods=["POST"])
def share() -> Response:
    kind = store.kind()
    if not ShareForm().validate_on_submit() or not kind or not store.saved_pages(kind):
        flash(_("没有可以保存的资料。"), "error")
        return redirect(url_for(".start"))
    if rate_queries.limited(db(), "resume-links", f"address:{request.remote_addr}",  # issue 18: all workers
                            current_app.config.get("RESUME_LINK_RATE_LIMIT", "20/hour")):
        flash(_("保存链接过于频繁，请稍后再试。"), "error")
        return redirect(url_for(".result"))
    token, expires = share_queries.create_share(db(), kind, store.snapshot(kind))
    web_queries.commit(db())
    session[LINK_KEY] = {"url": url_for(".resume", token=token, _external=True), "expires": expires.date().isoformat()}
    flash(_("已保存。请复制下面的链接，%(date)s前可凭此链接继续填写。", date=expires.date().isoformat()), "success")
    return redirect(url_for(".result") + "#share")


def shown_link() -> dict[str, str] | None:
    """The link made by the last share, once (then forgotten: it is a secret)."""
    link: dict[str, str] | None = session.pop(LINK_KEY, None)
    return link


@bp.route("/resume/<token>")
def resume(token: str) -> Response | tuple[str, int]:
    found = share_queries.open_share(db(), token)
    if found is None or found.kind not in KIND_MODELS:
        return render_template("selfcheck/link_gone.html"), 404
    store.restore(found.kind, found.answers)
    flash(_("已恢复保存的资料（链接有效期至%(date)s）。", date=found.expires_at.date().isoformat()), "info")
    return redirect(url_for(".result"))


@bp.route("/download.<any(yaml, json):fmt>")
def download(fmt: str) -> Response:
    kind = store.kind()
    data = _profile_data(kind) if kind else None
    if data is None:
        flash(_("部分资料有误，请先更正。"), "error")
        return redirect(url_for(".start"))
    if fmt == "json":
        body, mime = json.dumps(data, ensure_ascii=False, indent=2) + "\n", "application/json"
    else:
        head = "# 科技扶持政策资格自测资料 / self-check profile — subsidy check 可直接读取；金额单位：元 (yuan)\n"
        declined = store.declined(kind) if kind else []
        if declined:  # 不知道 is an answer too: kept as a comment (subsidy check ignores it), read back on upload
            head += f"{DECLINED_MARK} {', '.join(declined)}\n"
        body, mime = head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "application/yaml"
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="selfcheck-profile.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> Response | str | tuple[str, int]:
    form = UploadForm()
    errors: list[Message] = []
    if request.method == "POST":
        file = request.files.get("profile")
        if not form.validate_on_submit():
            errors.append(Message("页面已过期或来源无法验证，请重新提交。", "The page expired or its origin could not be "
                                                                     "verified; please submit again."))
        elif file is None or not file.filename:
            errors.append(Message("请选择要上传的资料文件。", "Choose the profile file to upload."))
        else:
            raw = file.read(MAX_UPLOAD)
            errors = _restore_from(raw, file.filename)
            if not errors:
                return redirect(url_for(".result"))
    status = 400 if errors else 200
    return render_template("selfcheck/upload.html", form=form, errors=errors), status


def _restore_from(raw: bytes, filename: str) -> list[Message]:
    """Check an uploaded profile and, when it is valid, make it the current answers; else every error at once."""
    data: Any = None
    try:
        data = load_document(raw, filename)
        if not isinstance(data, dict) or data.get("kind") not in KIND_MODELS:
            return [Message("文件不是申请人资料：缺少有效的 kind（申请主体类型）。",
                            "Not a profile: it has no valid kind (applicant type).")]
        parsed = parse_profile(data, dt.date.today())
    except ProfileError as exc:
        issues = every_issue(data, dt.date.today(), exc) if isinstance(data, dict) else exc.issues
        return [_located(i) for i in issues]
    kind = str(data["kind"])
    dumped = parsed.profile.model_dump(exclude_none=True, exclude_unset=True)  # only what the file gives
    in_file = {g: len(dumped.get(g) or []) for g in ("certificates", "loans", "projects")}
    restored = unbuild(kind, store.pages_of(kind, in_file), dumped, FINANCE_YEARS)
    store.restore(kind, {"pages": restored.pages, "rows": restored.rows, "declined": _declined_in(raw)})
    if restored.dropped:
        lang = current_lang()
        names = "、".join(dict.fromkeys(field_label(p).get(lang) for p in restored.dropped))
        flash(_("以下资料自测表单不询问，未导入：%(names)s", names=names), "info")
    flash(_("已导入资料文件。以下是自测结果。"), "success")
    return []


def _declined_in(raw: bytes) -> list[str]:
    """The paths a downloaded file marks "不知道" (its DECLINED_MARK comment line), else none."""
    for line in raw.decode("utf-8", errors="replace").splitlines()[:5]:
        if line.startswith(DECLINED_MARK):
            return [p.strip() for p in line.removeprefix(DECLINED_MARK).split(",") if p.strip()]
    return []


FILE_MONEY = Message("金额格式有误：文件中的金额以元为单位，请写整数元（例如 46000000），或写明单位（例如 \"4600万元\"）。",
                     "Wrong amount: amounts in a file are in yuan; write whole yuan (e.g. 46000000) or give the "
                     "unit (e.g. \"4600万元\").")
"""The file's own unit: the form's 万元 wording would mislead a file user."""


def _located(issue: Any) -> Message:
    if issue.path in ("(profile)", ""):
        return issue.message
    label = field_label(issue.path)
    message = FILE_MONEY if issue.code == "MONEY_FORMAT" else issue.message
    return Message(f"{label.zh}：{message.zh}", f"{label.en}: {message.en}")
