"""Plain words: no internal field names or codes in what the pages say, validation messages written for
people in both languages, and the 必填 mark only where the profile cannot do without the field."""

from __future__ import annotations

import html as entities
import io
import re

from flask.testing import FlaskClient

from tests.conftest import ROOT
from tests.web.conftest import PAGES, fill_enterprise
from tests.web.test_selfcheck import text


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>|<code>.*?</code>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", entities.unescape(re.sub(r"<[^>]+>", " ", html)))


def upload(client: FlaskClient, sample: str) -> None:
    body = (ROOT / "sample_applicants" / f"{sample}.yaml").read_bytes()
    response = client.post("/selfcheck/upload", data={"profile": (io.BytesIO(body), f"{sample}.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, text(response)[:2000]


def test_the_required_mark_only_where_the_profile_needs_the_field(client: FlaskClient) -> None:
    client.post("/selfcheck/", data={"kind": "enterprise", "mode": "full"})
    identity = text(client.get("/selfcheck/enterprise/identity"))
    assert "（必填）" not in identity  # no rule reads a firm's name: the self-check says "本企业" without it
    client.post("/selfcheck/", data={"kind": "institution", "mode": "full"})
    institution = text(client.get("/selfcheck/institution"))
    assert re.search(r'for="name">[^<]*<span class="required">', institution)  # other kinds: still required
    client.post("/selfcheck/", data={"kind": "enterprise", "mode": "full"})
    for page in ("staff", "finance", "ip", "certificates", "declarations"):  # e.g. a listing's board: optional
        assert "（必填）" not in text(client.get(f"/selfcheck/enterprise/{page}")), page


def test_codes_in_the_trace_are_shown_by_their_names(client: FlaskClient) -> None:
    upload(client, "natl_maker_space_shaoguan")
    for lang, name in (("zh", "众创空间"), ("en", "Maker space")):
        page = visible(text(client.get(f"/selfcheck/result?lang={lang}")))
        assert name in page
        assert not re.search(r"\b(?:maker_space|star_space|east_west_north|pearl_river_delta)\b", page)


def test_another_measures_outcome_is_named_by_its_title(client: FlaskClient) -> None:
    fill_enterprise(client)
    page = visible(text(client.get("/selfcheck/result?as_of=2025-06-30")))
    assert "eligible(" not in page and "“科技型中小企业评价（入库）”的结论" in page


def test_english_validation_messages_are_written_for_people(client: FlaskClient) -> None:
    client.post("/selfcheck/", data={"kind": "enterprise", "mode": "full"})
    client.post("/selfcheck/enterprise/identity", data={**PAGES["identity"], "action": "next"})
    response = client.post("/selfcheck/enterprise/staff?lang=en", data={"staff-total": "lots", "action": "next"})
    page = visible(text(response))
    assert "Enter a number, e.g." in page
    assert "Input should be" not in page and "staff.total" not in page and "staff-total" not in page
