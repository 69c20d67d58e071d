"""This file defines the ONE intake check every path that submits runs — the site, the JSON API and
`subsidy decide`: the call rules (web.store.call_queries.gate: under an open call covering every measure
applied for, or for measures no call covers), the materials requirement (a file for every checklist item of
the measures applied for under the call) and the duplicate check (one application per applicant per measure
per call; a withdrawn one does not count).

A refusal is an `IntakeRefused` (a StoreError) with a stable code and a zh/en message naming what is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.store import call_queries, material_queries
from web.store.models import Applicant, Application, Call


class IntakeRefused(call_queries.CallNotOpen):
    """A submission the intake rules refuse (materials missing, a duplicate application); a kind of CallNotOpen
    so that every path that already reports a closed call reports these the same way (409, zh/en)."""


def check_intake(session: Session, *, call_id: int | None, measures: list[str] | None, identity_digest: str,
                 files: Iterable[Any] = (), now: dt.datetime | None = None) -> Call | None:
    """The call the submission goes under (None: measures no call covers), once every intake rule passes.

    Raises:
        call_queries.CallNotOpen: the call rules. IntakeRefused: `materials-missing` (naming the items) or
        `duplicate-application` (naming the earlier application).
    """
    call = call_queries.gate(session, call_id, list(measures or ()), now)
    if call is None:
        return None
    wanted = list(measures or ())
    have = {f.item for f in files}
    missing = [i for i in material_queries.checklist(session, call.id, wanted) if i["key"] not in have]
    if missing:
        raise IntakeRefused("materials-missing", "缺少申报材料：" + "、".join(i["zh"] for i in missing),
                            "materials missing: " + ", ".join(i["en"] for i in missing))
    earlier = duplicates(session, call.id, wanted, identity_digest)
    if earlier:
        application_id, measure_id = earlier[0]
        raise IntakeRefused("duplicate-application",
                            f"同一申报主体在本通知下已申请该措施（申请 #{application_id}，{measure_id}）：每个主体每项措施只能申请一次",
                            f"this applicant already applied for {measure_id} under this call (application "
                            f"#{application_id}): one application per applicant, measure and call")
    return call


def duplicates(session: Session, call_id: int, measures: list[str], identity_digest: str) -> list[tuple[int, str]]:
    """(application id, measure) of this applicant's earlier applications under the call for these measures."""
    rows = session.execute(select(Application.id, Application.measures).join(
        Applicant, Applicant.id == Application.applicant_id).where(
        Application.call_id == call_id, Applicant.identity_digest == identity_digest,
        Application.status != "withdrawn").order_by(Application.id))
    wanted = set(measures)
    return [(app_id, m) for app_id, applied in rows for m in sorted(wanted & set(applied or ()))]
