"""The API's application path obeys the bureau's calls like the site: only under an open call, contacts kept,
triaged on submit; refusals are problem documents naming the field or the call, in Chinese and English."""

from __future__ import annotations

import base64
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.web.bureau_kit import AWARD, PDF, PNG, SMALL, open_call
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
from web.store.models import Application, ApplicationTriage, Material

__all__ = ["api", "api_app", "migrated_db"]  # fixtures used by name


def material(item: str, data: bytes = PDF, filename: str = "a.pdf") -> dict[str, Any]:
    return {"item": item, "filename": filename, "content_base64": base64.b64encode(data).decode("ascii")}


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
                     contacts={"name": "王工", "phone": "138 0000 1234", "email": "Wang@Example.cn"},
                     materials=[material("form"), material("licence", PNG, "licence.png")])
    assert response.status_code == 201, response.get_data(as_text=True)
    with api_app.app_context():
        row = db().get(Application, response.json["id"])
        assert row is not None and row.call_id == call_id
        assert (row.contact_name, row.contact_phone, row.contact_email) == ("王工", "13800001234", "wang@example.cn")
        assert db().get(ApplicationTriage, row.id) is not None  # triaged the moment it arrived
        kept = db().query(Material).filter_by(application_id=row.id).all()
        assert sorted((m.item, m.filename, m.content_type) for m in kept) == [
            ("form", "a.pdf", "application/pdf"), ("licence", "licence.png", "image/png")]


def test_a_call_shows_its_window_and_checklist_and_its_keys_are_what_materials_name(api_app: Flask,
                                                                                     api: FlaskClient) -> None:
    call_id = open_call(api_app)
    shown = api.get(f"/api/v1/calls/{call_id}")
    assert shown.status_code == 200 and shown.json["id"] == call_id and shown.json["closes_at"].endswith("Z")
    checklist = {m["measure_id"]: [i["key"] for i in m["materials"]] for m in shown.json["measures"]}
    assert checklist == {AWARD: ["form", "licence"], SMALL: ["form"]}
    assert shown.json["measures"][0]["materials"][1]["zh"] == "营业执照副本"
    response = apply(api, token(api, "applicant"), measures=[SMALL], call_id=call_id,
                     materials=[material(key) for key in checklist[SMALL]])
    assert response.status_code == 201, response.get_data(as_text=True)
    assert_problem(api.get("/api/v1/calls/999999"), 404, "not-found")


def test_the_call_s_required_materials_are_needed_and_checked_like_uploads(api_app: Flask, api: FlaskClient) -> None:
    call_id = open_call(api_app)
    headers = token(api, "applicant")
    before = count_applications(api_app)
    body = assert_problem(apply(api, headers, measures=[AWARD], call_id=call_id, materials=[material("form")]),
                          409, "call-not-open")
    assert "materials missing: business licence copy" in body["detail"] and "营业执照副本" in body["detail"]
    body = assert_problem(apply(api, headers, measures=[AWARD], call_id=call_id, materials=[
        material("form", b"%PDF-1.4 not really", "a.pdf"), material("photo"),
        {"item": "licence", "filename": "l.pdf", "content_base64": "not base64!"}]), 422)
    assert set(error_paths(body)) == {"materials[0].content_base64", "materials[1].item",
                                      "materials[2].content_base64"}
    assert_problem(apply(api, headers, measures=[AWARD], call_id=call_id, materials="form"), 422)
    assert count_applications(api_app) == before


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
