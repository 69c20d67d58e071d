"""The API's application path obeys the bureau's calls like the site: only under an open call, contacts kept,
triaged on submit; refusals are problem documents naming the field or the call, in Chinese and English."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web.bureau_kit import AWARD, SMALL, open_call
from tests.web.test_api import (
    api,
    api_app,
    apply,
    assert_problem,
    count_applications,
    error_paths,
    migrated_db,
    token,
)
from web.db_session import db
from web.store.models import Application, ApplicationTriage

__all__ = ["api", "api_app", "migrated_db"]  # fixtures used by name


def test_a_measure_under_a_closed_call_is_refused_with_409_and_nothing_stored(api_app: Flask,
                                                                              api: FlaskClient) -> None:
    call_id = open_call(api_app, days=(-30, -1))
    before = count_applications(api_app)
    body = assert_problem(apply(api, token(api, "applicant"), measures=[AWARD], call_id=call_id), 409, "call-not-open")
    assert "closed" in body["detail"] and "已截止" in body["detail"]  # English / 中文
    body = assert_problem(apply(api, token(api, "applicant"), measures=[AWARD]), 409, "call-not-open")
    assert f"#{call_id}" in body["detail"]  # a covered measure must name its call
    assert count_applications(api_app) == before


def test_an_upcoming_call_is_refused(api_app: Flask, api: FlaskClient) -> None:
    call_id = open_call(api_app, days=(2, 30))
    assert_problem(apply(api, token(api, "applicant"), measures=[AWARD], call_id=call_id), 409, "call-not-open")


def test_under_an_open_call_the_application_keeps_call_and_contacts_and_is_triaged(api_app: Flask,
                                                                                   api: FlaskClient) -> None:
    call_id = open_call(api_app)
    response = apply(api, token(api, "applicant"), measures=[AWARD, SMALL], call_id=call_id,
                     contacts={"name": "王工", "phone": "138 0000 1234", "email": "Wang@Example.cn"})
    assert response.status_code == 201, response.get_data(as_text=True)
    with api_app.app_context():
        row = db().get(Application, response.json["id"])
        assert row is not None and row.call_id == call_id
        assert (row.contact_name, row.contact_phone, row.contact_email) == ("王工", "13800001234", "wang@example.cn")
        assert db().get(ApplicationTriage, row.id) is not None  # triaged the moment it arrived


def test_bad_contacts_and_call_ids_name_their_field(api_app: Flask, api: FlaskClient) -> None:
    call_id = open_call(api_app)
    headers = token(api, "applicant")
    body = assert_problem(apply(api, headers, measures=[AWARD], call_id=call_id,
                                contacts={"name": "王工", "phone": "12345", "email": "wang@example.cn"}), 422)
    assert "contacts.phone" in error_paths(body)
    body = assert_problem(apply(api, headers, measures=[AWARD], call_id="seven"), 422)
    assert "call_id" in error_paths(body)
    body = assert_problem(apply(api, headers, measures=[AWARD], call_id=call_id, contacts={"name": "x"}), 422)
    assert "contacts" in error_paths(body)
