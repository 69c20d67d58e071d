"""This file defines how a stored application reads on a page, for applicants, reviewers and auditors alike:
status and action labels, the stored decision's cards, the history, the profile as labelled rows.

A stored decision (engine.Decision.to_json()) becomes a Decision again (Decision.from_json) and is read by
engine.reading like any other: the cards here are the reading's. Labels are engine `Message`s shown with the
`tr` filter.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from engine import lifecycle
from engine.decision import Decision
from engine.errors import Message
from engine.explain import amount_text, money
from engine.model import RuleSet
from engine.profile.labels import field_label
from engine.reading import Card, label
from engine.reading.labels import CODES
from engine.reading.words import value_text
from engine.standards.money import MoneyFormatError, parse_money
from web.i18n import current_lang
from web.reading import stored_cards
from web.store.queries import lifecycle_state as store_lifecycle_state

STATUS_LABELS: dict[str, Message] = {
    **{str(state): label for state, label in lifecycle.LABELS.items() if state != lifecycle.DECIDED},
    "decided": Message("已初筛，待审核", "screened, awaiting review"),
    "escalated": Message("已上报", "escalated"),
    "withdrawn": Message("已撤回", "withdrawn"),
}
def outcome_label(outcome: str) -> Message:
    """The label of an outcome, by its string (engine.reading.labels, the one table)."""
    return label(outcome)


ACTION_LABELS = {
    "comment": Message("备注", "comment"), "approve": Message("通过", "approved"),
    "reject": Message("不通过", "rejected"), "request_info": Message("要求补充材料", "information requested"),
    "escalate": Message("上报", "escalated"), "reopen": Message("转入审核", "moved into review"),
    "answer": Message("申请人答复", "applicant's answer"), "decision": Message("系统判断", "engine decision"),
}
APPLICANT_VISIBLE = ("approve", "reject", "request_info", "answer")  # internal comments stay internal


def lifecycle_state(status: str) -> str:
    """The statechart's state of a store status (web.store.queries.lifecycle_state, the one mapping)."""
    return store_lifecycle_state(status)


def status_label(status: str) -> Message:
    return STATUS_LABELS.get(status, Message(status, status))


def action_of(review: Any) -> str:
    """A review's action as shown: an applicant's reopen is their answer to a request."""
    return "answer" if review.action == "reopen" and review.user.role == "applicant" else str(review.action)


GONE = Message("（现行规则中已无此措施）", "(a measure no longer in the rules)")


def title_of(measure_id: str, ruleset: RuleSet) -> Message:
    measure = ruleset.measures.get(measure_id)
    return measure.title if measure is not None else GONE


def amount_of(amount: dict[str, Any] | None, lang: str) -> str:
    """A stored amount (its JSON) in words ('最高30.00万元'), '—' for none."""
    if not amount or amount.get("kind") in (None, "none"):
        return "—"
    result = Decision.from_json({"engine_version": "", "ruleset_hash": "", "as_of": "", "profile_hash": "",
                                 "profile_kind": "", "results": [{"measure_id": "", "outcome": "eligible",
                                                                  "amount": amount}]}).results[0]
    return amount_text(result.amount, lang)


def results(decision_json: str, ruleset: RuleSet, lang: str, *, applicable_only: bool = True) -> list[Card]:
    """The measures of a stored decision as the reading's cards, eligible first, each with its trace."""
    return stored_cards(decision_json, ruleset, lang, applicable_only=applicable_only)


@dataclass(frozen=True)
class Event:
    when: dt.datetime
    kind: str  # an action name or "decision"
    who: str
    role: str
    text: str
    record: Message  # "决策 #3 / decision #3", "审核 #7 / review #7"
    chain_seq: int


def history(application: Any, *, for_applicant: bool = False) -> list[Event]:
    """Decisions and review actions of an application, oldest first."""
    events = [Event(d.created_at, "decision", "—", "engine", "", Message(f"决策 #{d.id}", f"decision #{d.id}"), d.chain_seq)
              for d in application.decisions]
    for r in application.reviews:
        kind = action_of(r)
        if for_applicant and kind not in APPLICANT_VISIBLE:
            continue
        who = r.user.username if not for_applicant or r.user.role == "applicant" else ""  # staff stay anonymous
        events.append(Event(r.created_at, kind, who, r.user.role, r.reason, Message(f"审核 #{r.id}", f"review #{r.id}"),
                            r.chain_seq))
    return sorted(events, key=lambda e: e.chain_seq)


def _shown(value: Any, lang: str) -> str:
    """A stored profile value for people: amounts written with a unit ("7500万元") in the page's money."""
    if isinstance(value, str) and re.fullmatch(r"-?[\d,.]+\s*(?:万元|万|亿元|元)", value.strip()):
        try:
            return money(parse_money(value, allow_negative=True), lang)
        except MoneyFormatError:
            return value
    if isinstance(value, str) and value in CODES:
        return CODES[value].get(lang)  # a coded answer ("enterprise", "maker_space") by its label
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    return value_text(value, "any", lang)


def profile_rows(profile_json: str, lang: str | None = None) -> list[tuple[str, str]]:
    """A stored profile flattened to (label, value) rows for a definition table: each field by its label."""
    lang = lang or current_lang()
    rows: list[tuple[str, str]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key in sorted(value):
                walk(value[key], f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                key = item.get("year") if isinstance(item.get("year"), int) else i
                walk(item, f"{path}[{key}]")
        else:
            shown = _shown(value, lang)
            rows.append((field_label(path).get(lang), shown))

    walk(json.loads(profile_json), "")
    return rows
