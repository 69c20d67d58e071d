"""What the blueprints' forms share: one option of a select or radio group, and a select that renders its options
fast.

Every blueprint (selfcheck, admin, review, calls, applications) builds its choices with `choice`; blueprints do
not import each other, so what they share lives here, below all of them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from markupsafe import Markup
from wtforms.widgets import Select

try:  # WTForms ≥ 3.3 deprecates (value, label) tuples
    from wtforms.fields.choices import Choice, SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    Choice = SelectChoice = None


def choice(value: str, label: Any) -> Any:
    """One option of a select or radio group."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


class RememberingSelect(Select):
    """WTForms' select, each option's HTML remembered by (value, label, selected, attributes): a picker of a few
    hundred counties, parks or industries is escaped once per language, not on every page (a third of the
    self-check's server time under load was WTForms escaping the same options again)."""

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:  # type: ignore[override]
        if Choice is None:  # pragma: no cover - older WTForms
            return Select.render_option(choice, **kwargs)
        extra = tuple(sorted({**(choice.render_kw or {}), **kwargs}.items()))
        try:
            label = choice.label or choice.value
            safe = isinstance(label, Markup)  # already escaped: kept apart from the same text unescaped
            return _option(choice.value, label if safe else str(label), safe, bool(choice.selected), extra)
        except TypeError:  # an attribute value that cannot be a key: render as WTForms does
            return Select.render_option(choice, **kwargs)


@lru_cache(maxsize=50_000)
def _option(value: Any, label: str, safe: bool, selected: bool, extra: tuple[tuple[str, Any], ...]) -> Markup:
    return Select.render_option(Choice(value, label, selected, dict(extra)))
