"""Keep and share: a resumable link (unguessable token, only its SHA-256 stored, expiry, no PII in the URL),
the answers downloaded as the profile `subsidy check` reads (same outcomes), and uploaded back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.web.conftest import AS_OF, PAGES, fill_enterprise, write_web_rules
from tests.web.test_selfcheck import RESULT, scored, text
from web.cli import main
from web.db_session import db
from web.store import share_queries
from web.store.models import SelfcheckShare


def make_link(client: FlaskClient) -> str:
    response = client.post("/selfcheck/share")
    assert response.status_code == 302 and response.headers["Location"].endswith("/selfcheck/result#share")
    html = text(client.get(RESULT))
    match = re.search(r'id="share-url" type="text" readonly value="([^"]+)"', html)
    assert match, "the link is shown once on the result page"
    assert "有效期至" in html
    return match.group(1)


def test_a_link_resumes_the_answers_in_another_browser(app: Flask, client: FlaskClient) -> None:
    fill_enterprise(client)
    url = make_link(client)
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 40 and "清远" not in url and "91441802" not in url  # unguessable, no PII
    other = app.test_client()
    assert "未回答" not in text(other.get("/selfcheck/"))  # nothing there yet
    response = other.get(f"/selfcheck/resume/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/selfcheck/result")
    html = text(other.get(RESULT))
    assert PAGES["identity"]["name"] in html and "高新技术企业认定" in html
    assert text(other.get("/selfcheck/enterprise/staff")).count('value="150"') == 1


def test_only_the_digest_of_the_token_is_stored(app: Flask, client: FlaskClient) -> None:
    fill_enterprise(client)
    token = make_link(client).rsplit("/", 1)[1]
    with app.app_context():
        rows = db().scalars(select(SelfcheckShare)).all()
        assert len(rows) == 1
        assert rows[0].token_digest == hashlib.sha256(token.encode()).hexdigest()
        assert token not in json.dumps(rows[0].answers, ensure_ascii=False)
        assert rows[0].expires_at - rows[0].created_at == dt.timedelta(days=30)


def test_the_link_is_shown_once(client: FlaskClient) -> None:
    fill_enterprise(client)
    make_link(client)
    assert 'id="share-url"' not in text(client.get(RESULT))


def test_an_unknown_or_expired_link_opens_nothing(app: Flask, client: FlaskClient) -> None:
    assert client.get("/selfcheck/resume/not-a-token").status_code == 404
    with app.app_context():
        past = dt.datetime(2020, 1, 1)
        token, _ = share_queries.create_share(db(), "enterprise", {"pages": {"identity": {"name": "X"}}}, now=past)
        db().commit()
        assert share_queries.open_share(db(), token) is None
        assert share_queries.open_share(db(), token, now=past) is not None
        assert share_queries.delete_expired(db()) == 1
        db().commit()
    response = client.get(f"/selfcheck/resume/{token}")
    assert response.status_code == 404 and "链接已失效" in text(response)


def test_sharing_needs_answers(client: FlaskClient) -> None:
    assert client.post("/selfcheck/share").headers["Location"].endswith("/selfcheck/")


def outcomes_from_cli(path: Path, rules: Path) -> dict[str, str]:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--as-of", AS_OF.isoformat(),
                                       "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    return {r["measure_id"]: r["outcome"] for r in json.loads(result.output)["results"]}


def outcomes_on_page(html: str) -> dict[str, str]:
    return {m: c for c, m in re.findall(r'<article class="measure measure-(\w+)" id="m-([^"]+)"', html)}


def test_the_downloaded_profile_gives_the_same_outcomes_in_subsidy_check(client: FlaskClient, tmp_path: Path) -> None:
    rules = write_web_rules(tmp_path / "rules")  # the same rule files as the app's RuleSet
    fill_enterprise(client, scored())
    page = outcomes_on_page(text(client.get(RESULT)))
    for fmt in ("yaml", "json"):
        response = client.get(f"/selfcheck/download.{fmt}")
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
        body = response.get_data()
        data = yaml.safe_load(body) if fmt == "yaml" else json.loads(body)
        assert data["kind"] == "enterprise" and data["finance"][0]["year"] == 2022
        assert data["finance"][2]["sales"] == 49_000_000  # 4900万元 in whole yuan
        path = tmp_path / f"profile.{fmt}"
        path.write_bytes(body)
        cli = outcomes_from_cli(path, rules)
        shown = {m: ("ineligible" if c == "nearly" else c) for m, c in page.items()}
        assert {m: o for m, o in cli.items() if o != "not_applicable"} == shown
        assert cli["national.hnte_recognition"] == "eligible"


def test_upload_fills_the_form_and_shows_the_result(client: FlaskClient) -> None:
    fill_enterprise(client)
    body = client.get("/selfcheck/download.yaml").get_data()
    fresh = client.application.test_client()
    response = fresh.post("/selfcheck/upload", data={"profile": (__import__("io").BytesIO(body), "p.yaml")},
                          content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/selfcheck/result")
    page = text(fresh.get("/selfcheck/enterprise/finance"))
    assert 'value="4900"' in page and 'value="2024"' in page  # yuan back to 万元
    assert outcomes_on_page(text(fresh.get(RESULT))) == outcomes_on_page(text(client.get(RESULT)))


def test_an_uploaded_profile_keeps_every_record_of_its_lists(client: FlaskClient) -> None:
    """Projects and certificates beyond the form's current rows are kept (the form grows to fit the file)."""
    import io

    fill_enterprise(client)
    document = yaml.safe_load(client.get("/selfcheck/download.yaml").get_data(as_text=True))
    document["projects"] = [{"key": f"P-{i}", "name": f"项目{i}", "fiscal_requested": 1_000_000 * i,
                             "lead_of": "provincial_major", "started_on": "2024-03-01"} for i in (1, 2, 3)]
    document["certificates"] = [{"type": t, "level": "national", "issued_on": "2023-12-01"}
                                for t in ("hnte", "key_lab", "engineering_centre")]
    fresh = client.application.test_client()
    response = fresh.post("/selfcheck/upload", content_type="multipart/form-data", data={
        "profile": (io.BytesIO(yaml.safe_dump(document, allow_unicode=True).encode()), "p.yaml")})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    back = yaml.safe_load(fresh.get("/selfcheck/download.yaml").get_data(as_text=True))
    assert [p["key"] for p in back["projects"]] == ["P-1", "P-2", "P-3"]
    assert back["projects"][2]["fiscal_requested"] == 3_000_000
    assert [c["type"] for c in back["certificates"]] == ["hnte", "key_lab", "engineering_centre"]


