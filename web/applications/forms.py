"""The applicant's forms: apply under a call (measures, contacts, promise; files are read by web.bureau.uploads),
answer a reviewer's request (with corrected files), and the payee account the bureau pays into."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from engine.errors import Message
from web.store.account_queries import PayeeError, clean_bank_account, clean_bank_name, clean_payee_name
from web.store.contacts import ContactError, clean_email, clean_name, clean_phone

REASON_MAX = 4000


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (works without JavaScript, unlike a multiple select on phones)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        offered = {value for value, *_rest in self.iter_choices()}
        outside = [v for v in self.data or () if v not in offered]
        if outside:
            raise ValidationError(Message(f"所选措施不在本申报通知的受理范围内：{'、'.join(outside)}",  # type: ignore[arg-type]
                                          f"not covered by this call: {', '.join(outside)}"))


def _cleaned(clean: Callable[[str], str]) -> Callable[[Any, Any], None]:
    """A validator that keeps the store's cleaned value, or shows the store's zh/en refusal on the field."""
    def check(_form: Any, field: Any) -> None:
        try:
            field.data = clean(str(field.data or ""))
        except (ContactError, PayeeError) as refused:
            raise ValidationError(Message(refused.zh, refused.en)) from None  # type: ignore[arg-type]
    return check


class ApplyForm(FlaskForm):
    measures = MultiCheckboxField(_l("申请的政策措施"), validators=[InputRequired(_l("请至少选择一项政策措施。"))])
    contact_name = StringField(_l("联系人"), validators=[_cleaned(clean_name)], render_kw={"autocomplete": "name"})
    contact_phone = StringField(_l("联系电话"), validators=[_cleaned(clean_phone)],
                                render_kw={"autocomplete": "tel", "inputmode": "tel"})
    contact_email = StringField(_l("电子邮箱"), validators=[_cleaned(clean_email)],
                                render_kw={"autocomplete": "email", "inputmode": "email"})
    confirm = BooleanField(_l("我承诺所填资料真实、准确、完整，并同意主管部门核查。"),
                           validators=[DataRequired(_l("请阅读并勾选承诺。"))])


class AnswerForm(FlaskForm):
    reason = TextAreaField(_l("答复内容"), validators=[DataRequired(_l("请填写答复内容。")), Length(max=REASON_MAX)],
                           render_kw={"rows": 5})




class PayeeForm(FlaskForm):
    payee_name = StringField(_l("收款户名"), validators=[_cleaned(clean_payee_name)], render_kw={"autocomplete": "off"})
    bank_name = StringField(_l("开户银行"), validators=[_cleaned(clean_bank_name)], render_kw={"autocomplete": "off"})
    bank_account = StringField(_l("银行账号"), validators=[_cleaned(clean_bank_account)],
                               render_kw={"autocomplete": "off", "inputmode": "numeric"})
