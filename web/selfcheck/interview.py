"""This file defines the self-check interview: a short start page, then only the questions that decide.

The questions come from the engine (`engine.interview.plan_interview`); this module only renders them.
Each question is the full form's own field (same widget, same checks, same storage): a profile path maps
to its form field ("staff.total" → `staff-total`; "finance[2024].rd_expense" → the finance column of
2024), so answers given here show up on the full form and the other way round. Every kind of applicant has
its interview (an incubator, an institution, a talent, a team: their own start page and questions). "不知道" is
the one way to decline a question (never asked again; its measures stay undetermined; kept in drafts, links
and downloads). A yes/no question has 是/否 only. "先看结果" is on every page. The adverse declarations of a page
(engine.interview.batch) come as one block with one answer, "以上情形均没有", which answers each of them "否"; the
items stay below it to be answered one by one where one applies or is not known.
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
from engine.interview import InterviewPlan, Question, plan_interview
from engine.interview.fields import field_info
from engine.interview.start import shown_start_paths
from web.answers import store
from web.answers.mapping import build, check, slip_correction
from web.answers.specs import FieldSpec
from web.answers.steps import FINANCE_YEARS, KIND_LABELS, Step, step_of
from web.extensions import csrf, current_ruleset
from web.i18n import current_lang
from web.selfcheck import bp
from web.selfcheck.forms import form_class
from web.selfcheck.grouped import blocks, conflict_message, none_of

KIND = "enterprise"  # the default kind
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


HINTS: dict[str, Message] = {
    "innovation.ip_advancement": Message(
        "专家按档评分：A 技术国际领先或填补国内空白（7–8分）；B 国内领先（5–6分）；C 国内先进（3–4分）；D 较低（1–2分）；E 无（0分）。",
        "Experts grade it: A world-leading or first in China (7–8 points); B leading in China (5–6); "
        "C advanced in China (3–4); D lower (1–2); E none (0)."),
    "innovation.ip_core_support": Message(
        "专家按档评分：A 知识产权是主要产品的关键核心技术（7–8分）；B 较强（5–6分）；C 一般（3–4分）；D 较弱（1–2分）；E 无（0分）。",
        "Experts grade it: A the IP is the key technology of the main products (7–8 points); B strong (5–6); "
        "C some (3–4); D weak (1–2); E none (0)."),
}
"""Hints of the questions whose answer needs an explanation (the A–E grades, with examples)."""


def hint_of(asked: Asked) -> Message | None:
    """The question's hint: its own explanation, else the policy condition of the measure it serves."""
    if asked.path in HINTS:
        return HINTS[asked.path]
    question = asked.question
    if question is None or question.help is None:
        return None
    return Message("政策条件：" + question.help.zh, "Condition: " + question.help.en)


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
    none_spec: FieldSpec | None = None  # "没有研发中心": another answer to the same question
    batch: str = ""  # the record whose adverse declarations are answered together ("以上情形均没有")


def _kind() -> str:
    return store.kind() or KIND


def _page_url(kind: str, step: str, anchor: str) -> str:
    url = url_for("selfcheck.enterprise", step=step) if kind == "enterprise" else url_for("selfcheck.single", kind=kind)
    return f"{url}#{anchor}"


def map_paths(paths: list[str], raw: dict[str, Any], pages_: tuple[Step, ...], kind: str = KIND) -> list[Asked]:
    """The form field of each profile path (a spec labelled with the engine's label for that path)."""
    specs = _specs(pages_)
    taken: dict[int, int] = {}
    out = []
    for path in paths:
        info = field_info(kind, path)
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
        anchor = None if (spec is not None and spec.kind != "none") or target is None else _page_url(
            kind, target.id, f"section-{path.split('.')[0].split('[')[0]}")
        out.append(Asked(None, path, spec, label, year, anchor=anchor,
                         batch=info.group if info is not None and info.adverse else ""))
    for a in out:  # a record's "没有" box goes with its first question on the page
        head = a.path.split(".")[0]
        if "." in a.path and f"{head}-none" in specs and not any(b.none_spec for b in out if b.path.startswith(head)):
            a.none_spec = specs[f"{head}-none"]
    return out


def _form(asked: list[Asked], formdata: Any = None) -> Any:
    specs = tuple(a.spec for a in asked if a.spec is not None) + tuple(a.none_spec for a in asked if a.none_spec)
    return form_class(specs, two_way=True)(formdata=formdata)


def profile_data(raw: dict[str, Any], pages_: tuple[Step, ...], kind: str = KIND) -> dict[str, Any]:
    """The answers as profile data for the engine (fiscal years as numbers, the way paths address them)."""
    data = build(kind, tuple(_specs(pages_).values()), raw).data
    for record in data.get("finance") or []:
        if str(record.get("year", "")).strip().isdigit():
            record["year"] = int(str(record["year"]).strip())
    return data


