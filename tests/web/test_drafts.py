"""Self-check drafts of logged-in users: saved on every save, restored after logout/login with a notice,
deleted by "clear", never written for anonymous visitors and never shown to another account. Also the
session epoch that logout bumps (bug A1): every session of the account ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.web.conftest import PAGES, Seeded, login
from web.store import draft_queries
from web.store.db import make_engine, make_session_factory
from web.store.models import SelfcheckDraft

IDENTITY = "/selfcheck/enterprise/identity"
NAME = PAGES["identity"]["name"]
RESTORED_ZH, RESTORED_EN = "已恢复您保存的草稿。", "Your saved draft was restored."


@pytest.fixture
def store(seeded: Seeded) -> Iterator[Session]:
    engine = make_engine(seeded.url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def save_identity(client: FlaskClient, **changes: str) -> None:
    client.post("/selfcheck/", data={"kind": "enterprise"})
    response = client.post(IDENTITY, data={**PAGES["identity"], **changes, "action": "next"})
    assert response.status_code == 302, text(response)[:2000]


def drafts(store: Session) -> list[tuple[int, str, dict[str, Any]]]:
    store.rollback()  # a fresh snapshot (the app wrote in other transactions)
    return [(d.user_id, d.kind, d.answers) for d in store.scalars(select(SelfcheckDraft).order_by(SelfcheckDraft.id))]


def test_a_logged_in_save_writes_the_draft(app: Flask, seeded: Seeded, store: Session) -> None:
    client = app.test_client()
    login(client, "alice")
    save_identity(client)
    draft = draft_queries.load_draft(store, seeded.users["alice"], "enterprise")
    assert draft is not None and draft.answers["pages"]["identity"]["name"] == NAME
    save_identity(client, name="改名后的公司")  # the same row, updated
    rows = drafts(store)
    assert len(rows) == 1 and rows[0][2]["pages"]["identity"]["name"] == "改名后的公司"


def test_the_draft_is_restored_after_logout_and_login(app: Flask, seeded: Seeded) -> None:
    client = app.test_client()
    login(client, "alice")
    save_identity(client)
    client.post("/logout")
    assert NAME not in text(client.get(IDENTITY))  # logout cleared the session
    login(client, "alice")
    html = text(client.get(IDENTITY))
    assert NAME in html and RESTORED_ZH in html
    again = text(client.get(IDENTITY))
    assert NAME in again and RESTORED_ZH not in again  # restored once, noticed once
    start = text(client.get("/selfcheck/"))
    assert RESTORED_ZH not in start


def test_the_restore_notice_is_translated(app: Flask, seeded: Seeded) -> None:
    client = app.test_client()
    login(client, "alice")
    save_identity(client)
    client.post("/logout")
    login(client, "alice")
    html = text(client.get(IDENTITY + "?lang=en"))
    assert RESTORED_EN in html and NAME in html


def test_added_rows_are_part_of_the_draft(app: Flask, seeded: Seeded, store: Session) -> None:
    client = app.test_client()
    login(client, "alice")
    save_identity(client)
    response = client.post("/selfcheck/enterprise/certificates", data={"action": "add-row:certificates"})
    assert response.status_code == 302
    draft = draft_queries.load_draft(store, seeded.users["alice"], "enterprise")
    assert draft is not None and draft.answers["rows"]["certificates"] >= 2
    client.post("/logout")
    login(client, "alice")
    assert 'name="certificates-1-' in text(client.get("/selfcheck/enterprise/certificates"))


def test_anonymous_visitors_write_no_draft(app: Flask, seeded: Seeded, store: Session) -> None:
    client = app.test_client()
    save_identity(client)
    assert NAME in text(client.get(IDENTITY))
    assert drafts(store) == []
    assert RESTORED_ZH not in text(client.get("/selfcheck/"))


def test_one_users_draft_is_never_shown_to_another(app: Flask, seeded: Seeded, store: Session) -> None:
    client = app.test_client()
    login(client, "alice")
    save_identity(client)
    client.post("/logout")
    login(client, "bob")  # same browser, another account
    html = text(client.get(IDENTITY))
    assert NAME not in html and RESTORED_ZH not in html
    assert draft_queries.latest_draft(store, seeded.users["bob"]) is None
    other = app.test_client()  # another browser
    login(other, "bob")
    assert NAME not in text(other.get(IDENTITY))
    assert [(user, kind) for user, kind, _a in drafts(store)] == [(seeded.users["alice"], "enterprise")]


def test_answers_typed_before_login_win_over_the_draft(app: Flask, seeded: Seeded, store: Session) -> None:
    client = app.test_client()
    login(client, "alice")
    save_identity(client)
    client.post("/logout")
    save_identity(client, name="匿名时填写的公司")  # anonymous, then logs in from the result page
    login(client, "alice")
    html = text(client.get(IDENTITY))
    assert "匿名时填写的公司" in html and RESTORED_ZH not in html
    save_identity(client, name="匿名时填写的公司")
    draft = draft_queries.load_draft(store, seeded.users["alice"], "enterprise")
    assert draft is not None and draft.answers["pages"]["identity"]["name"] == "匿名时填写的公司"


def test_clearing_the_answers_deletes_the_draft(app: Flask, seeded: Seeded, store: Session) -> None:
    client = app.test_client()
    login(client, "alice")
    save_identity(client)
    client.post("/selfcheck/reset")
    assert store.scalar(select(func.count(SelfcheckDraft.id))) == 0
    client.post("/logout")
    login(client, "alice")
    assert NAME not in text(client.get(IDENTITY))


def test_logout_ends_every_session_of_the_account(app: Flask, seeded: Seeded) -> None:
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "rita")
    login(phone, "rita")
    assert phone.get("/review/").status_code == 200
    laptop.post("/logout")
    assert phone.get("/review/").status_code == 302  # to the login page
    login(phone, "rita")
    assert phone.get("/review/").status_code == 200  # a new login works again


def test_interview_answers_are_kept_as_the_draft(client: FlaskClient, store: Session, seeded: Seeded) -> None:
    from tests.web.test_selfcheck_interview import SME, answer
    login(client, "alice")
    client.post("/selfcheck/", data={"kind": "enterprise"})
    answer(client, "/selfcheck/interview/start", SME)
    draft = draft_queries.load_draft(store, seeded.users["alice"], "enterprise")
    assert draft is not None
    assert draft.answers["pages"]["identity"]["registered_on"] == SME["registered_on"]
    assert "name" not in draft.answers["pages"]["identity"]  # the interview never asks the name
    assert draft.answers["pages"]["staff"]["staff-total"] == SME["staff.total"]
    client.post("/logout")
    other = client.application.test_client()
    login(other, "alice")
    assert SME["registered_on"] in text(other.get("/selfcheck/interview/start"))  # restored in a new session
