"""This file keeps the self-check answers between pages, in the signed Flask session (no account needed).

Only what the user typed is kept (field name → text, blank answers dropped), per applicant kind and page,
so Back/Next, a language switch or an error never loses an answer. Nothing is written to a database.
"""

from __future__ import annotations

from typing import Any

from flask import session

from web.selfcheck.steps import DEFAULT_ROWS, MAX_ROWS

KEY = "selfcheck"


def _state() -> dict[str, Any]:
    state: dict[str, Any] = session.setdefault(KEY, {"kind": None, "pages": {}, "rows": {}})
    return state


def kind() -> str | None:
    return _state().get("kind")


def set_kind(value: str) -> None:
    _state()["kind"] = value
    session.permanent = True
    session.modified = True


def page(kind_: str, page_id: str) -> dict[str, Any] | None:
    """The answers saved for one page, or None when the page was never submitted."""
    pages: dict[str, Any] = _state()["pages"].get(kind_, {})
    return pages.get(page_id)


def answers(kind_: str) -> dict[str, Any]:
    """Every saved answer of one kind, across its pages."""
    merged: dict[str, Any] = {}
    for values in _state()["pages"].get(kind_, {}).values():
        merged.update(values)
    return merged


def save(kind_: str, page_id: str, values: dict[str, Any]) -> None:
    _state()["pages"].setdefault(kind_, {})[page_id] = values
    session.modified = True


def saved_pages(kind_: str) -> set[str]:
    return set(_state()["pages"].get(kind_, {}))


def rows(kind_: str, group: str) -> int:
    return int(_state()["rows"].get(f"{kind_}.{group}", DEFAULT_ROWS.get(group, 1)))


def add_row(kind_: str, group: str) -> None:
    _state()["rows"][f"{kind_}.{group}"] = min(rows(kind_, group) + 1, MAX_ROWS)
    session.modified = True


def clear() -> None:
    session.pop(KEY, None)
