"""This file defines the review acts of the bureau's queue beyond a single decision: review stages per call
(初审 / 复审 / 终审, with who may act at each), assigning an application to a reviewer, moving it to the
next stage, opening a 复议 (appeal) on a rejected or unfunded application, and doing one act over many
applications with a result per application.

Every act is a review action on the audit chain (reason mandatory), in its own chain-locked transaction, so
a bulk act stores what succeeded and names what was refused and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import lifecycle
from engine.errors import Message
from web.store.models import Application, Call, ReviewAction, User, utcnow
from web.store.queries import NotFound, StoreError, append_review, chain_transaction, record_review

DEFAULT_STAGES: list[dict[str, Any]] = [{"zh": "初审", "en": "first review", "users": []}]
STAGE_PRESETS = {
    "one": DEFAULT_STAGES,
    "two": [{"zh": "初审", "en": "first review", "users": []}, {"zh": "复审", "en": "second review", "users": []}],
    "three": [{"zh": "初审", "en": "first review", "users": []}, {"zh": "复审", "en": "second review", "users": []},
              {"zh": "终审", "en": "final review", "users": []}],
}


def queue_calls(session: Session) -> list[Call]:
    """Every call, newest window first (list_calls' order), without its measures: the reviewer's queue shows only
    their numbers, titles and review stages."""
    return list(session.scalars(select(Call).order_by(Call.opens_at.desc(), Call.id.desc())))


def call_of(session: Session, call_id: int | None) -> Call | None:
    """An application's call as its page shows it (title, ranking, review stages: one statement, its measures not
    read), None outside any call."""
    if call_id is None:
        return None
    return session.scalars(select(Call).where(Call.id == call_id).execution_options(populate_existing=True)).first()


def stages_of(call: Call | None) -> list[dict[str, Any]]:
    """A call's review stages (one 初审 stage when the call names none or there is no call)."""
    return list(call.stages) if call is not None and call.stages else DEFAULT_STAGES


def stage_label(call: Call | None, stage: int) -> Message:
    stages = stages_of(call)
    item = stages[min(stage, len(stages) - 1)]
    return Message(item["zh"], item["en"])


def set_stages(session: Session, call_id: int, stages: list[dict[str, Any]]) -> None:
    """Set a call's review stages (before it opens or while it is open; flushed, the caller commits).

    Raises:
        StoreError: no stage, a stage without a name, more than five.
    """
    if not stages or len(stages) > 5 or any(not str(s.get("zh", "")).strip() for s in stages):
        raise StoreError("call-stages", "审核阶段须为1至5个，每个都要有名称", "a call has 1 to 5 named review stages")
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("no-call", f"申报通知 #{call_id} 不存在", f"call #{call_id} not found")
    call.stages = [{"zh": str(s["zh"]).strip(), "en": str(s.get("en") or s["zh"]).strip(),
                    "users": sorted({int(u) for u in s.get("users") or ()})} for s in stages]
    session.flush()


def stage_refusal(session: Session, application: Application, user_id: int, action: str) -> tuple[str, str] | None:
    """Why this reviewer may not act on the application at its stage (zh, en), or None: the stage's users only
    (none listed: any reviewer); approving or rejecting only at the last stage."""
    call = session.get(Call, application.call_id) if application.call_id is not None else None
    stages = stages_of(call)
    here = stages[min(application.stage, len(stages) - 1)]
    if here["users"] and user_id not in here["users"]:
        return (f"当前阶段（{here['zh']}）只能由指定的审核人员处理", f"only the reviewers named for this stage "
                f"({here['en']}) may act on it")
    if action in ("approve", "reject") and application.stage < len(stages) - 1:
        rest = "、".join(s["zh"] for s in stages[application.stage + 1:])
        return (f"还需经过：{rest}；请先转入下一审核阶段", f"still to go: {', '.join(s['en'] for s in stages[application.stage + 1:])}; "
                "move it to the next stage first")
    return None


