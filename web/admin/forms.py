"""The admin's forms: create an account (an applicant account names its applicant by credit code), and
the one-button activate / deactivate forms."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from web.db_session import db
from web.forms import choice
from web.i18n import current_lang
from web.passwords import password_problems
from web.store import web_queries

ROLE_LABELS = (("applicant", _l("申请人")), ("reviewer", _l("审核人员")), ("auditor", _l("审计人员")),
               ("admin", _l("管理员")))
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名。")), Length(max=64)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none"})
    password = PasswordField(_l("初始密码"), validators=[DataRequired(_l("请填写初始密码。")),
                                                     Length(min=10, max=200, message=_l("密码长度须为10到200个字符。"))],
                             render_kw={"autocomplete": "new-password"})
    role = SelectField(_l("角色"), choices=[choice(v, label) for v, label in ROLE_LABELS])
    applicant_code = StringField(_l("所属申请人的统一社会信用代码（仅申请人账号）"), validators=[Length(max=40)])

    applicant_id: int | None = None

    def validate_username(self, field: Any) -> None:
        if not USERNAME.match(str(field.data or "")):
            raise ValidationError(_l("用户名只能包含字母、数字和 _ . -，长度3到64。"))
        if web_queries.username_taken(db(), str(field.data)):
            raise ValidationError(_l("该用户名已被使用。"))

    def validate_password(self, field: Any) -> None:
        problems = password_problems(str(field.data or ""), str(self.username.data or ""))
        if problems:
            english = current_lang() == "en"
            raise ValidationError(("; " if english else "；").join(p.en if english else p.zh for p in problems))

    def validate_applicant_code(self, field: Any) -> None:
        code = str(field.data or "").strip()
        if self.role.data != "applicant":
            if code:
                raise ValidationError(_l("只有申请人账号需要填写信用代码。"))
            return
        if not code:
            raise ValidationError(_l("申请人账号必须指明所属申请人。"))
        found = web_queries.applicants_by_code(db(), code)
        if len(found) != 1:
            raise ValidationError(_l("没有找到使用该代码的申请人（申请人须至少提交过一次申请或自测存档）。"))
        self.applicant_id = found[0].id


class ToggleForm(FlaskForm):
    """Activate or deactivate one account (a POST with a CSRF token)."""
