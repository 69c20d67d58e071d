"""This file defines the self-check interview: a short start page, then only the questions that decide.

The questions come from the engine (`engine.interview.plan_interview`); this module only renders them.
Each question is the full form's own field (same widget, same checks, same storage): a profile path maps
to its form field ("staff.total" → `staff-total`; "finance[2024].rd_expense" → the finance column of
2024), so answers given here show up on the six-step form and the other way round. "不知道" marks a path
declined (never asked again; its measures stay undetermined). "先看结果" is on every page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.errors import Message, ProfileError
from engine.explain import field_label, money
from engine.interview import InterviewPlan, Question, plan_interview, start_paths
from engine.interview.fields import field_info
from web.extensions import csrf, current_ruleset
from web.i18n import current_lang
from web.selfcheck import bp, store
from web.selfcheck.forms import form_class
from web.selfcheck.mapping import build, check
from web.selfcheck.specs import FieldSpec
from web.selfcheck.steps import FINANCE_YEARS, Step, step_of

KIND = "enterprise"  # the interview is the enterprise path; the other kinds have one short page already
_FINANCE = re.compile(r"^finance\[(\d{4})\]\.(\w+)$")


def _today() -> dt.date:
    return dt.date.today()


def _specs(pages_: tuple[Step, ...]) -> dict[str, FieldSpec]:
    return {s.name: s for p in pages_ for s in p.specs}


def _finance_row(raw: dict[str, Any], year: int, taken: dict[int, int]) -> int | None:
    """The finance column that holds `year`: the one already typed with it, else a free column (the one the
    full form would give that year by default when it is free)."""
    if year in taken:
        return taken[year]
    for row in range(FINANCE_YEARS):
        if str(raw.get(f"finance-{row}-year", "")).strip() == str(year):
            return row
    used = {row for row in range(FINANCE_YEARS) if str(raw.get(f"finance-{row}-year", "")).strip()} | set(taken.values())
    default = year - (_today().year - FINANCE_YEARS)
    if 0 <= default < FINANCE_YEARS and default not in used:
        return default
    return next((row for row in range(FINANCE_YEARS) if row not in used), None)


@dataclasses.dataclass
class Asked:
    """One question as this page shows it: the form field, or None when the full form must ask it."""

    question: Question | None
    path: str
    spec: FieldSpec | None
    label: Message
    year: tuple[str, int] | None = None  # (form field of the column's year, the year) for a finance field
    used_for: str = ""
    anchor: str | None = None  # where the full form asks it, for a question this page cannot


def map_paths(paths: list[str], raw: dict[str, Any], pages_: tuple[Step, ...]) -> list[Asked]:
    """The form field of each profile path (a spec labelled with the engine's label for that path)."""
    specs = _specs(pages_)
    taken: dict[int, int] = {}
    out = []
    for path in paths:
        info = field_info(KIND, path)
        found = _FINANCE.match(path)
        year = None
        if found:
            row = _finance_row(raw, int(found[1]), taken)
            name = f"finance-{row}-{found[2]}" if row is not None else ""
            if row is not None:
                taken[int(found[1])] = row
                year = (f"finance-{row}-year", int(found[1]))
        else:
            name = path.replace(".", "-")
            if name not in specs and f"{name}-none" in specs:  # a table of records: "none of these" here
                name = f"{name}-none"
        spec = specs.get(name)
        label = info.label if info is not None else field_label(path)
        if spec is not None and spec.kind != "none":
            spec = dataclasses.replace(spec, label=label)
        target = step_of(pages_, None, path)
        anchor = None if (spec is not None and spec.kind != "none") or target is None else url_for(
            "selfcheck.enterprise", step=target.id, _anchor=f"section-{path.split('.')[0].split('[')[0]}")
        out.append(Asked(None, path, spec, label, year, anchor=anchor))
    return out


def _form(asked: list[Asked], formdata: Any = None) -> Any:
    specs = tuple(a.spec for a in asked if a.spec is not None)
    return form_class(specs)(formdata=formdata)


def profile_data(raw: dict[str, Any], pages_: tuple[Step, ...]) -> dict[str, Any]:
    """The answers as profile data for the engine (fiscal years as numbers, the way paths address them)."""
    data = build(KIND, tuple(_specs(pages_).values()), raw).data
    for record in data.get("finance") or []:
        if str(record.get("year", "")).strip().isdigit():
            record["year"] = int(str(record["year"]).strip())
    return data


def plan_for(as_of: dt.date | None = None) -> InterviewPlan | None:
    """The interview plan for the saved answers, or None when they are not a valid profile yet."""
    pages_ = store.pages_of(KIND)
    try:
        return plan_interview(current_ruleset(), profile_data(store.answers(KIND), pages_), as_of or _today(),
                              declined=frozenset(store.declined(KIND)), today=_today())
    except ProfileError:
        return None


def invite(plan: InterviewPlan | None, lang: str) -> dict[str, str] | None:
    """'再回答 N 个问题可判断 M 个待定措施（最高 ¥X）' for the result page, when anything is left to ask."""
    if plan is None or plan.done:
        return None
    n, m = len(plan.questions), len(plan.undetermined)
    if plan.worth_undetermined:
        worth = (_("最高%(amount)s", amount=money(plan.worth_undetermined, lang)) if plan.worth_up_to
                 else money(plan.worth_undetermined, lang))
        text = _("再回答 %(n)s 个问题可判断 %(m)s 个待定措施（%(worth)s）", n=n, m=m, worth=worth)
    else:
        text = _("再回答 %(n)s 个问题可判断 %(m)s 个待定措施", n=n, m=m)
    return {"text": text, "url": url_for("selfcheck.interview")}


def asks_per_measure(plan: InterviewPlan | None) -> dict[str, int]:
    """Measure id → how many of the open questions can decide it."""
    out: dict[str, int] = {}
    for q in plan.questions if plan else ():
        for mid in q.used_for:
            out[mid] = out.get(mid, 0) + 1
    return out


def _save(asked: list[Asked], form: Any, declined: set[str], pages_: tuple[Step, ...]) -> None:
    """Merge this page's answers into the saved pages (a declined answer is cleared)."""
    values = form.values()
    by_page: dict[str, dict[str, Any]] = {}
    cleared: dict[str, set[str]] = {}
    for a in asked:
        if a.spec is None:
            continue
        page = step_of(pages_, a.spec.name)
        assert page is not None
        if a.path in declined or a.spec.name not in values:
            cleared.setdefault(page.id, set()).add(a.spec.name)
            continue
        by_page.setdefault(page.id, {})[a.spec.name] = values[a.spec.name]
        if a.year is not None:
            by_page[page.id][a.year[0]] = str(a.year[1])
    for page_id in {*by_page, *cleared}:
        store.merge(KIND, page_id, by_page.get(page_id, {}), cleared.get(page_id, set()))


def _render(asked: list[Asked], form: Any, *, start: bool, plan: InterviewPlan | None = None,
            status: int = 200) -> tuple[str, int]:
    ruleset, lang = current_ruleset(), current_lang()
    sep = "、" if lang == "zh" else "; "
    for a in asked:
        if a.question is not None:
            a.used_for = sep.join(ruleset.measures[m].title.get(lang) for m in a.question.used_for
                                  if m in ruleset.measures)
    return render_template("selfcheck/interview.html", asked=asked, form=form, start=start, plan=plan,
                           invite=invite(plan, lang), full_form_url=url_for("selfcheck.enterprise",
                                                                            step="identity"),
                           declined=set(store.declined(KIND))), status


def _issues_on(asked: list[Asked], pages_: tuple[Step, ...]) -> list[tuple[str, Any]]:
    _parsed, issues, _built = check(KIND, tuple(_specs(pages_).values()), store.answers(KIND), _today())
    names = {a.spec.name for a in asked if a.spec is not None}
    return [(n, i) for n, i in issues if n in names]


# Like the full form, these pages check their CSRF token themselves (FlaskForm.validate), so a stale token
# re-renders the page with what was typed instead of losing it.
@bp.route("/interview/start", methods=["GET", "POST"])
@csrf.exempt
def interview_start() -> Response | tuple[str, int]:
    store.set_kind(KIND)
    pages_ = store.pages_of(KIND)
    paths = [p for p in start_paths(KIND, _today()) if p != "kind"]
    return _page(map_paths(paths, store.answers(KIND), pages_), pages_, start=True)


@bp.route("/interview", methods=["GET", "POST"])
@csrf.exempt
def interview() -> Response | tuple[str, int]:
    if store.kind() != KIND or not store.saved_pages(KIND):
        return redirect(url_for(".interview_start"))
    pages_ = store.pages_of(KIND)
    if request.method == "POST":
        paths = request.form.getlist("asked")
        return _page(map_paths(paths, store.answers(KIND), pages_), pages_, start=False)
    plan = plan_for()
    if plan is None:
        flash(_("部分资料有误，请先更正。"), "error")
        return redirect(url_for(".interview_start"))
    if plan.done:
        flash(_("能影响结论的问题都已回答。以下是自测结果。"), "success")
        return redirect(url_for(".result"))
    asked = map_paths([q.path for q in plan.pages[0]], store.answers(KIND), pages_)
    for a, q in zip(asked, plan.pages[0], strict=True):
        a.question = q
    form = _form(asked)
    return _render(asked, form, start=False, plan=plan)


def _page(asked: list[Asked], pages_: tuple[Step, ...], *, start: bool) -> Response | tuple[str, int]:
    if request.method == "GET":
        saved = store.answers(KIND)
        form = _form(asked)
        for a in asked:
            if a.spec is not None and a.spec.name in saved:
                form[a.spec.name].process_data(saved[a.spec.name])
        form.attach(_issues_on(asked, pages_) if store.saved_pages(KIND) else [])
        return _render(asked, form, start=start, plan=None if start else plan_for())
    form = _form(asked, request.form)
    if not form.validate():  # CSRF only; the engine checks the values
        message = form.csrf_message()
        form.form_errors = [message] if message else form.form_errors
        return _render(asked, form, start=start, status=400)
    declined = set(request.form.getlist("dontknow"))
    answered = {a.spec.name for a in asked if a.spec is not None} & set(form.values())
    if not start and not answered and not declined and request.form.get("action") != "results":
        form.form_errors = [Message("请至少回答一个问题，或在不清楚的问题下勾选“不知道”。",
                                    "Answer at least one question, or tick \"Don't know\" under those you cannot answer.")]
        return _render(asked, form, start=start)
    store.add_declined(KIND, declined)
    _save(asked, form, declined, pages_)
    mine = _issues_on(asked, pages_)
    if mine:
        form.attach(mine)
        return _render(asked, form, start=start)
    if request.form.get("action") == "results":
        return redirect(url_for(".result"))
    return redirect(url_for(".interview"))
