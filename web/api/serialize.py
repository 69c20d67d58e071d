"""This file serialises the API's canonical JSON: sorted keys, no spaces, UTF-8 — the engine's one writer
(engine.canonical.dumps_bytes, orjson where it writes exactly the standard library's bytes), so an API body is
byte for byte what `Decision.to_json()` writes. tests/web/test_api.py checks the bytes on every sample applicant,
on generated profiles and on texts with escapes and non-BMP characters.
"""

from __future__ import annotations

from typing import Any

from engine.canonical import dumps_bytes
from engine.decision import Decision


def canonical_bytes(data: Any) -> bytes:
    """The canonical JSON of plain data (dicts with string keys, lists, strings, ints, bools, None)."""
    return dumps_bytes(data)


def decision_json(decision: Decision) -> bytes:
    """The decision's canonical JSON as bytes (written straight from the objects, never decoded to text)."""
    return decision.to_json_bytes()
