"""This file words a stored triage flag for a reviewer: its message re-rendered from the flag's details with the
measures' titles and their conditions' texts (engine.triage.kinds.render with measure_names), never rule ids.

The flag row keeps the message as triage wrote it (with the ids the triage engine sees); what a reviewer reads is
built here from the same details, so a flag raised before this wording reads the same way.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from engine.errors import Message
from engine.triage.kinds import measure_names, render
from web.bureau.triage_now import _rules as triage_rules
from web.extensions import current_ruleset
from web.i18n import current_lang

KEY = "subsidy.flag_names"


def _names() -> dict[str, Message]:
    ruleset = current_ruleset()
    cached = current_app.extensions.get(KEY)
    if cached is None or cached[0] != ruleset.hash:
        cached = (ruleset.hash, measure_names(ruleset))
        current_app.extensions[KEY] = cached
    return cached[1]


def flag_words(flag: Any, lang: str | None = None) -> str:
    """The flag's message in the page's language, measures and conditions by name; the stored text when the flag's
    rule is no longer loaded or its details do not fit the message."""
    lang = lang or current_lang()
    stored = flag.message_en if lang == "en" else flag.message_zh
    rules = triage_rules()
    rule = rules.rules.get(flag.rule_id) if rules is not None else None
    if rule is None or not flag.details:
        return str(stored)
    try:
        return render(rule, dict(flag.details), _names()).get(lang)
    except (KeyError, ValueError, IndexError, ArithmeticError):
        return str(stored)
