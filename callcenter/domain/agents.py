"""Agent states as the contact center sees them, and the rules for moving between them.

    logged_out ──login──► available ──ring──► ringing ──answer──► on_call ──hangup──► wrap_up
        ▲                   │  ▲               │ (no answer)                              │
        └──────logout───────┘  └──────────────-┴──────────── wrap-up time over ◄─────────┘
                            pause(reason) ⇄ unpause

The machine is pure: :func:`transition` returns the new state or raises
:class:`AgentStateError` naming the agent, the state and the event. Whoever applies it logs
each transition (wazo-agentd style) and tells app_queue (QueuePause / QueueAdd).
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime, timedelta


class AgentStatus(enum.StrEnum):
    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class AgentEvent(enum.StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    PAUSE = "pause"
    UNPAUSE = "unpause"
    RING = "ring"  # app_queue rings the agent's phone (AgentCalled)
    NO_ANSWER = "no_answer"  # AgentRingNoAnswer
    ANSWER = "answer"  # AgentConnect
    HANGUP = "hangup"  # AgentComplete
    WRAP_UP_OVER = "wrap_up_over"


class AgentStateError(ValueError):
    """A request the agent's state or setup refuses; ``field`` names the request field at
    fault, when one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnknownAgent(AgentStateError):
    pass


@dataclasses.dataclass(frozen=True)
class AgentState:
    extension: str
    status: AgentStatus = AgentStatus.LOGGED_OUT
    since: datetime | None = None
    pause_reason: str = ""
    wrap_up_until: datetime | None = None

    @property
    def rings(self) -> bool:
        """May app_queue offer this agent a call now?"""
        return self.status is AgentStatus.AVAILABLE


_MOVES: dict[tuple[AgentStatus, AgentEvent], AgentStatus] = {
    (AgentStatus.LOGGED_OUT, AgentEvent.LOGIN): AgentStatus.AVAILABLE,
    (AgentStatus.AVAILABLE, AgentEvent.LOGOUT): AgentStatus.LOGGED_OUT,
    (AgentStatus.PAUSED, AgentEvent.LOGOUT): AgentStatus.LOGGED_OUT,
    (AgentStatus.WRAP_UP, AgentEvent.LOGOUT): AgentStatus.LOGGED_OUT,
    (AgentStatus.RINGING, AgentEvent.LOGOUT): AgentStatus.LOGGED_OUT,  # the call goes on
    (AgentStatus.AVAILABLE, AgentEvent.PAUSE): AgentStatus.PAUSED,
    (AgentStatus.WRAP_UP, AgentEvent.PAUSE): AgentStatus.PAUSED,
    (AgentStatus.PAUSED, AgentEvent.PAUSE): AgentStatus.PAUSED,  # a new reason
    (AgentStatus.PAUSED, AgentEvent.UNPAUSE): AgentStatus.AVAILABLE,
    (AgentStatus.AVAILABLE, AgentEvent.RING): AgentStatus.RINGING,
    (AgentStatus.RINGING, AgentEvent.NO_ANSWER): AgentStatus.AVAILABLE,
    (AgentStatus.RINGING, AgentEvent.ANSWER): AgentStatus.ON_CALL,
    (AgentStatus.RINGING, AgentEvent.HANGUP): AgentStatus.AVAILABLE,  # caller left first
    (AgentStatus.ON_CALL, AgentEvent.HANGUP): AgentStatus.WRAP_UP,
    (AgentStatus.WRAP_UP, AgentEvent.WRAP_UP_OVER): AgentStatus.AVAILABLE,
    # app_queue does not ring an agent before the queue's wrap-up time is over, whatever
    # they press: "available" in wrap-up (or after a pause taken in it) waits for its end.
    (AgentStatus.WRAP_UP, AgentEvent.UNPAUSE): AgentStatus.AVAILABLE,
    # A call offered while the agent was pausing still gets answered: finish it first.
    (AgentStatus.PAUSED, AgentEvent.ANSWER): AgentStatus.ON_CALL,
}


def transition(
    state: AgentState,
    event: AgentEvent,
    at: datetime,
    reason: str = "",
    wrap_up: timedelta = timedelta(0),
    reasons: frozenset[str] = frozenset(),
) -> AgentState:
    """The state after ``event``; pause reasons must be in ``reasons`` when it is given."""
    target = _MOVES.get((state.status, event))
    if target is None:
        raise AgentStateError(
            f"agent {state.extension}: cannot {event.value} while {state.status.value}"
        )
    if event is AgentEvent.PAUSE and reasons and reason not in reasons:
        allowed = ", ".join(sorted(reasons))
        raise AgentStateError(f"agent {state.extension}: pause reason {reason!r} not in {allowed}")
    if target is AgentStatus.WRAP_UP and wrap_up <= timedelta(0):
        target = AgentStatus.AVAILABLE  # this queue has no wrap-up time
    until = at + wrap_up if target is AgentStatus.WRAP_UP else None
    left = state.wrap_up_until
    if event is AgentEvent.UNPAUSE and left is not None and left > at:
        target, until = AgentStatus.WRAP_UP, left  # the rest of the wrap-up time
    elif target is AgentStatus.PAUSED and left is not None and left > at:
        until = left  # a pause taken in wrap-up: its end is remembered
    return AgentState(
        extension=state.extension,
        status=target,
        since=at,
        pause_reason=reason if target is AgentStatus.PAUSED else "",
        wrap_up_until=until,
    )
