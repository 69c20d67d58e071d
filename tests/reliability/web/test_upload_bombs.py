"""Issue 14 point 6: the YAML bombs of tests/reliability/test_yaml_bombs.py through the self-check's upload
(POST /selfcheck/upload): a 400 page with the bilingual error naming the line, bounded memory, nothing kept."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from flask.testing import FlaskClient
from test_yaml_bombs import HOSTILE


@pytest.mark.parametrize("name", ["billion_laughs", "deep_alias", "python_tag", "deep_json", "duplicate_key"])
def test_upload_refuses_hostile_profiles(client: FlaskClient, name: str) -> None:
    text, code, line = HOSTILE[name]
    assert client.get("/selfcheck/upload").status_code == 200
    tracemalloc.start()
    try:
        response = client.post("/selfcheck/upload", data={"profile": (io.BytesIO(text.encode()), "bomb.yaml")},
                               content_type="multipart/form-data")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"bomb.yaml:{line}:" in page  # the line, in the Chinese message (the default language)
    assert peak < 16 * 1024 * 1024, f"{peak} bytes allocated"
    assert client.get("/selfcheck/result").status_code == 302  # nothing was kept: back to the start
