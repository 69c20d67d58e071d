"""The account forms: register (organisation name, credit code, username, e-mail, password twice, language),
ask for a reset link, choose a new password."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from web.forms import choice
from web.i18n import tr
from web.passwords import password_problems
from web.store.contacts import ContactError, clean_email


def _password_ok(form: Any, field: Any) -> None:
    username = str(getattr(getattr(form, "username", None), "data", "") or "")
    problems = password_problems(str(field.data or ""), username)
    if problems:
        raise ValidationError("；".join(tr(p) for p in problems))


def _email_ok(form: Any, field: Any) -> None:
    try:
        field.data = clean_email(str(field.data or ""))
    except ContactError:
        raise ValidationError(_l("电子邮箱格式不正确（如 name@example.cn）。")) from None


class RegisterForm(FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(_l("请填写单位名称。")), Length(max=200)])
    credit_code = StringField(_l("统一社会信用代码"), validators=[DataRequired(_l("请填写统一社会信用代码。")), Length(max=40)])
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名。")), Length(3, 64)])
    email = EmailField(_l("电子邮箱（用于通知和找回密码）"), validators=[DataRequired(_l("请填写电子邮箱。")),
                                                             _email_ok])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码。")), _password_ok])
    password2 = PasswordField(_l("再次输入密码"), validators=[EqualTo("password", _l("两次输入的密码不一致。"))])
    lang = RadioField(_l("通知语言"), choices=[choice("zh", "中文"), choice("en", "English")], default="zh")


class ResetRequestForm(FlaskForm):
    login = StringField(_l("用户名或电子邮箱"), validators=[DataRequired(_l("请填写用户名或电子邮箱。")), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写密码。")), _password_ok])
    password2 = PasswordField(_l("再次输入新密码"), validators=[EqualTo("password", _l("两次输入的密码不一致。"))])