def plan_for(as_of: dt.date | None = None) -> InterviewPlan | None:
    """The interview plan for the saved answers, or None when they are not a valid profile yet."""
    kind = _kind()
    pages_ = store.pages_of(kind)
    try:
        return plan_interview(current_ruleset(), profile_data(store.answers(kind), pages_, kind), as_of or _today(),
                              declined=frozenset(store.declined(kind)), today=_today())
    except ProfileError:
        return None


def invite(plan: InterviewPlan | None, lang: str) -> dict[str, str] | None:
    """What the next page can decide, and the money receivable as of right in the applicant's own area:
    '下一页可判断：高新技术企业认定、清远市高企首次认定奖励（最高¥30万）', else how many measures it may help."""
    if plan is None or plan.done:
        return None
    ruleset = current_ruleset()
    sep = "、" if lang == "zh" else "; "

    def names(ids: tuple[str, ...]) -> str:
        return sep.join(ruleset.measures[m].title.get(lang) for m in ids if m in ruleset.measures)

    pages = len(plan.pages)
    if plan.next_settles:
        text = _("下一页可判断：%(names)s", names=names(plan.next_settles))
        if plan.next_worth:
            text += _("（可获%(amount)s）", amount=_("最高%(amount)s", amount=money(plan.next_worth, lang))
                      if plan.worth_up_to else money(plan.next_worth, lang))
    elif plan.next_may_rule_out:
        text = _("下一页的回答可能排除：%(names)s", names=names(plan.next_may_rule_out))
    else:
        text = _("下一页的回答用于 %(m)s 个待定措施", m=len({m for q in plan.pages[0] for m in q.used_for}))
    text += " " + _("（还有约%(pages)s页、%(n)s个问题）", pages=pages, n=len(plan.questions))
    return {"text": text, "url": url_for("selfcheck.interview")}


def asks_per_measure(plan: InterviewPlan | None) -> dict[str, int]:
    """Measure id → how many of the open questions can decide it."""
    out: dict[str, int] = {}
    for q in plan.questions if plan else ():
        for mid in q.used_for:
            out[mid] = out.get(mid, 0) + 1
    return out


def _default_years(page: dict[str, Any], saved: dict[str, Any]) -> None:
    """Give every finance column without a year the one the full form would (the three years before this
    one), unless another column holds it: the full form after the interview shows its fiscal years."""
    taken = {str(v).strip() for k, v in {**saved, **page}.items() if k.startswith("finance-") and k.endswith("-year")}
    for row in range(FINANCE_YEARS):
        name = f"finance-{row}-year"
        year = str(_today().year - FINANCE_YEARS + row)
        if not str(page.get(name, saved.get(name, ""))).strip() and year not in taken:
            page[name] = year
            taken.add(year)


def _save(asked: list[Asked], form: Any, declined: set[str], pages_: tuple[Step, ...]) -> None:
    """Merge this page's answers into the saved pages (a declined answer is cleared)."""
    values = form.values()
    by_page: dict[str, dict[str, Any]] = {}
    cleared: dict[str, set[str]] = {}
    for a in asked:
        if a.none_spec is not None:
            page = step_of(pages_, a.none_spec.name)
            assert page is not None
            if a.none_spec.name in values:
                by_page.setdefault(page.id, {})[a.none_spec.name] = values[a.none_spec.name]
            else:
                cleared.setdefault(page.id, set()).add(a.none_spec.name)
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
            _default_years(by_page[page.id], store.answers(_kind()))
    for page_id in {*by_page, *cleared}:
        store.merge(_kind(), page_id, by_page.get(page_id, {}), cleared.get(page_id, set()))


def _render(asked: list[Asked], form: Any, *, start: bool, plan: InterviewPlan | None = None,
            status: int = 200, chosen: frozenset[str] = frozenset()) -> tuple[str, int]:
    ruleset, lang, kind = current_ruleset(), current_lang(), _kind()
    sep = "、" if lang == "zh" else "; "

    def titles(ids: Any) -> str:
        return sep.join(ruleset.measures[m].title.get(lang) for m in dict.fromkeys(ids) if m in ruleset.measures)

    for a in asked:
        if a.question is not None:
            a.used_for = titles(a.question.used_for)
    shown = blocks(asked)
    for block in shown:  # a grouped unit says once what its answers are used for
        if block.key:
            block.used_for = titles(m for a in block.members if a.question is not None for m in a.question.used_for)
    first = store.pages_of(kind)[0].id
    fixes = getattr(form, "slips", {})
    return render_template("selfcheck/interview.html", blocks=shown, form=form, start=start, plan=plan,
                           hint_of=hint_of, fixes=fixes, none_of=chosen,
                           kind=kind, kind_label=KIND_LABELS[kind], invite=invite(plan, lang),
                           full_form_url=_page_url(kind, first, "top").removesuffix("#top"),
                           declined=set(store.declined(kind))), status


