"""This file keeps the self-check answers between pages, in the signed Flask session (no account needed).

Only what the user typed is kept (field name → text, blank answers dropped), per applicant kind and page,
so Back/Next, a language switch or an error never loses an answer. For anonymous visitors nothing is
written to a database.

A logged-in user's answers are also kept as a draft (web.store.draft_queries, one upsert per save): every
save, added row or reset updates it. A logged-in user whose session holds no answers gets their latest
draft back once per session, with a notice. The session state records whose answers it holds (`owner`),
so answers saved under one account are never shown to another.
"""

from __future__ import annotations

from typing import Any

from flask import flash, session
from flask_babel import gettext as _
from flask_login import current_user

from engine.interview.reads import kind_reads
from web.answers.steps import DEFAULT_ROWS, MAX_ROWS, Step, pages
from web.db_session import db
from web.extensions import current_ruleset
from web.store import draft_queries, web_queries

KEY = "selfcheck"


def _empty() -> dict[str, Any]:
    return {"kind": None, "pages": {}, "rows": {}}


def _user_id() -> int | None:
    return int(current_user.id) if current_user and current_user.is_authenticated else None


def _state() -> dict[str, Any]:
    state: dict[str, Any] = session.setdefault(KEY, _empty())
    user_id, owner = _user_id(), state.get("owner")
    if user_id is not None and owner != user_id:
        _adopt(state, user_id)
    elif user_id is None and owner is not None:  # an account's answers in a session no longer logged in
        state.clear()
        state.update(_empty())
        session.modified = True
    return state


def _adopt(state: dict[str, Any], user_id: int) -> None:
    """First use of the state by this logged-in user: keep anonymous answers, else restore the draft."""
    if state.get("owner") is not None:  # another account's answers (should not survive logout): drop them
        state.clear()
        state.update(_empty())
    state["owner"] = user_id
    session.modified = True
    if any(state["pages"].values()):
        return  # answers typed before logging in win; they become the draft on the next save
    draft = draft_queries.latest_draft(db(), user_id)
    if draft is None:
        return
    state["kind"] = draft.kind
    state["pages"] = {draft.kind: dict(draft.answers.get("pages") or {})}
    state["rows"] = {f"{draft.kind}.{group}": int(n) for group, n in (draft.answers.get("rows") or {}).items()}
    state["declined"] = {draft.kind: [str(p) for p in draft.answers.get("declined") or []]}
    session.permanent = True
    flash(_("已恢复您保存的草稿。"), "info")


def _save_draft(kind_: str) -> None:
    """Mirror one kind's answers into the logged-in user's draft (nothing for anonymous visitors)."""
    user_id = _user_id()
    if user_id is None:
        return
    state = _state()
    prefix = f"{kind_}."
    answers = {"pages": state["pages"].get(kind_, {}),
               "rows": {k.removeprefix(prefix): n for k, n in state["rows"].items() if k.startswith(prefix)},
               "declined": list(state.get("declined", {}).get(kind_, []))}  # 不知道 is an answer: kept
    draft_queries.save_draft(db(), user_id, kind_, answers)
    web_queries.commit(db())


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
    _save_draft(kind_)


def saved_pages(kind_: str) -> set[str]:
    return set(_state()["pages"].get(kind_, {}))


def rows(kind_: str, group: str) -> int:
    return int(_state()["rows"].get(f"{kind_}.{group}", DEFAULT_ROWS.get(group, 1)))


def add_row(kind_: str, group: str) -> None:
    _state()["rows"][f"{kind_}.{group}"] = min(rows(kind_, group) + 1, MAX_ROWS)
    session.modified = True
    _save_draft(kind_)


def clear() -> None:
    """Forget every answer: the session's and, for a logged-in user, their saved drafts."""
    session.pop(KEY, None)
    user_id = _user_id()
    if user_id is not None:
        draft_queries.delete_drafts(db(), user_id)
        web_queries.commit(db())
        session[KEY] = {**_empty(), "owner": user_id}  # nothing left to restore in this session


def snapshot(kind_: str) -> dict[str, Any]:
    """One kind's answers in the draft shape: {"pages": {page: {field: text}}, "rows": {group: n}}."""
    state = _state()
    prefix = f"{kind_}."
    return {"pages": dict(state["pages"].get(kind_, {})),
            "rows": {k.removeprefix(prefix): n for k, n in state["rows"].items() if k.startswith(prefix)},
            "declined": declined(kind_)}


def restore(kind_: str, answers: dict[str, Any]) -> None:
    """Replace one kind's answers by a snapshot (a resumed link, an uploaded profile) and make it current."""
    state = _state()
    state["kind"] = kind_
    state["pages"][kind_] = {str(p): dict(v) for p, v in (answers.get("pages") or {}).items()}
    prefix = f"{kind_}."
    state["rows"] = {k: n for k, n in state["rows"].items() if not k.startswith(prefix)}
    state["rows"].update({f"{prefix}{g}": min(int(n), MAX_ROWS) for g, n in (answers.get("rows") or {}).items()})
    if "declined" in answers:
        state.setdefault("declined", {})[kind_] = list(answers["declined"])
    session.permanent = True
    session.modified = True
    _save_draft(kind_)


def pages_of(kind_: str, at_least: dict[str, int] | None = None) -> tuple[Step, ...]:
    """The pages of one kind as laid out for these answers (the table rows added so far, or `at_least` rows of a
    list — an uploaded file's records, up to MAX_ROWS); the other kinds' page asks only what their measures read
    (engine.interview.reads)."""
    reads = None if kind_ == "enterprise" else kind_reads(current_ruleset(), kind_)

    def count(group: str) -> int:
        return max(rows(kind_, group), min(int((at_least or {}).get(group, 0)), MAX_ROWS))

    return pages(kind_, count("certificates"), count("loans"), reads, count("projects"))


def merge(kind_: str, page_id: str, values: dict[str, Any], cleared: set[str] | None = None) -> None:
    """Update some answers of one page (the interview asks a few fields of several pages at a time)."""
    page_answers = {k: v for k, v in (page(kind_, page_id) or {}).items() if k not in (cleared or set())}
    page_answers.update(values)
    save(kind_, page_id, page_answers)


def declined(kind_: str) -> list[str]:
    """The profile paths answered "不知道" in the interview (never asked again). This is where the result
    page's "next actions" (web/selfcheck/present.py) must look so as never to offer a declined question again;
    share links, drafts, downloads (a `# 不知道:` line) and uploads keep them."""
    return list(_state().get("declined", {}).get(kind_, []))


def add_declined(kind_: str, paths: set[str]) -> None:
    if not paths:
        return
    state = _state()
    known = state.setdefault("declined", {}).setdefault(kind_, [])
    known.extend(sorted(p for p in paths if p not in known))
    session.modified = True
    _save_draft(kind_)
