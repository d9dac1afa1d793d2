from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.agents import (
    AgentEvent,
    AgentState,
    AgentStateError,
    AgentStatus,
    transition,
)

T = datetime(2026, 11, 23, 9, tzinfo=UTC)
REASONS = frozenset({"lunch", "training"})


def walk(*events: AgentEvent, wrap_up: float = 30) -> AgentState:
    state = AgentState("1001")
    for n, event in enumerate(events):
        state = transition(
            state, event, T + timedelta(seconds=n), "lunch", timedelta(seconds=wrap_up), REASONS
        )
    return state


def test_a_call_then_wrap_up_then_available_again() -> None:
    state = walk(AgentEvent.LOGIN, AgentEvent.RING, AgentEvent.ANSWER, AgentEvent.HANGUP)
    assert state.status is AgentStatus.WRAP_UP
    assert state.wrap_up_until == T + timedelta(seconds=33)
    assert not state.rings
    assert transition(state, AgentEvent.WRAP_UP_OVER, T).rings


def test_no_wrap_up_time_means_available_at_once() -> None:
    state = walk(AgentEvent.LOGIN, AgentEvent.RING, AgentEvent.ANSWER, AgentEvent.HANGUP, wrap_up=0)
    assert state.status is AgentStatus.AVAILABLE


def test_paused_agents_are_not_rung_and_keep_their_reason() -> None:
    state = walk(AgentEvent.LOGIN, AgentEvent.PAUSE)
    assert (state.status, state.pause_reason, state.rings) == (AgentStatus.PAUSED, "lunch", False)
    with pytest.raises(AgentStateError, match="agent 1001: cannot ring while paused"):
        transition(state, AgentEvent.RING, T)


def test_unknown_pause_reason_is_refused() -> None:
    state = walk(AgentEvent.LOGIN)
    with pytest.raises(AgentStateError, match="pause reason 'nap' not in lunch, training"):
        transition(state, AgentEvent.PAUSE, T, "nap", reasons=REASONS)


def test_an_unanswered_ring_returns_the_agent_to_available() -> None:
    assert (
        walk(AgentEvent.LOGIN, AgentEvent.RING, AgentEvent.NO_ANSWER).status
        is AgentStatus.AVAILABLE
    )


def test_logged_out_agents_cannot_take_calls() -> None:
    with pytest.raises(AgentStateError, match="cannot answer while logged_out"):
        walk(AgentEvent.ANSWER)


def test_available_in_wrap_up_waits_for_its_end_as_app_queue_does() -> None:
    """app_queue rings nobody before the queue's wrap-up time is over: the agent's state
    (the desk's) says wrap-up until then, as the board does."""
    wrapping = walk(AgentEvent.LOGIN, AgentEvent.RING, AgentEvent.ANSWER, AgentEvent.HANGUP)
    end = wrapping.wrap_up_until
    assert end is not None
    early = transition(wrapping, AgentEvent.UNPAUSE, T + timedelta(seconds=10))
    assert (early.status, early.wrap_up_until) == (AgentStatus.WRAP_UP, end)
    paused = transition(wrapping, AgentEvent.PAUSE, T + timedelta(seconds=10), "lunch")
    back = transition(paused, AgentEvent.UNPAUSE, T + timedelta(seconds=20))
    assert (back.status, back.wrap_up_until) == (AgentStatus.WRAP_UP, end)
    later = transition(paused, AgentEvent.UNPAUSE, end + timedelta(seconds=1))
    assert later.status is AgentStatus.AVAILABLE
