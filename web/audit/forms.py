"""The auditor's search form (GET: a search changes nothing, and its URL can be noted in a report)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField
from wtforms.validators import Length, Optional


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("决策编号、申请人名称或统一社会信用代码"), validators=[Optional(), Length(max=100)])
