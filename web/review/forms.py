"""The reviewer's forms: the queue filters (a GET form, no CSRF) and the decision with its reason."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from web.forms import RememberingSelect, choice

REASON_MAX = 4000
SORTS = (("priority", _l("优先级（高→低）")), ("age", _l("等待时间（长→短）")), ("newest", _l("最新提交")))
AGES = (("", _l("不限")), ("7", _l("超过7天")), ("30", _l("超过30天")), ("90", _l("超过90天")))
OUTCOMES = (("", _l("不限")), ("eligible", _l("有符合条件的措施")), ("undetermined", _l("有待定的措施")),
            ("conditional", _l("有认定后可申请的措施")), ("ineligible", _l("有不符合的措施")))
FLAG_FILTERS = (("", _l("不限")), ("any", _l("有提示")), ("none", _l("无提示")), ("block", _l("有阻断提示")),
                ("warn", _l("有警告提示")))
# The reviewer's acts: (form value, label, review action stored, lifecycle state it moves to or None)
ACTIONS = (
    ("start", _l("转入审核"), "reopen", "in_review"),
    ("request_info", _l("要求补充材料"), "request_info", "info_requested"),
    ("approve", _l("通过"), "approve", "approved"),
    ("reject", _l("不通过"), "reject", "rejected"),
    ("comment", _l("仅备注（不改变状态）"), "comment", None),
)


class QueueForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form: bookmarkable, changes nothing

    call = SelectField(_l("申报通知"), validators=[Optional()], widget=RememberingSelect())
    q = StringField(_l("搜索（名称、统一社会信用代码或申请编号）"), validators=[Optional(), Length(max=100)])
    mine = BooleanField(_l("只看指派给我的"))
    measure = SelectField(_l("政策措施"), validators=[Optional()], widget=RememberingSelect())
    issuer = SelectField(_l("发文机关"), validators=[Optional()], widget=RememberingSelect())
    outcome = SelectField(_l("判断结果"), choices=[choice(v, label) for v, label in OUTCOMES], validators=[Optional()],
                          widget=RememberingSelect())
    flags = SelectField(_l("提示"), validators=[Optional()], widget=RememberingSelect())
    status = SelectField(_l("状态"), validators=[Optional()], widget=RememberingSelect())
    age = SelectField(_l("等待时间"), choices=[choice(v, label) for v, label in AGES], validators=[Optional()],
                      widget=RememberingSelect())
    sort = SelectField(_l("排序"), choices=[choice(v, label) for v, label in SORTS], default="priority",
                       widget=RememberingSelect())
    page = IntegerField(_l("页码"), default=1, validators=[Optional(), NumberRange(min=1)])

    def set_choices(self, measures: list[tuple[str, Any]], issuers: list[tuple[str, Any]],
                    flags: list[tuple[str, Any]], statuses: list[tuple[str, Any]],
                    calls: list[tuple[str, Any]] | None = None) -> None:
        any_ = _l("不限")
        self.call.choices = [choice("", any_), *(choice(v, label) for v, label in calls or ())]
        self.measure.choices = [choice("", any_), *(choice(v, label) for v, label in measures)]
        self.issuer.choices = [choice("", any_), *(choice(v, label) for v, label in issuers)]
        self.flags.choices = [choice(v, label) for v, label in FLAG_FILTERS] + [choice(v, label) for v, label in flags]
        self.status.choices = [choice(v, label) for v, label in statuses]


class DecideForm(FlaskForm):
    action = RadioField(_l("处理"), choices=[choice(v, label) for v, label, _a, _s in ACTIONS],
                        validators=[InputRequired(_l("请选择处理方式。"))])
    reason = TextAreaField(_l("理由"), validators=[DataRequired(_l("每项审核操作都必须填写理由。")), Length(max=REASON_MAX)],
                           render_kw={"rows": 4})


class MaterialForm(FlaskForm):
    """A reviewer's check of one uploaded file: accepted, or needs correction with a reason (the store insists)."""

    status = RadioField(_l("审核结果"), choices=[choice("accepted", _l("通过")), choice("needs_correction", _l("需补正"))],
                        validators=[InputRequired(_l("请选择“通过”或“需补正”。"))])
    reason = StringField(_l("补正理由"), validators=[Length(max=500)])


class AmountsForm(FlaskForm):
    """The reviewer's approved amounts (核定金额, 万元, per measure line: fields `amount-<measure>` and
    `reason-<measure>`, read by the view) and the score (0-100) when the call ranks by score."""

    score = IntegerField(_l("评审得分（0-100）"), validators=[Optional(), NumberRange(0, 100, _l("评审得分须为0至100。"))])


BULK_ACTS = (("request_info", _l("要求补充材料")), ("assign", _l("指派给审核人员")), ("next_stage", _l("转入下一审核阶段")))


class BulkForm(FlaskForm):
    """One act over the applications ticked in the queue (their ids are read by the view)."""

    act = RadioField(_l("批量操作"), choices=[choice(v, label) for v, label in BULK_ACTS],
                     validators=[InputRequired(_l("请选择批量操作。"))])
    reviewer = SelectField(_l("指派给"), validators=[Optional()], validate_choice=False, widget=RememberingSelect())
    reason = TextAreaField(_l("理由"), validators=[DataRequired(_l("每项审核操作都必须填写理由。")), Length(max=REASON_MAX)],
                           render_kw={"rows": 2})


class ReasonOnlyForm(FlaskForm):
    """复议 or the next review stage: a reason."""

    reason = TextAreaField(_l("理由"), validators=[DataRequired(_l("每项审核操作都必须填写理由。")), Length(max=REASON_MAX)],
                           render_kw={"rows": 2})
