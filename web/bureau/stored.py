"""This file defines how a stored application and decision read on a page, for applicants, reviewers and
auditors alike: status and action labels, per-measure results with amounts and traces, the history.

Stored decisions are JSON (engine.Decision.to_json()); rule texts inside them carry zh and en, so the
labels here are engine `Message`s shown with the `tr` filter. Measure titles come from today's RuleSet
when it still has the measure, else from the id.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from engine import lifecycle
from engine.decision import OUTCOME_LABELS, Outcome
from engine.errors import Message
from engine.explain import amount_text
from engine.model import RuleSet

# The store's statuses → the lifecycle statechart's states. "decided" in the store means "the engine has
# decided, no person yet", the chart's "screened"; escalated is still in review (as web.store.triage_queries
# reads it); withdrawn is not in the chart.
STATE_OF_STATUS = {"decided": "screened", "escalated": "in_review"}
STATUS_LABELS: dict[str, Message] = {
    **{str(state): label for state, label in lifecycle.LABELS.items() if state != lifecycle.DECIDED},
    "decided": Message("已初筛，待审核", "screened, awaiting review"),
    "escalated": Message("已上报", "escalated"),
    "withdrawn": Message("已撤回", "withdrawn"),
}
def outcome_label(outcome: str) -> Message:
    """The label of an outcome, by its string (the engine's one table; an unknown string shows as itself)."""
    known = outcome in Outcome._value2member_map_
    return OUTCOME_LABELS[Outcome(outcome)] if known else Message(outcome, outcome)


ACTION_LABELS = {
    "comment": Message("备注", "comment"), "approve": Message("通过", "approved"),
    "reject": Message("不通过", "rejected"), "request_info": Message("要求补充材料", "information requested"),
    "escalate": Message("上报", "escalated"), "reopen": Message("转入审核", "moved into review"),
    "answer": Message("申请人答复", "applicant's answer"), "decision": Message("系统判断", "engine decision"),
}
APPLICANT_VISIBLE = ("approve", "reject", "request_info", "answer")  # internal comments stay internal


def lifecycle_state(status: str) -> str:
    return STATE_OF_STATUS.get(status, status)


def status_label(status: str) -> Message:
    return STATUS_LABELS.get(status, Message(status, status))


def action_of(review: Any) -> str:
    """A review's action as shown: an applicant's reopen is their answer to a request."""
    return "answer" if review.action == "reopen" and review.user.role == "applicant" else str(review.action)


@dataclass(frozen=True)
class Result:
    measure_id: str
    title: Any
    outcome: str
    outcome_label: Message
    amount: str
    failing: tuple[str, ...]
    missing: tuple[str, ...]
    trace: dict[str, Any] | None


def title_of(measure_id: str, ruleset: RuleSet) -> Any:
    measure = ruleset.measures.get(measure_id)
    return measure.title if measure is not None else measure_id


def amount_of(amount: dict[str, Any] | None, lang: str) -> str:
    if not amount or amount.get("kind") in (None, "none"):
        return "—"
    note = amount.get("note")
    note_message = Message(note["zh"], note.get("en") or note["zh"]) if isinstance(note, dict) else None
    return amount_text(SimpleNamespace(kind=amount["kind"], value=amount.get("value"), note=note_message), lang)


def results(decision_json: str, ruleset: RuleSet, lang: str, *, applicable_only: bool = True) -> list[Result]:
    """The measures of a stored decision, eligible first, each with its amount and trace."""
    order = {"eligible": 0, "conditional": 1, "undetermined": 2, "ineligible": 3, "not_applicable": 4}
    out = []
    for r in json.loads(decision_json)["results"]:
        if applicable_only and r["outcome"] == "not_applicable":
            continue
        out.append(Result(r["measure_id"], title_of(r["measure_id"], ruleset), r["outcome"],
                          outcome_label(r["outcome"]),
                          amount_of(r.get("amount"), lang), tuple(r.get("failing") or ()),
                          tuple(r.get("missing") or ()), r.get("trace")))
    return sorted(out, key=lambda x: (order.get(x.outcome, 9), x.measure_id))


@dataclass(frozen=True)
class Event:
    when: dt.datetime
    kind: str  # an action name or "decision"
    who: str
    role: str
    text: str
    record: str  # "decision #3" / "review #7"
    chain_seq: int


def history(application: Any, *, for_applicant: bool = False) -> list[Event]:
    """Decisions and review actions of an application, oldest first."""
    events = [Event(d.created_at, "decision", "—", "engine", "", f"decision #{d.id}", d.chain_seq)
              for d in application.decisions]
    for r in application.reviews:
        kind = action_of(r)
        if for_applicant and kind not in APPLICANT_VISIBLE:
            continue
        who = r.user.username if not for_applicant or r.user.role == "applicant" else ""  # staff stay anonymous
        events.append(Event(r.created_at, kind, who, r.user.role, r.reason, f"review #{r.id}", r.chain_seq))
    return sorted(events, key=lambda e: e.chain_seq)


def profile_rows(profile_json: str) -> list[tuple[str, str]]:
    """A stored profile flattened to (path, value) rows for a definition table."""
    rows: list[tuple[str, str]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key in sorted(value):
                walk(value[key], f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")
        else:
            rows.append((path, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value))

    walk(json.loads(profile_json), "")
    return rows
