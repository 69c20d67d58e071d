"""This file gives the form its labels of coded answers: the tri-state choices, and every Literal value's label
from the one table (engine.reading.labels.CODES) in the current language.

A value without a label there is shown as itself, so a new code in a model still works on the form.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from engine.reading.labels import code_label
from web.i18n import current_lang

TRI_STATE = (("true", _l("是")), ("false", _l("否")), ("", _l("不知道")))
"""A yes/no answer; blank is "不知道" (unknown, never "no") — the one way to say it, in every form."""


def label_of(value: str, path: str = "") -> Any:
    """The display label of a coded value of the field at `path`, read in the language of the request that renders
    it (lazily: form classes are built once); the value itself when it has none."""
    return LazyString(lambda: code_label(value, path).get(current_lang()))
