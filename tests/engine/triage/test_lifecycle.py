"""The application statechart: the legal path, every illegal transition refused in zh and en."""

from __future__ import annotations

import pytest

from engine.lifecycle import (
    TRANSITIONS,
    IllegalTransition,
    State,
    UnknownState,
    advance,
    allowed_next,
    check_history,
)

LEGAL = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
ILLEGAL = sorted((a, b) for a in State for b in State if (a, b) not in LEGAL)


def test_the_whole_story_is_legal() -> None:
    history = ["draft", "submitted", "screened", "in_review", "info_requested", "in_review", "rejected",
               "appeal", "in_review", "approved", "appeal"]
    assert check_history(history)[-1] is State.APPEAL


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_every_other_transition_is_refused(current: State, target: State) -> None:
    with pytest.raises(IllegalTransition) as caught:
        advance(current, target)
    error = caught.value
    assert error.code == "illegal-transition"
    assert (error.current, error.target, error.allowed) == (current, target, TRANSITIONS[current])
    assert error.message.zh.startswith("申报状态不能从") and "cannot go from" in error.message.en


def test_the_refusal_names_both_states_and_the_allowed_ones() -> None:
    with pytest.raises(IllegalTransition) as caught:
        advance("draft", "approved")
    assert caught.value.message.zh == "申报状态不能从“草稿”变为“已决定：通过”；当前状态只能变为“已提交”"
    assert caught.value.message.en == ("an application cannot go from 'draft' to 'decided: approved'; "
                                       "from 'draft' it can only go to 'submitted'")


def test_allowed_next_states() -> None:
    assert allowed_next("in_review") == (State.INFO_REQUESTED, State.APPROVED, State.REJECTED)
    assert allowed_next(State.REJECTED) == (State.APPEAL,)
    assert allowed_next("appeal") == (State.IN_REVIEW,)
    assert [s for s in State if not allowed_next(s)] == [State.PAID], "only a payment ends the chart"
    assert allowed_next("approved") == (State.APPEAL, State.FUNDED, State.NOT_FUNDED)
    assert allowed_next("not_funded") == (State.APPEAL,)


def test_a_final_state_says_so() -> None:
    with pytest.raises(IllegalTransition) as caught:
        advance("paid", "in_review")
    assert "最终状态" in caught.value.message.zh and "final state" in caught.value.message.en


def test_decided_is_composite_and_must_say_which() -> None:
    with pytest.raises(UnknownState) as caught:
        advance("in_review", "decided")
    assert caught.value.code == "composite-state" and "approved" in caught.value.message.en


def test_unknown_state_suggests_the_closest() -> None:
    with pytest.raises(UnknownState) as caught:
        advance("in_reveiw", "approved")
    assert caught.value.code == "unknown-state" and "in_review" in caught.value.hint


def test_a_history_with_a_skip_fails_at_the_skip() -> None:
    with pytest.raises(IllegalTransition) as caught:
        check_history(["draft", "submitted", "in_review"])
    assert (caught.value.current, caught.value.target) == (State.SUBMITTED, State.IN_REVIEW)
