"""This file hands the self-check's result and summary pages the reading of their Decision (engine.reading).

Everything a page says about a decision is built by engine.reading in the page's language; this file only
adds what the web knows: the links to the form pages that ask a missing field, the answers declined in the
interview ("不知道", never proposed again), the interview's question counts, and the measures the firm asked
about (`?focus=<measure>` on the result URL).
"""

from __future__ import annotations

from typing import Any

from flask import request

from engine.model import RuleSet
from engine.reading import read
from engine.reading.card import Linker
from engine.reading.reading import COLLAPSED, SHOWN
from web.answers import store


def context(decision: Any, ruleset: RuleSet, lang: str, link: Linker, *, kind: str, asks: dict[str, int],
            ask_url: str | None, extra_warnings: tuple[Any, ...] = ()) -> dict[str, Any]:
    """The template context of a result or summary page: the reading and its parts under their usual names."""
    focus = tuple(m for m in request.args.getlist("focus") if m in ruleset.measures)
    reading = read(decision, ruleset, lang, link=link, declined=frozenset(store.declined(kind)), asks=asks,
                   ask_url=ask_url, focus=focus, extra_warnings=extra_warnings)
    return {"reading": reading, "headline": reading.headline, "groups": reading.groups, "counts": reading.counts,
            "titles": reading.titles, "hints": reading.hints, "shown": SHOWN, "collapsed": COLLAPSED,
            "stack": reading.stack, "actions": reading.actions, "warnings": reading.warnings}
