"""The login and logout forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名。")), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码。")), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    measure = HiddenField()


class LogoutForm(FlaskForm):
    """Logging out is a POST with a CSRF token (a link could log people out from another site)."""


class ClearLockForm(FlaskForm):
    """An admin lifts one login lock (which one: the hidden scope, username and address)."""

    scope = HiddenField(validators=[DataRequired(), AnyOf(("pair", "address", "account"))])
    username = HiddenField(validators=[Length(max=150)])
    address = HiddenField(validators=[Length(max=64)])


class PasswordForm(FlaskForm):
    """A logged-in user changes their own password (the new one under web/passwords.py's rule)."""

    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请填写当前密码。")), Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码。")), Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("再次输入新密码"), validators=[DataRequired(_l("请再次输入新密码。")),
                                                       EqualTo("new", _l("两次输入的新密码不一致。"))],
                            render_kw={"autocomplete": "new-password"})
