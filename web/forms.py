"""What the blueprints' forms share: one option of a select or radio group.

Every blueprint (selfcheck, admin, review, calls, applications) builds its choices with `choice`; blueprints do
not import each other, so what they share lives here, below all of them.
"""

from __future__ import annotations

from typing import Any

try:  # WTForms ≥ 3.3 deprecates (value, label) tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choice(value: str, label: Any) -> Any:
    """One option of a select or radio group."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)
