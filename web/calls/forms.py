"""The calls forms: open a call (the per-measure cap and materials fields are read by `measure_fields`),
allocate a closed call, record a payment. Money is typed in 万元; times in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from engine.errors import Message
from web.bureau.present import material_key, wan_to_yuan
from web.forms import choice
from web.i18n import tr
from web.store.call_queries import LOCAL_BODIES, RANK_LABELS, MeasureSpec


class Label:
    """A zh/en Message as a form label, in the language of the request that renders it."""

    def __init__(self, message: Message):
        self.message = message

    def __str__(self) -> str:
        return tr(self.message)

    def __html__(self) -> str:
        return str(escape(str(self)))


METHOD_CHOICES = (("rank_full", _l("按排序足额资助（预算用完为止）")), ("pro_rata", _l("按比例分配（人人同比例）")))


def _wan(form: Any, field: Any) -> None:
    try:
        field.yuan = wan_to_yuan(str(field.data or ""))
    except ValueError:
        raise ValidationError(_l("请填写以万元为单位的金额，如 500 或 12.5（精确到元）。")) from None


class CallForm(FlaskForm):
    title = StringField(_l("通知名称"), validators=[DataRequired(_l("请填写通知名称。")), Length(max=200)])
    year = IntegerField(_l("年度"), validators=[InputRequired(_l("请填写年度。")), NumberRange(2000, 2100)])
    body = SelectField(_l("受理部门"), choices=[choice("", _l("请选择受理部门")),
                                              *(choice(zh, Label(Message(zh, en))) for zh, en in LOCAL_BODIES.items())],
                       validate_choice=False,
                       validators=[DataRequired(_l("请从本地受理部门中选择。")),
                                   AnyOf(tuple(LOCAL_BODIES), message=_l("请从本地受理部门中选择。"))])
    opens = DateTimeLocalField(_l("开始受理（北京时间）"), format="%Y-%m-%dT%H:%M",
                               validators=[InputRequired(_l("请填写开始时间。"))])
    closes = DateTimeLocalField(_l("截止时间（北京时间）"), format="%Y-%m-%dT%H:%M",
                                validators=[InputRequired(_l("请填写截止时间。"))])
    budget = StringField(_l("预算（万元）"), validators=[DataRequired(_l("请填写预算。")), _wan])
    method = RadioField(_l("分配方式"), choices=[choice(v, label) for v, label in METHOD_CHOICES], default="rank_full")
    rank_by = RadioField(_l("排序规则（公布于通知）"), default="received",
                         choices=[choice(v, Label(m)) for v, m in RANK_LABELS.items()])
    notice_days = IntegerField(_l("公示期（天）"), default=5,
                               validators=[InputRequired(_l("请填写公示期天数。")), NumberRange(0, 60, _l("公示期须为0至60天。"))])

    def validate_closes(self, field: Any) -> None:
        if self.opens.data and field.data and field.data <= self.opens.data:
            raise ValidationError(_l("截止时间必须晚于开始时间。"))


def parse_materials(text: str) -> tuple[tuple[str, str, str], ...]:
    """One checklist item per line, 'Chinese / English' (English optional); blank lines ignored.

    >>> parse_materials("营业执照 / business licence\\n\\n申报书")[1][1:]
    ('申报书', '申报书')
    """
    out, seen = [], set()
    for line in (text or "").splitlines():
        zh, _, en = line.partition(" / ")
        zh, en = zh.strip(), en.strip()
        if zh and zh not in seen:
            seen.add(zh)
            out.append((material_key(zh), zh[:200], (en or zh)[:200]))
    return tuple(out)


def measure_fields(data: Any, measures: list[str]) -> tuple[list[MeasureSpec], dict[str, str]]:
    """The per-measure cap (万元, blank: none) and materials of the call form; errors by field name."""
    specs, errors = [], {}
    for measure_id in measures:
        raw = str(data.get(f"cap-{measure_id}", "")).strip()
        cap = None
        if raw:
            try:
                cap = wan_to_yuan(raw)
            except ValueError:
                errors[f"cap-{measure_id}"] = "bad-cap"
        materials = parse_materials(str(data.get(f"materials-{measure_id}", "")))
        if not materials:
            errors[f"materials-{measure_id}"] = "no-materials"
        specs.append(MeasureSpec(measure_id, cap, materials))
    return specs, errors


class AllocateForm(FlaskForm):
    """Allocate a closed call (a POST with a CSRF token)."""


class PaymentForm(FlaskForm):
    allocation_id = StringField(_l("资助项目"), validators=[DataRequired(_l("请选择资助项目。"))])
    paid_on = DateField(_l("付款日期"), default=dt.date.today, validators=[InputRequired(_l("请填写付款日期。"))])
    amount = StringField(_l("金额（万元）"), validators=[DataRequired(_l("请填写金额。")), _wan])
    voucher_no = StringField(_l("凭证号"), validators=[DataRequired(_l("请填写凭证号。")), Length(max=64)])
    # the admin who pays confirms the registered account (checked by web.store.account_queries.payee_mismatch)
    account_last4 = StringField(_l("核对收款账号后4位"), validators=[DataRequired(_l("请填写收款账号后4位，核对收款账户。")),
                                                                Length(max=8)],
                                render_kw={"inputmode": "numeric", "autocomplete": "off"})


REASON_FIELD = {"validators": [DataRequired(_l("请填写理由（将在通知页面公开）。")), Length(max=2000)],
                "render_kw": {"rows": 2}}


class EditCallForm(CallForm):
    """Edit a call before it opens: the call's fields and a reason."""

    reason = TextAreaField(_l("修改理由"), **REASON_FIELD)  # type: ignore[arg-type]


class ExtendForm(FlaskForm):
    closes = DateTimeLocalField(_l("新的截止时间（北京时间）"), format="%Y-%m-%dT%H:%M",
                                validators=[InputRequired(_l("请填写新的截止时间。"))])
    reason = TextAreaField(_l("延期理由"), **REASON_FIELD)  # type: ignore[arg-type]


class ReasonForm(FlaskForm):
    """Close early or withdraw: a reason only."""

    reason = TextAreaField(_l("理由"), **REASON_FIELD)  # type: ignore[arg-type]


class ConfirmForm(FlaskForm):
    """Confirm the allocation the preview showed (its digest)."""

    digest = HiddenField(validators=[DataRequired()])


class ObjectionForm(FlaskForm):
    raised_by = StringField(_l("异议人（姓名或单位、联系方式）"), validators=[DataRequired(_l("请填写异议人。")), Length(max=200)])
    allocation_id = SelectField(_l("异议所指项目"), validators=[Optional()])
    text = TextAreaField(_l("异议内容"), validators=[DataRequired(_l("请填写异议内容。")), Length(max=4000)],
                         render_kw={"rows": 3})


class HandleForm(FlaskForm):
    outcome = RadioField(_l("处理结果"), choices=[choice("dismissed", _l("异议不成立，维持资助")),
                                               choice("upheld", _l("异议成立，取消该项资助"))],
                         validators=[InputRequired(_l("请选择处理结果。"))])
    handling = TextAreaField(_l("处理意见"), validators=[DataRequired(_l("请填写处理意见。")), Length(max=4000)],
                             render_kw={"rows": 2})
