"""The login and logout forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length


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
