"""This file serialises the API's canonical JSON: sorted keys, no spaces, UTF-8 — with orjson, byte for byte.

`canonical_bytes(data)` is `json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`
encoded as UTF-8, which is what `Decision.to_json()` writes, produced by orjson (a few times faster).
Where orjson would write something else it is not used: integers beyond 64 bits (orjson refuses them)
and non-string keys fall back to the standard library. tests/web/test_api.py checks the bytes on every
sample applicant, on generated profiles and on texts with escapes and non-BMP characters.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from engine.decision import Decision

_OPTIONS = orjson.OPT_SORT_KEYS


def canonical_bytes(data: Any) -> bytes:
    """The canonical JSON of plain data (dicts with string keys, lists, strings, ints, bools, None)."""
    try:
        return orjson.dumps(data, option=_OPTIONS)
    except TypeError:  # an int beyond 64 bits, a non-string key: the standard library's bytes
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def decision_json(decision: Decision) -> bytes:
    """The same bytes as `decision.to_json().encode()`."""
    return canonical_bytes(decision.to_dict())
