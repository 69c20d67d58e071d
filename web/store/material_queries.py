"""This file defines the reads and writes of uploaded materials and of "materials complete".

Rows only (the bytes are in web.store.blobs). An item's current files are those not superseded; a new
upload for an item whose files need correction supersedes them. `materials_complete` on the application
is data: True when every checklist item of the call has at least one current file and every current
file is accepted; False when something is missing or needs correction; None until a reviewer has marked
every current file (nothing checked yet). Writers flush; the caller commits (or a chain transaction does).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.store.models import MATERIAL_STATUSES, Application, CallMeasure, Material, utcnow
from web.store.queries import NotFound, StoreError


@dataclass(frozen=True)
class StagedFile:
    """A checked file already stored by sha256, waiting to be attached to an application."""

    item: str
    filename: str
    content_type: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "filename": self.filename, "content_type": self.content_type, "size": self.size,
                "sha256": self.sha256}


def checklist(session: Session, call_id: int | None, measures: Iterable[str]) -> list[dict[str, str]]:
    """The materials checklist of these measures in the call, each item once (by key), in call order."""
    if call_id is None:
        return []
    wanted = set(measures)
    rows = session.scalars(select(CallMeasure).where(CallMeasure.call_id == call_id).order_by(CallMeasure.id))
    seen: dict[str, dict[str, str]] = {}
    for row in rows:
        if row.measure_id in wanted:
            for item in row.materials:
                seen.setdefault(item["key"], item)
    return list(seen.values())


def attach(session: Session, application_id: int, files: Iterable[StagedFile], user_id: int | None, *,
           supersede: bool = True) -> list[Material]:
    """Attach staged files to an application; a file for an item that needs correction supersedes its files
    (`supersede` False: a new application, which has none)."""
    files = list(files)
    items = {f.item for f in files}
    if items and supersede:
        for old in session.scalars(select(Material).where(Material.application_id == application_id,
                                                          Material.item.in_(items), Material.superseded.is_(False),
                                                          Material.status == "needs_correction")):
            old.superseded = True
    rows = [Material(application_id=application_id, item=f.item, filename=f.filename, content_type=f.content_type,
                     size=f.size, sha256=f.sha256, uploaded_by=user_id, created_at=utcnow(), status="pending",
                     superseded=False) for f in files]
    session.add_all(rows)
    session.flush()
    return rows


def materials_of(session: Session, application_id: int, *, current_only: bool = True) -> list[Material]:
    stmt = select(Material).where(Material.application_id == application_id).order_by(Material.item, Material.id)
    if current_only:
        stmt = stmt.where(Material.superseded.is_(False))
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def get_material(session: Session, material_id: int) -> Material | None:
    return session.get(Material, material_id)


def complete(items: Iterable[str], current: Iterable[Any]) -> bool | None:
    """Whether the checklist is complete, from the current files' statuses (see the module docstring).

    >>> from types import SimpleNamespace as F
    >>> complete(["a", "b"], [F(item="a", status="accepted"), F(item="b", status="accepted")])
    True
    >>> complete(["a", "b"], [F(item="a", status="accepted")]) , complete(["a"], [F(item="a", status="pending")])
    (False, None)
    """
    files = list(current)
    by_item: dict[str, list[str]] = {}
    for f in files:
        by_item.setdefault(f.item, []).append(f.status)
    if any(item not in by_item for item in items) or any("needs_correction" in s for s in by_item.values()):
        return False
    if any(s == "pending" for statuses in by_item.values() for s in statuses):
        return None
    return True


def refresh_complete(session: Session, application: Application) -> bool | None:
    """Recompute and store `application.materials_complete` (flushed)."""
    items = [i["key"] for i in checklist(session, application.call_id, application.measures or ())]
    application.materials_complete = complete(items, materials_of(session, application.id))
    session.flush()
    return application.materials_complete


def mark(session: Session, material_id: int, status: str, reason: str, reviewer_id: int) -> Material:
    """A reviewer marks a current file accepted or needs correction (a reason is required for the latter).

    Raises:
        NotFound: no such file; StoreError: unknown status, a correction without a reason, a superseded file.
    """
    row = session.get(Material, material_id)
    if row is None:
        raise NotFound("no-material", f"材料 #{material_id} 不存在", f"material #{material_id} not found")
    if status not in MATERIAL_STATUSES[1:]:
        raise StoreError("material-status", f"未知的材料审核结果：{status}", f"unknown material status {status!r}")
    if status == "needs_correction" and not (reason or "").strip():
        raise StoreError("material-reason", "退回补正必须说明理由", "a correction needs a reason")
    if row.superseded:
        raise StoreError("material-superseded", "该文件已被新上传的文件替换", "this file has been replaced by a newer upload")
    row.status, row.review_reason = status, (reason or "").strip() or None
    row.reviewed_by, row.reviewed_at = reviewer_id, utcnow()
    application = session.get(Application, row.application_id)
    assert application is not None
    refresh_complete(session, application)
    return row
