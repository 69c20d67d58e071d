"""The applicant's forms: choose the measures to apply for, and answer a reviewer's request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

REASON_MAX = 4000


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (works without JavaScript, unlike a multiple select on phones)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ApplyForm(FlaskForm):
    measures = MultiCheckboxField(_l("申请的政策措施"), validators=[InputRequired(_l("请至少选择一项政策措施。"))])
    confirm = BooleanField(_l("我承诺所填资料真实、准确、完整，并同意主管部门核查。"),
                           validators=[DataRequired(_l("请阅读并勾选承诺。"))])


class AnswerForm(FlaskForm):
    reason = TextAreaField(_l("答复内容"), validators=[DataRequired(_l("请填写答复内容。")), Length(max=REASON_MAX)],
                           render_kw={"rows": 5})
