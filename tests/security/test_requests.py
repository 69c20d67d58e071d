"""Issue 19 #1, #2, #8, #11 through the real request path with CSRF ON: upload size per route, the redirect
check, hostile YAML in the self-check upload, polyglot and bomb uploads."""

from __future__ import annotations

import io
import os
import re
import zlib

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from tests.conftest import ROOT
from tests.security.conftest import login, token_of
from tests.web.bureau_kit import AWARD, CONTACTS, PDF, PNG, open_call
from web.bureau.samplepdf import flate_pdf
from web.security import safe_redirect_target

SAMPLE = (ROOT / "sample_applicants" / "qingcheng_ceramics_turning_hightech.yaml").read_bytes()


def _upload_profile(client: FlaskClient, text: bytes, name: str = "profile.yaml") -> object:
    page = client.get("/selfcheck/upload").get_data(as_text=True)
    return client.post("/selfcheck/upload", data={"csrf_token": token_of(page), "profile": (io.BytesIO(text), name)},
                       content_type="multipart/form-data")


def big_png(min_bytes: int) -> bytes:
    """A real PNG of random pixels (incompressible) of at least `min_bytes`."""
    side = int((min_bytes / 3) ** 0.5) + 8
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def _apply(client: FlaskClient, call: int, **files: tuple[bytes, str]) -> object:
    page = client.get(f"/applications/new?call={call}")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    data: dict[str, object] = {"call": str(call), "measures": [AWARD], "confirm": "y", **CONTACTS,
                               "csrf_token": token_of(page.get_data(as_text=True))}
    data.update({f"file-{item}": (io.BytesIO(blob), name) for item, (blob, name) in files.items()})
    return client.post("/applications/new", data=data, content_type="multipart/form-data")


@pytest.fixture
def applicant(secure: Flask) -> tuple[FlaskClient, int]:
    client = secure.test_client()
    assert login(client, "alice").status_code == 302
    assert _upload_profile(client, SAMPLE).status_code == 302  # the self-check answers, from the sample file
    return client, open_call(secure)


def test_a_4_mb_scan_is_accepted_with_csrf_on(applicant: tuple[FlaskClient, int]) -> None:
    """Before: 413 for anything over ~512 KB (CSRF read the form under the site-wide limit)."""
    client, call = applicant
    scan = big_png(4 * 1024 * 1024)
    assert 4 * 1024 * 1024 < len(scan) < 5 * 1024 * 1024
    response = _apply(client, call, form=(PDF, "申报表.pdf"), licence=(scan, "营业执照扫描件.png"))
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]  # type: ignore[attr-defined]
    assert re.search(r"/applications/\d+$", response.location)  # type: ignore[attr-defined]


def test_a_file_over_5_mb_is_named_and_the_rest_of_the_form_is_kept(applicant: tuple[FlaskClient, int]) -> None:
    client, call = applicant
    response = _apply(client, call, form=(PDF, "申报表.pdf"), licence=(big_png(5 * 1024 * 1024 + 1), "太大的扫描件.png"))
    body = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "太大的扫描件.png" in body and "5MB" in body and "5 MB" in body  # named, in Chinese and English
    assert 'value="wang@example.cn"' in body and "申报表.pdf" in body  # the contacts and the good file are kept


def test_polyglot_and_bomb_uploads_are_refused_by_structure(applicant: tuple[FlaskClient, int]) -> None:
    client, call = applicant
    polyglot = PDF.replace(b"%%EOF", b"<html><script>alert(document.cookie)</script></html>\n%%EOF")
    bomb = flate_pdf(zlib.compress(b"\0" * (120 * 1024 * 1024), 9))
    for blob, name, words in ((polyglot, "poly.pdf", "多格式伪装"), (bomb, "bomb.pdf", "压缩炸弹"),
                              (PNG[:40] + b"\0" * 30 + PNG[-12:], "broken.png", "无法解码")):
        response = _apply(client, call, form=(blob, name), licence=(PNG, "执照.png"))
        body = response.get_data(as_text=True)  # type: ignore[attr-defined]
        assert response.status_code == 400 and name in body and words in body, (name, body[:800])  # type: ignore[attr-defined]


@pytest.mark.parametrize("target", ["/\t/evil.example/phish", "//evil.example", "/\\evil.example", "https://evil.example/",
                                    "/\r\n/evil.example", "\x00//evil.example", "/\x0b/evil.example"])
def test_login_never_redirects_off_site(secure: Flask, target: str) -> None:
    """Before: next=/%09/evil.example/phish → Location //evil.example/phish; CR/LF → 500."""
    client = secure.test_client()
    shown = client.get("/login", query_string={"next": target})
    assert shown.status_code == 200
    response = client.post("/login", data={"username": "rita", "password": "correct-horse-battery", "next": target,
                                           "csrf_token": token_of(shown.get_data(as_text=True))})
    assert response.status_code == 302
    assert response.headers["Location"] == "/review/"  # the reviewer's home: the hostile target is dropped
    assert safe_redirect_target(target) is None


def test_a_local_next_is_kept(secure: Flask) -> None:
    client = secure.test_client()
    response = login(client, "rita", query_string={"next": "/review/?status=decided"})
    assert response.status_code == 302 and response.headers["Location"] == "/review/?status=decided"


@pytest.mark.parametrize(("edit", "field", "words"), [
    (("registered_on: 2012-05-18", "registered_on: 2024-02-30"), "registered_on", "不存在"),
    (("total: ", "total: 1:20:30 #"), "staff.total", "六十进制"),
    (("resident_enterprise: true", "resident_enterprise: yes"), "resident_enterprise", "true 或 false"),
    (("total: ", "total: " + "9" * 4300 + " #"), "staff.total", "位"),
])
def test_hostile_yaml_in_the_selfcheck_upload_is_a_field_error(secure: Flask, edit: tuple[str, str], field: str,
                                                               words: str) -> None:
    text = SAMPLE.decode()
    assert edit[0] in text, edit
    response = _upload_profile(secure.test_client(), text.replace(edit[0], edit[1], 1).encode())
    body = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 400 and field in body and words in body, body[:1500]  # type: ignore[attr-defined]


def test_a_form_over_the_site_limit_is_a_clear_413(secure: Flask) -> None:
    client = secure.test_client()
    token = token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "x" * 600_000, "password": "p", "csrf_token": token})
    assert response.status_code == 413 and "提交的内容过大" in response.get_data(as_text=True)
