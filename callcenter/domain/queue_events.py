"""What app_queue tells us about queue calls, as domain events (translated from AMI).

``call_id`` is the caller's Uniqueid — the same id the IVR and the ticket store use — so a
queue event finds the call's IVR path and its interaction without guessing.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class AgentRinging:
    """app_queue rings an agent's phone for a waiting caller (AMI AgentCalled)."""

    call_id: str
    linked_id: str
    queue: str
    agent: str  # extension
    caller: str


@dataclasses.dataclass(frozen=True)
class AgentAnswered:
    """The agent picked up (AMI AgentConnect)."""

    call_id: str
    queue: str
    agent: str
    hold_time: float
    ring_time: float
    agent_channel: str = ""  # the agent's channel (its Uniqueid: the ARI channel id)


@dataclasses.dataclass(frozen=True)
class AgentRingStopped:
    """The agent did not pick up, or the caller left while it rang (AgentRingNoAnswer /
    AgentDump)."""

    call_id: str
    queue: str
    agent: str


@dataclasses.dataclass(frozen=True)
class AgentCallEnded:
    """The conversation is over (AMI AgentComplete)."""

    call_id: str
    queue: str
    agent: str
    hold_time: float
    talk_time: float
    ended_by: str  # caller, agent, transfer


@dataclasses.dataclass(frozen=True)
class CallerQueued:
    """A caller joined a queue (AMI QueueCallerJoin): where the event log's leg starts."""

    call_id: str
    queue: str
    position: int
    caller: str


@dataclasses.dataclass(frozen=True)
class CallerAbandoned:
    call_id: str
    queue: str
    position: int
    hold_time: float


@dataclasses.dataclass(frozen=True)
class CallerLeftQueue:
    """The caller left the queue unanswered and still on the line — timed out, found it
    full, or no agent could take calls — and goes on to the overflow (the dialplan reports
    Queue()'s QUEUESTATUS in a UserEvent CallcenterQueue)."""

    call_id: str
    queue: str
    status: str  # timeout, full, no_agents
    wait: float


@dataclasses.dataclass(frozen=True)
class MemberPaused:
    """app_queue paused or unpaused an agent in one queue (AMI QueueMemberPause) — from our
    API, or from the phone's feature codes, which never pass through the daemon."""

    agent: str
    queue: str
    paused: bool
    reason: str


@dataclasses.dataclass(frozen=True)
class MemberReachable:
    """An agent's phone, as app_queue sees the member's device (AMI QueueMemberStatus):
    unreachable when not registered (the board's "unavailable")."""

    agent: str
    reachable: bool


# app_queue's QUEUESTATUS → how the leg ended, as the ticket says it.
LEFT_QUEUE = {
    "TIMEOUT": "timeout",
    "FULL": "full",
    "JOINEMPTY": "no_agents",
    "LEAVEEMPTY": "no_agents",
    "JOINUNAVAIL": "no_agents",
    "LEAVEUNAVAIL": "no_agents",
    "KEY": "key",  # ours (callcenter-callback-exit): the caller pressed the callback digit
}

AgentEvent = AgentRinging | AgentAnswered | AgentRingStopped | AgentCallEnded
QueueEvent = AgentEvent | CallerAbandoned | CallerLeftQueue
