"""This file reads the self-check answers kept in the session as a validated profile, for applying.

The self-check (web.selfcheck) keeps what the visitor typed in the signed session; applying reuses it as
is, checked by the engine exactly as the result page checked it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from engine.profile import ParsedProfile
from web.answers import store
from web.answers.mapping import check
from web.answers.steps import pages


@dataclass(frozen=True)
class SelfcheckProfile:
    kind: str | None
    parsed: ParsedProfile | None
    data: dict[str, Any] | None
    problem: str | None  # "none": no answers yet; "unnamed": only the name is missing; "invalid": answers refused


def selfcheck_profile(today: dt.date) -> SelfcheckProfile:
    kind = store.kind()
    if not kind or not store.saved_pages(kind):
        return SelfcheckProfile(kind, None, None, "none")
    pages_ = pages(kind, store.rows(kind, "certificates"))
    specs = tuple(s for p in pages_ for s in p.specs)
    parsed, issues, built = check(kind, specs, store.answers(kind), today)
    if parsed is None:
        # the self-check evaluates a firm with no name as 本企业; applying needs the real name
        only_name = bool(issues) and all(issue.path == "name" for _field, issue in issues)
        return SelfcheckProfile(kind, None, built.data, "unnamed" if only_name else "invalid")
    return SelfcheckProfile(kind, parsed, built.data, None)
