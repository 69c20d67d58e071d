"""This file defines the self-check pages: pick a kind, answer the pages, see and print the result.

Views go validate → act → keep → redirect: a page's answers are kept in the session as typed (even when
invalid, so nothing is lost), checked by the engine, and the user moves on only when the page is clean.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from engine import evaluate
from engine.errors import ProfileIssue
from engine.interview.start import unnamed
from engine.names import KIND_MODELS
from web.answers import store
from web.answers.mapping import Built, check, missing_field, slip_correction
from web.answers.steps import FINANCE_YEARS, KIND_HINTS, KIND_LABELS, Step, step_of
from web.extensions import csrf, current_ruleset
from web.i18n import current_lang
from web.security import safe_redirect_target
from web.selfcheck import bp, interview, keep, present
from web.selfcheck.forms import AsOfForm, KindForm, ResetForm, form_class

Issues = list[tuple[str, ProfileIssue]]


def _today() -> dt.date:
    return dt.date.today()


def _pages(kind: str) -> tuple[Step, ...]:
    return store.pages_of(kind)


def _specs(pages_: tuple[Step, ...]) -> tuple[Any, ...]:
    return tuple(s for p in pages_ for s in p.specs)


def page_url(kind: str, page_id: str, anchor: str | None = None) -> str:
    url = url_for(".enterprise", step=page_id) if kind == "enterprise" else url_for(".single", kind=kind)
    return f"{url}#{anchor}" if anchor else url


def _check(kind: str, pages_: tuple[Step, ...]) -> tuple[Any, Issues, Built, dict[str, Any]]:
    raw = store.answers(kind)
    parsed, issues, built = check(kind, _specs(pages_), raw, _today(), unnamed=True)
    return parsed, issues, built, raw


def _page_of(pages_: tuple[Step, ...], name: str, issue: ProfileIssue) -> Step:
    return step_of(pages_, name, issue.path) or pages_[0]


def _issues_on(page: Step, pages_: tuple[Step, ...], issues: Issues) -> Issues:
    return [(n, i) for n, i in issues if _page_of(pages_, n, i) is page]


@bp.route("/", methods=["GET", "POST"])
def start() -> Response | str:
    form = KindForm(kind=store.kind() or "enterprise")
    if form.validate_on_submit():
        kind = str(form.kind.data)
        store.set_kind(kind)
        if request.form.get("mode") != "full":  # every kind starts with the short interview
            return redirect(url_for(".interview_start"))
        return redirect(page_url(kind, _pages(kind)[0].id))
    return render_template("selfcheck/start.html", form=form, reset_form=ResetForm(), kind_labels=KIND_LABELS,
                           kind_hints=KIND_HINTS, saved_kind=store.kind() if store.kind() and
                           store.saved_pages(str(store.kind())) else None)


@bp.route("/reset", methods=["POST"])
def reset() -> Response:
    if ResetForm().validate_on_submit():
        store.clear()
        flash(_("已清除您填写的全部资料。"), "info")
    return redirect(url_for(".start"))


# The profile pages check their CSRF token themselves (FlaskForm.validate, in `_submit`) instead of through
# the app-wide CSRFProtect, so that a stale token re-renders the page with what was typed rather than
# losing it on an error page. Nothing is saved unless the token is valid.
@bp.route("/enterprise/<step>", methods=["GET", "POST"])
@csrf.exempt
def enterprise(step: str) -> Response | tuple[str, int] | str:
    return _page("enterprise", step)


@bp.route(f"/<any({', '.join(k for k in KIND_MODELS if k != 'enterprise')}):kind>", methods=["GET", "POST"])
@csrf.exempt
def single(kind: str) -> Response | tuple[str, int] | str:
    return _page(kind, "form")


def _page(kind: str, page_id: str) -> Response | tuple[str, int] | str:
    pages_ = _pages(kind)
    index = next((i for i, p in enumerate(pages_) if p.id == page_id), None)
    if index is None:
        abort(404)
    page = pages_[index]
    if request.method == "POST":
        return _submit(kind, pages_, index)
    saved = store.page(kind, page.id)
    form = form_class(page.specs)(formdata=_multidict(saved) if saved is not None else None)
    if saved is None:
        _default_years(form)
    else:
        form.attach(_issues_on(page, pages_, _check(kind, pages_)[1]))
    return _render(kind, pages_, page, form)


def _submit(kind: str, pages_: tuple[Step, ...], index: int) -> Response | tuple[str, int] | str:
    page = pages_[index]
    form = form_class(page.specs)()
    if not form.validate():  # the only WTForms check is CSRF: the engine checks the values below
        message = form.csrf_message()
        form.form_errors = [message] if message else form.form_errors
        return _render(kind, pages_, page, form), 400
    store.set_kind(kind)
    store.save(kind, page.id, form.values())
    action = request.form.get("action", "next")
    if action.startswith("add-row:"):
        group = action.split(":", 1)[1]
        store.add_row(kind, group)
        return redirect(page_url(kind, page.id, f"section-{group}"))
    if action == "back" and index > 0:
        return redirect(page_url(kind, pages_[index - 1].id))
    parsed, issues, _built, _raw = _check(kind, pages_)
    confirmed = set(request.form.getlist("confirm"))
    slips = [(n, w) for n, w in _built.warnings if w.code == "MONEY_UNIT_SLIP" and n in form.spec_of and n not in confirmed]
    mine = _issues_on(page, pages_, issues) + slips  # every problem of the page in one round
    if mine:
        form.slips = {n: slip_correction(str(_raw.get(n))) for n, _w in slips}
        form.attach(mine)
        return _render(kind, pages_, page, form)
    if index + 1 < len(pages_):
        return redirect(page_url(kind, pages_[index + 1].id))
    if parsed is None:
        name, issue = issues[0]
        flash(_("部分资料有误，请先更正。"), "error")
        return redirect(page_url(kind, _page_of(pages_, name, issue).id))
    flash(_("资料已保存。以下是自测结果。"), "success")
    return redirect(url_for(".result"))


def _multidict(saved: dict[str, Any]) -> MultiDict[str, str]:
    return MultiDict([(k, v) for k, vs in saved.items() for v in (vs if isinstance(vs, list) else [vs])])


def _default_years(form: Any) -> None:
    """New finance pages start with the three fiscal years before this one (editable)."""
    first = _today().year - FINANCE_YEARS
    for row in range(FINANCE_YEARS):
        name = f"finance-{row}-year"
        if name in form.spec_of and not form[name].data:
            form[name].data = str(first + row)


def _render(kind: str, pages_: tuple[Step, ...], page: Step, form: Any) -> str:
    saved = store.saved_pages(kind)
    return render_template("selfcheck/page.html", kind=kind, kind_label=KIND_LABELS[kind], pages=pages_,
                           page=page, form=form, saved=saved, page_url=page_url,
                           index=pages_.index(page))


def _evaluated() -> Response | dict[str, Any]:
    """Evaluate the saved answers on the as-of date; a redirect when there is nothing (valid) to evaluate."""
    kind = store.kind()
    if not kind or not store.saved_pages(kind):
        flash(_("请先选择申请主体类型并填写资料。"), "info")
        return redirect(url_for(".start"))
    pages_ = _pages(kind)
    parsed, issues, built, raw = _check(kind, pages_)
    if parsed is None:
        flash(_("部分资料有误，请先更正。"), "error")
        return redirect(page_url(kind, _page_of(pages_, *issues[0]).id))
    as_of_form = AsOfForm(formdata=request.args if "as_of" in request.args else None)
    as_of = as_of_form.date_or(_today())
    as_of_form.as_of.data = as_of.isoformat()
    ruleset, lang = current_ruleset(), current_lang()
    decision = evaluate(ruleset, parsed, as_of)

    def link(path: str) -> str | None:
        name = missing_field(path, built, raw)
        target = step_of(pages_, name, path)
        if target is None:
            return None
        anchor = name if name and any(s.name == name for s in target.specs) else \
            f"section-{path.split('.')[0].split('[')[0]}"
        return page_url(kind, target.id, anchor)

    plan = interview.plan_for(as_of)
    ask_url = url_for(".interview") if plan is not None and not plan.done else None
    return {
        **present.context(decision, ruleset, lang, link, kind=kind, asks=interview.asks_per_measure(plan),
                          ask_url=ask_url, extra_warnings=tuple(w for _n, w in built.warnings)),
        "share_form": keep.ShareForm(),
        "invite": interview.invite(plan, lang),
        "kind": kind, "kind_label": KIND_LABELS[kind], "name": _("本企业") if unnamed(parsed.profile.name) else parsed.profile.name, "decision": decision,
        "as_of": as_of, "as_of_form": as_of_form,
        "edit_url": page_url(kind, pages_[0].id),
    }


@bp.route("/result")
def result() -> Response | str:
    context = _evaluated()
    if isinstance(context, Response):
        return context
    return render_template("selfcheck/result.html", link=keep.shown_link(), **context)


@bp.route("/summary")
def summary() -> Response | str:
    context = _evaluated()
    if isinstance(context, Response):
        return context
    return render_template("selfcheck/summary.html", **context)


def _safe_next(target: str | None) -> str:
    return safe_redirect_target(target) or url_for("selfcheck.result")


def login_placeholder() -> str:
    """/login until accounts exist (phase 2): says that applying needs an account, and links back."""
    return render_template("selfcheck/login.html", back=_safe_next(request.args.get("next")))
