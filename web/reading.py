"""The web's side of engine.reading: the reading of a stored decision and the labels pages share, in the
language of the request.

Blueprints (selfcheck, applications, review, audit, admin) import this, never each other. The words themselves
are built by engine.reading; this file only resolves the request's language and rebuilds stored decisions with
`Decision.from_json`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString

from engine.decision import Decision
from engine.errors import Message
from engine.model import Measure, RuleSet
from engine.reading import Card, Reading, read
from engine.reading import labels as _labels
from engine.reading.words import document_of
from web.i18n import current_lang


def _lazy(table: dict[str, Message]) -> dict[str, Any]:
    return {key: LazyString(lambda m=message: m.get(current_lang())) for key, message in table.items()}


ISSUERS = _lazy(_labels.ISSUERS)
CONFIDENCE = _lazy(_labels.CONFIDENCE)


def source_text(measure: Measure) -> str:
    """A measure's source (document, number, article) in the request's language."""
    return document_of(measure.source, current_lang())


def stored_reading(decision_json: str, ruleset: RuleSet, lang: str | None = None, **kwargs: Any) -> Reading:
    """The reading of a stored decision: its canonical JSON made a Decision again, read against `ruleset`."""
    return read(Decision.from_json(decision_json), ruleset, lang or current_lang(), **kwargs)


def stored_cards(decision_json: str, ruleset: RuleSet, lang: str | None = None, *,
                 applicable_only: bool = True) -> list[Card]:
    """The cards of a stored decision, eligible first (the order of engine.reading.labels.CATEGORIES)."""
    reading = stored_reading(decision_json, ruleset, lang)
    return [c for key in reading.groups for c in reading.groups[key]
            if not (applicable_only and c.category == "not_applicable")]