def test_a_bad_upload_is_refused_in_both_languages_and_nothing_is_lost(client: FlaskClient) -> None:
    fill_enterprise(client)
    io = __import__("io")
    bad = b"kind: enterprise\nname: X\nstaff:\n  total: lots\n"
    response = client.post("/selfcheck/upload", data={"profile": (io.BytesIO(bad), "bad.yaml")},
                           content_type="multipart/form-data")
    html = text(response)
    assert response.status_code == 400 and "文件未导入" in html
    assert "职工总数" in html and 'lang="en"' in html  # the field named, the English beneath
    assert "staff.total" not in html  # no internal field name
    aliased = b"kind: enterprise\nname: &n Qingyuan X\nstaff: {total: 5}\n"
    response = client.post("/selfcheck/upload", data={"profile": (io.BytesIO(aliased), "alias.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "alias.yaml:2" in text(response)  # anchors refused, the line named
    assert PAGES["identity"]["name"] in text(client.get(RESULT))  # the answers already typed are unchanged


def test_the_session_cookie_stays_under_the_browsers_4_kb_at_the_largest_form(client: FlaskClient) -> None:
    """Browsers drop a cookie over 4 KB (and the answers with it): the fullest profile the form holds — every
    table at its row limit (12 projects, 12 certificates) — still fits (issue 18)."""
    import io

    from web.answers.steps import MAX_ROWS

    fill_enterprise(client)
    document = yaml.safe_load(client.get("/selfcheck/download.yaml").get_data(as_text=True))
    document["projects"] = [{"key": f"PROJECT-KEY-2025-{i:03d}", "name": f"某某新材料关键技术研究与产业化示范项目{i}",
                             "fiscal_requested": 1_000_000 * i, "own_new_funding": 2_000_000 * i,
                             "lead_of": "provincial_major", "started_on": "2024-03-01"} for i in range(MAX_ROWS)]
    document["certificates"] = [{"type": t, "level": "national", "issued_on": "2023-12-01", "number": f"GR2023{i:06d}"}
                                for i, t in enumerate(["hnte", "key_lab", "engineering_centre", "tech_sme"] * 3)]
    response = client.application.test_client().post("/selfcheck/upload", content_type="multipart/form-data", data={
        "profile": (io.BytesIO(yaml.safe_dump(document, allow_unicode=True).encode()), "p.yaml")})
    assert response.status_code == 302
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("subsidy_session=")]
    assert cookies and len(cookies[0]) < 4096, len(cookies[0])