def _act(session: Session, application_id: int, user_id: int, action: str, reason: str,
         change: Callable[[Session, Application], None]) -> ReviewAction:
    if not (reason or "").strip():
        raise StoreError("reason-required", "审核操作必须填写理由", "a review action needs a reason")
    with chain_transaction(session) as head:
        application = session.get(Application, application_id, populate_existing=True)
        if application is None:
            raise NotFound("no-application", f"申请 #{application_id} 不存在", f"application #{application_id} not found")
        change(session, application)
        row = ReviewAction(application_id=application.id, user_id=user_id, action=action, reason=reason.strip(),
                           created_at=utcnow())
        append_review(session, head, row)
    return row


def assign(session: Session, application_id: int, reviewer_id: int, user_id: int, reason: str = "") -> ReviewAction:
    """Assign the application to a reviewer (chained `assign`)."""
    reviewer = session.get(User, reviewer_id)
    if reviewer is None or reviewer.role != "reviewer" or not reviewer.active:
        raise StoreError("not-a-reviewer", "只能指派给在岗的审核人员", "assign only to an active reviewer")

    def change(_s: Session, application: Application) -> None:
        application.assigned_to = reviewer.id

    return _act(session, application_id, user_id, "assign", reason or f"指派给 {reviewer.username} / assigned to "
                f"{reviewer.username}", change)


def next_stage(session: Session, application_id: int, user_id: int, reason: str) -> ReviewAction:
    """Move an application under review to its call's next review stage (chained `next_stage`).

    Raises:
        StoreError: not under review, already at the last stage, this reviewer may not act at this stage.
    """
    def change(s: Session, application: Application) -> None:
        if application.status not in ("in_review", "escalated"):
            raise StoreError("not-in-review", "只有审核中的申请才能转入下一阶段", "only an application under review moves on")
        call = s.get(Call, application.call_id) if application.call_id is not None else None
        if application.stage >= len(stages_of(call)) - 1:
            raise StoreError("last-stage", "已是最后一个审核阶段", "this is already the last review stage")
        refusal = stage_refusal(s, application, user_id, "next_stage")
        if refusal is not None:
            raise StoreError("stage-user", *refusal)
        application.stage += 1

    return _act(session, application_id, user_id, "next_stage", reason, change)


def open_appeal(session: Session, application_id: int, user_id: int, reason: str) -> ReviewAction:
    """Open a 复议 on a rejected or not funded application (chained `appeal`); a reviewer then takes it back
    into review, from its first stage.

    Raises:
        lifecycle.LifecycleError: the statechart allows no appeal from its status (zh/en message).
    """
    def change(_s: Session, application: Application) -> None:
        lifecycle.advance(application.status, lifecycle.State.APPEAL)
        application.status, application.closed_at, application.stage = "appeal", None, 0

    return _act(session, application_id, user_id, "appeal", reason, change)


@dataclass(frozen=True)
class BulkResult:
    application_id: int
    ok: bool
    message: Message | str  # a refusal in both languages (the page shows its own); "" when it went through


BULK_ACTS = ("request_info", "assign", "next_stage")


def bulk(session: Session, application_ids: Iterable[int], act: str, user_id: int, reason: str,
         reviewer_id: int | None = None) -> list[BulkResult]:
    """Do one act on each application (each in its own transaction); the result of each, in the order given."""
    if act not in BULK_ACTS:
        raise StoreError("bulk-act", f"未知的批量操作：{act}", f"unknown bulk act {act!r}")
    out = []
    for application_id in dict.fromkeys(application_ids):
        try:
            if act == "request_info":
                application = session.get(Application, application_id, populate_existing=True)
                if application is not None:
                    refusal = stage_refusal(session, application, user_id, act)
                    if refusal is not None:
                        raise StoreError("stage-user", *refusal)
                record_review(session, application_id=application_id, user_id=user_id, action="request_info",
                              reason=reason)
            elif act == "assign":
                assign(session, application_id, int(reviewer_id or 0), user_id, reason)
            else:
                next_stage(session, application_id, user_id, reason)
        except StoreError as refused:
            session.rollback()
            out.append(BulkResult(application_id, False, Message(refused.zh, refused.en)))
        except lifecycle.LifecycleError as refused:
            session.rollback()
            out.append(BulkResult(application_id, False, refused.message))
        else:
            out.append(BulkResult(application_id, True, Message("已完成", "done")))
    return out
