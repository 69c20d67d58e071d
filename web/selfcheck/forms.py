"""This file defines the self-check forms: the applicant-kind picker, the profile pages, the as-of date.

Profile pages are FlaskForm classes generated from `FieldSpec`s; their only WTForms check is CSRF. The
values are checked by the engine itself (`parse_profile`), and each issue is attached to the field its
path names (`attach`), in both languages. What the user typed is shown back unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, Field, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from engine.errors import Message, ProfileIssue
from engine.explain import field_label
from engine.names import KIND_MODELS
from web.answers.specs import FieldSpec
from web.answers.steps import KIND_LABELS, Section
from web.forms import RememberingSelect, choice
from web.i18n import both, current_lang, tr
from web.selfcheck import pickers
from web.selfcheck.choices import TRI_STATE, label_of


class KindForm(FlaskForm):
    """Step 0: which kind of applicant is checking."""

    kind = RadioField(_l("申请主体类型"), choices=[choice(k, KIND_LABELS[k]) for k in KIND_MODELS],
                      validators=[InputRequired(message=_l("请选择申请主体类型。"))])


class ResetForm(FlaskForm):
    """Clears the answers kept in the session (a POST, so it carries a CSRF token)."""


class AsOfForm(FlaskForm):
    """The evaluation date on the result page: a GET form that changes nothing, so no CSRF token
    (a token in a URL would leak into logs and history)."""

    class Meta:
        csrf = False

    as_of = StringField(_l("评价日期"), render_kw={"type": "date"})

    def validate_as_of(self, field: Field) -> None:
        try:
            dt.date.fromisoformat(field.data or "")
        except ValueError:
            raise ValidationError(_l("日期格式应为YYYY-MM-DD。")) from None

    def date_or(self, default: dt.date) -> dt.date:
        return dt.date.fromisoformat(self.as_of.data) if self.as_of.data and self.validate() else default


SECTIONS_KEPT = 512
"""At most this many drawn sections are kept per process (a key is a section as first shown in one language)."""
_drawn: dict[tuple[Any, ...], tuple[Section, Markup]] = {}


class ProfileForm(FlaskForm):
    """A page of profile fields; `specs` says which, and how each maps to the profile."""

    specs: tuple[FieldSpec, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec_of = {s.name: s for s in self.specs}
        self.form_errors: list[Any] = []
        self.slips: dict[str, str] = {}  # field → the 万元 figure an amount typed in yuan stands for
        lang = current_lang()
        for spec in self.specs:
            self[spec.name].spec = spec
            if _is_picker(spec):
                self[spec.name].choices = pickers.choices(spec.key, lang, self[spec.name].data)

    def values(self) -> dict[str, Any]:
        """What the user typed, by field name; empty answers left out (so they stay unknown)."""
        out: dict[str, Any] = {}
        for spec in self.specs:
            data = self[spec.name].data
            if spec.kind == "none":
                if data:
                    out[spec.name] = "true"
            elif spec.kind == "multi":
                if data:
                    out[spec.name] = [str(v) for v in data]
            elif data not in (None, ""):
                out[spec.name] = str(data)
        return out

    def attach(self, issues: list[tuple[str, ProfileIssue]]) -> None:
        """Put each issue on the field it names (or on the form, with the field's label, when it names
        none of this page's fields)."""
        for name, issue in issues:
            if name in self.spec_of:
                field = self[name]
                field.errors = [*field.errors, issue.message]
            else:
                label = field_label(issue.path)
                self.form_errors.append(Message(f"{label.zh}：{issue.message.zh}", f"{label.en}: {issue.message.en}"))

    def label_for(self, name: str) -> str:
        """A field's label in the current language, with its fiscal year or row for table cells."""
        spec = self.spec_of[name]
        label = tr(spec.label)
        if spec.group == "finance":
            if f"finance-{spec.row}-year" not in self.spec_of:  # (the interview labels carry the year)
                return label
            year = self[f"finance-{spec.row}-year"].data
            return gettext("%(year)s年度", year=year) + " " + label if year and spec.key != "year" else label
        if spec.group is not None:
            return gettext("第%(n)s行", n=int(spec.row or 0) + 1) + " " + label
        return label

    def section_html(self, section: Section, draw: Callable[[ProfileForm, Section], str]) -> Markup:
        """One section of the page as `draw` (the template's macro) writes it, kept once drawn while every field in
        it is as first shown (nothing typed, no error): its HTML is then the same for every visitor in a language,
        so each worker draws it once instead of on every page (WTForms and Jinja drawing the same empty fields were
        most of a self-check page's server time under load, issue 18). A typed value is never kept."""
        key = self._as_first_shown(section)
        if key is None:
            return Markup(draw(self, section))
        kept = _drawn.get(key)
        if kept is not None and kept[0] is section:
            return kept[1]
        html = Markup(draw(self, section))
        if len(_drawn) < SECTIONS_KEPT:
            _drawn[key] = (section, html)
        return html

    def _as_first_shown(self, section: Section) -> tuple[Any, ...] | None:
        """What a section's HTML depends on when none of its fields has a typed value or an error (the form's
        class, the section, the language, each field's initial value, e.g. a default fiscal year); else None."""
        if current_app.jinja_env.auto_reload:  # templates edited while the server runs: draw every time
            return None
        values = []
        for spec in section.specs:
            field = self[spec.name]
            if field.raw_data or field.errors:
                return None
            values.append(tuple(field.data) if isinstance(field.data, list) else field.data)
        key = (type(self), id(section), current_lang(), tuple(values))
        try:
            hash(key)
        except TypeError:  # an initial value that cannot be a key: draw it
            return None
        return key

    def csrf_message(self) -> Message | None:
        if "csrf_token" in self.errors:
            _l("页面已过期或来源无法验证，请重新提交。")  # (for extraction)
            return both("页面已过期或来源无法验证，请重新提交。")
        return None

    @property
    def has_errors(self) -> bool:
        return bool(self.form_errors) or any(self[s.name].errors for s in self.specs)


def _choices(spec: FieldSpec) -> list[tuple[str, Any]]:
    return [choice("", _l("请选择"))] + [choice(value, label_of(value, spec.path)) for value in spec.choices]


def _string(spec: FieldSpec) -> StringField:
    attrs: dict[str, Any] = {"autocomplete": "off"}
    if spec.kind in ("money", "number"):
        attrs.update(inputmode="decimal", spellcheck="false")
        if spec.kind == "money":
            attrs["placeholder"] = "0.00"
    elif spec.kind == "date":
        attrs["type"] = "date"
    elif spec.unit == "code":
        attrs.update(spellcheck="false", autocapitalize="characters")
    return StringField(spec.label.zh, default=spec.default or None, render_kw=attrs)


PICKER_LABELS: dict[str, dict[str, Any]] = {
    "industry_code": {"data-search-label": _l("输入代码或行业名称筛选")},
    "tech_field": {"data-label-l1": _l("领域（第一级）"), "data-label-l2": _l("第二级"), "data-label-l3": _l("第三级")},
}


def _is_picker(spec: FieldSpec) -> bool:
    return spec.key in pickers.PICKED and spec.group is None


def unbound_field(spec: FieldSpec, two_way: bool = False) -> Any:
    """The WTForms field of a spec; `two_way`: a yes/no as 是/否 only (the interview's one "不知道" is apart)."""
    if spec.kind == "none":  # "none of these" for a table of records
        return BooleanField(spec.label.zh, false_values=("", "false"))
    if _is_picker(spec):  # options filled per request, in the page's language (ProfileForm.__init__)
        return SelectField(spec.label.zh, choices=[], default="", validate_choice=False, widget=RememberingSelect(),
                           render_kw={"data-picker": pickers.picker_name(spec.key), **PICKER_LABELS.get(spec.key, {})})
    if spec.kind == "bool" and spec.group is not None:
        return SelectField(spec.label.zh, choices=[choice(v, label) for v, label in (TRI_STATE[2], *TRI_STATE[:2])], default="",
                           validate_choice=False)
    if spec.kind == "bool":
        options = TRI_STATE[:2] if two_way else TRI_STATE
        return RadioField(spec.label.zh, choices=[choice(v, label) for v, label in options], default="",
                          validate_choice=False)
    if spec.kind == "choice":
        return SelectField(spec.label.zh, choices=_choices(spec), default=spec.default, validate_choice=False,
                           widget=RememberingSelect())
    if spec.kind == "multi":
        return SelectMultipleField(spec.label.zh, choices=_choices(spec)[1:], validate_choice=False,
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    return _string(spec)


@cache
def form_class(specs: tuple[FieldSpec, ...], two_way: bool = False) -> type[ProfileForm]:
    """A FlaskForm class with one field per spec (cached: one class per page layout)."""
    attrs: dict[str, Any] = {spec.name: unbound_field(spec, two_way) for spec in specs}
    attrs["specs"] = specs
    return type("ProfilePageForm", (ProfileForm,), attrs)
