"""The application lifecycle as a statechart: which status may follow which, with zh/en refusals.

    draft → submitted → screened → in_review ⇄ info_requested
    in_review → decided (approved | rejected) → appeal → in_review
    approved → funded → paid          (the call's allocation funds it, then the payment is recorded)
    approved → not_funded → appeal    (approved, but the call's budget did not reach it)

It is the bureau's chart, used by the applications and review pages and by triage (which watches some
of its states); it lives here, not in engine.triage, because it is not triage.

`decided` is a composite state: an application is decided when it is approved or rejected, and a
transition "to decided" must say which. Pure Python (no durable-rules): the table is the statechart.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from engine.errors import EngineError, Message
from engine.suggest import hint_for


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENED = "screened"
    IN_REVIEW = "in_review"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    APPEAL = "appeal"
    FUNDED = "funded"
    NOT_FUNDED = "not_funded"
    PAID = "paid"


DECIDED = "decided"
DECIDED_STATES = frozenset({State.APPROVED, State.REJECTED})

LABELS: dict[str, Message] = {
    State.DRAFT: Message("草稿", "draft"),
    State.SUBMITTED: Message("已提交", "submitted"),
    State.SCREENED: Message("已初筛", "screened"),
    State.IN_REVIEW: Message("审核中", "in review"),
    State.INFO_REQUESTED: Message("待补充材料", "information requested"),
    State.APPROVED: Message("已决定：通过", "decided: approved"),
    State.REJECTED: Message("已决定：不通过", "decided: rejected"),
    State.APPEAL: Message("复议中", "under appeal"),
    State.FUNDED: Message("已列入资助", "funded"),
    State.NOT_FUNDED: Message("通过但未获资助（原因见分配结果）", "approved, not funded (see the allocation for why)"),
    State.PAID: Message("已拨付", "paid"),
    DECIDED: Message("已决定", "decided"),
}

TRANSITIONS: dict[State, tuple[State, ...]] = {
    State.DRAFT: (State.SUBMITTED,),
    State.SUBMITTED: (State.SCREENED,),
    State.SCREENED: (State.IN_REVIEW,),
    State.IN_REVIEW: (State.INFO_REQUESTED, State.APPROVED, State.REJECTED),
    State.INFO_REQUESTED: (State.IN_REVIEW,),
    State.APPROVED: (State.APPEAL, State.FUNDED, State.NOT_FUNDED),
    State.REJECTED: (State.APPEAL,),
    State.APPEAL: (State.IN_REVIEW,),
    State.FUNDED: (State.PAID,),
    State.NOT_FUNDED: (State.APPEAL,),
    State.PAID: (),
}


class LifecycleError(EngineError):
    """A refused status change; `.message` is the zh/en text for the reviewer, `.code` is stable."""

    def __init__(self, code: str, message: Message, hint: str = ""):
        self.code, self.message, self.hint = code, message, hint
        super().__init__(f"[{code}] {message.zh} / {message.en}" + (f" ({hint})" if hint else ""))


class UnknownState(LifecycleError):
    pass


class IllegalTransition(LifecycleError):
    def __init__(self, current: State, target: State | str, allowed: tuple[State, ...], message: Message):
        self.current, self.target, self.allowed = current, target, allowed
        super().__init__("illegal-transition", message)


def parse_state(text: str | State) -> State:
    """The State named by `text`.

    Raises:
        UnknownState: not a state name ("decided" names the composite: say approved or rejected).

    >>> parse_state("in_review")
    <State.IN_REVIEW: 'in_review'>
    """
    try:
        return State(text)
    except ValueError:
        pass
    if text == DECIDED:
        raise UnknownState("composite-state", Message(
            "“已决定”是复合状态，请指明“通过”(approved)或“不通过”(rejected)",
            "'decided' is a composite state: say approved or rejected")) from None
    known = [s.value for s in State]
    message = Message(f"未知的申报状态“{text}”", f"unknown application status '{text}'")
    raise UnknownState("unknown-state", message, hint_for(str(text), known)) from None


def allowed_next(current: State | str) -> tuple[State, ...]:
    """The states an application in `current` may move to, in the chart's order.

    >>> [s.value for s in allowed_next("in_review")]
    ['info_requested', 'approved', 'rejected']
    """
    return TRANSITIONS[parse_state(current)]


def advance(current: State | str, target: State | str) -> State:
    """Move from `current` to `target` if the statechart allows it; return the new state.

    Raises:
        IllegalTransition: the move is not in the chart; the message names both states and the allowed ones.
        UnknownState: either name is not a state.
    """
    here = parse_state(current)
    if target == DECIDED:
        parse_state(DECIDED)
    there = parse_state(target)
    allowed = TRANSITIONS[here]
    if there in allowed:
        return there
    raise IllegalTransition(here, there, allowed, _refusal(here, there, allowed))


def check_history(states: Iterable[State | str]) -> tuple[State, ...]:
    """Validate a whole status history (first state first); return it parsed.

    Raises:
        IllegalTransition: at the first step the chart does not allow.
    """
    parsed = tuple(parse_state(s) for s in states)
    for before, after in zip(parsed, parsed[1:], strict=False):
        advance(before, after)
    return parsed


def _refusal(here: State, there: State, allowed: tuple[State, ...]) -> Message:
    if not allowed:
        return Message(f"申报状态不能从“{LABELS[here].zh}”变为“{LABELS[there].zh}”；“{LABELS[here].zh}”是最终状态",
                       f"an application cannot go from '{LABELS[here].en}' to '{LABELS[there].en}'; "
                       f"'{LABELS[here].en}' is a final state")
    zh_allowed = "、".join(f"“{LABELS[s].zh}”" for s in allowed)
    en_allowed = ", ".join(f"'{LABELS[s].en}'" for s in allowed)
    return Message(
        f"申报状态不能从“{LABELS[here].zh}”变为“{LABELS[there].zh}”；当前状态只能变为{zh_allowed}",
        f"an application cannot go from '{LABELS[here].en}' to '{LABELS[there].en}'; "
        f"from '{LABELS[here].en}' it can only go to {en_allowed}",
    )
