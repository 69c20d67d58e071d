"""A coded answer reads in the words of its field: "none" is 无 for a degree, 未上市或挂牌 for where a firm is listed."""

from __future__ import annotations

from flask.testing import FlaskClient

from engine.reading.labels import code_label


def test_none_is_named_by_its_field() -> None:
    assert code_label("none", "listing.board").zh == "未上市或挂牌"
    assert code_label("none", "listing.board").en == "Not listed or quoted"
    assert code_label("none").zh == "无"
    assert code_label("main", "listing.board").zh == "主板"


def test_the_listing_picker_offers_not_listed(client: FlaskClient) -> None:
    html = client.get("/selfcheck/enterprise/certificates").get_data(as_text=True)
    assert '<option value="none">未上市或挂牌</option>' in html
    html = client.get("/selfcheck/enterprise/certificates?lang=en").get_data(as_text=True)
    assert '<option value="none">Not listed or quoted</option>' in html