def _issues_on(asked: list[Asked], pages_: tuple[Step, ...]) -> list[tuple[str, Any]]:
    kind = _kind()
    _parsed, issues, built = check(kind, tuple(_specs(pages_).values()), store.answers(kind), _today(), unnamed=True)
    names = {a.spec.name for a in asked if a.spec is not None}
    slips = {n for n, w in built.warnings if w.code == "MONEY_UNIT_SLIP"}
    warnings = [(n, w) for n, w in built.warnings if w.code == "MONEY_UNIT_SLIP"]  # says what MONEY_MAGNITUDE says
    warnings += [(n, w) for n, w in built.warnings if w.code != "MONEY_UNIT_SLIP" and n not in slips]
    return [(n, i) for n, i in issues + warnings if n in names]


def _start_paths(kind: str) -> list[str]:
    """The start page's paths as the pages ask them (a field copied from another is not asked twice)."""
    return list(shown_start_paths(kind, _today()))


# Like the full form, these pages check their CSRF token themselves (FlaskForm.validate), so a stale token
# re-renders the page with what was typed instead of losing it.
@bp.route("/interview/start", methods=["GET", "POST"])
@csrf.exempt
def interview_start() -> Response | tuple[str, int]:
    kind = _kind()
    store.set_kind(kind)
    pages_ = store.pages_of(kind)
    return _page(map_paths(_start_paths(kind), store.answers(kind), pages_, kind), pages_, start=True)


@bp.route("/interview", methods=["GET", "POST"])
@csrf.exempt
def interview() -> Response | tuple[str, int]:
    kind = _kind()
    if not store.saved_pages(kind):
        return redirect(url_for(".interview_start"))
    pages_ = store.pages_of(kind)
    if request.method == "POST":
        paths = request.form.getlist("asked")
        asked = map_paths(paths, store.answers(kind), pages_, kind)
        plan = plan_for()
        by_path = {q.path: q for q in plan.questions} if plan is not None else {}
        for a in asked:  # the same hints and "用于" if the page comes back with an error
            a.question = by_path.get(a.path)
        return _page(asked, pages_, start=False)
    plan = plan_for()
    if plan is None:
        flash(_("部分资料有误，请先更正。"), "error")
        return redirect(url_for(".interview_start"))
    if plan.done:
        flash(_("能影响结论的问题都已回答。以下是自测结果。"), "success")
        return redirect(url_for(".result"))
    asked = map_paths([q.path for q in plan.pages[0]], store.answers(kind), pages_, kind)
    for a, q in zip(asked, plan.pages[0], strict=True):
        a.question = q
    form = _form(asked)
    return _render(asked, form, start=False, plan=plan)


def _page(asked: list[Asked], pages_: tuple[Step, ...], *, start: bool) -> Response | tuple[str, int]:
    kind = _kind()
    if request.method == "GET":
        saved = store.answers(kind)
        form = _form(asked)
        for a in asked:
            for spec in (a.spec, a.none_spec):
                if spec is not None and spec.name in saved:
                    form[spec.name].process_data(saved[spec.name])
        form.attach(_issues_on(asked, pages_) if store.saved_pages(kind) else [])
        return _render(asked, form, start=start, plan=None if start else plan_for())
    declined = set(request.form.getlist("dontknow"))
    chosen = frozenset(request.form.getlist("none_of"))
    formdata, conflicts = none_of(asked, request.form, set(chosen), declined)
    form = _form(asked, formdata)
    if not form.validate():  # CSRF only; the engine checks the values
        message = form.csrf_message()
        form.form_errors = [message] if message else form.form_errors
        return _render(asked, form, start=start, status=400, chosen=chosen)
    if conflicts:
        form.form_errors = [conflict_message(conflicts)]
        return _render(asked, form, start=start, chosen=chosen)
    answered = {a.spec.name for a in asked if a.spec is not None} & set(form.values())
    if not start and not answered and not declined and request.form.get("action") != "results":
        form.form_errors = [Message("请至少回答一个问题，或在不清楚的问题下勾选“不知道”。",
                                    "Answer at least one question, or tick \"Don't know\" under those you cannot answer.")]
        return _render(asked, form, start=start, chosen=chosen)
    store.add_declined(kind, declined)
    _save(asked, form, declined, pages_)
    mine = _issues_on(asked, pages_)
    confirmed = set(request.form.getlist("confirm"))
    blocking = [(n, i) for n, i in mine if i.severity == "error" or (i.code == "MONEY_UNIT_SLIP" and n not in confirmed)]
    if blocking:  # every error of the page in one round; an implausible amount until it is confirmed
        form.attach(blocking)
        form.slips = {n: slip_correction(str(request.form.get(n))) for n, i in blocking if i.code == "MONEY_UNIT_SLIP"}
        return _render(asked, form, start=start, chosen=chosen)
    if request.form.get("action") == "results":
        return redirect(url_for(".result"))
    return redirect(url_for(".interview"))
